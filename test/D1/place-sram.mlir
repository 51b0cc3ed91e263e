// RUN: dojo-opt %s -split-input-file -d1-place-sram | FileCheck %s
// RUN: dojo-opt %s -split-input-file -d1-place-sram="alignment=256" | FileCheck %s --check-prefix=ALIGN
// d1-place-sram gives every buffer an address in [reserved, sram): per
// node, aligned, sharing bytes between buffers whose live steps are
// disjoint, and when a node does not fit, spilling activations to HBM or
// streaming constants from it.

// @a (steps 0-1) and @b (steps 2-3) are never live together: same bytes.
// @c lives throughout, so it goes past the larger of the two. Node (0, 1)
// is planned on its own and starts again at the bottom.
// CHECK-LABEL: d1.device target("name=m,
// CHECK: d1.buffer @a on %{{.*}} size 1000 live[0, 1] address 1088
// CHECK-NEXT: d1.buffer @b on %{{.*}} size 2048 live[2, 3] address 1088
// CHECK-NEXT: d1.buffer @c on %{{.*}} size 100 live[0, 3] address 3136
// CHECK-NEXT: d1.buffer @d on %{{.*}} size 512 live[0, 0] address 1088
// CHECK-NEXT: d1.buffer @e on %{{.*}} size 512 live[0, 0] address 1600
// With 256-byte alignment the region starts at 1280 (1088 rounded up).
// ALIGN-LABEL: d1.device target("name=m,
// ALIGN: d1.buffer @a on %{{.*}} address 1280
// ALIGN-NEXT: d1.buffer @b on %{{.*}} address 1280
// ALIGN-NEXT: d1.buffer @c on %{{.*}} address 3328
// ALIGN-NEXT: d1.buffer @d on %{{.*}} address 1280
// ALIGN-NEXT: d1.buffer @e on %{{.*}} address 1792
d1.device target("name=m,rows=1,cols=2,sram_bytes=8192,reserved_bytes=1088") {
  %n0 = d1.node(0, 0)
  %n1 = d1.node(0, 1)
  %a = d1.buffer @a on %n0 size 1000 live [0, 1]
  %b = d1.buffer @b on %n0 size 2048 live [2, 3]
  %c = d1.buffer @c on %n0 size 100 live [0, 3]
  %d = d1.buffer @d on %n1 size 512 live [0, 0]
  %e = d1.buffer @e on %n1 size 512 live [0, 0]
}

// -----

// Already placed buffers are planned again (the pass owns addresses).
// CHECK-LABEL: d1.device target("name=replace,
// CHECK: d1.buffer @a on %{{.*}} size 64 live[0, 0] address 4096
d1.device target("name=replace,rows=1,cols=1") {
  %n = d1.node(0, 0)
  %a = d1.buffer @a on %n size 64 live [0, 0] address 8192
}

// -----

// 4 KiB usable: @p (2 KiB, produced in step 0, read in step 2) and @s
// (3 KiB in step 1) cannot both stay. @p is written to HBM right after it
// is produced, its reader becomes an HBM load, and its bytes are reused.
// CHECK-LABEL: d1.device target("name=spill,
// CHECK: d1.hbm_tensor @input0 "input"[0] "x" shape [512] at 0
// CHECK-NEXT: %[[X:.*]] = d1.buffer @x on %{{.*}} size 2048 live[0, 0] address 4096
// CHECK-NEXT: %[[P:.*]] = d1.buffer @p on %{{.*}} size 2048 live[0, 0] address 6144
// CHECK-NEXT: %[[S:.*]] = d1.buffer @s on %{{.*}} size 3072 live[1, 1] address 4096
// CHECK-NEXT: %[[Q:.*]] = d1.buffer @q on %{{.*}} size 2048 live[2, 2] address 4096
// CHECK-NEXT: d1.hbm_tensor @spill0 "spill"[0] "p" shape [512] at 2048
// CHECK-NEXT: d1.step 0 {
// CHECK-NEXT:   d1.hbm_load @input0[0] -> %[[X]][0]
// CHECK-NEXT:   d1.kernel "eltwise"(%[[X]], %[[P]])
// CHECK-NEXT:   d1.hbm_store %[[P]][0] -> @spill0[0] shape [512] src [4] dst [4] {await}
// CHECK-NEXT: }
// CHECK-NEXT: d1.step 1 {
// CHECK-NEXT:   d1.fill %[[S]]
// CHECK-NEXT: }
// CHECK-NEXT: d1.step 2 {
// CHECK-NEXT:   d1.hbm_load @spill0[0] -> %[[Q]][0] shape [512] src [4] dst [4]
// CHECK-NEXT: }
d1.device target("name=spill,rows=1,cols=2,sram_bytes=8192,reserved_bytes=4096") {
  %n0 = d1.node(0, 0)
  %n1 = d1.node(0, 1)
  d1.hbm_tensor @input0 "input"[0] "x" shape [512] at 0
  %x = d1.buffer @x on %n0 size 2048 live [0, 0]
  %p = d1.buffer @p on %n0 size 2048 live [0, 2]
  %s = d1.buffer @s on %n0 size 3072 live [1, 1]
  %q = d1.buffer @q on %n1 size 2048 live [2, 2]
  d1.step 0 {
    d1.hbm_load @input0[0] -> %x[0] shape [512] src [4] dst [4]
    d1.kernel "eltwise" (%x, %p) {params = {act = "none", count = 512 : i64, op = "relu"}}
  }
  d1.step 1 {
    d1.fill %s
  }
  d1.step 2 {
    d1.dma %p[0] -> %q[0] shape [512] src [4] dst [4]
  }
}

// -----

// A resident constant (live from step 0) that only a step-1 kernel reads
// does not fit next to @x: it moves to an HBM "constant" tensor after the
// model's tensors and is loaded into a one-step copy before the kernel.
// CHECK-LABEL: d1.device target("name=stream,
// CHECK: d1.hbm_tensor @output0 "output"[0] "y" shape [128] at 0
// CHECK-NEXT: d1.hbm_tensor @stream0 "constant"[0] "w" shape [512] at 512 {init = dense<2.000000e+00> : tensor<512xf32>}
// CHECK-NEXT: %[[W:.*]] = d1.buffer @w_s1 on %{{.*}} size 2048 live[1, 1] address 4096
// CHECK-NOT: d1.buffer @w on
// CHECK: d1.step 1 {
// CHECK-NEXT:   d1.fill
// CHECK-NEXT:   d1.hbm_load @stream0[0] -> %[[W]][0] shape [512] src [4] dst [4]
// CHECK-NEXT:   d1.kernel "eltwise"(%{{.*}}, %[[W]], %{{.*}})
d1.device target("name=stream,rows=1,cols=1,sram_bytes=8192,reserved_bytes=4096") {
  %n0 = d1.node(0, 0)
  d1.hbm_tensor @output0 "output"[0] "y" shape [128] at 0
  %w = d1.buffer @w on %n0 size 2048 live [0, 1] {init = dense<2.0> : tensor<512xf32>}
  %x = d1.buffer @x on %n0 size 3072 live [0, 0]
  %y = d1.buffer @y on %n0 size 1024 live [1, 1]
  %o = d1.buffer @o on %n0 size 512 live [1, 1]
  d1.step 0 {
    d1.fill %x
  }
  d1.step 1 {
    d1.fill %y
    d1.kernel "eltwise" (%y, %w, %o) {params = {act = "none", count = 128 : i64, op = "add"}}
  }
}

// -----

// Two kernels of one step (a block computed in phases) read the streamed
// constant: one copy, loaded once before the first of them.
// CHECK-LABEL: d1.device target("name=stream2,
// CHECK: %[[W:.*]] = d1.buffer @w_s1 on %{{.*}} size 2048 live[1, 1]
// CHECK-NOT: d1.buffer @w_s1
// CHECK: d1.step 1 {
// CHECK-NEXT:   d1.fill
// CHECK-NEXT:   d1.hbm_load @stream0[0] -> %[[W]][0]
// CHECK-NEXT:   d1.kernel "eltwise"(%{{.*}}, %[[W]], %{{.*}}) {{.*}}count = 64
// CHECK-NEXT:   d1.kernel "eltwise"(%{{.*}}, %[[W]], %{{.*}}) {{.*}}count = 64
// CHECK-NEXT: {{^ *}}}
d1.device target("name=stream2,rows=1,cols=1,sram_bytes=8192,reserved_bytes=4096") {
  %n0 = d1.node(0, 0)
  d1.hbm_tensor @output0 "output"[0] "y" shape [128] at 0
  %w = d1.buffer @w on %n0 size 2048 live [0, 1] {init = dense<2.0> : tensor<512xf32>}
  %x = d1.buffer @x on %n0 size 3072 live [0, 0]
  %y = d1.buffer @y on %n0 size 1024 live [1, 1]
  %o = d1.buffer @o on %n0 size 512 live [1, 1]
  d1.step 0 {
    d1.fill %x
  }
  d1.step 1 {
    d1.fill %y
    d1.kernel "eltwise" (%y, %w, %o) {params = {act = "none", count = 64 : i64, op = "add"}}
    d1.kernel "eltwise" (%y, %w, %o) {params = {act = "none", count = 64 : i64, op = "add"}}
  }
}

// -----

// A streamed BF16 constant with an odd number of elements (513 x 2 bytes:
// e.g. a depthwise convolution's 3 x 3 x 3 taps of an odd channel count) is
// loaded as whole 4-byte words, rounded up, into a copy that holds them all:
// truncating to 256 words lost the last element, and the kernel read stale
// SRAM there (mvit_v1_b's pool convolutions at 8 x 112 x 112 in BF16).
// CHECK-LABEL: d1.device target("name=stream_bf16_odd,
// CHECK: d1.hbm_tensor @stream0 "constant"[0] "w" shape [257] at 512 {init = dense<2.000000e+00> : tensor<513xbf16>}
// CHECK-NEXT: %[[W:.*]] = d1.buffer @w_s1 on %{{.*}} size 1028 live[1, 1]
// CHECK: d1.hbm_load @stream0[0] -> %[[W]][0] shape [257] src [4] dst [4]
d1.device target("name=stream_bf16_odd,rows=1,cols=1,sram_bytes=8192,reserved_bytes=4096") {
  %n0 = d1.node(0, 0)
  d1.hbm_tensor @output0 "output"[0] "y" shape [128] at 0
  %w = d1.buffer @w on %n0 size 1026 live [0, 1] {init = dense<2.0> : tensor<513xbf16>}
  %x = d1.buffer @x on %n0 size 3072 live [0, 0]
  %y = d1.buffer @y on %n0 size 1024 live [1, 1]
  %o = d1.buffer @o on %n0 size 512 live [1, 1]
  d1.step 0 {
    d1.fill %x
  }
  d1.step 1 {
    d1.fill %y
    d1.kernel "eltwise" (%y, %w, %o) {params = {act = "none", count = 128 : i64, op = "add"}}
  }
}
