// RUN: dojo-opt %s | dojo-opt | FileCheck %s
// Valid dnn ops round-trip through the parser, printer and verifiers.

// CHECK-LABEL: func.func @conv3d
func.func @conv3d(%x: tensor<1x2x4x6x6xf32>, %w: tensor<4x1x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x4x2x3xf32> {
  // CHECK: dnn.conv %{{.*}}, %{{.*}}, %{{.*}} {act = "relu", dilations = array<i64: 1, 1, 1>, group = 2 : i64, pads = array<i64: 1, 0, 1, 1, 0, 0>, strides = array<i64: 1, 2, 2>}
  %y = dnn.conv %x, %w, %b {strides = array<i64: 1, 2, 2>, pads = array<i64: 1, 0, 1, 1, 0, 0>,
         dilations = array<i64: 1, 1, 1>, group = 2 : i64, act = "relu"}
         : (tensor<1x2x4x6x6xf32>, tensor<4x1x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x2x3xf32>
  return %y : tensor<1x4x4x2x3xf32>
}

// CHECK-LABEL: func.func @conv1d_nobias
func.func @conv1d_nobias(%x: tensor<2x3x9xf32>, %w: tensor<5x3x3xf32>) -> tensor<2x5x3xf32> {
  // CHECK: dnn.conv %{{.*}}, %{{.*}} {dilations = array<i64: 2>
  %y = dnn.conv %x, %w {strides = array<i64: 2>, pads = array<i64: 0, 0>,
         dilations = array<i64: 2>, group = 1 : i64}
         : (tensor<2x3x9xf32>, tensor<5x3x3xf32>) -> tensor<2x5x3xf32>
  return %y : tensor<2x5x3xf32>
}

// CHECK-LABEL: func.func @gemm
func.func @gemm(%a: tensor<4x2xf32>, %b: tensor<3x4xf32>, %c: tensor<1x3xf32>) -> tensor<2x3xf32> {
  // CHECK: dnn.gemm
  %y = dnn.gemm %a, %b, %c {alpha = 1.0 : f32, beta = 0.5 : f32, trans_a = true, trans_b = true}
         : (tensor<4x2xf32>, tensor<3x4xf32>, tensor<1x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @matmul_bcast
func.func @matmul_bcast(%a: tensor<2x1x3x4xf32>, %b: tensor<5x4x6xf32>) -> tensor<2x5x3x6xf32> {
  // CHECK: dnn.matmul
  %y = dnn.matmul %a, %b : (tensor<2x1x3x4xf32>, tensor<5x4x6xf32>) -> tensor<2x5x3x6xf32>
  return %y : tensor<2x5x3x6xf32>
}

// CHECK-LABEL: func.func @misc
func.func @misc(%x: tensor<1x8x2x5x5xf32>, %b: tensor<8x1x1x1xf32>) -> tensor<1x8xf32> {
  // CHECK: dnn.add
  // CHECK: dnn.relu
  // CHECK: dnn.global_avg_pool
  // CHECK: dnn.reshape
  %0 = dnn.add %x, %b : (tensor<1x8x2x5x5xf32>, tensor<8x1x1x1xf32>) -> tensor<1x8x2x5x5xf32>
  %1 = dnn.relu %0 : (tensor<1x8x2x5x5xf32>) -> tensor<1x8x2x5x5xf32>
  %2 = dnn.global_avg_pool %1 : (tensor<1x8x2x5x5xf32>) -> tensor<1x8x1x1x1xf32>
  %3 = dnn.reshape %2 : (tensor<1x8x1x1x1xf32>) -> tensor<1x8xf32>
  return %3 : tensor<1x8xf32>
}
