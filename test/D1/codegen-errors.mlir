// RUN: not dojo-opt %s -split-input-file -d1-codegen="dtype=fp8" 2>&1 | FileCheck %s --check-prefix=DTYPE
// RUN: dojo-opt %s -split-input-file -d1-codegen -verify-diagnostics
// d1-codegen needs placed buffers and routed transfers, and a known dtype.

// DTYPE: error: unknown dtype 'fp8' (expected f32 or bf16)
d1.device target("name=m,rows=1,cols=2") {
  %n0 = d1.node(0, 0)
  // expected-error @+1 {{buffer has no address: run d1-place-sram first}}
  %a = d1.buffer @a on %n0 size 64 live [0, 0]
}

// -----

d1.device target("name=m,rows=1,cols=2") {
  %n0 = d1.node(0, 0)
  %n1 = d1.node(0, 1)
  %a = d1.buffer @a on %n0 size 64 live [0, 0] address 4096
  %b = d1.buffer @b on %n1 size 64 live [0, 0] address 4096
  d1.step 0 {
    // expected-error @+1 {{transfer has no route: run d1-route first}}
    d1.dma %a[0] -> %b[0] shape [16] src [4] dst [4]
  }
}
