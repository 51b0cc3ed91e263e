// RUN: dojo-opt %s | dojo-opt | FileCheck %s
// The issue-3 dnn ops round-trip through the parser, printer and verifiers.

// CHECK-LABEL: func.func @elementwise
func.func @elementwise(%x: tensor<2x3xf32>, %b: tensor<3xf32>, %i: tensor<2x3xi64>) -> (tensor<2x3xf32>, tensor<2x3xi1>, tensor<2x3xf32>, tensor<2x3xi64>, tensor<2x3xi64>) {
  // CHECK: dnn.unary "clip"
  %0 = dnn.unary "clip" %x {alpha = -1.0 : f32, beta = 1.0 : f32} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: dnn.binary "less"
  %1 = dnn.binary "less" %0, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  // CHECK: dnn.where
  %2 = dnn.where %1, %x, %b : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: dnn.cast
  %3 = dnn.cast %2 : (tensor<2x3xf32>) -> tensor<2x3xi64>
  // CHECK: dnn.binary "add"
  %4 = dnn.binary "add" %3, %i : (tensor<2x3xi64>, tensor<2x3xi64>) -> tensor<2x3xi64>
  return %2, %1, %0, %3, %4 : tensor<2x3xf32>, tensor<2x3xi1>, tensor<2x3xf32>, tensor<2x3xi64>, tensor<2x3xi64>
}

// CHECK-LABEL: func.func @nn
func.func @nn(%x: tensor<1x2x7x7xf32>, %w: tensor<2x3x3x3xf32>, %s: tensor<7xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>, tensor<1x2x7x7xf32>, tensor<1x2x7x7xf32>, tensor<1x3x14x14xf32>) {
  // ceil_mode: ceil((7 + 2 - 3) / 2) + 1 = 4.
  // CHECK: dnn.pool "max"
  %0 = dnn.pool "max" %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, count_include_pad = false} : (tensor<1x2x7x7xf32>) -> tensor<1x2x4x4xf32>
  // CHECK: dnn.reduce "mean"
  %1 = dnn.reduce "mean" %x {axes = array<i64: 2, 3>, keepdims = true} : (tensor<1x2x7x7xf32>) -> tensor<1x2x1x1xf32>
  // CHECK: dnn.softmax
  %2 = dnn.softmax %x {axis = 3 : i64, log = true} : (tensor<1x2x7x7xf32>) -> tensor<1x2x7x7xf32>
  // CHECK: dnn.layer_norm
  %3 = dnn.layer_norm %x, %s {axis = 3 : i64, epsilon = 1.0e-5 : f32} : (tensor<1x2x7x7xf32>, tensor<7xf32>) -> tensor<1x2x7x7xf32>
  // 2 * 6 + 3 - 1 - 1 + output_padding 1 = 14.
  // CHECK: dnn.conv_transpose
  %4 = dnn.conv_transpose %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x2x7x7xf32>, tensor<2x3x3x3xf32>) -> tensor<1x3x14x14xf32>
  return %0, %1, %2, %3, %4 : tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>, tensor<1x2x7x7xf32>, tensor<1x2x7x7xf32>, tensor<1x3x14x14xf32>
}

// CHECK-LABEL: func.func @data
func.func @data(%x: tensor<4x10xf32>, %idx: tensor<2xi64>) -> (tensor<10x4xf32>, tensor<8x10xf32>, tensor<4x3xf32>, tensor<5x13xf32>, tensor<2x4x10xf32>, tensor<2x10xf32>, tensor<4x20xf32>) {
  // CHECK: dnn.transpose
  %0 = dnn.transpose %x {perm = array<i64: 1, 0>} : (tensor<4x10xf32>) -> tensor<10x4xf32>
  // CHECK: dnn.concat
  %1 = dnn.concat %x, %x {axis = 0 : i64} : (tensor<4x10xf32>, tensor<4x10xf32>) -> tensor<8x10xf32>
  // CHECK: dnn.slice
  %2 = dnn.slice %x {starts = array<i64: 3, 1>, steps = array<i64: -1, 3>} : (tensor<4x10xf32>) -> tensor<4x3xf32>
  // CHECK: dnn.pad
  %3 = dnn.pad %x {pads = array<i64: 1, 0, 0, 3>, mode = "reflect"} : (tensor<4x10xf32>) -> tensor<5x13xf32>
  // CHECK: dnn.broadcast
  %4 = dnn.broadcast %x : (tensor<4x10xf32>) -> tensor<2x4x10xf32>
  // CHECK: dnn.gather
  %5 = dnn.gather %x, %idx {axis = 0 : i64} : (tensor<4x10xf32>, tensor<2xi64>) -> tensor<2x10xf32>
  // CHECK: dnn.resize "nearest"
  %6 = dnn.resize "nearest" %x {coordinate_transformation_mode = "asymmetric", nearest_mode = "floor", scales = array<f32: 1.0, 2.0>} : (tensor<4x10xf32>) -> tensor<4x20xf32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<10x4xf32>, tensor<8x10xf32>, tensor<4x3xf32>, tensor<5x13xf32>, tensor<2x4x10xf32>, tensor<2x10xf32>, tensor<4x20xf32>
}
