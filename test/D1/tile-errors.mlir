// RUN: dojo-opt %s -split-input-file -d1-tile -verify-diagnostics
// d1-tile needs the target; other ops are left alone.

// expected-error @+1 {{no D1 target: run d1-assign-target first}}
module {
  func.func @main(%x: tensor<1x16xf32>) -> tensor<1x16xf32> {
    %y = dnn.relu %x : (tensor<1x16xf32>) -> tensor<1x16xf32>
    return %y : tensor<1x16xf32>
  }
}

// -----

// expected-error @+1 {{invalid target spec: unknown target field 'nodes'}}
module attributes {d1.target = "name=x,nodes=4"} {
  func.func @main(%x: tensor<1x16xf32>) -> tensor<1x16xf32> {
    %y = dnn.relu %x : (tensor<1x16xf32>) -> tensor<1x16xf32>
    return %y : tensor<1x16xf32>
  }
}
