// RUN: dojo-opt %s --split-input-file --verify-diagnostics | FileCheck %s
// dnn.dynamic_slice / dnn.dynamic_pad: valid forms round-trip, invalid ones
// are rejected by the verifier.

// CHECK-LABEL: func.func @valid
// CHECK: dnn.dynamic_slice %arg0, %arg1, %arg1, %arg1, %arg1 : (tensor<4x10xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<2x3xf32>
// CHECK: dnn.dynamic_pad %arg0, %arg2, %arg3 : (tensor<4x10xf32>, tensor<4xi32>, tensor<1xf32>) -> tensor<5x12xf32>
func.func @valid(%x: tensor<4x10xf32>, %i: tensor<2xi64>, %p: tensor<4xi32>, %v: tensor<1xf32>) -> (tensor<2x3xf32>, tensor<5x12xf32>) {
  %y = dnn.dynamic_slice %x, %i, %i, %i, %i : (tensor<4x10xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<2x3xf32>
  %z = dnn.dynamic_pad %x, %p, %v : (tensor<4x10xf32>, tensor<4xi32>, tensor<1xf32>) -> tensor<5x12xf32>
  return %y, %z : tensor<2x3xf32>, tensor<5x12xf32>
}

// -----

func.func @slice_lengths(%x: tensor<4x10xf32>, %i: tensor<2xi64>, %j: tensor<1xi64>) -> tensor<2x3xf32> {
  // expected-error @+1 {{starts, ends, axes and steps must have the same length}}
  %y = dnn.dynamic_slice %x, %i, %i, %j, %i : (tensor<4x10xf32>, tensor<2xi64>, tensor<2xi64>, tensor<1xi64>, tensor<2xi64>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

func.func @slice_float_starts(%x: tensor<4x10xf32>, %i: tensor<2xi64>, %f: tensor<2xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{starts must be a static 1-D i32 or i64 tensor}}
  %y = dnn.dynamic_slice %x, %f, %i, %i, %i : (tensor<4x10xf32>, tensor<2xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

func.func @slice_too_large(%x: tensor<4x10xf32>, %i: tensor<2xi64>) -> tensor<5x3xf32> {
  // expected-error @+1 {{result dimension 0 (5) is larger than the input's (4)}}
  %y = dnn.dynamic_slice %x, %i, %i, %i, %i : (tensor<4x10xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<5x3xf32>
  return %y : tensor<5x3xf32>
}

// -----

func.func @slice_too_many(%x: tensor<4xf32>, %i: tensor<2xi64>) -> tensor<2xf32> {
  // expected-error @+1 {{2 slice entries for a rank-1 input}}
  %y = dnn.dynamic_slice %x, %i, %i, %i, %i : (tensor<4xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

func.func @pad_count(%x: tensor<4x10xf32>, %p: tensor<3xi64>, %v: tensor<f32>) -> tensor<5x12xf32> {
  // expected-error @+1 {{pads must have 4 entries}}
  %z = dnn.dynamic_pad %x, %p, %v : (tensor<4x10xf32>, tensor<3xi64>, tensor<f32>) -> tensor<5x12xf32>
  return %z : tensor<5x12xf32>
}

// -----

func.func @pad_value(%x: tensor<4x10xf32>, %p: tensor<4xi64>, %v: tensor<2xf32>) -> tensor<5x12xf32> {
  // expected-error @+1 {{value must be a one-element tensor of the input's element type}}
  %z = dnn.dynamic_pad %x, %p, %v : (tensor<4x10xf32>, tensor<4xi64>, tensor<2xf32>) -> tensor<5x12xf32>
  return %z : tensor<5x12xf32>
}
