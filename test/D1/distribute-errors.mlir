// RUN: dojo-opt %s -split-input-file -d1-distribute -verify-diagnostics
// d1-distribute reports what it cannot lower at the offending op.

module attributes {d1.target = "name=m,rows=2,cols=2"} {
  func.func @main(%x: tensor<1x16xf32>) -> tensor<1x16xf32> {
    // expected-error @+1 {{missing or malformed d1.split: run d1-tile first}}
    %y = dnn.relu %x : (tensor<1x16xf32>) -> tensor<1x16xf32>
    return %y : tensor<1x16xf32>
  }
}

// -----

module attributes {d1.target = "name=m,rows=2,cols=2"} {
  func.func @main(%x: tensor<1x16xf32>) -> tensor<1x16xf32> {
    // The split must have one entry per output dimension.
    // expected-error @+1 {{missing or malformed d1.split: run d1-tile first}}
    %y = dnn.relu %x {d1.split = array<i64: 1>} : (tensor<1x16xf32>) -> tensor<1x16xf32>
    return %y : tensor<1x16xf32>
  }
}

// -----

// expected-error @+1 {{expected a func.func @main to distribute}}
module attributes {d1.target = "name=m,rows=2,cols=2"} {
  func.func @other(%x: tensor<1x16xf32>) -> tensor<1x16xf32> {
    %y = dnn.relu %x {d1.split = array<i64: 1, 1>} : (tensor<1x16xf32>) -> tensor<1x16xf32>
    return %y : tensor<1x16xf32>
  }
}

// -----

// expected-error @+1 {{no D1 target: run d1-assign-target first}}
module {
  func.func @main(%x: tensor<1x16xf32>) -> tensor<1x16xf32> {
    %y = dnn.relu %x {d1.split = array<i64: 1, 1>} : (tensor<1x16xf32>) -> tensor<1x16xf32>
    return %y : tensor<1x16xf32>
  }
}

// -----

module attributes {d1.target = "name=m,rows=2,cols=2"} {
  // expected-error @+1 {{input 0 must be a static tensor of a supported element type}}
  func.func @main(%x: tensor<?x16xf32>) -> tensor<?x16xf32> {
    return %x : tensor<?x16xf32>
  }
}

// -----

module attributes {d1.target = "name=m,rows=2,cols=2"} {
  func.func @main(%x: tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32> {
    %w = arith.constant dense<0.5> : tensor<4x1x3x3xf32>
    // Input-channel parts need every output channel to read every input
    // channel.
    // expected-error @+1 {{d1.ksplit applies only to ungrouped convolutions}}
    %y = dnn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 4 : i64, act = "none", d1.split = array<i64: 1, 1, 1, 1>, d1.ksplit = 2 : i64}
         : (tensor<1x4x4x4xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x4x4xf32>
    return %y : tensor<1x4x4x4xf32>
  }
}

// -----

module attributes {d1.target = "name=m,rows=2,cols=2"} {
  func.func @main(%x: tensor<1x2x4x4xf32>) -> tensor<1x8x4x4xf32> {
    %w = arith.constant dense<0.5> : tensor<8x2x3x3xf32>
    // expected-error @+1 {{d1.ksplit 3 exceeds the 2 input channels}}
    %y = dnn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64, act = "none", d1.split = array<i64: 1, 1, 1, 1>, d1.ksplit = 3 : i64}
         : (tensor<1x2x4x4xf32>, tensor<8x2x3x3xf32>) -> tensor<1x8x4x4xf32>
    return %y : tensor<1x8x4x4xf32>
  }
}

// -----

module attributes {d1.target = "name=m,rows=2,cols=2"} {
  func.func @main(%x: tensor<4x48xf32>) -> tensor<4x48xf32> {
    // expected-error @+1 {{d1.place has 3 entries for 4 pieces}}
    %y = dnn.relu %x {d1.split = array<i64: 4, 1>, d1.place = array<i64: 2, 3, 1>} : (tensor<4x48xf32>) -> tensor<4x48xf32>
    return %y : tensor<4x48xf32>
  }
}

// -----

module attributes {d1.target = "name=m,rows=2,cols=2,disabled=1:1"} {
  func.func @main(%x: tensor<3x48xf32>) -> tensor<3x48xf32> {
    // expected-error @+1 {{d1.place names node 3, which is not an enabled node}}
    %y = dnn.relu %x {d1.split = array<i64: 3, 1>, d1.place = array<i64: 0, 1, 3>} : (tensor<3x48xf32>) -> tensor<3x48xf32>
    return %y : tensor<3x48xf32>
  }
}
