// RUN: dojo-opt %s -split-input-file -verify-diagnostics
// The d1 verifiers reject what the hardware cannot do. Targets use short
// specs: fields not given keep the TargetModel defaults (64 KiB SRAM with
// the low 4 KiB reserved).

d1.device target("name=m,rows=2,cols=2") {
  // expected-error @+1 {{'d1.node' op node (2, 0) is outside the 2x2 mesh}}
  %n = d1.node(2, 0)
}

// -----

d1.device target("name=m,rows=2,cols=2,disabled=0:1") {
  %ok = d1.node(1, 0)
  // expected-error @+1 {{'d1.node' op node (0, 1) is disabled on target 'm'}}
  %n = d1.node(0, 1)
}

// -----

// expected-error @+1 {{d1.node' op must be inside a d1.device}}
%n = d1.node(0, 0)

// -----

d1.device target("name=m,rows=1,cols=1") {
  %n = d1.node(0, 0)
  // expected-error @+1 {{buffer [4032, 4096) lies outside the node's data SRAM [4096, 65536)}}
  %b = d1.buffer @b on %n size 64 live [0, 0] address 4032
}

// -----

d1.device target("name=m,rows=1,cols=1") {
  %n = d1.node(0, 0)
  // The last byte fits exactly ...
  %ok = d1.buffer @ok on %n size 64 live [0, 0] address 65472
  // ... one more does not.
  // expected-error @+1 {{buffer [65472, 65540) lies outside the node's data SRAM [4096, 65536)}}
  %b = d1.buffer @b on %n size 68 live [1, 1] address 65472
}

// -----

d1.device target("name=m,rows=1,cols=1,sram_bytes=8192,reserved_bytes=1024") {
  %n = d1.node(0, 0)
  // expected-error @+1 {{buffer [8128, 8256) lies outside the node's data SRAM [1024, 8192)}}
  %b = d1.buffer @b on %n size 128 live [0, 0] address 8128
}

// -----

d1.device target("name=m,rows=1,cols=1") {
  %n = d1.node(0, 0)
  // expected-error @+1 {{size must be positive}}
  %b = d1.buffer @b on %n size 0 live [0, 0]
}

// -----

d1.device target("name=m,rows=1,cols=1") {
  %n = d1.node(0, 0)
  // expected-error @+1 {{live range [3, 2] is empty}}
  %b = d1.buffer @b on %n size 64 live [3, 2]
}

// -----

d1.device target("name=m,rows=1,cols=1") {
  %n = d1.node(0, 0)
  // expected-error @+1 {{init must be f32 or bf16 data that fits the buffer}}
  %b = d1.buffer @b on %n size 8 live [0, 0] {init = dense<[1.0, 2.0, 3.0]> : tensor<3xf32>}
}

// -----

d1.device target("name=m,rows=1,cols=1") {
  %n = d1.node(0, 0)
  // expected-error @+1 {{init must be f32 or bf16 data that fits the buffer}}
  %b = d1.buffer @b on %n size 64 live [0, 0] {init = dense<[1, 2]> : tensor<2xi32>}
}

// -----

d1.device target("name=m,rows=1,cols=1") {
  %n = d1.node(0, 0)
  %a = d1.buffer @a on %n size 128 live [0, 2] address 4096
  // Starts inside @a, and both are live in step 2.
  // expected-error @+1 {{'d1.buffer' op overlaps buffer @a in SRAM while both are live}}
  %b = d1.buffer @b on %n size 64 live [2, 3] address 4160
}

// -----

// A small buffer inside a large one is an overlap even when a third buffer
// sorts between them by address.
d1.device target("name=m,rows=1,cols=1") {
  %n = d1.node(0, 0)
  %big = d1.buffer @big on %n size 1024 live [0, 5] address 4096
  %x = d1.buffer @x on %n size 64 live [6, 6] address 4160
  // expected-error @+1 {{overlaps buffer @big in SRAM while both are live}}
  %y = d1.buffer @y on %n size 64 live [5, 5] address 4608
}

// -----

// Sharing bytes is fine when the live ranges are disjoint, when the
// buffers only touch, or when they are on different nodes.
d1.device target("name=m,rows=1,cols=2") {
  %n = d1.node(0, 0)
  %m = d1.node(0, 1)
  %a = d1.buffer @a on %n size 128 live [0, 1] address 4096
  %b = d1.buffer @b on %n size 128 live [2, 3] address 4096
  %c = d1.buffer @c on %n size 64 live [0, 3] address 4224
  %d = d1.buffer @d on %m size 128 live [0, 3] address 4096
}

// -----

d1.device target("name=m,rows=2,cols=2") {
  %n0 = d1.node(0, 0)
  %n3 = d1.node(1, 1)
  %a = d1.buffer @a on %n0 size 64 live [0, 0]
  %b = d1.buffer @b on %n3 size 64 live [0, 0]
  d1.step 0 {
    // expected-error @+1 {{route must start at the source node and end at the destination node}}
    d1.dma %a[0] -> %b[0] shape [16] src [4] dst [4] route [1, 3]
  }
}

// -----

d1.device target("name=m,rows=2,cols=2") {
  %n0 = d1.node(0, 0)
  %n3 = d1.node(1, 1)
  %a = d1.buffer @a on %n0 size 64 live [0, 0]
  %b = d1.buffer @b on %n3 size 64 live [0, 0]
  d1.step 0 {
    // expected-error @+1 {{route must start at the source node and end at the destination node}}
    d1.dma %a[0] -> %b[0] shape [16] src [4] dst [4] route [0, 1]
  }
}

// -----

d1.device target("name=m,rows=2,cols=2") {
  %n0 = d1.node(0, 0)
  %n3 = d1.node(1, 1)
  %a = d1.buffer @a on %n0 size 64 live [0, 0]
  %b = d1.buffer @b on %n3 size 64 live [0, 0]
  d1.step 0 {
    // expected-error @+1 {{route must start at the source node and end at the destination node}}
    d1.dma %a[0] -> %b[0] shape [16] src [4] dst [4] route []
  }
}

// -----

d1.device target("name=m,rows=2,cols=2") {
  %n0 = d1.node(0, 0)
  %n3 = d1.node(1, 1)
  %a = d1.buffer @a on %n0 size 64 live [0, 0]
  %b = d1.buffer @b on %n3 size 64 live [0, 0]
  d1.step 0 {
    // Diagonal hop.
    // expected-error @+1 {{route is not a connected path: (0, 0) -> (1, 1) is not a link}}
    d1.dma %a[0] -> %b[0] shape [16] src [4] dst [4] route [0, 3]
  }
}

// -----

d1.device target("name=m,rows=1,cols=4") {
  %n0 = d1.node(0, 0)
  %n3 = d1.node(0, 3)
  %a = d1.buffer @a on %n0 size 64 live [0, 0]
  %b = d1.buffer @b on %n3 size 64 live [0, 0]
  d1.step 0 {
    // Skips node 1: ids 0 and 2 are two columns apart.
    // expected-error @+1 {{route is not a connected path: (0, 0) -> (0, 2) is not a link}}
    d1.dma %a[0] -> %b[0] shape [16] src [4] dst [4] route [0, 2, 3]
  }
}

// -----

d1.device target("name=m,rows=2,cols=2") {
  %n0 = d1.node(0, 0)
  %n1 = d1.node(0, 1)
  %a = d1.buffer @a on %n0 size 64 live [0, 0]
  %b = d1.buffer @b on %n1 size 64 live [0, 0]
  d1.step 0 {
    // Node ids wrap at the row end: id 1 -> id 2 is (0, 1) -> (1, 0).
    // expected-error @+1 {{route is not a connected path: (0, 1) -> (1, 0) is not a link}}
    d1.dma %a[0] -> %b[0] shape [16] src [4] dst [4] route [0, 1, 2, 3, 1]
  }
}

// -----

d1.device target("name=m,rows=2,cols=2,disabled=0:1") {
  %n0 = d1.node(0, 0)
  %n3 = d1.node(1, 1)
  %a = d1.buffer @a on %n0 size 64 live [0, 0]
  %b = d1.buffer @b on %n3 size 64 live [0, 0]
  d1.step 0 {
    // expected-error @+1 {{route visits node id 1, which is not an enabled node}}
    d1.dma %a[0] -> %b[0] shape [16] src [4] dst [4] route [0, 1, 3]
  }
}

// -----

// The same transfer around the disabled node is accepted.
d1.device target("name=m,rows=2,cols=2,disabled=0:1") {
  %n0 = d1.node(0, 0)
  %n3 = d1.node(1, 1)
  %a = d1.buffer @a on %n0 size 64 live [0, 0]
  %b = d1.buffer @b on %n3 size 64 live [0, 0]
  d1.step 0 {
    d1.dma %a[0] -> %b[0] shape [16] src [4] dst [4] route [0, 2, 3]
  }
}

// -----

d1.device target("name=m,rows=2,cols=2") {
  %n0 = d1.node(0, 0)
  %n3 = d1.node(1, 1)
  %a = d1.buffer @a on %n0 size 64 live [0, 0]
  %b = d1.buffer @b on %n3 size 64 live [0, 0]
  d1.step 0 {
    // expected-error @+1 {{route visits node id 7, which is not an enabled node}}
    d1.dma %a[0] -> %b[0] shape [16] src [4] dst [4] route [0, 7, 3]
  }
}

// -----

d1.device target("name=m,rows=1,cols=1") {
  %n = d1.node(0, 0)
  %a = d1.buffer @a on %n size 64 live [0, 0]
  %b = d1.buffer @b on %n size 64 live [0, 0]
  d1.step 0 {
    // expected-error @+1 {{shape and strides must have the same, non-zero rank}}
    d1.dma %a[0] -> %b[0] shape [4, 4] src [4] dst [16, 4]
  }
}

// -----

d1.device target("name=m,rows=1,cols=2") {
  %n0 = d1.node(0, 0)
  %n1 = d1.node(0, 1)
  %a = d1.buffer @a on %n0 size 64 live [0, 0]
  %b = d1.buffer @b on %n1 size 64 live [0, 0]
  d1.step 0 {
    // expected-error @+1 {{'d1.kernel' op all operands must be buffers of the same node}}
    d1.kernel "eltwise" (%a, %b) {params = {act = "none", count = 16 : i64, op = "relu"}}
  }
}

// -----

d1.device target("name=m,rows=1,cols=1") {
  %n = d1.node(0, 0)
  %a = d1.buffer @a on %n size 64 live [0, 0]
  d1.step 0 {
    // expected-error @+1 {{'d1.kernel' op unknown kernel kind 'fft'}}
    d1.kernel "fft" (%a) {params = {}}
  }
}

// -----

d1.device target("name=m,rows=1,cols=1") {
  d1.step 0 {
    // expected-error @+1 {{needs at least an output buffer}}
    d1.kernel "conv" () {params = {}}
  }
}

// -----

d1.device target("name=m,rows=1,cols=1") {
  %n = d1.node(0, 0)
  // expected-error @+1 {{code must hold two words per instruction}}
  d1.program %n {code = array<i64: 1, 2, 3>, descs = [], debug = array<i64>, names = []}
}

// -----

d1.device target("name=m,rows=1,cols=1") {
  %n = d1.node(0, 0)
  // expected-error @+1 {{debug must hold (begin, end, name) triples}}
  d1.program %n {code = array<i64>, descs = [], debug = array<i64: 0, 2>, names = []}
}

// -----

// expected-error @+1 {{'d1.device' op invalid target spec: unknown target field 'colz'}}
d1.device target("name=m,rows=2,colz=2") {
}

// -----

// expected-error @+1 {{invalid target spec: target field 'rows': not an integer: 'two'}}
d1.device target("name=m,rows=two") {
}

// -----

// expected-error @+1 {{invalid target spec: target SRAM size must exceed its reserved region}}
d1.device target("name=m,sram_bytes=4096,reserved_bytes=4096") {
}

// -----

// expected-error @+1 {{invalid target spec: target has no enabled node}}
d1.device target("name=m,rows=1,cols=1,disabled=0:0") {
}

// -----

// expected-error @+1 {{invalid target spec: target field 'disabled': disabled node 2:0 is outside the 2x2 mesh}}
d1.device target("name=m,rows=2,cols=2,disabled=2:0") {
}

// -----

d1.device target("name=m,rows=1,cols=1") {
  %n = d1.node(0, 0)
  %b = d1.buffer @b on %n size 256 live [0, 0]
  d1.step 0 {
    // A region must stay inside its buffer: 4 runs of 64 bytes, 64 apart,
    // from offset 64 end at 320.
    // expected-error @+1 {{'d1.fill' op region 0 is malformed or leaves the buffer}}
    d1.fill %b {regions = array<i64: 64, 1, 0, 4, 64, 64>}
  }
}

// -----

d1.device target("name=m,rows=1,cols=1") {
  %n = d1.node(0, 0)
  %b = d1.buffer @b on %n size 256 live [0, 0]
  d1.step 0 {
    // expected-error @+1 {{'d1.fill' op regions must hold six integers per region}}
    d1.fill %b {regions = array<i64: 0, 1, 0, 1, 0>}
  }
}
