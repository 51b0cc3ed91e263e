//===- Passes.td - D1 mesh passes -------------------------------*- tablegen -*-===//
#ifndef DOJO_D1_PASSES
#define DOJO_D1_PASSES

include "mlir/Pass/PassBase.td"

def D1AssignTarget : Pass<"d1-assign-target", "::mlir::ModuleOp"> {
  let summary = "Attach the D1 target description to the module";
  let dependentDialects = ["::dojo::d1::D1Dialect"];
  let description = [{
    Resolves a named target (`d1`, `mesh-RxC`) plus `key=value` overrides
    into the full TargetModel spec and stores it as the module attribute
    `d1.target`. Every later pass reads the hardware from it.

    Before:
    ```mlir
    module { func.func @main(...) }
    ```
    After (`--d1-assign-target="target=mesh-2x2"`):
    ```mlir
    module attributes {d1.target = "name=mesh-2x2,rows=2,cols=2,..."} { ... }
    ```
  }];
  let options = [
    Option<"target", "target", "std::string", "\"mesh-2x2\"",
           "Named target: d1 or mesh-RxC">,
    Option<"targetOpts", "target-opts", "std::string", "\"\"",
           "Comma-separated key=value overrides of target fields">,
    Option<"dtype", "dtype", "std::string", "\"f32\"",
           "Matrix-unit data type (f32 or bf16), recorded as d1.dtype so "
           "tiling and distribution can store weights in it">,
  ];
}

def D1Tile : Pass<"d1-tile", "::mlir::ModuleOp"> {
  let summary = "Choose how each layer is split over nodes and SRAM";
  let dependentDialects = ["::dojo::d1::D1Dialect"];
  let description = [{
    For every dnn compute op, picks a split of its output into blocks (output
    channels, batch, spatial/temporal blocks; M and N for matrix products)
    from the target's node count, compute rate and SRAM size. When there are
    more blocks than nodes, a node computes several blocks in successive
    rounds, so each block's working set fits the SRAM budget.

    Ungrouped convolutions with constant weights are planned together by a
    cost model (ConvPlan.h): every split of output channels, batch and
    spatial dimensions, and of the reduction over input channels
    (`d1.ksplit`: partial sums on neighbouring nodes, added in a
    reduce-scatter step), costed from the target's matrix rate, ejection
    and HBM bandwidth; one plan per layer minimises the network's cycles
    with the weights resident within `weight-fraction`. Elementwise layers
    on image tensors take their producer's split when it cuts the same
    boxes.

    Each layer's pieces run on a run of the nodes along a generalized
    Hilbert curve over the mesh (consecutive pieces on nearby nodes), and
    within that run `d1.place` permutes them so each piece sits near the
    bytes its input window reads from its producers' pieces (bytes times
    hops, minimised by PiecePlacement.h). Layers whose blocking differs
    from their producer's would otherwise fetch their data from across the
    mesh.

    Weights stay resident in the SRAM of the nodes that use them when the
    estimated resident bytes per node fit `weight-fraction` of the SRAM;
    otherwise the largest constants get `d1.stream` and are loaded from HBM
    in the step that needs them.

    Before:
    ```mlir
    %y = dnn.conv %x, %w, %b {...} : (...) -> tensor<1x16x8x16x16xf32>
    ```
    After:
    ```mlir
    %y = dnn.conv %x, %w, %b {..., d1.place = array<i64: 0, 1, 3, 2>, d1.split = array<i64: 1, 2, 1, 2, 1>} : ...
    // a deep layer: 64 output-channel chunks, its 512 input channels in 4 parts
    %z = dnn.conv %a, %v {..., d1.ksplit = 4 : i64, d1.split = array<i64: 1, 64, 1, 1, 1>} : ...
    ```
  }];
  let options = [
    Option<"maxPieces", "max-pieces", "int64_t", "0",
           "Upper bound on blocks per layer (0: the number of enabled nodes)">,
    Option<"minPieceWork", "min-piece-work", "int64_t", "4096",
           "Smallest work (MACs or elements) worth giving its own node">,
    Option<"sramFraction", "sram-fraction", "double", "0.45",
           "Share of a node's usable SRAM one block's working set may take">,
    Option<"weightFraction", "weight-fraction", "double", "0.85",
           "Share of a node's usable SRAM resident weights may take; beyond "
           "it the largest constants are streamed from HBM (d1.stream)">,
    Option<"placeNearData", "place-near-data", "bool", "true",
           "Permute each layer's pieces over its nodes so they sit near "
           "their input data (d1.place); off: piece i on the i-th node">,
  ];
}

def D1Distribute : Pass<"d1-distribute", "::mlir::ModuleOp"> {
  let summary = "Lower tiled dnn ops to per-node kernels and transfers";
  let dependentDialects = ["::dojo::d1::D1Dialect"];
  let description = [{
    Replaces `func.func @main` with a `d1.device`: model inputs and outputs
    become `d1.hbm_tensor`s, each block of each layer a `d1.kernel` on its
    node with `d1.buffer`s for its output, its staged inputs and its weights
    (constant data in `init`), and every piece of data a block needs from
    another node a `d1.dma` (or `d1.hbm_load` from HBM). Each round of each
    layer is one `d1.step`. Buffers are not placed yet.

    After:
    ```mlir
    d1.device target("...") {
      %n0 = d1.node(0, 0)
      d1.hbm_tensor @in0 "input"[0] "x" shape [1, 3, 8, 8] at 0
      %w = d1.buffer @conv_w_0 on %n0 size 432 live [0, 1] {init = dense<...>}
      %s = d1.buffer @conv_in_0 on %n0 size 1200 live [0, 0]
      %o = d1.buffer @conv_out_0 on %n0 size 1024 live [0, 1]
      d1.step 0 {
        d1.fill %s
        d1.hbm_load @in0[0] -> %s[44] shape [...] src [...] dst [...]
        d1.kernel "conv" (%s, %w, %o) {params = {...}}
      }
    }
    ```
  }];
}

def D1PlaceSram : Pass<"d1-place-sram", "::dojo::d1::DeviceOp"> {
  let summary = "Give every buffer an SRAM address, reusing dead memory";
  let dependentDialects = ["::dojo::d1::D1Dialect"];
  let description = [{
    Per node, solves the allocation problem (size, alignment, live steps) with
    the planner in Analysis/SramAllocator and writes `address`. Buffers whose
    lifetimes do not overlap may share bytes. If a node's buffers do not fit,
    reports an error at the first buffer that failed, with that node's memory
    map (buffers, sizes, live ranges).

    Before: `%b = d1.buffer @x on %n size 4096 live [0, 2]`
    After:  `%b = d1.buffer @x on %n size 4096 live [0, 2] address 4096`
  }];
  let options = [
    Option<"alignment", "alignment", "int64_t", "64",
           "Buffer alignment in bytes (one SRAM port access)">,
  ];
}

def D1Route : Pass<"d1-route", "::dojo::d1::DeviceOp"> {
  let summary = "Find a NoC path for every transfer";
  let dependentDialects = ["::dojo::d1::D1Dialect"];
  let description = [{
    Routes each `d1.dma` with Analysis/Router: dimension-ordered (XY) by
    default, detouring around disabled nodes, or negotiated congestion. Writes
    `route` (node ids, source first) on each transfer and the per-link load
    (`d1.max_link_bytes`, `d1.noc_bytes`) on the device.

    Before: `d1.dma %a[0] -> %b[0] shape [16] src [4] dst [4]`
    After:  `d1.dma %a[0] -> %b[0] shape [16] src [4] dst [4] route [0, 1, 3]`
  }];
  let options = [
    Option<"algorithm", "algorithm", "std::string", "\"xy\"",
           "xy (dimension-ordered) or negotiated (PathFinder-style)">,
  ];
}

def D1Codegen : Pass<"d1-codegen", "::dojo::d1::DeviceOp"> {
  let summary = "Generate each node's instruction stream";
  let dependentDialects = ["::dojo::d1::D1Dialect"];
  let description = [{
    Turns steps, kernels and transfers into one `d1.program` per enabled
    node: fills, a barrier per step, DMA descriptors for outgoing transfers
    and HBM loads, a semaphore wait for incoming data, loop nests of
    matrix/vector instructions for kernels, HBM stores, and a final wait and
    halt. Fills the device's route table. See docs/ISA.md.

    After:
    ```mlir
    d1.program %n0 {code = array<i64: ...>, descs = [...], debug = array<i64: ...>, names = [...]}
    ```
  }];
  let options = [
    Option<"dtype", "dtype", "std::string", "\"f32\"",
           "Matrix-unit operand type: f32 or bf16">,
  ];
}

#endif // DOJO_D1_PASSES
