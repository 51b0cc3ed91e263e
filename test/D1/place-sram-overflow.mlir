// RUN: not dojo-opt %s -d1-place-sram 2>&1 | FileCheck %s
// When a node's buffers do not fit and nothing live can be spilled (here
// every buffer is zero-filled, so none can live in HBM), the error is at
// the buffer that failed and prints the node's memory map.

// CHECK: place-sram-overflow.mlir:[[@LINE+16]]:8: error: SRAM overflow on node (0, 0): buffer @act_in (1024 bytes) does not fit in [4096, 8192) and nothing live there can be spilled; memory map:
// CHECK-NEXT: SRAM plan FAILED: region [4096, 8192) (4096 bytes), peak address 7744, 3 buffers
// CHECK-NEXT:   failed: 'act_in' (1024 bytes, live 0..1) does not fit
// CHECK-NEXT:   name                     address range                  size  live
// CHECK-NEXT:   act_out                  [4096, 6144)                   2048  1..1
// CHECK-NEXT:   scratch                  [6144, 7744)                   1600  1..2
// CHECK-NEXT:   act_in                   UNPLACED                       1024  0..1
// CHECK-NEXT: peak pressure: 4672 bytes live at step 1 in 3 buffers:
// CHECK-NEXT:   act_out                  [4096, 6144)                   2048  1..1
// CHECK-NEXT:   scratch                  [6144, 7744)                   1600  1..2
// CHECK-NEXT:   act_in                   UNPLACED                       1024  0..1
// The other node fits and is not mentioned.
// CHECK-NOT: node (0, 1)
d1.device target("name=small,rows=1,cols=2,sram_bytes=8192,reserved_bytes=4096") {
  %n = d1.node(0, 0)
  %m = d1.node(0, 1)
  %a = d1.buffer @act_in on %n size 1024 live [0, 1]
  %b = d1.buffer @act_out on %n size 2048 live [1, 1]
  %c = d1.buffer @scratch on %n size 1600 live [1, 2]
  %d = d1.buffer @fits on %m size 4096 live [0, 2]
  d1.step 0 {
    d1.fill %a
  }
  d1.step 1 {
    d1.kernel "eltwise" (%a, %b) {params = {act = "none", count = 256 : i64, op = "relu"}}
    d1.fill %c
  }
  d1.step 2 {
    d1.fill %c
  }
}
