// RUN: dojo-opt %s -split-input-file -d1-tile="min-piece-work=1" -d1-distribute | FileCheck %s
// Interpolating resize: every tap combination is gathered into one staging
// buffer (one output block apart) and the "lerp" kernel blends them with a
// per-position weight table.

// Cubic along H only (A = -0.5, asymmetric, scale 2 on 2 rows): W has scale
// 1 and reads one tap, so 4 taps in all. Row 0 sits on input row 0 (ratio
// 1: weights 0, 0, 1, 0 over rows -2..1, clamped); row 1 is halfway
// (-1/16, 9/16, 9/16, -1/16). The table has 4 weights for each of the 4 x 3
// spatial positions.
// CHECK-LABEL: d1.device target("name=cub,
// CHECK: %[[OUT:.*]] = d1.buffer @{{.*}} size 96
// CHECK-NEXT: %[[TAPS:.*]] = d1.buffer @{{.*}}_taps_{{.*}} size 384
// CHECK-NEXT: %[[W:.*]] = d1.buffer @{{.*}}_wt_{{.*}} size 192 live[0, 0] {init = dense<[0.000000e+00, 0.000000e+00, 1.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 1.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 1.000000e+00, 0.000000e+00, -6.250000e-02, 5.625000e-01, 5.625000e-01, -6.250000e-02,
// CHECK: d1.hbm_load @input0[0] -> %[[TAPS]][0] shape [4, 3, 2]
// CHECK: d1.hbm_load @input0[12] -> %[[TAPS]][288] shape [4, 3, 2]
// CHECK-NEXT: d1.kernel "lerp"(%[[TAPS]], %[[W]], %[[OUT]]) {params = {bias = 0 : i64, c = 2 : i64, n = 1 : i64, positions = 12 : i64, tap_bytes = 96 : i64, taps = 4 : i64}}
module attributes {d1.target = "name=cub,rows=1,cols=1,sram_bytes=262144"} {
  func.func @main(%x: tensor<1x2x2x3xf32> {dnn.name = "img"}) -> (tensor<1x2x4x3xf32> {dnn.name = "up"}) {
    %y = dnn.resize "cubic" %x {coordinate_transformation_mode = "asymmetric", nearest_mode = "round_prefer_floor", scales = array<f32: 1.0, 1.0, 2.0, 1.0>, cubic_coeff_a = -5.000000e-01 : f32} : (tensor<1x2x2x3xf32>) -> tensor<1x2x4x3xf32>
    return %y : tensor<1x2x4x3xf32>
  }
}

// -----

// tf_crop_and_resize: W's crop box [0.5, 2] of 3 columns puts output column
// 1 at input coordinate 4, outside the input, so that position's weights
// are 0 and its constant term (the last entry of each row) is the
// extrapolation value 9. H (box [0, 1], rows 0 and 2) is a plain copy.
// CHECK-LABEL: d1.device target("name=crop,
// CHECK: d1.buffer @{{.*}}_taps_{{.*}} size 32
// CHECK-NEXT: d1.buffer @{{.*}}_wt_{{.*}} size 48 live[0, 0] {init = dense<[0.000000e+00, 1.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 9.000000e+00, 0.000000e+00, 1.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 9.000000e+00]> : tensor<12xf32>}
// CHECK: d1.kernel "lerp"{{.*}}bias = 1 : i64{{.*}}taps = 2 : i64
module attributes {d1.target = "name=crop,rows=1,cols=1,sram_bytes=262144"} {
  func.func @main(%x: tensor<1x1x3x3xf32> {dnn.name = "img"}) -> (tensor<1x1x2x2xf32> {dnn.name = "crop"}) {
    %y = dnn.resize "linear" %x {coordinate_transformation_mode = "tf_crop_and_resize", nearest_mode = "round_prefer_floor", scales = array<f32: 1.0, 1.0, 0.666666686, 0.666666686>, roi = array<f32: 0.0, 0.0, 0.0, 0.5, 1.0, 1.0, 1.0, 2.0>, extrapolation_value = 9.0 : f32} : (tensor<1x1x3x3xf32>) -> tensor<1x1x2x2xf32>
    return %y : tensor<1x1x2x2xf32>
  }
}

// -----

// Cubic over H, W and D (4^3 = 64 taps) on a 2x2 mesh with little SRAM:
// the tiler sizes blocks for the 65 block-sized buffers, so the work
// spreads over several blocks, each with the full 64 taps.
// CHECK-LABEL: d1.device target("name=cub3,
// CHECK-COUNT-2: d1.kernel "lerp"{{.*}}taps = 64 : i64
module attributes {d1.target = "name=cub3,rows=2,cols=2,sram_bytes=65536"} {
  func.func @main(%x: tensor<1x4x3x3x3xf32> {dnn.name = "vol"}) -> (tensor<1x4x6x6x6xf32> {dnn.name = "up"}) {
    %y = dnn.resize "cubic" %x {coordinate_transformation_mode = "half_pixel", nearest_mode = "round_prefer_floor", scales = array<f32: 1.0, 1.0, 2.0, 2.0, 2.0>} : (tensor<1x4x3x3x3xf32>) -> tensor<1x4x6x6x6xf32>
    return %y : tensor<1x4x6x6x6xf32>
  }
}
