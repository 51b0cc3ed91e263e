// RUN: dojo-opt %s -split-input-file -d1-tile="min-piece-work=1" -d1-distribute | FileCheck %s
// d1-distribute turns tiled dnn layers into a d1.device: HBM tensors for
// the signature, per-node buffers, one step per round, transfers with
// exact byte offsets/strides, and kernels with their geometry.

// A padded 3x3 convolution on one node: the 6x6x2 channels-last input
// window is zero-filled, then the 4x4 interior is loaded at offset
// (1 * 6 + 1) * 2 * 4 = 56 bytes.
// CHECK-LABEL: d1.device target("name=conv,rows=1,cols=1,disabled=,sram_bytes=262144,reserved_bytes=4096,
// CHECK-NEXT: %[[N:.*]] = d1.node(0, 0)
// CHECK-NEXT: d1.hbm_tensor @input0 "input"[0] "img" shape [1, 2, 4, 4] at 0
// CHECK-NEXT: %[[IN:.*]] = d1.buffer @{{.*}}_in_0_0_{{[0-9]+}} on %[[N]] size 288 live[0, 0]
// CHECK-NEXT: %[[W:.*]] = d1.buffer @{{.*}}_w_0_0_{{[0-9]+}} on %[[N]] size 576 live[0, 0] {init = dense<5.000000e-01> : tensor<144xf32>}
// CHECK-NEXT: %[[B:.*]] = d1.buffer @{{.*}}_b_0_0_{{[0-9]+}} on %[[N]] size 32 live[0, 0] {init = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00, 7.000000e+00, 8.000000e+00]> : tensor<8xf32>}
// CHECK-NEXT: %[[OUT:.*]] = d1.buffer @{{.*}} on %[[N]] size 512 live[0, 0]
// The output tensor follows the 128-byte input, 64-byte aligned.
// CHECK-NEXT: d1.hbm_tensor @output0 "output"[0] "feat" shape [1, 8, 4, 4] at 128
// CHECK-NEXT: d1.step 0 {
// CHECK-NEXT:   d1.fill %[[IN]]
// CHECK-NEXT:   d1.hbm_load @input0[0] -> %[[IN]][56] shape [4, 4, 2] src [16, 4, 64] dst [48, 8, 4]
// CHECK-NEXT:   d1.kernel "conv"(%[[IN]], %[[W]], %[[B]], %[[OUT]]) {params = {act = "relu", bias = true, cg = 8 : i64, ci = 2 : i64, cin = 2 : i64, cp = 8 : i64, dilations = array<i64: 1, 1, 1>, groups = 1 : i64, kernel = array<i64: 1, 3, 3>, n = 1 : i64, out = array<i64: 1, 4, 4>, strides = array<i64: 1, 1, 1>, win = array<i64: 1, 6, 6>, wstorage = 0 : i64, xstorage = 0 : i64}}
// Channels-last [16 positions][8 channels] back to NCHW.
// CHECK-NEXT:   d1.hbm_store %[[OUT]][0] -> @output0[0] shape [8, 16] src [4, 32] dst [64, 4] {await}
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK-NOT: func.func
module attributes {d1.target = "name=conv,rows=1,cols=1,sram_bytes=262144"} {
  func.func @main(%x: tensor<1x2x4x4xf32> {dnn.name = "img"}) -> (tensor<1x8x4x4xf32> {dnn.name = "feat"}) {
    %w = arith.constant dense<0.5> : tensor<8x2x3x3xf32>
    %b = arith.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]> : tensor<8xf32>
    %y = dnn.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64, act = "relu"}
         : (tensor<1x2x4x4xf32>, tensor<8x2x3x3xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
    return %y : tensor<1x8x4x4xf32>
  }
}

// -----

// A 16x16 matmul split 2x2 over a 2x2 mesh (blocks in snake order: nodes
// 0, 1, 3, 2), then a relu split into 4 row blocks that gathers each block
// from the two matmul blocks holding its rows -- one of them on another
// node.
// CHECK-LABEL: d1.device target("name=mm,rows=2,cols=2,
// CHECK-NEXT: %[[N0:.*]] = d1.node(0, 0)
// CHECK-NEXT: %[[N1:.*]] = d1.node(0, 1)
// CHECK-NEXT: %[[N2:.*]] = d1.node(1, 0)
// CHECK-NEXT: %[[N3:.*]] = d1.node(1, 1)
// Unnamed inputs are called inputN/outputN.
// CHECK-NEXT: d1.hbm_tensor @input0 "input"[0] "input0" shape [16, 8] at 0
// CHECK-NEXT: d1.hbm_tensor @input1 "input"[1] "input1" shape [8, 16] at 512
// CHECK-NEXT: %[[A0:.*]] = d1.buffer @{{.*}} on %[[N0]] size 256 live[0, 0]
// CHECK-NEXT: %[[B0:.*]] = d1.buffer @{{.*}} on %[[N0]] size 256 live[0, 0]
// The matmul outputs stay live into step 1, where the relu reads them.
// CHECK-NEXT: %[[C0:.*]] = d1.buffer @{{.*}} on %[[N0]] size 256 live[0, 1]
// CHECK-NEXT: %[[A1:.*]] = d1.buffer @{{.*}} on %[[N1]] size 256 live[0, 0]
// CHECK-NEXT: %[[B1:.*]] = d1.buffer @{{.*}} on %[[N1]] size 256 live[0, 0]
// CHECK-NEXT: %[[C1:.*]] = d1.buffer @{{.*}} on %[[N1]] size 256 live[0, 1]
// CHECK-NEXT: %[[A3:.*]] = d1.buffer @{{.*}} on %[[N3]] size 256 live[0, 0]
// CHECK-NEXT: %[[B3:.*]] = d1.buffer @{{.*}} on %[[N3]] size 256 live[0, 0]
// CHECK-NEXT: %[[C3:.*]] = d1.buffer @{{.*}} on %[[N3]] size 256 live[0, 1]
// CHECK-NEXT: %[[A2:.*]] = d1.buffer @{{.*}} on %[[N2]] size 256 live[0, 0]
// CHECK-NEXT: %[[B2:.*]] = d1.buffer @{{.*}} on %[[N2]] size 256 live[0, 0]
// CHECK-NEXT: %[[C2:.*]] = d1.buffer @{{.*}} on %[[N2]] size 256 live[0, 1]
// CHECK-NEXT: %[[R0:.*]] = d1.buffer @{{.*}} on %[[N0]] size 256 live[1, 1]
// CHECK-NEXT: %[[X0:.*]] = d1.buffer @{{.*}} on %[[N0]] size 256 live[1, 1]
// CHECK-NEXT: %[[R1:.*]] = d1.buffer @{{.*}} on %[[N1]] size 256 live[1, 1]
// CHECK-NEXT: %[[X1:.*]] = d1.buffer @{{.*}} on %[[N1]] size 256 live[1, 1]
// CHECK-NEXT: %[[R3:.*]] = d1.buffer @{{.*}} on %[[N3]] size 256 live[1, 1]
// CHECK-NEXT: %[[X3:.*]] = d1.buffer @{{.*}} on %[[N3]] size 256 live[1, 1]
// CHECK-NEXT: %[[R2:.*]] = d1.buffer @{{.*}} on %[[N2]] size 256 live[1, 1]
// CHECK-NEXT: %[[X2:.*]] = d1.buffer @{{.*}} on %[[N2]] size 256 live[1, 1]
// CHECK-NEXT: d1.hbm_tensor @output0 "output"[0] "output0" shape [16, 16] at 1024
// CHECK-NEXT: d1.step 0 {
// Block (rows 0-7, cols 0-7): A's rows are contiguous, B's columns are a
// strided 8x8 panel (row pitch 64 bytes).
// CHECK-NEXT:   d1.hbm_load @input0[0] -> %[[A0]][0] shape [64] src [4] dst [4]
// CHECK-NEXT:   d1.hbm_load @input1[0] -> %[[B0]][0] shape [8, 8] src [64, 4] dst [32, 4]
// CHECK-NEXT:   d1.kernel "matmul"(%[[A0]], %[[B0]], %[[C0]]) {params = {act = "none", alpha = 1.000000e+00 : f32, batch = 1 : i64, beta = 0.000000e+00 : f32, bias = false, k = 8 : i64, m = 8 : i64, n = 8 : i64}}
// Block (rows 0-7, cols 8-15): B from column 8 = byte 32.
// CHECK-NEXT:   d1.hbm_load @input0[0] -> %[[A1]][0] shape [64] src [4] dst [4]
// CHECK-NEXT:   d1.hbm_load @input1[32] -> %[[B1]][0] shape [8, 8] src [64, 4] dst [32, 4]
// CHECK-NEXT:   d1.kernel "matmul"(%[[A1]], %[[B1]], %[[C1]]){{.*}}
// Block (rows 8-15, cols 0-7): A from row 8 = byte 256.
// CHECK-NEXT:   d1.hbm_load @input0[256] -> %[[A3]][0] shape [64] src [4] dst [4]
// CHECK-NEXT:   d1.hbm_load @input1[0] -> %[[B3]][0]
// CHECK-NEXT:   d1.kernel "matmul"(%[[A3]], %[[B3]], %[[C3]]){{.*}}
// CHECK-NEXT:   d1.hbm_load @input0[256] -> %[[A2]][0]
// CHECK-NEXT:   d1.hbm_load @input1[32] -> %[[B2]][0]
// CHECK-NEXT:   d1.kernel "matmul"(%[[A2]], %[[B2]], %[[C2]]){{.*}}
// CHECK-NEXT: }
// CHECK-NEXT: d1.step 1 {
// Relu rows 0-3 on node (0, 0): left half local, right half from node (0, 1).
// CHECK-NEXT:   d1.dma %[[C0]][0] -> %[[X0]][0] shape [4, 8] src [32, 4] dst [64, 4]
// CHECK-NEXT:   d1.dma %[[C1]][0] -> %[[X0]][32] shape [4, 8] src [32, 4] dst [64, 4]
// CHECK-NEXT:   d1.kernel "eltwise"(%[[X0]], %[[R0]]) {params = {act = "none", alpha = 0.000000e+00 : f32, beta = 0.000000e+00 : f32, count = 64 : i64, op = "relu"}}
// Relu rows 4-7 on node (0, 1): from row 4 = byte 128 of both blocks.
// CHECK-NEXT:   d1.dma %[[C0]][128] -> %[[X1]][0] shape [4, 8] src [32, 4] dst [64, 4]
// CHECK-NEXT:   d1.dma %[[C1]][128] -> %[[X1]][32] shape [4, 8] src [32, 4] dst [64, 4]
// CHECK-NEXT:   d1.kernel "eltwise"(%[[X1]], %[[R1]]){{.*}}
// CHECK-NEXT:   d1.dma %[[C3]][0] -> %[[X3]][0]
// CHECK-NEXT:   d1.dma %[[C2]][0] -> %[[X3]][32]
// CHECK-NEXT:   d1.kernel "eltwise"(%[[X3]], %[[R3]]){{.*}}
// CHECK-NEXT:   d1.dma %[[C3]][128] -> %[[X2]][0]
// CHECK-NEXT:   d1.dma %[[C2]][128] -> %[[X2]][32]
// CHECK-NEXT:   d1.kernel "eltwise"(%[[X2]], %[[R2]]){{.*}}
// CHECK-NEXT:   d1.hbm_store %[[R0]][0] -> @output0[0] shape [64] src [4] dst [4] {await}
// CHECK-NEXT:   d1.hbm_store %[[R1]][0] -> @output0[256] shape [64] src [4] dst [4] {await}
// CHECK-NEXT:   d1.hbm_store %[[R3]][0] -> @output0[512] shape [64] src [4] dst [4] {await}
// CHECK-NEXT:   d1.hbm_store %[[R2]][0] -> @output0[768] shape [64] src [4] dst [4] {await}
// CHECK-NEXT: }
module attributes {d1.target = "name=mm,rows=2,cols=2"} {
  func.func @main(%a: tensor<16x8xf32>, %b: tensor<8x16xf32>) -> tensor<16x16xf32> {
    %y = dnn.matmul %a, %b : (tensor<16x8xf32>, tensor<8x16xf32>) -> tensor<16x16xf32>
    %r = dnn.relu %y : (tensor<16x16xf32>) -> tensor<16x16xf32>
    return %r : tensor<16x16xf32>
  }
}

// -----

// 1 KiB of usable SRAM: 8 blocks of 32 elements on 2 nodes, so 4 rounds
// (steps). The broadcast operand z[1x64] is re-read per block at the
// block's column (byte 0 or 128); outputs are stored in the step that
// produced them and stay live to the last step.
// CHECK-LABEL: d1.device target("name=rounds,rows=1,cols=2,
// Output blocks are named after the layer (here "v": no name location).
// CHECK-COUNT-8: d1.buffer @v_0_{{[01]}}_{{[0-9]+}} on %{{.*}} size 128 live[{{[0-3]}}, {{[0-3]}}]
// CHECK-NOT: d1.buffer @v_0_
// CHECK: d1.step 0 {
// CHECK-NEXT:   d1.hbm_load @input0[0] -> %{{.*}}[0] shape [32] src [4] dst [4]
// CHECK-NEXT:   d1.hbm_load @input1[0] -> %{{.*}}[0] shape [32] src [4] dst [4]
// CHECK-NEXT:   d1.kernel "eltwise"({{.*}}) {params = {act = "none", alpha = 0.000000e+00 : f32, beta = 0.000000e+00 : f32, count = 32 : i64, op = "add"}}
// CHECK-NEXT:   d1.hbm_load @input0[128] ->{{.*}}
// CHECK-NEXT:   d1.hbm_load @input1[128] ->{{.*}}
// CHECK-NEXT:   d1.kernel "eltwise"{{.*}}
// CHECK-NEXT:   d1.hbm_store %{{.*}}[0] -> @output0[0] shape [32] {{.*}} {await}
// CHECK-NEXT:   d1.hbm_store %{{.*}}[0] -> @output0[128] shape [32] {{.*}} {await}
// CHECK-NEXT: }
// CHECK: d1.step 3 {
// CHECK-NEXT:   d1.hbm_load @input0[768] ->{{.*}}
// CHECK-NEXT:   d1.hbm_load @input1[0] ->{{.*}}
// CHECK:        d1.hbm_load @input0[896] ->
// CHECK-NEXT:   d1.hbm_load @input1[128] ->{{.*}}
// CHECK:        d1.hbm_store %{{.*}}[0] -> @output0[896] shape [32] {{.*}} {await}
// CHECK-NEXT: }
// CHECK-NOT: d1.step
module attributes {d1.target = "name=rounds,rows=1,cols=2,sram_bytes=5120,reserved_bytes=4096"} {
  func.func @main(%x: tensor<4x64xf32>, %z: tensor<1x64xf32>) -> tensor<4x64xf32> {
    %y = dnn.add %x, %z : (tensor<4x64xf32>, tensor<1x64xf32>) -> tensor<4x64xf32>
    return %y : tensor<4x64xf32>
  }
}

// -----

// A model output that is a model input (Identity) is copied through the
// mesh in a step of its own, then stored.
// CHECK-LABEL: d1.device
// CHECK: d1.hbm_tensor @input0 "input"[0]
// CHECK: %[[C:.*]] = d1.buffer @copy_0_0_0 on %{{.*}} size 64 live[0, 0]
// CHECK: d1.step 0 {
// CHECK-NEXT:   d1.hbm_load @input0[0] -> %[[C]][0] shape [16] src [4] dst [4]
// CHECK-NEXT:   d1.hbm_store %[[C]][0] -> @output0[0] shape [16] src [4] dst [4] {await}
module attributes {d1.target = "name=m,rows=2,cols=2"} {
  func.func @main(%x: tensor<1x16xf32>) -> tensor<1x16xf32> {
    return %x : tensor<1x16xf32>
  }
}
