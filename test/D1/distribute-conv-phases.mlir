// RUN: dojo-opt %s -split-input-file -d1-distribute | FileCheck %s
// A convolution block whose input window crosses the NoC or comes from HBM
// is cut into sub-blocks along its outermost output spatial dimension with
// more than one position, when the transfer time they hide repays their
// overhead (target figures). Each sub-block's kernel computes its rows of
// the block ("rows" = [dim, lo, hi], dim counted in the kernel's three
// spatial dimensions) and carries its phase; the window rows a sub-block is
// the first to read arrive by transfers of the same phase.

// 16 output rows in two sub-blocks of 8: the first reads window rows
// [0, 10) (input rows 0..8 below the padding row), the second the rest.
// CHECK-LABEL: d1.device
// CHECK:       d1.step 0 {
// CHECK:         d1.hbm_load @input0[0] -> %[[IN:[0-9]+]][608] shape [9, 16, 8] src [64, 4, 1024] dst [576, 32, 4]{{$}}
// CHECK-NEXT:    d1.hbm_load @input0[576] -> %[[IN]][5792] shape [7, 16, 8] src [64, 4, 1024] dst [576, 32, 4] {d1.phase = 1 : i64}
// CHECK-NEXT:    d1.kernel "conv"(%[[IN]], %[[W:[0-9]+]], %[[OUT:[0-9]+]]) {params = {{{.*}}out = array<i64: 1, 16, 16>, rows = array<i64: 1, 0, 8>,
// CHECK-NEXT:    d1.kernel "conv"(%[[IN]], %[[W]], %[[OUT]]) {d1.phase = 1 : i64, params = {{{.*}}out = array<i64: 1, 16, 16>, rows = array<i64: 1, 8, 16>,
// CHECK-NEXT:    d1.hbm_store %[[OUT]][0]
module attributes {d1.target = "name=ph,rows=1,cols=1"} {
  func.func @main(%x: tensor<1x8x16x16xf32>) -> tensor<1x8x16x16xf32> {
    %w = arith.constant dense<0.25> : tensor<8x8x3x3xf32>
    %y = dnn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64, act = "none", d1.split = array<i64: 1, 1, 1, 1>}
         : (tensor<1x8x16x16xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x16x16xf32>
    return %y : tensor<1x8x16x16xf32>
  }
}

// -----

// A 3-D convolution with stride 2 in depth: cutting its 8 output frames
// into five sub-blocks ([0, 1), [1, 3), [3, 4), [4, 6), [6, 8)) leaves the
// first only window frames [0, 3) to wait for (the padding frame and input
// frames 0 and 1); the later phases bring frames 2..5, 6..7, 8..11, 12..15.
// CHECK-LABEL: d1.device
// CHECK:       d1.step 0 {
// CHECK:         d1.hbm_load @input0[0] -> %[[IN:[0-9]+]][{{[0-9]+}}] shape [2, 8, 8, 16] {{.*}}]{{$}}
// CHECK-NEXT:    d1.hbm_load @input0[512] -> %[[IN]][{{[0-9]+}}] shape [4, 8, 8, 16] {{.*}} {d1.phase = 1 : i64}
// CHECK-NEXT:    d1.hbm_load @input0[1536] -> %[[IN]][{{[0-9]+}}] shape [2, 8, 8, 16] {{.*}} {d1.phase = 2 : i64}
// CHECK-NEXT:    d1.hbm_load @input0[2048] -> %[[IN]][{{[0-9]+}}] shape [4, 8, 8, 16] {{.*}} {d1.phase = 3 : i64}
// CHECK-NEXT:    d1.hbm_load @input0[3072] -> %[[IN]][{{[0-9]+}}] shape [4, 8, 8, 16] {{.*}} {d1.phase = 4 : i64}
// CHECK-NEXT:    d1.kernel "conv"{{.*}} {params = {{{.*}}rows = array<i64: 0, 0, 1>,
// CHECK-NEXT:    d1.kernel "conv"{{.*}} {d1.phase = 1 : i64, params = {{{.*}}rows = array<i64: 0, 1, 3>,
// CHECK-NEXT:    d1.kernel "conv"{{.*}} {d1.phase = 2 : i64, params = {{{.*}}rows = array<i64: 0, 3, 4>,
// CHECK-NEXT:    d1.kernel "conv"{{.*}} {d1.phase = 3 : i64, params = {{{.*}}rows = array<i64: 0, 4, 6>,
// CHECK-NEXT:    d1.kernel "conv"{{.*}} {d1.phase = 4 : i64, params = {{{.*}}rows = array<i64: 0, 6, 8>,
// CHECK-NEXT:    d1.hbm_store
module attributes {d1.target = "name=ph,rows=1,cols=1,sram_bytes=262144"} {
  func.func @main(%x: tensor<1x16x16x8x8xf32>) -> tensor<1x16x8x8x8xf32> {
    %w = arith.constant dense<0.25> : tensor<16x16x3x3x3xf32>
    %y = dnn.conv %x, %w {strides = array<i64: 2, 1, 1>, pads = array<i64: 1, 1, 1, 1, 1, 1>, dilations = array<i64: 1, 1, 1>, group = 1 : i64, act = "none", d1.split = array<i64: 1, 1, 1, 1, 1>}
         : (tensor<1x16x16x8x8xf32>, tensor<16x16x3x3x3xf32>) -> tensor<1x16x8x8x8xf32>
    return %y : tensor<1x16x8x8x8xf32>
  }
}

// -----

// With two output frames, cutting the depth would leave the first
// sub-block three of the four window frames to wait for; cutting the
// height (dimension 1 of the kernel's three) leaves it far fewer rows.
// CHECK-LABEL: d1.device
// CHECK:       d1.step 0 {
// CHECK:         d1.hbm_load @input0[0] -> %[[IN:[0-9]+]]{{.*}} shape [2, {{[0-9]+}}, 16, 16] {{.*}}]{{$}}
// CHECK:         d1.kernel "conv"{{.*}} {params = {{{.*}}rows = array<i64: 1, 0,
// CHECK:         d1.kernel "conv"{{.*}} {d1.phase = 1 : i64, params = {{{.*}}rows = array<i64: 1,
// CHECK-NOT:     rows = array<i64: 0,
module attributes {d1.target = "name=ph,rows=1,cols=1,sram_bytes=262144"} {
  func.func @main(%x: tensor<1x16x2x16x16xf32>) -> tensor<1x16x2x16x16xf32> {
    %w = arith.constant dense<0.25> : tensor<16x16x3x3x3xf32>
    %y = dnn.conv %x, %w {strides = array<i64: 1, 1, 1>, pads = array<i64: 1, 1, 1, 1, 1, 1>, dilations = array<i64: 1, 1, 1>, group = 1 : i64, act = "none", d1.split = array<i64: 1, 1, 1, 1, 1>}
         : (tensor<1x16x2x16x16xf32>, tensor<16x16x3x3x3xf32>) -> tensor<1x16x2x16x16xf32>
    return %y : tensor<1x16x2x16x16xf32>
  }
}

// -----

// Too little to hide: a 4x4 output whose window takes a few cycles to
// arrive keeps one kernel and no phases.
// CHECK-LABEL: d1.device
// CHECK-NOT:   d1.phase
// CHECK:       d1.kernel "conv"
// CHECK-NOT:   rows =
// CHECK-NOT:   d1.kernel
module attributes {d1.target = "name=ph,rows=1,cols=1"} {
  func.func @main(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
    %w = arith.constant dense<0.25> : tensor<2x2x3x3xf32>
    %y = dnn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64, act = "none", d1.split = array<i64: 1, 1, 1, 1>}
         : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
    return %y : tensor<1x2x4x4xf32>
  }
}

// -----

// A constant input is baked into the SRAM image: nothing is in flight, so
// nothing is split.
// CHECK-LABEL: d1.device
// CHECK-NOT:   d1.phase
// CHECK:       d1.kernel "conv"
// CHECK-NOT:   rows =
// CHECK-NOT:   d1.kernel
module attributes {d1.target = "name=ph,rows=1,cols=1"} {
  func.func @main() -> tensor<1x8x16x16xf32> {
    %x = arith.constant dense<1.0> : tensor<1x8x16x16xf32>
    %w = arith.constant dense<0.25> : tensor<8x8x3x3xf32>
    %y = dnn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64, act = "none", d1.split = array<i64: 1, 1, 1, 1>}
         : (tensor<1x8x16x16xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x16x16xf32>
    return %y : tensor<1x8x16x16xf32>
  }
}
