// RUN: dojo-opt %s -split-input-file -d1-tile="min-piece-work=1" -d1-distribute | FileCheck %s
// Resize with run-time scales or roi: each output block stages the whole
// input extent of the resized dimensions (channels last), the scales and
// roi, a constant row of its output coordinates per spatial dimension and
// a scratch table, and runs "dynresize", which computes the taps on the
// node.

// Cubic with run-time scales on one node: the 4x4 planes of 3 channels
// staged whole (192 bytes), the output coordinates 0..7 and 0..5, and a
// table of 4 + 4 x (8 + 6) x (2 x 4 + 1) bytes.
// CHECK-LABEL: d1.device target("name=m1,
// CHECK-DAG: %[[OUT:.*]] = d1.buffer @{{[a-z_]*}}_0_0_{{[0-9]+}} on %{{.*}} size 576
// CHECK-DAG: %[[IN:.*]] = d1.buffer @{{.*}}_in_0_0_{{[0-9]+}} on %{{.*}} size 192
// CHECK-DAG: %[[S:.*]] = d1.buffer @{{.*}}_scales_0_0_{{[0-9]+}} on %{{.*}} size 16
// CHECK-DAG: %[[ROI:.*]] = d1.buffer @{{.*}}_roi_0_0_{{[0-9]+}} on %{{.*}} size 32 live[0, 0] {init = dense<{{.*}}> : tensor<8xf32>}
// CHECK-DAG: %[[POS:.*]] = d1.buffer @{{.*}}_pos_0_0_{{[0-9]+}} on %{{.*}} size 56 live[0, 0] {init = dense<[0.000000e+00, 1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00, 7.000000e+00, 0.000000e+00, 1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00]> : tensor<14xf32>}
// CHECK-DAG: %[[TAB:.*]] = d1.buffer @{{.*}}_tab_0_0_{{[0-9]+}} on %{{.*}} size 508
// CHECK: d1.step 0 {
// CHECK-DAG: d1.hbm_load @input0[0] -> %[[IN]][0] shape [16, 3] src [4, 64] dst [12, 4]
// CHECK-DAG: d1.hbm_load @input1[0] -> %[[S]][0] shape [4]
// CHECK: d1.kernel "dynresize"(%[[IN]], %[[S]], %[[ROI]], %[[POS]], %[[TAB]], %[[OUT]]) {params = {axes_count = 4 : i64, c = 3 : i64, count = array<i64: 8, 6>, cubic_coeff_a = -7.500000e-01 : f32, entries = array<i64: 2, 3>, exclude_outside = false, extrapolation = 0.000000e+00 : f32, in = array<i64: 4, 4>, in_n_stride = 192 : i64, in_strides = array<i64: 48, 12>, lo = array<i64: 0, 0>, mode = "cubic", n = 1 : i64, nc_dims = array<i64: 1, 3>, nc_entries = array<i64: 0, 1>, nearest = "round_prefer_floor", out = array<i64: 8, 6>, pos_offsets = array<i64: 0, 32>, resized = array<i64: 1, 1>, tab_offsets = array<i64: 4, 292>, taps = array<i64: 4, 4>, transform = "half_pixel"}}
module attributes {d1.target = "name=m1,rows=1,cols=1"} {
  func.func @main(%x: tensor<1x3x4x4xf32>, %s: tensor<4xf32>) -> tensor<1x3x8x6xf32> {
    %roi = arith.constant dense<[0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0]> : tensor<8xf32>
    %y = dnn.dynamic_resize "cubic" %x, %s, %roi {axes = array<i64: 0, 1, 2, 3>, coordinate_transformation_mode = "half_pixel", nearest_mode = "round_prefer_floor"} : (tensor<1x3x4x4xf32>, tensor<4xf32>, tensor<8xf32>) -> tensor<1x3x8x6xf32>
    return %y : tensor<1x3x8x6xf32>
  }
}

// -----

// A run-time crop box over a 2x2 mesh: every block stages the whole 6x7
// input (336 bytes) and the roi, and its own output coordinates (the
// block at columns 5..8 starts at lo 5).
// CHECK-LABEL: d1.device target("name=m4,
// CHECK-COUNT-4: d1.buffer @{{.*}}_in_{{[0-9]+}}_{{[0-9]+}}_{{[0-9]+}} on %{{.*}} size 336
// CHECK: d1.hbm_load @input0[0] -> %{{.*}}[0] shape [42, 2] src [4, 168] dst [8, 4]
// CHECK: d1.hbm_load @input1[0] -> %{{.*}}[0] shape [8]
// CHECK: d1.kernel "dynresize"({{.*}}lo = array<i64: 0, 0>, mode = "nearest"{{.*}}taps = array<i64: 1, 1>, transform = "tf_crop_and_resize"}}
// CHECK: d1.kernel "dynresize"({{.*}}lo = array<i64: 0, 5>
module attributes {d1.target = "name=m4,rows=2,cols=2"} {
  func.func @main(%x: tensor<1x2x6x7xf32>, %r: tensor<8xf32>) -> tensor<1x2x5x9xf32> {
    %s = arith.constant dense<[1.0, 1.0, 0.8, 1.3]> : tensor<4xf32>
    %y = dnn.dynamic_resize "nearest" %x, %s, %r {axes = array<i64: 0, 1, 2, 3>, coordinate_transformation_mode = "tf_crop_and_resize", nearest_mode = "ceil", extrapolation_value = 2.5 : f32} : (tensor<1x2x6x7xf32>, tensor<4xf32>, tensor<8xf32>) -> tensor<1x2x5x9xf32>
    return %y : tensor<1x2x5x9xf32>
  }
}

// -----

// Axes naming only dimension 3: dimension 2 is copied (the block's range
// staged, one tap), dimension 3 staged whole.
// CHECK-LABEL: d1.device target("name=m1b,
// CHECK: d1.kernel "dynresize"({{.*}}entries = array<i64: -1, 0>{{.*}}resized = array<i64: 0, 1>{{.*}}taps = array<i64: 1, 2>
module attributes {d1.target = "name=m1b,rows=1,cols=1"} {
  func.func @main(%x: tensor<2x3x4x5xf32>, %s: tensor<1xf32>) -> tensor<2x3x4x7xf32> {
    %roi = arith.constant dense<[0.0, 1.0]> : tensor<2xf32>
    %y = dnn.dynamic_resize "linear" %x, %s, %roi {axes = array<i64: 3>, coordinate_transformation_mode = "asymmetric", nearest_mode = "round_prefer_floor"} : (tensor<2x3x4x5xf32>, tensor<1xf32>, tensor<2xf32>) -> tensor<2x3x4x7xf32>
    return %y : tensor<2x3x4x7xf32>
  }
}
