// RUN: not dojo-opt %s -d1-route="algorithm=foo" 2>&1 | FileCheck %s --check-prefix=ALGO
// RUN: not dojo-opt %s -d1-route 2>&1 | FileCheck %s --check-prefix=CUT
// RUN: not dojo-opt %s -d1-route="algorithm=negotiated" 2>&1 | FileCheck %s --check-prefix=CUT

// ALGO: route-errors.mlir:[[@LINE+3]]:1: error: unknown routing algorithm 'foo' (expected xy or negotiated)
// The disabled middle node cuts the 1x3 mesh in two.
// CUT: route-errors.mlir:[[@LINE+1]]:1: error: routing failed: cannot route transfer 0 from (0,0) to (0,2): no path from (0,0) to (0,2) over enabled nodes
d1.device target("name=cut,rows=1,cols=3,disabled=0:1") {
  %n0 = d1.node(0, 0)
  %n2 = d1.node(0, 2)
  %a = d1.buffer @a on %n0 size 64 live [0, 0]
  %b = d1.buffer @b on %n2 size 64 live [0, 0]
  d1.step 0 {
    d1.dma %a[0] -> %b[0] shape [16] src [4] dst [4]
  }
}
