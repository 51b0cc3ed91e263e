//===- DNNOps.td - Tensor-level network operations --------------*- tablegen -*-===//
//
// The `dnn` dialect is what the ONNX importer produces: one op per supported
// ONNX operator family, on ranked static tensors, with attributes already
// normalized (pads as begin/end lists, defaults filled in). Constants are
// `arith.constant`. Every op carries the ONNX node name as its location.
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_DNN_OPS
#define DOJO_DNN_OPS

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def DNN_Dialect : Dialect {
  let name = "dnn";
  let summary = "Tensor-level neural network operations imported from ONNX";
  let description = [{
    Ops with value semantics on static ranked tensors. They are the input of
    the D1 pipeline: `d1-tile` chooses a partition for each of them and
    `d1-distribute` lowers them to per-node kernels and transfers.
  }];
  let cppNamespace = "::dojo::dnn";
}

class DNN_Op<string mnemonic, list<Trait> traits = []>
    : Op<DNN_Dialect, mnemonic, !listconcat(traits, [Pure])>;

// The `act` attribute is a plain string: "none" or "relu".
defvar DNN_ActAttr = StrAttr;

def DNN_ConvOp : DNN_Op<"conv"> {
  let summary = "N-D convolution (ONNX Conv), NC[D]HW layout";
  let description = [{
    `y[n, co, o...] = b[co] + sum_{ci, k...} x[n, g*Cg + ci, o*s + k*d - p]
    * w[co, ci, k...]` with zero padding. `pads` holds the begin pads of each
    spatial dimension followed by the end pads. `act` is "none" or "relu"
    (a fused activation applied after the bias).

    ```mlir
    %y = dnn.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>,
           dilations = array<i64: 1, 1>, group = 1 : i64, act = "relu"}
           : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$weight,
                   Optional<AnyRankedTensor>:$bias,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                   DenseI64ArrayAttr:$dilations, I64Attr:$group,
                   DefaultValuedStrAttr<StrAttr, "none">:$act);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def DNN_GemmOp : DNN_Op<"gemm"> {
  let summary = "General matrix multiply (ONNX Gemm)";
  let description = [{
    `y = alpha * op(a) * op(b) + beta * c`, where op transposes when
    `trans_a` / `trans_b` is set and `c` broadcasts to the M x N result.
  }];
  let arguments = (ins AnyRankedTensor:$a, AnyRankedTensor:$b,
                   Optional<AnyRankedTensor>:$c, F32Attr:$alpha, F32Attr:$beta,
                   BoolAttr:$trans_a, BoolAttr:$trans_b,
                   DefaultValuedStrAttr<StrAttr, "none">:$act);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $a `,` $b (`,` $c^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def DNN_MatMulOp : DNN_Op<"matmul"> {
  let summary = "Batched matrix multiply with numpy broadcasting (ONNX MatMul)";
  let description = [{
    Both operands have rank >= 2 (the importer reshapes 1-D operands);
    leading dimensions broadcast.
  }];
  let arguments = (ins AnyRankedTensor:$a, AnyRankedTensor:$b);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $a `,` $b attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def DNN_AddOp : DNN_Op<"add"> {
  let summary = "Elementwise addition with numpy broadcasting (ONNX Add)";
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs,
                   DefaultValuedStrAttr<StrAttr, "none">:$act);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def DNN_ReluOp : DNN_Op<"relu"> {
  let summary = "max(x, 0) (ONNX Relu)";
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  // Added by the frontend owner: the result type must equal the input type.
  let hasVerifier = 1;
}

def DNN_GlobalAvgPoolOp : DNN_Op<"global_avg_pool"> {
  let summary = "Mean over all spatial dimensions (ONNX GlobalAveragePool)";
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def DNN_ReshapeOp : DNN_Op<"reshape"> {
  let summary = "Row-major reshape to the static result type (Flatten, Reshape)";
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // DOJO_DNN_OPS
