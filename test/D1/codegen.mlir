// RUN: dojo-opt %s -d1-codegen | FileCheck %s --check-prefixes=CHECK,F32
// RUN: dojo-opt %s -d1-codegen="dtype=bf16" | FileCheck %s --check-prefixes=CHECK,BF16
// RUN: dojo-opt %s -d1-codegen | dojo-opt | FileCheck %s --check-prefixes=CHECK,F32
// d1-codegen emits one d1.program per enabled node (snake order), creating
// nodes that have no work, and fills the device's route table. The
// instruction streams themselves are checked in disassembled form by
// test/dojo-cc/emit-asm.test.

// CHECK-LABEL: d1.device target("name=cg,rows=2,cols=2,disabled=1:1") attributes {routes = [array<i32: 0, 1>]}
// The idle node (1, 0) gets a node op; the disabled (1, 1) does not.
// CHECK-DAG: %[[N10:.*]] = d1.node(1, 0)
// CHECK-DAG: %[[N00:.*]] = d1.node(0, 0)
// CHECK-DAG: %[[N01:.*]] = d1.node(0, 1)
// CHECK-NOT: d1.node(1, 1)
// Node (0, 0) loads from HBM and sends over route 0: the first descriptor
// is the HBM load (mode 1), the second the SRAM-to-SRAM transfer (mode 0)
// to node 1 over route 0.
// CHECK: d1.program %[[N00]] {code = array<i64: {{.*}}>, debug = array<i64: {{.*}}>, descs = [array<i64: 3, 1, -1, -1, 0, 4, 1, 64, {{.*}}>, array<i64: 3, 0, 1, 0, {{.*}}>], names = [""]}
// Node (0, 1) runs the 8x8x8 matmul: its matrix descriptor (kind 2) ends
// with the operand type, 0 for f32 and 1 for bf16.
// F32: d1.program %[[N01]] {{{.*}}descs = [{{.*}}array<i64: 2, 8, 8, 8, 32, 4, 32, 4, 0, 0, 0, 1, 0, 0, 1, 0, 0>
// BF16: d1.program %[[N01]] {{{.*}}descs = [{{.*}}array<i64: 2, 8, 8, 8, 32, 4, 32, 4, 1, 0, 0, 1, 0, 0, 1, 0, 0>
// The idle node only halts (opcode 1, immediate 0).
// CHECK: d1.program %[[N10]] {code = array<i64: 1, 0>, debug = array<i64>, descs = [], names = []}
// CHECK-NOT: d1.program
d1.device target("name=cg,rows=2,cols=2,disabled=1:1") {
  %n0 = d1.node(0, 0)
  %n1 = d1.node(0, 1)
  d1.hbm_tensor @input0 "input"[0] "x" shape [8, 8] at 0
  d1.hbm_tensor @output0 "output"[0] "y" shape [8, 8] at 256
  %a = d1.buffer @a on %n0 size 256 live [0, 0] address 4096
  %w = d1.buffer @w on %n1 size 256 live [0, 1] address 4096 {init = dense<1.0> : tensor<64xf32>}
  %b = d1.buffer @b on %n1 size 256 live [0, 1] address 4352
  %c = d1.buffer @c on %n1 size 256 live [1, 1] address 4608
  d1.step 0 {
    d1.hbm_load @input0[0] -> %a[0] shape [64] src [4] dst [4]
  }
  d1.step 1 {
    d1.dma %a[0] -> %b[0] shape [64] src [4] dst [4] route [0, 1]
    d1.kernel "matmul" (%b, %w, %c) {params = {act = "none", alpha = 1.0 : f32, batch = 1 : i64, beta = 0.0 : f32, bias = false, k = 8 : i64, m = 8 : i64, n = 8 : i64}}
    d1.hbm_store %c[0] -> @output0[0] shape [64] src [4] dst [4]
  }
}
