// d1-tile picks a split (blocks per output dimension) for every dnn compute
// op from the node count, min-piece-work and the SRAM budget.
// RUN: dojo-opt %s -split-input-file -d1-tile | FileCheck %s
// RUN: dojo-opt %s -split-input-file -d1-tile="max-pieces=2" | FileCheck %s --check-prefix=MAX2
// RUN: dojo-opt %s -split-input-file -d1-tile="min-piece-work=1" | FileCheck %s --check-prefix=WORK1
// RUN: dojo-opt %s -split-input-file -d1-tile="max-pieces=4 min-piece-work=1" | FileCheck %s --check-prefix=MAX4
// RUN: dojo-opt %s -split-input-file -d1-tile="min-piece-work=100000" | FileCheck %s --check-prefix=BIGWORK
// RUN: dojo-opt %s -split-input-file -d1-tile="sram-fraction=0.01" | FileCheck %s --check-prefix=SRAM1

// A 4x4 mesh: up to 16 blocks per layer.
module attributes {d1.target = "name=mesh-4x4,rows=4,cols=4,sram_bytes=262144"} {
  // 8192 outputs x 72 MACs: 144 pieces of 4096 wanted, clamped to 16 nodes.
  // Channels split in units of 8 (4 units), rows in units of 1 (16): rows
  // are split first until both have 4 units left, then alternately.
  // CHECK-LABEL: func.func @conv
  // CHECK: dnn.conv {{.*}}d1.split = array<i64: 1, 2, 8, 1>
  // MAX2-LABEL: func.func @conv
  // MAX2: d1.split = array<i64: 1, 1, 2, 1>
  // WORK1-LABEL: func.func @conv
  // WORK1: d1.split = array<i64: 1, 2, 8, 1>
  // MAX4-LABEL: func.func @conv
  // MAX4: d1.split = array<i64: 1, 1, 4, 1>
  // 589824 / 100000 = 5 pieces wanted: the first split reaching 5 is 8.
  // BIGWORK-LABEL: func.func @conv
  // BIGWORK: d1.split = array<i64: 1, 2, 4, 1>
  // SRAM1-LABEL: func.func @conv
  // SRAM1: d1.split = array<i64: 1, 4, 16, 2>
  func.func @conv(%x: tensor<1x8x16x16xf32>, %w: tensor<32x8x3x3xf32>, %b: tensor<32xf32>) -> tensor<1x32x16x16xf32> {
    %y = dnn.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64}
         : (tensor<1x8x16x16xf32>, tensor<32x8x3x3xf32>, tensor<32xf32>) -> tensor<1x32x16x16xf32>
    return %y : tensor<1x32x16x16xf32>
  }
  // M and N in units of 8: 8 units each, split evenly to 4x4.
  // CHECK-LABEL: func.func @gemm
  // CHECK: dnn.gemm {{.*}}d1.split = array<i64: 4, 4>
  // MAX2-LABEL: func.func @gemm
  // MAX2: d1.split = array<i64: 2, 1>
  // MAX4-LABEL: func.func @gemm
  // MAX4: d1.split = array<i64: 2, 2>
  // BIGWORK-LABEL: func.func @gemm
  // BIGWORK: d1.split = array<i64: 1, 1>
  // SRAM1-LABEL: func.func @gemm
  // SRAM1: d1.split = array<i64: 8, 8>
  func.func @gemm(%a: tensor<64x32xf32>, %b: tensor<32x64xf32>) -> tensor<64x64xf32> {
    %y = dnn.gemm %a, %b {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = false}
         : (tensor<64x32xf32>, tensor<32x64xf32>) -> tensor<64x64xf32>
    return %y : tensor<64x64xf32>
  }
  // 512 outputs x K=32 = 16384 MACs: 4 pieces (batch, then M). At most
  // 2x2x2 blocks exist, so min-piece-work=1 stops at 8, not 16.
  // CHECK-LABEL: func.func @matmul
  // CHECK: dnn.matmul {{.*}}d1.split = array<i64: 2, 2, 1>
  // WORK1-LABEL: func.func @matmul
  // WORK1: d1.split = array<i64: 2, 2, 2>
  // BIGWORK-LABEL: func.func @matmul
  // BIGWORK: d1.split = array<i64: 1, 1, 1>
  func.func @matmul(%a: tensor<2x16x32xf32>, %b: tensor<2x32x16xf32>) -> tensor<2x16x16xf32> {
    %y = dnn.matmul %a, %b : (tensor<2x16x32xf32>, tensor<2x32x16xf32>) -> tensor<2x16x16xf32>
    return %y : tensor<2x16x16xf32>
  }
  // 16384 elements, weighted 4x as vector-unit work: 16 pieces along the
  // largest dimension, as with min-piece-work=1.
  // CHECK-LABEL: func.func @eltwise
  // CHECK: dnn.add {{.*}}d1.split = array<i64: 1, 16, 1>
  // CHECK: dnn.relu {{.*}}d1.split = array<i64: 1, 16, 1>
  // 16384 x 4 = 65536 < 100000: one piece wanted, two for the SRAM budget
  // (three 64 KiB operands).
  // BIGWORK-LABEL: func.func @eltwise
  // BIGWORK: dnn.add {{.*}}d1.split = array<i64: 1, 2, 1>
  // WORK1-LABEL: func.func @eltwise
  // WORK1: dnn.add {{.*}}d1.split = array<i64: 1, 16, 1>
  // WORK1: dnn.relu {{.*}}d1.split = array<i64: 1, 16, 1>
  // SRAM1-LABEL: func.func @eltwise
  // SRAM1: dnn.add {{.*}}d1.split = array<i64: 2, 22, 2>
  func.func @eltwise(%x: tensor<4x64x64xf32>, %z: tensor<4x64x64xf32>) -> tensor<4x64x64xf32> {
    %a = dnn.add %x, %z : (tensor<4x64x64xf32>, tensor<4x64x64xf32>) -> tensor<4x64x64xf32>
    %r = dnn.relu %a : (tensor<4x64x64xf32>) -> tensor<4x64x64xf32>
    return %r : tensor<4x64x64xf32>
  }
  // Pooling never splits its spatial (reduced) dimensions; channels go in
  // units of 16. A reshape splits only its outermost non-unit dimension
  // here: the 64 has a single element inside it (see tile-reshape.mlir).
  // CHECK-LABEL: func.func @pool
  // CHECK: dnn.global_avg_pool {{.*}}d1.split = array<i64: 2, 4, 1, 1>
  // CHECK: dnn.reshape {{.*}}d1.split = array<i64: 1, 1>
  // MAX4-LABEL: func.func @pool
  // MAX4: dnn.global_avg_pool {{.*}}d1.split = array<i64: 2, 2, 1, 1>
  // MAX4: dnn.reshape {{.*}}d1.split = array<i64: 2, 1>
  // WORK1-LABEL: func.func @pool
  // WORK1: dnn.global_avg_pool {{.*}}d1.split = array<i64: 2, 4, 1, 1>
  // WORK1: dnn.reshape {{.*}}d1.split = array<i64: 2, 1>
  func.func @pool(%x: tensor<2x64x16x16xf32>) -> tensor<2x64xf32> {
    %p = dnn.global_avg_pool %x : (tensor<2x64x16x16xf32>) -> tensor<2x64x1x1xf32>
    %f = dnn.reshape %p : (tensor<2x64x1x1xf32>) -> tensor<2x64xf32>
    return %f : tensor<2x64xf32>
  }
  // Too little work for a second node, and no dimension to split anyway.
  // CHECK-LABEL: func.func @small
  // CHECK: dnn.relu {{.*}}d1.split = array<i64: 1, 1>
  // WORK1-LABEL: func.func @small
  // WORK1: dnn.relu {{.*}}d1.split = array<i64: 1, 1>
  func.func @small(%x: tensor<1x16xf32>) -> tensor<1x16xf32> {
    %r = dnn.relu %x : (tensor<1x16xf32>) -> tensor<1x16xf32>
    return %r : tensor<1x16xf32>
  }
}

// -----

// 4 KiB of usable SRAM (a 1843-byte budget per block) forces many more
// blocks than the 4 nodes: 2*32*2 = 128 blocks of 2x2x32 elements
// (1536 bytes for the two inputs and the output).
module attributes {d1.target = "name=tiny,rows=2,cols=2,sram_bytes=8192,reserved_bytes=4096"} {
  // CHECK-LABEL: func.func @tiny_add
  // CHECK: dnn.add {{.*}}d1.split = array<i64: 2, 32, 2>
  func.func @tiny_add(%x: tensor<4x64x64xf32>, %z: tensor<4x64x64xf32>) -> tensor<4x64x64xf32> {
    %a = dnn.add %x, %z : (tensor<4x64x64xf32>, tensor<4x64x64xf32>) -> tensor<4x64x64xf32>
    return %a : tensor<4x64x64xf32>
  }
  // Depthwise: channels split per group (units of 1).
  // CHECK-LABEL: func.func @tiny_dw
  // CHECK: dnn.conv {{.*}}d1.split = array<i64: 1, 3, 6, 1>
  func.func @tiny_dw(%x: tensor<1x8x16x16xf32>, %w: tensor<8x1x3x3xf32>) -> tensor<1x8x16x16xf32> {
    %y = dnn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 8 : i64}
         : (tensor<1x8x16x16xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x16x16xf32>
    return %y : tensor<1x8x16x16xf32>
  }
}

// -----

// The same layers with 256 KiB SRAM fit in one block per node.
module attributes {d1.target = "name=big,rows=2,cols=2,sram_bytes=262144"} {
  // CHECK-LABEL: func.func @big_add
  // CHECK: dnn.add {{.*}}d1.split = array<i64: 1, 4, 1>
  func.func @big_add(%x: tensor<4x64x64xf32>, %z: tensor<4x64x64xf32>) -> tensor<4x64x64xf32> {
    %a = dnn.add %x, %z : (tensor<4x64x64xf32>, tensor<4x64x64xf32>) -> tensor<4x64x64xf32>
    return %a : tensor<4x64x64xf32>
  }
  // CHECK-LABEL: func.func @big_dw
  // CHECK: dnn.conv {{.*}}d1.split = array<i64: 1, 2, 2, 1>
  func.func @big_dw(%x: tensor<1x8x16x16xf32>, %w: tensor<8x1x3x3xf32>) -> tensor<1x8x16x16xf32> {
    %y = dnn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 8 : i64}
         : (tensor<1x8x16x16xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x16x16xf32>
    return %y : tensor<1x8x16x16xf32>
  }
}

// -----

// Ops that are not layers get no split.
module attributes {d1.target = "name=m,rows=2,cols=2"} {
  // CHECK-LABEL: func.func @not_layers
  // CHECK: arith.constant
  // CHECK-NOT: d1.split
  // CHECK: return
  func.func @not_layers() -> tensor<4xf32> {
    %c = arith.constant dense<1.0> : tensor<4xf32>
    return %c : tensor<4xf32>
  }
}
