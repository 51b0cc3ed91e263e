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

//===----------------------------------------------------------------------===//
// The full operator set of real video networks (issue 3). Element types:
// activations are f32; `i1`/integer tensors appear only where ONNX ops
// produce or consume them (Equal, Where, Cast, Gather indices). Attributes
// are normalized by the importer: axes non-negative and sorted, pads as
// begin list then end list over the spatial (or all) dimensions.
//===----------------------------------------------------------------------===//

def DNN_UnaryOp : DNN_Op<"unary"> {
  let summary = "Elementwise unary function";
  let description = [{
    `fn` is one of: leaky_relu (alpha), clip (min = alpha, max = beta),
    sigmoid, tanh, erf, gelu (erf form), gelu_tanh, hard_sigmoid (alpha,
    beta), hard_swish, softplus, exp, log, sqrt, reciprocal, neg, abs, floor,
    ceil, round, sign, identity.
  }];
  let arguments = (ins AnyRankedTensor:$input, StrAttr:$fn,
                   DefaultValuedAttr<F32Attr, "0.0f">:$alpha,
                   DefaultValuedAttr<F32Attr, "0.0f">:$beta);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $fn $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def DNN_BinaryOp : DNN_Op<"binary"> {
  let summary = "Elementwise binary function with numpy broadcasting";
  let description = [{
    `fn` is one of: add, sub, mul, div, min, max, pow, equal, less, greater,
    less_or_equal, greater_or_equal (the comparisons produce i1).
  }];
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs, StrAttr:$fn);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $fn $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def DNN_WhereOp : DNN_Op<"where"> {
  let summary = "cond ? x : y with numpy broadcasting (ONNX Where)";
  let arguments = (ins AnyRankedTensor:$cond, AnyRankedTensor:$x,
                   AnyRankedTensor:$y);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $cond `,` $x `,` $y attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def DNN_CastOp : DNN_Op<"cast"> {
  let summary = "Element type conversion (ONNX Cast); result type gives the target";
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def DNN_PoolOp : DNN_Op<"pool"> {
  let summary = "Max or average pooling over 1-3 spatial dims (MaxPool, AveragePool)";
  let description = [{
    `kind` is "max" or "avg". Output spatial sizes are those of the result
    type (ceil_mode already applied by the importer). Padding never wins a
    max; for avg, `count_include_pad` says whether padded taps count.
  }];
  let arguments = (ins AnyRankedTensor:$input, StrAttr:$kind,
                   DenseI64ArrayAttr:$kernel, DenseI64ArrayAttr:$strides,
                   DenseI64ArrayAttr:$pads, DenseI64ArrayAttr:$dilations,
                   BoolAttr:$count_include_pad);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $kind $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def DNN_ReduceOp : DNN_Op<"reduce"> {
  let summary = "Reduction over axes (ReduceMean/Sum/Max/Min, GlobalMaxPool)";
  let arguments = (ins AnyRankedTensor:$input, StrAttr:$kind,
                   DenseI64ArrayAttr:$axes, BoolAttr:$keepdims);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $kind $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def DNN_SoftmaxOp : DNN_Op<"softmax"> {
  let summary = "Softmax or LogSoftmax along one axis (opset >= 13 semantics)";
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$axis, BoolAttr:$log);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def DNN_LayerNormOp : DNN_Op<"layer_norm"> {
  let summary = "Layer normalization over the dims from `axis` on";
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$scale,
                   Optional<AnyRankedTensor>:$bias, I64Attr:$axis,
                   F32Attr:$epsilon);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def DNN_ConvTransposeOp : DNN_Op<"conv_transpose"> {
  let summary = "Transposed convolution (ONNX ConvTranspose)";
  let description = [{
    Weight [Cin, Cout/group, k...]. `pads` are the begin then end pads
    already derived from output_shape / auto_pad by the importer;
    output_padding is folded into the result type.
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$weight,
                   Optional<AnyRankedTensor>:$bias,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                   DenseI64ArrayAttr:$dilations, I64Attr:$group);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def DNN_TransposeOp : DNN_Op<"transpose"> {
  let summary = "Permutation of dimensions (ONNX Transpose)";
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def DNN_ConcatOp : DNN_Op<"concat"> {
  let summary = "Concatenation along an axis (ONNX Concat)";
  let arguments = (ins Variadic<AnyRankedTensor>:$inputs, I64Attr:$axis);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $inputs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def DNN_SliceOp : DNN_Op<"slice"> {
  let summary = "Strided slice: out[i...] = in[start + i * step ...] (Slice, Split)";
  let description = [{
    `starts` and `steps` have one entry per dimension (steps may be
    negative); the extent is the result type's.
  }];
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$starts,
                   DenseI64ArrayAttr:$steps);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def DNN_PadOp : DNN_Op<"pad"> {
  let summary = "Padding of every dimension (ONNX Pad)";
  let description = [{
    `pads` holds the begin pads of every dimension, then the end pads (no
    negative pads: the importer turns those into a slice). `mode` is
    "constant" (with `value`), "reflect" or "edge".
  }];
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$pads,
                   StrAttr:$mode, DefaultValuedAttr<F32Attr, "0.0f">:$value);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def DNN_BroadcastOp : DNN_Op<"broadcast"> {
  let summary = "Numpy broadcast to the result shape (ONNX Expand)";
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def DNN_GatherOp : DNN_Op<"gather"> {
  let summary = "Gather along an axis (ONNX Gather)";
  let description = [{
    `indices` is an integer tensor; negative indices count from the end.
    Constant indices become plain copies on D1; run-time ones are read by
    the node's scalar unit (an out-of-range index traps).
  }];
  let arguments = (ins AnyRankedTensor:$data, AnyRankedTensor:$indices,
                   I64Attr:$axis);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $data `,` $indices attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def DNN_ResizeOp : DNN_Op<"resize"> {
  let summary = "Nearest, linear or cubic resize (ONNX Resize, Upsample)";
  let description = [{
    Per dimension, output coordinate x_out maps to an input coordinate by
    `coordinate_transformation_mode` (half_pixel, asymmetric, align_corners,
    pytorch_half_pixel, tf_half_pixel_for_nearest, tf_crop_and_resize) with
    `scales` (output / input, per dimension, as ONNX defines them, also when
    sizes were given). `mode` is "nearest" (with `nearest_mode`:
    round_prefer_floor, round_prefer_ceil, floor, ceil), "linear" or "cubic"
    (with `cubic_coeff_a` and `exclude_outside`, which drops taps outside
    the input and renormalises the rest). tf_crop_and_resize takes `roi`
    (starts of every dimension, then ends, as fractions of the input) and
    writes `extrapolation_value` where the coordinate leaves the input.
  }];
  let arguments = (ins AnyRankedTensor:$input, StrAttr:$mode,
                   StrAttr:$coordinate_transformation_mode,
                   StrAttr:$nearest_mode, DenseF32ArrayAttr:$scales,
                   DefaultValuedAttr<F32Attr, "-0.75f">:$cubic_coeff_a,
                   DefaultValuedAttr<BoolAttr, "false">:$exclude_outside,
                   OptionalAttr<DenseF32ArrayAttr>:$roi,
                   DefaultValuedAttr<F32Attr, "0.0f">:$extrapolation_value);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $mode $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def DNN_DynamicSliceOp : DNN_Op<"dynamic_slice"> {
  let summary = "Slice whose starts, ends, axes and steps are run-time tensors";
  let description = [{
    ONNX Slice (opset >= 10) when its index operands are not constants
    after folding. `starts`, `ends`, `axes` and `steps` are 1-D integer
    tensors of one common length (the importer materializes the defaults:
    axes 0, 1, ... and steps 1); they are clamped as ONNX specifies when
    the op runs. The result shape is the one the model declares; a run
    whose operands give another shape is an error of the model (the D1
    kernel traps). Dimensions no entry names are copied whole.
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$starts,
                   AnyRankedTensor:$ends, AnyRankedTensor:$axes,
                   AnyRankedTensor:$steps);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input `,` $starts `,` $ends `,` $axes `,` $steps attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def DNN_DynamicPadOp : DNN_Op<"dynamic_pad"> {
  let summary = "Pad whose pads (and value) are run-time tensors";
  let description = [{
    ONNX Pad when `pads` (or the constant value) is not a constant after
    folding. `pads` is a 1-D integer tensor of 2 * rank entries (begin
    pads, then end pads; negative entries crop) and `value` a one-element
    tensor of the input's element type. Output position o of dimension d
    reads input i = o - pads[d] when that is inside the input; otherwise
    `mode` "constant" gives `value`, "edge" the nearest border element and
    "reflect" the element mirrored at the border (as numpy does; an index
    beyond one mirror image is an error when the op runs). The result shape is the one the model declares.
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$pads,
                   AnyRankedTensor:$value,
                   DefaultValuedStrAttr<StrAttr, "constant">:$mode);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input `,` $pads `,` $value attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def DNN_DynamicResizeOp : DNN_Op<"dynamic_resize"> {
  let summary = "Resize whose scales or roi are run-time tensors";
  let description = [{
    ONNX Resize when `scales` (or, for tf_crop_and_resize, `roi`) is not a
    constant after folding. The attributes mean what they mean on
    dnn.resize; `axes` lists the dimensions the entries of `scales` (one
    per axis) and `roi` (the starts of the axes, then their ends) refer
    to, the other dimensions being copied. The operand the mode does not
    read (roi outside tf_crop_and_resize, scales inside it) is a constant.
    The result shape is the one the model declares: the values only move
    the points each output coordinate samples. A batch or channel
    dimension (0 or 1) named by `axes` must keep its extent, and its
    run-time scale must be 1 (its roi [0, 1]); the D1 kernel traps
    otherwise.
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$scales,
                   AnyRankedTensor:$roi, StrAttr:$mode,
                   StrAttr:$coordinate_transformation_mode,
                   StrAttr:$nearest_mode, DenseI64ArrayAttr:$axes,
                   DefaultValuedAttr<F32Attr, "-0.75f">:$cubic_coeff_a,
                   DefaultValuedAttr<BoolAttr, "false">:$exclude_outside,
                   DefaultValuedAttr<F32Attr, "0.0f">:$extrapolation_value);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $mode $input `,` $scales `,` $roi attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // DOJO_DNN_OPS
