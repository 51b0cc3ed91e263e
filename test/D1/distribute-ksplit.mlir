// RUN: dojo-opt %s -split-input-file -d1-distribute | FileCheck %s
// A convolution whose input channels d1-tile split into parts (d1.ksplit):
// each part is a partial sum on its own node in one step (the bias only on
// the first part, no activation), then the first part's node gathers the
// other parts and adds them, applying the fused activation last.

// 32 input channels in 2 parts of 16 on a 1x2 mesh, one output block.
// CHECK-LABEL: d1.device
// CHECK:       d1.step 0 {
// CHECK:         d1.kernel "conv"({{.*}}) {params = {act = "none", bias = true, {{.*}}ci = 16 : i64, cin = 16 : i64
// CHECK:         d1.kernel "conv"({{.*}}) {params = {act = "none", bias = false, {{.*}}ci = 16 : i64, cin = 16 : i64
// CHECK:       d1.step 1 {
// CHECK-NEXT:    d1.dma %[[P1:[0-9]+]][0] -> %[[S:[0-9]+]][0]
// CHECK-NEXT:    d1.kernel "eltwise"(%[[ACC:[0-9]+]], %[[S]], %[[ACC]]) {params = {act = "relu", {{.*}}op = "add"
// The model output is stored from the accumulator.
// CHECK:         d1.hbm_store %[[ACC]][0] -> @output0
module attributes {d1.target = "name=ks,rows=1,cols=2"} {
  func.func @main(%x: tensor<1x32x4x4xf32>) -> tensor<1x8x4x4xf32> {
    %w = arith.constant dense<0.25> : tensor<8x32x3x3xf32>
    %b = arith.constant dense<1.0> : tensor<8xf32>
    %y = dnn.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64, act = "relu", d1.split = array<i64: 1, 1, 1, 1>, d1.ksplit = 2 : i64}
         : (tensor<1x32x4x4xf32>, tensor<8x32x3x3xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
    return %y : tensor<1x8x4x4xf32>
  }
}

// -----

// Three parts on a 2x2 mesh: two additions, only the last with the
// activation.
// CHECK-LABEL: d1.device
// CHECK:       d1.step 1 {
// CHECK:         d1.kernel "eltwise"(%[[A:[0-9]+]], %{{[0-9]+}}, %[[A]]) {params = {act = "none", {{.*}}op = "add"
// CHECK:         d1.kernel "eltwise"(%[[A]], %{{[0-9]+}}, %[[A]]) {params = {act = "relu", {{.*}}op = "add"
module attributes {d1.target = "name=ks3,rows=2,cols=2"} {
  func.func @main(%x: tensor<1x48x2x2xf32>) -> tensor<1x8x2x2xf32> {
    %w = arith.constant dense<0.25> : tensor<8x48x1x1xf32>
    %y = dnn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64, act = "relu", d1.split = array<i64: 1, 1, 1, 1>, d1.ksplit = 3 : i64}
         : (tensor<1x48x2x2xf32>, tensor<8x48x1x1xf32>) -> tensor<1x8x2x2xf32>
    return %y : tensor<1x8x2x2xf32>
  }
}
