// RUN: dojo-opt %s -split-input-file -d1-route | FileCheck %s --check-prefixes=CHECK,XY
// RUN: dojo-opt %s -split-input-file -d1-route="algorithm=xy" | FileCheck %s --check-prefixes=CHECK,XY
// RUN: dojo-opt %s -split-input-file -d1-route="algorithm=negotiated" | FileCheck %s --check-prefixes=CHECK,NEG
// d1-route writes a route (node ids, source first) on every d1.dma and the
// NoC load on the device. Node ids on a 3x3 mesh:
//   0 1 2
//   3 4 5
//   6 7 8

// Dimension-ordered: along the row (columns) first, then down the column.
// Local copies have a one-node route and cost no NoC bytes:
// 64 + 64 + 16 = 144 bytes cross the NoC, at most 64 on any link.
// CHECK-LABEL: d1.device target("name=xy,rows=3,cols=3") attributes {d1.max_link_bytes = 64 : i64, d1.noc_bytes = 144 : i64}
// CHECK: d1.dma %{{.*}}[0] -> %{{.*}}[0] shape [16] src [4] dst [4] route [0, 1, 2, 5, 8]
// CHECK-NEXT: d1.dma %{{.*}}[0] -> %{{.*}}[0] shape [16] src [4] dst [4] route [8, 7, 6, 3, 0]
// CHECK-NEXT: d1.dma %{{.*}}[0] -> %{{.*}}[0] shape [4] src [4] dst [4] route [6, 7, 8, 5, 2]
// CHECK-NEXT: d1.dma %{{.*}}[0] -> %{{.*}}[0] shape [8] src [4] dst [4] route [0]{{$}}
d1.device target("name=xy,rows=3,cols=3") {
  %n0 = d1.node(0, 0)
  %n2 = d1.node(0, 2)
  %n6 = d1.node(2, 0)
  %n8 = d1.node(2, 2)
  %a = d1.buffer @a on %n0 size 64 live [0, 0]
  %b = d1.buffer @b on %n8 size 64 live [0, 0]
  %c = d1.buffer @c on %n6 size 64 live [0, 0]
  %d = d1.buffer @d on %n2 size 64 live [0, 0]
  %f = d1.buffer @f on %n0 size 64 live [0, 0]
  d1.step 0 {
    d1.dma %a[0] -> %b[0] shape [16] src [4] dst [4]
    d1.dma %b[0] -> %a[0] shape [16] src [4] dst [4]
    d1.dma %c[0] -> %d[0] shape [4] src [4] dst [4]
    d1.dma %a[0] -> %f[0] shape [8] src [4] dst [4]
  }
}

// -----

// With (0, 1) and (1, 1) disabled, 0 -> 8 detours down the west column.
// The links 6->7 and 7->8 then carry 64 + 16 = 80 bytes.
// CHECK-LABEL: d1.device target("name=detour,rows=3,cols=3,disabled=0:1;1:1") attributes {d1.max_link_bytes = 80 : i64, d1.noc_bytes = 144 : i64}
// CHECK: d1.dma %{{.*}} shape [16] src [4] dst [4] route [0, 3, 6, 7, 8]
// CHECK-NEXT: d1.dma %{{.*}} shape [16] src [4] dst [4] route [8, 7, 6, 3, 0]
// CHECK-NEXT: d1.dma %{{.*}} shape [4] src [4] dst [4] route [6, 7, 8, 5, 2]
d1.device target("name=detour,rows=3,cols=3,disabled=0:1;1:1") {
  %n0 = d1.node(0, 0)
  %n2 = d1.node(0, 2)
  %n6 = d1.node(2, 0)
  %n8 = d1.node(2, 2)
  %a = d1.buffer @a on %n0 size 64 live [0, 0]
  %b = d1.buffer @b on %n8 size 64 live [0, 0]
  %c = d1.buffer @c on %n6 size 64 live [0, 0]
  %d = d1.buffer @d on %n2 size 64 live [0, 0]
  d1.step 0 {
    d1.dma %a[0] -> %b[0] shape [16] src [4] dst [4]
    d1.dma %b[0] -> %a[0] shape [16] src [4] dst [4]
    d1.dma %c[0] -> %d[0] shape [4] src [4] dst [4]
  }
}

// -----

// Two 4 KiB transfers whose XY routes share the links 1->2 and 2->5:
// negotiation moves one of them to a disjoint path, halving the peak.
// CHECK-LABEL: d1.device target("name=congested,rows=3,cols=3")
// XY-SAME: attributes {d1.max_link_bytes = 8192 : i64, d1.noc_bytes = 8192 : i64}
// XY: route [0, 1, 2, 5, 8]
// XY-NEXT: route [1, 2, 5]
// NEG-SAME: attributes {d1.max_link_bytes = 4096 : i64, d1.noc_bytes = 8192 : i64}
// NEG: route [0, 3, 6, 7, 8]
// NEG-NEXT: route [1, 2, 5]
d1.device target("name=congested,rows=3,cols=3") {
  %n0 = d1.node(0, 0)
  %n1 = d1.node(0, 1)
  %n5 = d1.node(1, 2)
  %n8 = d1.node(2, 2)
  %a = d1.buffer @a on %n0 size 4096 live [0, 0]
  %b = d1.buffer @b on %n8 size 4096 live [0, 0]
  %c = d1.buffer @c on %n1 size 4096 live [0, 0]
  %d = d1.buffer @d on %n5 size 4096 live [0, 0]
  d1.step 0 {
    d1.dma %a[0] -> %b[0] shape [1024] src [4] dst [4]
    d1.dma %c[0] -> %d[0] shape [1024] src [4] dst [4]
  }
}
