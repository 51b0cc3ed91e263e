// RUN: dojo-opt %s | dojo-opt | FileCheck %s
// RUN: dojo-opt %s -mlir-print-op-generic | dojo-opt | FileCheck %s
// Every d1 op survives a print/parse round trip (twice, and through the
// generic form) with its attributes intact. The target spec is the one
// `dojo-cc --emit=mesh --target=mesh-2x2` writes.

// CHECK-LABEL: module
// CHECK: d1.device target("name=mesh-2x2,rows=2,cols=2,disabled=,sram_bytes=262144,reserved_bytes=4096,mac_bf16=256,{{.*}},clock_ghz=2") attributes {d1.max_link_bytes = 64 : i64, d1.noc_bytes = 64 : i64} {
d1.device target("name=mesh-2x2,rows=2,cols=2,disabled=,sram_bytes=262144,reserved_bytes=4096,mac_bf16=256,mac_f32=16,vector_bytes=64,link_bytes=256,inject_bytes=64,hop_latency=2,inject_latency=4,eject_latency=4,dma_issue=4,barrier_latency=0,hbm_bytes_per_cycle=400,hbm_latency=2000,hbm_bytes=34359738368,clock_ghz=2") attributes {d1.max_link_bytes = 64 : i64, d1.noc_bytes = 64 : i64} {
  // CHECK-NEXT: %[[N0:.*]] = d1.node(0, 0)
  // CHECK-NEXT: %[[N1:.*]] = d1.node(0, 1)
  // CHECK-NEXT: %[[N3:.*]] = d1.node(1, 1)
  %n0 = d1.node(0, 0)
  %n1 = d1.node(0, 1)
  %n3 = d1.node(1, 1)
  // CHECK-NEXT: d1.hbm_tensor @input0 "input"[0] "x" shape [1, 16] at 0
  // CHECK-NEXT: d1.hbm_tensor @output0 "output"[0] "y" shape [1, 16] at 64
  d1.hbm_tensor @input0 "input"[0] "x" shape [1, 16] at 0
  d1.hbm_tensor @output0 "output"[0] "y" shape [1, 16] at 64
  // CHECK-NEXT: %[[A:.*]] = d1.buffer @a on %[[N0]] size 64 live[0, 1] address 4096
  // CHECK-NEXT: %[[B:.*]] = d1.buffer @b on %[[N1]] size 64 live[1, 1]{{$}}
  // CHECK-NEXT: %[[W:.*]] = d1.buffer @w on %[[N1]] size 16 live[0, 1] address 8192 {init = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>}
  // CHECK-NEXT: %[[C:.*]] = d1.buffer @c on %[[N1]] size 64 live[1, 1] address 4160
  // CHECK-NEXT: %[[D:.*]] = d1.buffer @d on %[[N3]] size 64 live[1, 1] address 4096
  %a = d1.buffer @a on %n0 size 64 live [0, 1] address 4096
  %b = d1.buffer @b on %n1 size 64 live [1, 1]
  %w = d1.buffer @w on %n1 size 16 live [0, 1] address 8192 {init = dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>}
  %c = d1.buffer @c on %n1 size 64 live [1, 1] address 4160
  %d = d1.buffer @d on %n3 size 64 live [1, 1] address 4096
  // CHECK-NEXT: d1.step 0 {
  // CHECK-NEXT:   d1.fill %[[A]]
  // CHECK-NEXT:   d1.hbm_load @input0[4] -> %[[A]][8] shape [2, 3] src [32, 4] dst [16, 4]
  // CHECK-NEXT: }
  d1.step 0 {
    d1.fill %a
    d1.hbm_load @input0[4] -> %a[8] shape [2, 3] src [32, 4] dst [16, 4]
  }
  // CHECK-NEXT: d1.step 1 attributes {note = "second"} {
  // CHECK-NEXT:   d1.dma %[[A]][0] -> %[[B]][16] shape [4, 2] src [16, 4] dst [8, 4]{{$}}
  // CHECK-NEXT:   d1.dma %[[A]][0] -> %[[D]][0] shape [16] src [4] dst [4] route [0, 1, 3]
  // CHECK-NEXT:   d1.kernel "eltwise"(%[[B]], %[[W]], %[[C]]) {params = {act = "relu", count = 16 : i64, op = "add"}}
  // CHECK-NEXT:   d1.hbm_store %[[C]][0] -> @output0[0] shape [16] src [4] dst [4]
  // CHECK-NEXT: }
  d1.step 1 attributes {note = "second"} {
    d1.dma %a[0] -> %b[16] shape [4, 2] src [16, 4] dst [8, 4]
    d1.dma %a[0] -> %d[0] shape [16] src [4] dst [4] route [0, 1, 3]
    d1.kernel "eltwise" (%b, %w, %c) {params = {act = "relu", count = 16 : i64, op = "add"}}
    d1.hbm_store %c[0] -> @output0[0] shape [16] src [4] dst [4]
  }
  // CHECK-NEXT: d1.program %[[N0]] {code = array<i64: 65538, 4096, 28, 0>, debug = array<i64: 0, 2, 0>, descs = [array<i64: 1, 2>], names = ["a"]}
  // CHECK-NEXT: d1.program %[[N1]] {code = array<i64>, debug = array<i64>, descs = [], names = []}
  d1.program %n0 {code = array<i64: 65538, 4096, 28, 0>, descs = [array<i64: 1, 2>], debug = array<i64: 0, 2, 0>, names = ["a"]}
  d1.program %n1 {code = array<i64>, descs = [], debug = array<i64>, names = []}
}
// CHECK-NEXT: }

// The device's route table (filled by codegen) round-trips too.
// CHECK: d1.device target("name=mesh-1x3,rows=1,cols=3") attributes {routes = [array<i32: 0, 1, 2>, array<i32: 2>]} {
// CHECK-NEXT: d1.node(0, 2)
d1.device target("name=mesh-1x3,rows=1,cols=3") attributes {routes = [array<i32: 0, 1, 2>, array<i32: 2>]} {
  %n = d1.node(0, 2)
}
