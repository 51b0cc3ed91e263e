// RUN: dojo-opt %s -split-input-file -d1-codegen | FileCheck %s
// Transfers and kernels with a phase (d1.phase): arrivals of phase p > 0
// signal semaphore 2 + p (0 keeps counting phase 0, 1 and 2 count stores
// and spills), every node issues its transfers in phase order, and a
// kernel of phase p first awaits the arrivals of the phases up to p.

// Node (0, 0) issues the phase-0 transfer first although the step lists it
// second: its first DMA descriptor (kind 3, SRAM-to-SRAM to node 1 over
// route 0) signals semaphore 0, the second semaphore 3.
// CHECK-LABEL: d1.device
// CHECK:       d1.program %{{.*}} {code = {{.*}}, descs = [array<i64: 3, 0, 1, 0, 0, 4, 1, 32, {{[^>]*}}>, array<i64: 3, 0, 1, 0, 3, 4, 1, 32, {{[^>]*}}>], names
// Node (0, 1) awaits one phase-0 arrival (semwait, opcode 26, on s0, #1)
// before its first kernel and one phase-1 arrival (s3: 26 + 3 << 16)
// before its second, and nothing after.
// CHECK:       d1.program %{{.*}} {code = array<i64: 28, 0, 26, 1, {{.*}}, 196634, 1, {{[^>]*}}>
// CHECK-NOT:   196634
d1.device target("name=ph,rows=1,cols=2") {
  %n0 = d1.node(0, 0)
  %n1 = d1.node(0, 1)
  %a = d1.buffer @a on %n0 size 256 live [0, 0] address 4096 {init = dense<1.0> : tensor<64xf32>}
  %w = d1.buffer @w on %n1 size 256 live [0, 0] address 4096 {init = dense<1.0> : tensor<64xf32>}
  %b0 = d1.buffer @b0 on %n1 size 128 live [0, 0] address 4352
  %b1 = d1.buffer @b1 on %n1 size 128 live [0, 0] address 4480
  %c0 = d1.buffer @c0 on %n1 size 128 live [0, 0] address 4608
  %c1 = d1.buffer @c1 on %n1 size 128 live [0, 0] address 4736
  d1.step 0 {
    d1.dma %a[128] -> %b1[0] shape [32] src [4] dst [4] route [0, 1] {d1.phase = 1 : i64}
    d1.dma %a[0] -> %b0[0] shape [32] src [4] dst [4] route [0, 1]
    d1.kernel "matmul" (%b0, %w, %c0) {params = {act = "none", alpha = 1.0 : f32, batch = 1 : i64, beta = 0.0 : f32, bias = false, k = 8 : i64, m = 4 : i64, n = 8 : i64}}
    d1.kernel "matmul" (%b1, %w, %c1) {d1.phase = 1 : i64, params = {act = "none", alpha = 1.0 : f32, batch = 1 : i64, beta = 0.0 : f32, bias = false, k = 8 : i64, m = 4 : i64, n = 8 : i64}}
  }
}

// -----

// A phase nothing arrives in is not awaited; arrivals of a phase after the
// node's last kernel are still awaited within the step (semaphores start
// every step at zero): node (0, 1) waits on s4 (26 + 4 << 16 = 262170) at
// the end of step 0, before the barrier of step 1 (opcode 28).
// CHECK-LABEL: d1.device
// CHECK:       d1.program
// CHECK:       d1.program %{{.*}} {code = array<i64: 28, 0, 26, 1, {{.*}}, 262170, 1, 28, 0, {{[^>]*}}>
d1.device target("name=ph,rows=1,cols=2") {
  %n0 = d1.node(0, 0)
  %n1 = d1.node(0, 1)
  %a = d1.buffer @a on %n0 size 256 live [0, 1] address 4096 {init = dense<1.0> : tensor<64xf32>}
  %w = d1.buffer @w on %n1 size 256 live [0, 1] address 4096 {init = dense<1.0> : tensor<64xf32>}
  %b0 = d1.buffer @b0 on %n1 size 128 live [0, 1] address 4352
  %b1 = d1.buffer @b1 on %n1 size 128 live [0, 1] address 4480
  %c0 = d1.buffer @c0 on %n1 size 128 live [0, 1] address 4608
  d1.step 0 {
    d1.dma %a[0] -> %b0[0] shape [32] src [4] dst [4] route [0, 1]
    d1.dma %a[128] -> %b1[0] shape [32] src [4] dst [4] route [0, 1] {d1.phase = 2 : i64}
    d1.kernel "matmul" (%b0, %w, %c0) {d1.phase = 1 : i64, params = {act = "none", alpha = 1.0 : f32, batch = 1 : i64, beta = 0.0 : f32, bias = false, k = 8 : i64, m = 4 : i64, n = 8 : i64}}
  }
  d1.step 1 {
    d1.kernel "matmul" (%b1, %w, %c0) {params = {act = "none", alpha = 1.0 : f32, batch = 1 : i64, beta = 0.0 : f32, bias = false, k = 8 : i64, m = 4 : i64, n = 8 : i64}}
  }
}
