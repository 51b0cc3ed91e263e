// RUN: dojo-opt %s --split-input-file --verify-diagnostics | FileCheck %s
// dnn.dynamic_resize: valid forms round-trip, invalid ones are rejected by
// the verifier.

// CHECK-LABEL: func.func @valid
// CHECK: dnn.dynamic_resize "linear" %arg0, %arg1, %arg2 {axes = array<i64: 2, 3>, coordinate_transformation_mode = "half_pixel", nearest_mode = "round_prefer_floor"} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<4xf32>) -> tensor<1x2x8x2xf32>
func.func @valid(%x: tensor<1x2x4x4xf32>, %s: tensor<2xf32>, %r: tensor<4xf32>) -> tensor<1x2x8x2xf32> {
  %y = dnn.dynamic_resize "linear" %x, %s, %r {axes = array<i64: 2, 3>, coordinate_transformation_mode = "half_pixel", nearest_mode = "round_prefer_floor"} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<4xf32>) -> tensor<1x2x8x2xf32>
  return %y : tensor<1x2x8x2xf32>
}

// -----

func.func @scales_length(%x: tensor<1x2x4x4xf32>, %s: tensor<3xf32>, %r: tensor<4xf32>) -> tensor<1x2x8x2xf32> {
  // expected-error @+1 {{scales must be a 1-D float tensor of 2 entries}}
  %y = dnn.dynamic_resize "linear" %x, %s, %r {axes = array<i64: 2, 3>, coordinate_transformation_mode = "half_pixel", nearest_mode = "round_prefer_floor"} : (tensor<1x2x4x4xf32>, tensor<3xf32>, tensor<4xf32>) -> tensor<1x2x8x2xf32>
  return %y : tensor<1x2x8x2xf32>
}

// -----

func.func @roi_length(%x: tensor<1x2x4x4xf32>, %s: tensor<2xf32>, %r: tensor<8xf32>) -> tensor<1x2x8x2xf32> {
  // expected-error @+1 {{roi must be a 1-D float tensor of 4 entries}}
  %y = dnn.dynamic_resize "linear" %x, %s, %r {axes = array<i64: 2, 3>, coordinate_transformation_mode = "tf_crop_and_resize", nearest_mode = "round_prefer_floor"} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<8xf32>) -> tensor<1x2x8x2xf32>
  return %y : tensor<1x2x8x2xf32>
}

// -----

func.func @unnamed_dim_changes(%x: tensor<1x2x4x4xf32>, %s: tensor<2xf32>, %r: tensor<4xf32>) -> tensor<1x3x8x2xf32> {
  // expected-error @+1 {{dimension 1 is not resized but its result extent 3 differs from the input's 2}}
  %y = dnn.dynamic_resize "linear" %x, %s, %r {axes = array<i64: 2, 3>, coordinate_transformation_mode = "half_pixel", nearest_mode = "round_prefer_floor"} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<4xf32>) -> tensor<1x3x8x2xf32>
  return %y : tensor<1x3x8x2xf32>
}

// -----

func.func @bad_axes(%x: tensor<1x2x4x4xf32>, %s: tensor<2xf32>, %r: tensor<4xf32>) -> tensor<1x2x8x2xf32> {
  // expected-error @+1 {{axes must be distinct dimensions in [0, 4), got 3}}
  %y = dnn.dynamic_resize "linear" %x, %s, %r {axes = array<i64: 3, 3>, coordinate_transformation_mode = "half_pixel", nearest_mode = "round_prefer_floor"} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<4xf32>) -> tensor<1x2x8x2xf32>
  return %y : tensor<1x2x8x2xf32>
}

// -----

func.func @bad_mode(%x: tensor<1x2x4x4xf32>, %s: tensor<2xf32>, %r: tensor<4xf32>) -> tensor<1x2x8x2xf32> {
  // expected-error @+1 {{mode must be nearest, linear or cubic, got "area"}}
  %y = dnn.dynamic_resize "area" %x, %s, %r {axes = array<i64: 2, 3>, coordinate_transformation_mode = "half_pixel", nearest_mode = "round_prefer_floor"} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<4xf32>) -> tensor<1x2x8x2xf32>
  return %y : tensor<1x2x8x2xf32>
}
