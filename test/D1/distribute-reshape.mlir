// RUN: dojo-opt %s -split-input-file -d1-distribute | FileCheck %s
// d1-distribute copies a reshape block as the contiguous row-major runs it
// consists of: a block cut along an inner dimension (here the 64 of
// 2x64x64, split in two) is one run per index of the dimensions outside the
// cut, each loaded from its own input range to its offset in the block.

// Block 0 holds rows [0, 32) of both batches: input elements [0, 2048) at
// byte 0 and [4096, 6144) (byte 16384) at byte 2048 * 4 = 8192; block 1 the
// ranges starting at elements 2048 and 6144.
// CHECK-LABEL: d1.device
// CHECK: d1.hbm_tensor @input0 "input"[0] "input0" shape [2, 4096] at 0
// CHECK: %[[B0:.*]] = d1.buffer @{{.*}} on %{{.*}} size 16384
// CHECK: %[[B1:.*]] = d1.buffer @{{.*}} on %{{.*}} size 16384
// CHECK: d1.step 0 {
// CHECK-NEXT: d1.hbm_load @input0[0] -> %[[B0]][0] shape [2048] src [4] dst [4]
// CHECK-NEXT: d1.hbm_load @input0[16384] -> %[[B0]][8192] shape [2048] src [4] dst [4]
// CHECK-NEXT: d1.hbm_load @input0[8192] -> %[[B1]][0] shape [2048] src [4] dst [4]
// CHECK-NEXT: d1.hbm_load @input0[24576] -> %[[B1]][8192] shape [2048] src [4] dst [4]
// CHECK-NEXT: d1.hbm_store %[[B0]][0] -> @output0[0] shape [2, 2048] src [8192, 4] dst [16384, 4]
// CHECK-NEXT: d1.hbm_store %[[B1]][0] -> @output0[8192] shape [2, 2048] src [8192, 4] dst [16384, 4]
module attributes {d1.target = "name=mesh-2x2,rows=2,cols=2,sram_bytes=262144"} {
  func.func @main(%x: tensor<2x4096xf32>) -> tensor<2x64x64xf32> {
    %r = dnn.reshape %x {d1.split = array<i64: 1, 2, 1>} : (tensor<2x4096xf32>) -> tensor<2x64x64xf32>
    return %r : tensor<2x64x64xf32>
  }
}

// -----

// A run that starts inside an input row is cut at the row's end. Block 0
// of 3x80 -> 2x3x40 split (1, 2, 1) is output [0, 2) x [0, 2): elements
// [0, 80) (input row 0) and [120, 200) (the second half of row 1, byte 480,
// then the first half of row 2, byte 640). Block 1 is [80, 120) (row 1,
// byte 320) and [200, 240) (row 2, byte 800).
// CHECK-LABEL: d1.device
// CHECK: d1.step 0 {
// CHECK-NEXT: d1.hbm_load @input0[0] -> %[[B0:.*]][0] shape [80] src [4] dst [4]
// CHECK-NEXT: d1.hbm_load @input0[480] -> %[[B0]][320] shape [40] src [4] dst [4]
// CHECK-NEXT: d1.hbm_load @input0[640] -> %[[B0]][480] shape [40] src [4] dst [4]
// CHECK-NEXT: d1.hbm_load @input0[320] -> %[[B1:.*]][0] shape [40] src [4] dst [4]
// CHECK-NEXT: d1.hbm_load @input0[800] -> %[[B1]][160] shape [40] src [4] dst [4]
module attributes {d1.target = "name=mesh-2x2,rows=2,cols=2,sram_bytes=262144"} {
  func.func @main(%x: tensor<3x80xf32>) -> tensor<2x3x40xf32> {
    %r = dnn.reshape %x {d1.split = array<i64: 1, 2, 1>} : (tensor<3x80xf32>) -> tensor<2x3x40xf32>
    return %r : tensor<2x3x40xf32>
  }
}
