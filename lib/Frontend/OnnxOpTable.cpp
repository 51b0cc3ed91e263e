//===- OnnxOpTable.cpp - The supported-op table ---------------------------===//
//
// The single list of supported ops: the importer dispatches through it and
// `dojo-translate --list-supported-ops` prints it for docs/supported-ops.md.
// Opset ranges: the lower bound excludes definitions with different
// semantics; the upper bound is the newest opset whose definition was
// checked against the handler.
//
//===----------------------------------------------------------------------===//

#include "OnnxHandlers.h"

using namespace mlir;

namespace dojo::onnx_import {
namespace {

constexpr int64_t kMax = 21;

/// Attribute lists shared by several rows.
constexpr const char *kPoolAttrs =
    "auto_pad,ceil_mode,count_include_pad,dilations,kernel_shape,pads,"
    "storage_order,strides";
constexpr const char *kReduceAttrs = "axes,keepdims,noop_with_empty_axes";
constexpr const char *kFoldOnly =
    "evaluated by constant folding only; a node whose inputs are not all "
    "constant after folding is rejected";
constexpr const char *kSequenceNote =
    "folded on constants; on run-time tensors lowered to a plain list of "
    "tensors when the sequence's length and every position used are known "
    "at compile time, rejected otherwise";
constexpr const char *kBinaryNote =
    "numpy broadcasting -> dnn.binary; opset 6 legacy broadcast/axis "
    "supported";

const OpEntry kOps[] = {
    // Convolutions and matrix products.
    {{"Conv", "", 1, kMax, "auto_pad,dilations,group,kernel_shape,pads,strides",
      "1-D, 2-D and 3-D (NCW, NCHW, NCDHW); bias optional; kernel_shape must "
      "match the weight; auto_pad NOTSET, SAME_UPPER, SAME_LOWER and VALID"},
     importConv, 2},
    {{"ConvTranspose", "", 1, kMax,
      "auto_pad,dilations,group,kernel_shape,output_padding,output_shape,pads,"
      "strides",
      "1-D to 3-D -> dnn.conv_transpose; pads derived from output_shape or "
      "auto_pad (SAME_UPPER puts the smaller half first), output_padding "
      "folded into the result type"},
     importConvTranspose, 2},
    {{"Gemm", "", 6, kMax, "alpha,beta,broadcast,transA,transB",
      "2-D A and B; C optional and unidirectionally broadcast to MxN (the "
      "opset-6 'broadcast' flag is accepted: C's shape is checked either "
      "way)"},
     importGemm, 2},
    {{"MatMul", "", 1, kMax, "",
      "batch dimensions broadcast; 1-D operands are reshaped to 2-D and the "
      "result reshaped back, as numpy.matmul does"},
     importMatMul, 2},
    // Normalization, pooling, reductions.
    {{"BatchNormalization", "", 6, kMax,
      "consumed_inputs,epsilon,is_test,momentum,spatial,training_mode",
      "inference: folded into the producing Conv's constant weight and "
      "bias when that Conv has no other reader, else dnn.binary mul + "
      "dnn.add with per-channel constants of shape [C,1,...]; "
      "training_mode=1 (opset 14+): batch statistics by dnn.reduce mean "
      "over N and the spatial dims (population variance), with the "
      "running_mean/running_var outputs"},
     importBatchNorm, 1},
    {{"LayerNormalization", "", 17, kMax, "axis,epsilon,stash_type",
      "-> dnn.layer_norm; scale/bias broadcast to the normalized shape; the "
      "Mean/InvStdDev outputs must be unused"},
     importLayerNorm, 2},
    {{"MaxPool", "", 1, kMax, kPoolAttrs,
      "1-D to 3-D -> dnn.pool max; ceil_mode gives the result type; the "
      "Indices output (storage_order 0 or 1, inputs up to 2^24 elements) "
      "-> per-tap dnn.slice + dnn.binary equal + dnn.where, first maximum "
      "wins"},
     importPool, 1},
    {{"AveragePool", "", 1, kMax, kPoolAttrs,
      "1-D to 3-D -> dnn.pool avg with count_include_pad"},
     importPool, 1},
    {{"GlobalAveragePool", "", 1, kMax, "", "any rank >= 3 (1-D to 3-D spatial)"},
     importGlobalAveragePool, 1},
    {{"GlobalMaxPool", "", 1, kMax, "",
      "-> dnn.reduce max over the spatial dims, keepdims"},
     importGlobalMaxPool, 1},
    {{"ReduceMean", "", 1, kMax, kReduceAttrs,
      "-> dnn.reduce mean; axes attribute, or input from opset 18"},
     importReduce, 1},
    {{"ReduceSum", "", 1, kMax, kReduceAttrs,
      "-> dnn.reduce sum; axes attribute, or input from opset 13 (run-time "
      "axes: from the declared result shape, or chosen at run time among "
      "up to 8 fitting axis sets)"},
     importReduce, 1},
    {{"ReduceMax", "", 1, kMax, kReduceAttrs,
      "-> dnn.reduce max; axes attribute, or input from opset 18"},
     importReduce, 1},
    {{"ReduceMin", "", 1, kMax, kReduceAttrs,
      "-> dnn.reduce min; axes attribute, or input from opset 18"},
     importReduce, 1},
    {{"Softmax", "", 1, kMax, "axis",
      "-> dnn.softmax; before opset 13 the input is coerced to 2-D at axis "
      "(reshape, softmax over the last axis, reshape back)"},
     importSoftmax, 1},
    {{"LogSoftmax", "", 1, kMax, "axis", "as Softmax, with log = true"},
     importSoftmax, 1},
    // Activations and elementwise math.
    {{"Relu", "", 6, kMax, "",
      "dnn-fuse-activations folds it into a preceding Conv, Gemm or Add"},
     importRelu, 1},
    {{"LeakyRelu", "", 6, kMax, "alpha", "-> dnn.unary leaky_relu"}, importUnary, 1, true},
    {{"Clip", "", 6, kMax, "max,min",
      "-> dnn.unary clip (alpha = min, beta = max); bounds from attributes "
      "(< 11) or constant inputs; an absent bound is -+FLT_MAX"},
     importClip, 1, true},
    {{"Sigmoid", "", 6, kMax, "", "-> dnn.unary"}, importUnary, 1, true},
    {{"Tanh", "", 6, kMax, "", "-> dnn.unary"}, importUnary, 1, true},
    {{"Erf", "", 9, kMax, "", "-> dnn.unary"}, importUnary, 1, true},
    {{"Gelu", "", 20, kMax, "approximate",
      "-> dnn.unary gelu or gelu_tanh (opset 20)"},
     importUnary, 1, true},
    {{"HardSigmoid", "", 6, kMax, "alpha,beta", "-> dnn.unary"}, importUnary, 1, true},
    {{"HardSwish", "", 14, kMax, "", "-> dnn.unary"}, importUnary, 1, true},
    {{"Softplus", "", 1, kMax, "", "-> dnn.unary"}, importUnary, 1, true},
    {{"Exp", "", 6, kMax, "", "-> dnn.unary"}, importUnary, 1, true},
    {{"Log", "", 6, kMax, "", "-> dnn.unary"}, importUnary, 1, true},
    {{"Sqrt", "", 6, kMax, "", "-> dnn.unary"}, importUnary, 1, true},
    {{"Reciprocal", "", 6, kMax, "", "-> dnn.unary"}, importUnary, 1, true},
    {{"Neg", "", 6, kMax, "", "-> dnn.unary"}, importUnary, 1, true},
    {{"Abs", "", 6, kMax, "", "-> dnn.unary"}, importUnary, 1, true},
    {{"Floor", "", 6, kMax, "", "-> dnn.unary"}, importUnary, 1, true},
    {{"Ceil", "", 6, kMax, "", "-> dnn.unary"}, importUnary, 1, true},
    {{"Round", "", 11, kMax, "", "-> dnn.unary (half to even)"}, importUnary, 1, true},
    {{"Sign", "", 9, kMax, "", "-> dnn.unary"}, importUnary, 1, true},
    {{"Add", "", 6, kMax, "axis,broadcast",
      "f32 -> dnn.add (fusable), integers -> dnn.binary add; numpy "
      "broadcasting; opset 6 legacy broadcast/axis supported"},
     importBinary, 0},
    {{"Sub", "", 6, kMax, "axis,broadcast", kBinaryNote}, importBinary, 0},
    {{"Mul", "", 6, kMax, "axis,broadcast", kBinaryNote}, importBinary, 0},
    {{"Div", "", 6, kMax, "axis,broadcast", kBinaryNote}, importBinary, 0},
    {{"Pow", "", 1, kMax, "axis,broadcast",
      "-> dnn.binary pow in the base's type; the exponent may have another "
      "numeric type and be computed at run time (a constant exponent of "
      "another type is converted to the base's float type); integer results "
      "round to the nearest integer"},
     importBinary, 1, true},
    {{"Min", "", 6, kMax, "", "variadic -> chain of dnn.binary min"},
     importVariadic, 0},
    {{"Max", "", 6, kMax, "", "variadic -> chain of dnn.binary max"},
     importVariadic, 0},
    {{"Sum", "", 6, kMax, "", "variadic -> chain of adds"}, importVariadic, 0},
    {{"Mean", "", 6, kMax, "", "variadic -> chain of adds times 1/n"},
     importVariadic, 1, true},
    {{"Equal", "", 11, kMax, "", "-> dnn.binary equal, i1 result"},
     importBinary, 0},
    {{"Less", "", 9, kMax, "", "-> dnn.binary less, i1 result"},
     importBinary, 0},
    {{"Greater", "", 9, kMax, "", "-> dnn.binary greater, i1 result"},
     importBinary, 0},
    {{"LessOrEqual", "", 12, kMax, "", "-> dnn.binary less_or_equal"},
     importBinary, 0},
    {{"GreaterOrEqual", "", 12, kMax, "", "-> dnn.binary greater_or_equal"},
     importBinary, 0},
    {{"Where", "", 9, kMax, "", "-> dnn.where (i1 condition)"}, importWhere, 0},
    {{"Cast", "", 6, kMax, "saturate,to",
      "-> dnn.cast between the numeric types and BOOL (STRING is "
      "rejected); a cast to the same type is an alias; float to integer "
      "truncates toward zero, to FLOAT16/BFLOAT16 rounds to nearest even"},
     importCast, 0},
    {{"CastLike", "", 15, kMax, "saturate",
      "-> dnn.cast to the element type of target_type (only its type is "
      "read)"},
     importCast, 0},
    // Data movement.
    {{"Identity", "", 1, kMax, "",
      "tensors only; the output aliases the input (no op emitted)"},
     importIdentity, 0},
    {{"Dropout", "", 1, kMax, "consumed_inputs,is_test,ratio,seed",
      "inference: the identity; the mask output must be unused and "
      "training_mode false"},
     importDropout, 1},
    {{"Constant", "", 1, kMax,
      "value,value_float,value_floats,value_int,value_ints",
      "folded into an initializer, then arith.constant of its element "
      "type"},
     importConstant, 0},
    {{"ConstantOfShape", "", 9, kMax, "value",
      "folded, or a splat arith.constant when large"},
     importConstantOfShape, 0},
    {{"Flatten", "", 1, kMax, "axis",
      "negative axis allowed; lowered to dnn.reshape"},
     importFlatten, 0},
    {{"Reshape", "", 1, kMax, "allowzero,shape",
      "-> dnn.reshape; the shape must be constant after folding; 0 copies "
      "(unless allowzero), -1 is inferred"},
     importReshape, 0},
    {{"Squeeze", "", 1, kMax, "axes",
      "-> dnn.reshape; axes attribute (< 13) or constant input"},
     importSqueeze, 0},
    {{"Unsqueeze", "", 1, kMax, "axes",
      "-> dnn.reshape; axes attribute (< 13) or constant input"},
     importSqueeze, 0},
    {{"Transpose", "", 1, kMax, "perm", "-> dnn.transpose"}, importTranspose, 0},
    {{"Concat", "", 4, kMax, "axis", "-> dnn.concat"}, importConcat, 0},
    {{"Split", "", 2, kMax, "axis,num_outputs,split",
      "-> one dnn.slice per used output; split attribute, constant input or "
      "equal parts"},
     importSplit, 0},
    {{"Slice", "", 1, kMax, "axes,ends,starts",
      "-> dnn.slice with one normalized start and step per dim (negative, "
      "clamped and INT64_MAX bounds resolved) for constant starts/ends/"
      "axes/steps; -> dnn.dynamic_slice with the declared result shape when "
      "any is computed at run time"},
     importSlice, 0},
    {{"Pad", "", 2, kMax, "mode,pads,value",
      "-> dnn.pad (constant, reflect, edge); negative pads become a "
      "dnn.slice; constant pads/constant_value/axes inputs from opset 11; "
      "-> dnn.dynamic_pad (declared result shape, no axes) for run-time "
      "pads or value"},
     importPad, 1},
    {{"Expand", "", 8, kMax, "", "-> dnn.broadcast; constant shape"},
     importExpand, 0},
    {{"Gather", "", 1, kMax, "axis",
      "-> dnn.gather; constant or run-time indices"},
     importGather, 0},
    {{"Resize", "", 10, kMax,
      "antialias,axes,coordinate_transformation_mode,cubic_coeff_a,"
      "exclude_outside,extrapolation_value,keep_aspect_ratio_policy,mode,"
      "nearest_mode",
      "nearest, linear and cubic -> dnn.resize with per-dim scales (out/in "
      "when sizes are given); every coordinate transformation mode incl. "
      "tf_half_pixel_for_nn and tf_crop_and_resize; sizes may come from "
      "the declared result shape; run-time scales or roi -> "
      "dnn.dynamic_resize (declared result shape, spatial dims of an "
      "N x C x ... input); antialias rejected"},
     importResize, 1},
    {{"Upsample", "", 7, 9, "mode,scales",
      "-> dnn.resize (asymmetric, nearest rounds down)"},
     importResize, 1},
    // Shape computations, folded away before import.
    {{"Shape", "", 1, kMax, "end,start", kFoldOnly}, importFoldOnly, 0},
    {{"Size", "", 1, kMax, "", kFoldOnly}, importFoldOnly, 0},
    {{"Range", "", 11, kMax, "", kFoldOnly}, importFoldOnly, 0},
    {{"ReduceProd", "", 1, kMax, kReduceAttrs, kFoldOnly}, importFoldOnly, 0},
    {{"Tile", "", 6, kMax, "", kFoldOnly}, importFoldOnly, 0},
    {{"Not", "", 1, kMax, "", kFoldOnly}, importFoldOnly, 0},
    {{"And", "", 7, kMax, "", kFoldOnly}, importFoldOnly, 0},
    {{"Or", "", 7, kMax, "", kFoldOnly}, importFoldOnly, 0},
    {{"Mod", "", 10, kMax, "fmod", kFoldOnly}, importFoldOnly, 0},
    {{"Loop", "", 11, kMax, "body",
      "unrolled when the iteration count is known at compile time (constant "
      "trip count, or a condition computed from constants); evaluated when "
      "every body input is constant too"},
     importFoldOnly, 0},
    {{"If", "", 11, kMax, "else_branch,then_branch",
      "a constant condition inlines the taken branch"},
     importFoldOnly, 0},
    {{"SequenceEmpty", "", 11, kMax, "dtype", kSequenceNote}, importFoldOnly, 0},
    {{"SequenceConstruct", "", 11, kMax, "", kSequenceNote}, importFoldOnly, 0},
    {{"SequenceInsert", "", 11, kMax, "", kSequenceNote}, importFoldOnly, 0},
    {{"SequenceAt", "", 11, kMax, "", kSequenceNote}, importFoldOnly, 0},
    {{"SequenceErase", "", 11, kMax, "", kSequenceNote}, importFoldOnly, 0},
    {{"SequenceLength", "", 11, kMax, "", kSequenceNote}, importFoldOnly, 0},
    {{"ConcatFromSequence", "", 11, kMax, "axis,new_axis", kSequenceNote},
     importFoldOnly, 0},
    {{"SplitToSequence", "", 11, kMax, "axis,keepdims", kSequenceNote},
     importFoldOnly, 0},
};

} // namespace

const OpEntry *lookupOp(StringRef domain, StringRef opType) {
  if (!domain.empty() && domain != "ai.onnx")
    return nullptr;
  for (const OpEntry &entry : kOps)
    if (entry.info.opType == opType)
      return &entry;
  return nullptr;
}

} // namespace dojo::onnx_import

ArrayRef<dojo::OnnxOpSupport> dojo::getSupportedOnnxOps() {
  static const SmallVector<OnnxOpSupport> table = [] {
    SmallVector<OnnxOpSupport> rows;
    for (const auto &entry : onnx_import::kOps)
      rows.push_back(entry.info);
    return rows;
  }();
  return table;
}
