// RUN: not dojo-opt %s -split-input-file -d1-tile="min-piece-work=1" -d1-distribute 2>&1 | FileCheck %s

// Constant axes leave dimension 0 unsliced, yet the declared result
// changes it: the model contradicts itself.
// CHECK: error: dimension 0 is not sliced but its declared extent 2 differs from the input's 4
module attributes {d1.target = "name=m1,rows=1,cols=1"} {
  func.func @main(%x: tensor<4x10xf32>, %s: tensor<1xi64>, %e: tensor<1xi64>) -> tensor<2x3xf32> {
    %a = arith.constant dense<[1]> : tensor<1xi64>
    %st = arith.constant dense<[1]> : tensor<1xi64>
    %y = dnn.dynamic_slice %x, %s, %e, %a, %st : (tensor<4x10xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<2x3xf32>
    return %y : tensor<2x3xf32>
  }
}

// -----

// CHECK: error: axis 3 is out of range for rank 2
module attributes {d1.target = "name=m1,rows=1,cols=1"} {
  func.func @main(%x: tensor<4x10xf32>, %s: tensor<1xi64>, %e: tensor<1xi64>) -> tensor<4x3xf32> {
    %a = arith.constant dense<[3]> : tensor<1xi64>
    %st = arith.constant dense<[1]> : tensor<1xi64>
    %y = dnn.dynamic_slice %x, %s, %e, %a, %st : (tensor<4x10xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<4x3xf32>
    return %y : tensor<4x3xf32>
  }
}
