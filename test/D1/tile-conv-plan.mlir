// RUN: dojo-opt %s -split-input-file -d1-tile | FileCheck %s
// RUN: dojo-opt %s -split-input-file -d1-tile="weight-fraction=0.001" | FileCheck %s --check-prefix=TIGHT
// d1-tile costs candidate splits of every ungrouped convolution with
// constant weights (ConvPlan.h) and shares the weight budget between them.

// A deep layer on a 16-node mesh: 8 output channels (one matrix tile) over
// 6x6 positions, reducing over 2048 x 9 inputs. Output channels and
// positions give at most 6 pieces (rows of 6-wide positions), so the
// reduction over input channels is split too, to use the other nodes.
// CHECK-LABEL: func.func @deep
// CHECK: dnn.conv {{.*}}d1.ksplit = {{[2-9]|1[0-6]}} : i64, d1.split = array<i64: 1, 1,
// With almost no weight budget the planner keeps the fewest weight bytes
// per node: the most input-channel parts, no spatial replication.
// TIGHT-LABEL: func.func @deep
// TIGHT: dnn.conv {{.*}}d1.ksplit = 16 : i64, d1.split = array<i64: 1, 1, 1, 1>
module attributes {d1.target = "name=mesh-4x4,rows=4,cols=4,sram_bytes=1048576", d1.dtype = "bf16"} {
  func.func @deep(%x: tensor<1x2048x6x6xf32>) -> tensor<1x8x6x6xf32> {
    %w = arith.constant dense<0.25> : tensor<8x2048x3x3xf32>
    %y = dnn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64, act = "relu"}
         : (tensor<1x2048x6x6xf32>, tensor<8x2048x3x3xf32>) -> tensor<1x8x6x6xf32>
    return %y : tensor<1x8x6x6xf32>
  }
}

// -----

// Grouped (depthwise) convolutions keep the generic split: no parts.
// CHECK-LABEL: func.func @depthwise
// CHECK-NOT: d1.ksplit
// CHECK: dnn.conv {{.*}}d1.split
module attributes {d1.target = "name=mesh-4x4,rows=4,cols=4,sram_bytes=1048576"} {
  func.func @depthwise(%x: tensor<1x64x16x16xf32>) -> tensor<1x64x16x16xf32> {
    %w = arith.constant dense<0.25> : tensor<64x1x3x3xf32>
    %y = dnn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 64 : i64, act = "none"}
         : (tensor<1x64x16x16xf32>, tensor<64x1x3x3xf32>) -> tensor<1x64x16x16xf32>
    return %y : tensor<1x64x16x16xf32>
  }
}
