// d1-assign-target resolves a named target plus overrides into the full
// spec stored as the module attribute `d1.target`.
// RUN: dojo-opt %s -d1-assign-target | FileCheck %s --check-prefix=DEFAULT
// RUN: dojo-opt %s -d1-assign-target="target=mesh-3x5" | FileCheck %s --check-prefix=MESH
// RUN: dojo-opt %s -d1-assign-target="target=d1" | FileCheck %s --check-prefix=D1
// RUN: dojo-opt %s -d1-assign-target="target=mesh-3x5 target-opts=sram_bytes=131072,disabled=1:2;0:4,hop_latency=7" | FileCheck %s --check-prefix=OVERRIDE
// RUN: dojo-opt %s -d1-assign-target="target=d1 target-opts=disabled=" | FileCheck %s --check-prefix=NODISABLED
// Overrides apply in order, so `rows` given with `disabled` is honoured.
// RUN: dojo-opt %s -d1-assign-target="target=mesh-2x2 target-opts=disabled=3:1,rows=4" | FileCheck %s --check-prefix=GROW
// The stored spec is accepted by a d1.device (the distribute pass copies it).
// RUN: dojo-opt %s -d1-assign-target="target=mesh-3x5 target-opts=disabled=1:2" -d1-tile -d1-distribute | FileCheck %s --check-prefix=DEVICE

// Errors: one diagnostic at the module, non-zero exit.
// RUN: not dojo-opt %s -d1-assign-target="target=foo" 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not dojo-opt %s -d1-assign-target="target=mesh-0x2" 2>&1 | FileCheck %s --check-prefix=ZERO
// RUN: not dojo-opt %s -d1-assign-target="target=mesh-2x2 target-opts=bogus=1" 2>&1 | FileCheck %s --check-prefix=BADKEY
// RUN: not dojo-opt %s -d1-assign-target="target=mesh-2x2 target-opts=sram_bytes=abc" 2>&1 | FileCheck %s --check-prefix=BADVALUE
// RUN: not dojo-opt %s -d1-assign-target="target=mesh-2x2 target-opts=sram_bytes" 2>&1 | FileCheck %s --check-prefix=NOEQ
// RUN: not dojo-opt %s -d1-assign-target="target=mesh-2x2 target-opts=sram_bytes=65540" 2>&1 | FileCheck %s --check-prefix=ALIGN
// RUN: not dojo-opt %s -d1-assign-target="target=mesh-2x2 target-opts=disabled=5:0" 2>&1 | FileCheck %s --check-prefix=OUTSIDE
// RUN: not dojo-opt %s -d1-assign-target="target=mesh-2x2 target-opts=disabled=0:0;0:1;1:0;1:1" 2>&1 | FileCheck %s --check-prefix=NONE
// RUN: not dojo-opt %s -d1-assign-target="target=mesh-2x2 target-opts=disabled=x" 2>&1 | FileCheck %s --check-prefix=BADCOORD

// DEFAULT: module attributes {d1.dtype = "f32", d1.target = "name=mesh-2x2,rows=2,cols=2,disabled=,sram_bytes=262144,reserved_bytes=4096,mac_bf16=256,mac_f32=16,vector_bytes=64,link_bytes=256,inject_bytes=64,hop_latency=2,inject_latency=4,eject_latency=4,dma_issue=4,{{.*}}barrier_latency=0,hbm_bytes_per_cycle=400,hbm_latency=2000,hbm_bytes=34359738368,clock_ghz=2"}
// DEFAULT: dnn.relu

// MESH: d1.target = "name=mesh-3x5,rows=3,cols=5,disabled=,sram_bytes=262144,reserved_bytes=4096,

// D1: d1.target = "name=d1,rows=18,cols=20,disabled=2:3;5:16;8:9;11:1;14:12;16:6,sram_bytes=1310720,reserved_bytes=65536,

// Disabled nodes are printed sorted by id; untouched fields keep their value.
// OVERRIDE: d1.target = "name=mesh-3x5,rows=3,cols=5,disabled=0:4;1:2,sram_bytes=131072,reserved_bytes=4096,{{.*}},hop_latency=7,inject_latency=4,

// NODISABLED: d1.target = "name=d1,rows=18,cols=20,disabled=,sram_bytes=1310720,

// GROW: d1.target = "name=mesh-2x2,rows=4,cols=2,disabled=3:1,

// DEVICE: d1.device target("name=mesh-3x5,rows=3,cols=5,disabled=1:2,sram_bytes=262144,
// DEVICE-NOT: d1.node(1, 2)
// DEVICE: d1.kernel "eltwise"

// UNKNOWN: error: unknown target 'foo' (expected d1 or mesh-RxC)
// ZERO: error: unknown target 'mesh-0x2' (expected d1 or mesh-RxC)
// BADKEY: error: unknown target field 'bogus' (known: name, rows, cols, disabled, sram_bytes, reserved_bytes,
// BADVALUE: error: target field 'sram_bytes': not an integer: 'abc'
// NOEQ: error: target override 'sram_bytes' is not key=value
// ALIGN: error: target SRAM sizes must be multiples of 64 bytes
// OUTSIDE: error: target field 'disabled': disabled node 5:0 is outside the 2x2 mesh
// NONE: error: target has no enabled node
// BADCOORD: error: target field 'disabled': disabled node 'x' is not 'row:col'

module {
  func.func @main(%x: tensor<1x16xf32>) -> tensor<1x16xf32> {
    %y = dnn.relu %x : (tensor<1x16xf32>) -> tensor<1x16xf32>
    return %y : tensor<1x16xf32>
  }
}
