// RUN: dojo-opt %s --split-input-file --verify-diagnostics
// dnn.resize's cubic and crop attributes: defaults are elided, roi goes
// with tf_crop_and_resize and nothing else, one start and one end per
// dimension.

// A cubic resize with every attribute round-trips.
func.func @cubic(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
  %y = dnn.resize "cubic" %x {coordinate_transformation_mode = "align_corners", nearest_mode = "round_prefer_floor", scales = array<f32: 1.0, 1.0, 2.0, 2.0>, cubic_coeff_a = -5.000000e-01 : f32, exclude_outside = true} : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  return %y : tensor<1x1x4x4xf32>
}

// -----

func.func @crop_without_roi(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{roi must be given exactly when coordinate_transformation_mode is tf_crop_and_resize}}
  %y = dnn.resize "linear" %x {coordinate_transformation_mode = "tf_crop_and_resize", nearest_mode = "floor", scales = array<f32: 1.0, 0.5>} : (tensor<1x4xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

func.func @roi_without_crop(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{roi must be given exactly when coordinate_transformation_mode is tf_crop_and_resize}}
  %y = dnn.resize "linear" %x {coordinate_transformation_mode = "half_pixel", nearest_mode = "floor", scales = array<f32: 1.0, 0.5>, roi = array<f32: 0.0, 0.0, 1.0, 1.0>} : (tensor<1x4xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

func.func @roi_size(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{roi needs 4 entries (starts, then ends)}}
  %y = dnn.resize "linear" %x {coordinate_transformation_mode = "tf_crop_and_resize", nearest_mode = "floor", scales = array<f32: 1.0, 0.5>, roi = array<f32: 0.0, 1.0>} : (tensor<1x4xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
