// RUN: dojo-opt %s --split-input-file --dnn-fuse-activations | FileCheck %s

// A relu after conv, gemm and add is folded into their `act` attribute.
// CHECK-LABEL: func.func @fuse_all
// CHECK:       %[[C:.*]] = dnn.conv %{{.*}}, %{{.*}}, %{{.*}} {act = "relu"
// CHECK-NEXT:  %[[G:.*]] = dnn.gemm %{{.*}}, %{{.*}} {act = "relu"
// CHECK-NEXT:  %[[A:.*]] = dnn.add %{{.*}}, %{{.*}} {act = "relu"}
// CHECK-NOT:   dnn.relu
// CHECK:       return %[[C]], %[[G]], %[[A]]
func.func @fuse_all(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>,
                    %m: tensor<2x4xf32>, %n: tensor<4x5xf32>)
    -> (tensor<1x4x8x8xf32>, tensor<2x5xf32>, tensor<2x4xf32>) {
  %0 = dnn.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>,
         dilations = array<i64: 1, 1>, group = 1 : i64}
         : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %1 = dnn.relu %0 : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %2 = dnn.gemm %m, %n {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = false}
         : (tensor<2x4xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  %3 = dnn.relu %2 : (tensor<2x5xf32>) -> tensor<2x5xf32>
  %4 = dnn.add %m, %m : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %5 = dnn.relu %4 : (tensor<2x4xf32>) -> tensor<2x4xf32>
  return %1, %3, %5 : tensor<1x4x8x8xf32>, tensor<2x5xf32>, tensor<2x4xf32>
}

// -----

// The conv result has a second user that needs the value before the relu.
// CHECK-LABEL: func.func @two_uses
// CHECK:       %[[C:.*]] = dnn.conv
// CHECK-NOT:   act = "relu"
// CHECK:       %[[R:.*]] = dnn.relu %[[C]]
// CHECK:       dnn.add %[[R]], %[[C]]
func.func @two_uses(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32> {
  %0 = dnn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>,
         dilations = array<i64: 1, 1>, group = 1 : i64}
         : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  %1 = dnn.relu %0 : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %2 = dnn.add %1, %0 : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return %2 : tensor<1x4x8x8xf32>
}

// -----

// Producers without an `act` attribute, block arguments and already
// activated producers keep their relu; a relu of a relu keeps both.
// CHECK-LABEL: func.func @not_fusable
// CHECK:       dnn.matmul
// CHECK-NEXT:  dnn.relu
// CHECK-NEXT:  dnn.relu
// CHECK-NEXT:  dnn.add %{{.*}}, %{{.*}} {act = "relu"}
// CHECK-NEXT:  dnn.relu
// CHECK-NEXT:  dnn.relu %arg0
func.func @not_fusable(%a: tensor<2x4xf32>, %b: tensor<4x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>) {
  %0 = dnn.matmul %a, %b : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
  %1 = dnn.relu %0 : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %2 = dnn.relu %1 : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %3 = dnn.add %a, %a {act = "relu"} : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %4 = dnn.relu %3 : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %5 = dnn.relu %a : (tensor<2x4xf32>) -> tensor<2x4xf32>
  return %2, %4, %5 : tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>
}
