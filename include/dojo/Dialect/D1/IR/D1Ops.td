//===- D1Ops.td - The D1 mesh dialect ---------------------------*- tablegen -*-===//
//
// IR that reads like the hardware: a device holding nodes by coordinates,
// buffers at addresses in a node's SRAM, tensors in the off-mesh HBM,
// barrier-delimited steps containing transfers (with their routes) and
// per-node kernels, and finally each node's instruction stream.
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_D1_OPS
#define DOJO_D1_OPS

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/IR/RegionKindInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def D1_Dialect : Dialect {
  let name = "d1";
  let summary = "The Dojo D1 mesh: nodes, SRAM buffers, NoC transfers, programs";
  let description = [{
    Lowered form of a network mapped onto a D1 mesh. Everything physical is
    explicit: node coordinates, SRAM addresses, routes of transfers, and
    finally per-node instruction streams. The hardware figures come from the
    target spec carried by `d1.device` (see dojo::TargetModel).
  }];
  let cppNamespace = "::dojo::d1";
  let useDefaultTypePrinterParser = 1;
}

class D1_Type<string name, string typeMnemonic> : TypeDef<D1_Dialect, name> {
  let mnemonic = typeMnemonic;
}
def D1_NodeType : D1_Type<"Node", "node"> {
  let summary = "A node (tile) of the mesh";
}
def D1_BufferType : D1_Type<"Buffer", "buffer"> {
  let summary = "A buffer in one node's SRAM";
}

class D1_Op<string mnemonic, list<Trait> traits = []>
    : Op<D1_Dialect, mnemonic, traits>;

def D1_DeviceOp : D1_Op<"device", [IsolatedFromAbove, SingleBlock, NoTerminator,
    SymbolTable, HasOnlyGraphRegion, RegionKindInterface]> {
  let summary = "The mesh the program runs on";
  let description = [{
    Holds the whole mapped program. `target` is the full TargetModel spec;
    every verifier below asks it. `routes` is the route table filled by code
    generation.

    ```mlir
    d1.device target("name=mesh-2x2,rows=2,cols=2,...") {
      %n = d1.node(0, 1)
      ...
    }
    ```
  }];
  let arguments = (ins StrAttr:$target, OptionalAttr<ArrayAttr>:$routes);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "`target` `(` $target `)` attr-dict-with-keyword $body";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Parses the target spec; the verifier has already checked it.
    ::dojo::TargetModel getTargetModel();
    ::mlir::Block &getBodyBlock() { return getBody().front(); }
  }];
}

def D1_NodeOp : D1_Op<"node", [Pure]> {
  let summary = "A node of the mesh, by (row, column)";
  let arguments = (ins I64Attr:$row, I64Attr:$col);
  let results = (outs D1_NodeType:$result);
  let assemblyFormat = "`(` $row `,` $col `)` attr-dict";
  let hasVerifier = 1;
}

def D1_BufferOp : D1_Op<"buffer"> {
  let summary = "A buffer in a node's SRAM, live over a range of steps";
  let description = [{
    `size` is in bytes; `first`/`last` are the steps (inclusive) the buffer is
    live in. `address` is assigned by `d1-place-sram`. `init` holds the
    contents of constant buffers (weights), loaded before execution.

    ```mlir
    %b = d1.buffer @conv1_w_0 on %n size 1728 live [0, 9] address 8192
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, D1_NodeType:$node,
                   I64Attr:$size, I64Attr:$first, I64Attr:$last,
                   OptionalAttr<I64Attr>:$address,
                   OptionalAttr<ElementsAttr>:$init);
  let results = (outs D1_BufferType:$result);
  let assemblyFormat = [{
    $sym_name `on` $node `size` $size `live` `[` $first `,` $last `]`
    (`address` $address^)? attr-dict
  }];
  let hasVerifier = 1;
}

def D1_HbmTensorOp : D1_Op<"hbm_tensor", [Symbol]> {
  let summary = "A model input or output in the off-mesh HBM";
  let description = [{
    Dense row-major FP32 tensor at byte `address` of HBM. `kind` is "input"
    or "output" (`index` is its position in the model's signature), or
    "constant": weights too large to stay resident in SRAM, with their data
    in `init`, streamed to the nodes when a layer needs them. `dtype` is the
    ONNX element type in HBM (1 = FLOAT); on the mesh every tensor is FP32
    and DMAs convert at the boundary.
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, StrAttr:$kind, I64Attr:$index,
                   StrAttr:$tensor_name, DenseI64ArrayAttr:$shape,
                   I64Attr:$address, OptionalAttr<ElementsAttr>:$init,
                   DefaultValuedAttr<I64Attr, "1">:$dtype);
  let assemblyFormat = [{
    $sym_name $kind `[` $index `]` $tensor_name `shape` $shape `at` $address attr-dict
  }];
}

def D1_StepOp : D1_Op<"step", [SingleBlock, NoTerminator]> {
  let summary = "A barrier-delimited phase of the program";
  let description = [{
    Every node executes a step as: fills, mesh barrier, the transfers it
    sources, a wait for the transfers it receives, its kernels, then its HBM
    stores. Steps run in order.
  }];
  let arguments = (ins I64Attr:$index);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$index attr-dict-with-keyword $body";
}

// Common strided-region attributes of transfers. Offsets and strides are in
// bytes; dimension 0 is outermost; `shape` counts 4-byte elements.
class D1_TransferOp<string mnemonic> : D1_Op<mnemonic> {
  dag regionArgs = (ins I64Attr:$src_offset, I64Attr:$dst_offset,
                    DenseI64ArrayAttr:$shape, DenseI64ArrayAttr:$src_strides,
                    DenseI64ArrayAttr:$dst_strides);
}

def D1_DmaOp : D1_TransferOp<"dma"> {
  let summary = "SRAM-to-SRAM transfer over the NoC";
  let description = [{
    Copies a strided region from `src` to `dst`. `route` (node ids, source
    first) is assigned by `d1-route`.

    ```mlir
    d1.dma %a[0] -> %b[64] shape [4, 16] src [256, 4] dst [64, 4] route [0, 1]
    ```
  }];
  let arguments = !con((ins D1_BufferType:$src, D1_BufferType:$dst), regionArgs,
                       (ins OptionalAttr<DenseI32ArrayAttr>:$route));
  let assemblyFormat = [{
    $src `[` $src_offset `]` `->` $dst `[` $dst_offset `]` `shape` $shape
    `src` $src_strides `dst` $dst_strides (`route` $route^)? attr-dict
  }];
  let hasVerifier = 1;
}

def D1_HbmLoadOp : D1_TransferOp<"hbm_load"> {
  let summary = "HBM-to-SRAM DMA issued by the destination node";
  let arguments = !con((ins FlatSymbolRefAttr:$tensor, D1_BufferType:$dst),
                       regionArgs);
  let assemblyFormat = [{
    $tensor `[` $src_offset `]` `->` $dst `[` $dst_offset `]` `shape` $shape
    `src` $src_strides `dst` $dst_strides attr-dict
  }];
}

def D1_HbmStoreOp : D1_TransferOp<"hbm_store"> {
  let summary = "SRAM-to-HBM DMA issued by the source node";
  let arguments = !con((ins D1_BufferType:$src, FlatSymbolRefAttr:$tensor),
                       regionArgs);
  let assemblyFormat = [{
    $src `[` $src_offset `]` `->` $tensor `[` $dst_offset `]` `shape` $shape
    `src` $src_strides `dst` $dst_strides attr-dict
  }];
}

def D1_FillOp : D1_Op<"fill"> {
  let summary = "Fill a buffer, or strided regions of it, with a value (padding)";
  let description = [{
    Without `regions` the whole buffer is filled before the step's barrier
    (incoming transfers overwrite parts of it right after). `regions` lists
    strided parts to fill instead, six integers each: byte offset, outer
    count and stride, inner count and stride, and the contiguous run in
    bytes. They must be bytes no transfer of the step writes (the borders
    of a padded window), so they are filled after the barrier, while the
    step's transfers are in flight.
  }];
  let arguments = (ins D1_BufferType:$buffer,
                   DefaultValuedAttr<F32Attr, "0.0f">:$value,
                   OptionalAttr<DenseI64ArrayAttr>:$regions);
  let hasVerifier = 1;
  let assemblyFormat = "$buffer attr-dict";
}

def D1_KernelOp : D1_Op<"kernel"> {
  let summary = "A piece of a layer computed by one node";
  let description = [{
    `kind` is one of "conv", "matmul", "eltwise", "avgpool", "pool",
    "reduce", "softmax", "layernorm", "lerp", "dyngather", "dynslice",
    "dynpad", "dynresize". All operands are
    buffers on the same node; the last is the output. `params` holds the
    geometry the code generator needs (see docs/dialect.md).

    ```mlir
    d1.kernel "conv" (%in, %w, %bias, %out) {params = {...}}
    ```
  }];
  let arguments = (ins StrAttr:$kind, Variadic<D1_BufferType>:$operands,
                   DictionaryAttr:$params);
  let assemblyFormat = "$kind `(` $operands `)` attr-dict";
  let hasVerifier = 1;
}

def D1_ProgramOp : D1_Op<"program"> {
  let summary = "A node's instruction stream";
  let description = [{
    `code` holds two words per instruction (packed op and register fields,
    then the immediate); `descs` the descriptor table; `debug` triples
    (begin pc, end pc, index into `names`). Use `dojo-cc --emit=asm` for a
    disassembly.
  }];
  let arguments = (ins D1_NodeType:$node, DenseI64ArrayAttr:$code,
                   ArrayAttr:$descs, DenseI64ArrayAttr:$debug,
                   ArrayAttr:$names);
  let assemblyFormat = "$node attr-dict";
  let hasVerifier = 1;
}

#endif // DOJO_D1_OPS
