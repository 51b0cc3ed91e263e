// d1-tile on dnn.reshape: a block is a set of contiguous row-major runs, so
// the outermost non-unit dimension may always be split and each following
// non-unit dimension only while everything inside it still holds at least
// 64 elements (a run of 256 bytes or more).
// RUN: dojo-opt %s -split-input-file -d1-tile | FileCheck %s
// RUN: dojo-opt %s -split-input-file -d1-tile="min-piece-work=1" | FileCheck %s --check-prefix=WORK1
// RUN: dojo-opt %s -split-input-file -d1-tile="sram-fraction=0.01" | FileCheck %s --check-prefix=SRAM1

// MViT's pooling reshape (2 heads x 96 channels x 8 x 28 x 28): splitting
// only the 2 heads left blocks of 2.4 MB. The channels and frames may be
// cut too (runs of 8 x 784 or 784 elements); rows of 28 may not.
// CHECK-LABEL: func.func @heads
// CHECK: dnn.reshape {{.*}}d1.split = array<i64: {{[0-9]+}}, {{[2-9]|[1-9][0-9]+}}, {{[0-9]+}}, 1, 1>
// SRAM1-LABEL: func.func @heads
// SRAM1: dnn.reshape {{.*}}d1.split = array<i64: 2, 96, 8, 1, 1>
module attributes {d1.target = "name=mesh-4x4,rows=4,cols=4,sram_bytes=262144"} {
  func.func @heads(%x: tensor<1x2x96x6272xf32>) -> tensor<2x96x8x28x28xf32> {
    %r = dnn.reshape %x : (tensor<1x2x96x6272xf32>) -> tensor<2x96x8x28x28xf32>
    return %r : tensor<2x96x8x28x28xf32>
  }
}

// -----

// The 64 inner elements of a row make the second dimension splittable
// although the first (2) is not cut into single elements (how far it is
// split is d1-tile's choice; the last dimension never is).
// CHECK-LABEL: func.func @inner
// CHECK: dnn.reshape {{.*}}d1.split = array<i64: 1, {{[2-9]|[1-9][0-9]+}}, 1>
// WORK1-LABEL: func.func @inner
// WORK1: dnn.reshape {{.*}}d1.split = array<i64: 1, 16, 1>
// SRAM1-LABEL: func.func @inner
// SRAM1: dnn.reshape {{.*}}d1.split = array<i64: 1, 32, 1>
module attributes {d1.target = "name=mesh-4x4,rows=4,cols=4,sram_bytes=262144"} {
  func.func @inner(%x: tensor<2x4096xf32>) -> tensor<2x64x64xf32> {
    %r = dnn.reshape %x : (tensor<2x4096xf32>) -> tensor<2x64x64xf32>
    return %r : tensor<2x64x64xf32>
  }
}

// -----

// Negative: only 16 elements inside the second dimension, so only the
// first is split, even when the SRAM budget asks for smaller blocks.
// WORK1-LABEL: func.func @short
// WORK1: dnn.reshape {{.*}}d1.split = array<i64: 4, 1, 1>
// SRAM1-LABEL: func.func @short
// SRAM1: dnn.reshape {{.*}}d1.split = array<i64: {{[0-9]+}}, 1, 1>
module attributes {d1.target = "name=mesh-4x4,rows=4,cols=4,sram_bytes=262144"} {
  func.func @short(%x: tensor<32x16xf32>) -> tensor<4x8x16xf32> {
    %r = dnn.reshape %x : (tensor<32x16xf32>) -> tensor<4x8x16xf32>
    return %r : tensor<4x8x16xf32>
  }
}

// -----

// Negative: unit dimensions are never split, and a dimension after them
// is judged by the elements inside it (64 x 1: 64, splittable; the last
// 64 has 1 inside and is not).
// WORK1-LABEL: func.func @units
// WORK1: dnn.reshape {{.*}}d1.split = array<i64: 1, 1, 16, 1, 1>
module attributes {d1.target = "name=mesh-4x4,rows=4,cols=4,sram_bytes=262144"} {
  func.func @units(%x: tensor<4x4096xf32>) -> tensor<1x4x64x1x64xf32> {
    %r = dnn.reshape %x : (tensor<4x4096xf32>) -> tensor<1x4x64x1x64xf32>
    return %r : tensor<1x4x64x1x64xf32>
  }
}
