// RUN: dojo-opt %s -split-input-file -d1-codegen -verify-diagnostics
// d1-codegen rejects phases it cannot map to a semaphore, phases on ops
// other than transfers and kernels, and kernels of one node whose phases
// decrease within a step (they run in program order).

d1.device target("name=ph,rows=1,cols=2") {
  %n0 = d1.node(0, 0)
  %n1 = d1.node(0, 1)
  %a = d1.buffer @a on %n0 size 128 live [0, 0] address 4096
  %b = d1.buffer @b on %n1 size 128 live [0, 0] address 4096
  d1.step 0 {
    // expected-error @+1 {{'d1.dma' op has d1.phase 14 : i64; expected a transfer or kernel with an integer phase in [0, 14)}}
    d1.dma %a[0] -> %b[0] shape [32] src [4] dst [4] route [0, 1] {d1.phase = 14 : i64}
  }
}

// -----

d1.device target("name=ph,rows=1,cols=2") {
  %n0 = d1.node(0, 0)
  %b = d1.buffer @b on %n0 size 128 live [0, 0] address 4096
  d1.step 0 {
    // expected-error @+1 {{'d1.fill' op has d1.phase 1 : i64; expected a transfer or kernel with an integer phase in [0, 14)}}
    d1.fill %b {d1.phase = 1 : i64}
  }
}

// -----

d1.device target("name=ph,rows=1,cols=2") {
  %n0 = d1.node(0, 0)
  %n1 = d1.node(0, 1)
  %a = d1.buffer @a on %n0 size 128 live [0, 0] address 4096
  %b = d1.buffer @b on %n1 size 128 live [0, 0] address 4096
  d1.step 0 {
    // expected-error @+1 {{'d1.dma' op has d1.phase "1"; expected a transfer or kernel with an integer phase in [0, 14)}}
    d1.dma %a[0] -> %b[0] shape [32] src [4] dst [4] route [0, 1] {d1.phase = "1"}
  }
}

// -----

d1.device target("name=ph,rows=1,cols=1") {
  %n0 = d1.node(0, 0)
  %w = d1.buffer @w on %n0 size 256 live [0, 0] address 4096 {init = dense<1.0> : tensor<64xf32>}
  %b = d1.buffer @b on %n0 size 128 live [0, 0] address 4352 {init = dense<1.0> : tensor<32xf32>}
  %c0 = d1.buffer @c0 on %n0 size 128 live [0, 0] address 4608
  %c1 = d1.buffer @c1 on %n0 size 128 live [0, 0] address 4736
  d1.step 0 {
    d1.kernel "matmul" (%b, %w, %c0) {d1.phase = 1 : i64, params = {act = "none", alpha = 1.0 : f32, batch = 1 : i64, beta = 0.0 : f32, bias = false, k = 8 : i64, m = 4 : i64, n = 8 : i64}}
    // expected-error @+1 {{'d1.kernel' op has phase 0 after a kernel of phase 1 on the same node in the same step}}
    d1.kernel "matmul" (%b, %w, %c1) {params = {act = "none", alpha = 1.0 : f32, batch = 1 : i64, beta = 0.0 : f32, bias = false, k = 8 : i64, m = 4 : i64, n = 8 : i64}}
  }
}

// -----

d1.device target("name=ph,rows=1,cols=1") {
  %n0 = d1.node(0, 0)
  %x = d1.buffer @x on %n0 size 1024 live [0, 0] address 4096
  %w = d1.buffer @w on %n0 size 1024 live [0, 0] address 8192
  %y = d1.buffer @y on %n0 size 1024 live [0, 0] address 12288
  d1.step 0 {
    // expected-error @+1 {{'d1.kernel' op has malformed rows array<i64: 1, 2, 5> (expected [dim, lo, hi] with dim < 3 and 0 <= lo < hi <= out[dim])}}
    d1.kernel "conv" (%x, %w, %y) {params = {act = "none", bias = false, cg = 8 : i64, ci = 8 : i64, cin = 8 : i64, cp = 8 : i64, dilations = array<i64: 1, 1, 1>, groups = 1 : i64, kernel = array<i64: 1, 1, 1>, n = 1 : i64, out = array<i64: 1, 4, 1>, rows = array<i64: 1, 2, 5>, strides = array<i64: 1, 1, 1>, win = array<i64: 1, 4, 1>, wstorage = 0 : i64, xstorage = 0 : i64}}
  }
}
