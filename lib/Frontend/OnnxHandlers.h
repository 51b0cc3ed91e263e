//===- OnnxHandlers.h - The per-op import handlers --------------*- C++ -*-===//
//
// Private to lib/Frontend. One handler per ONNX op family, grouped by file:
// OnnxOps.cpp (Conv, Gemm, MatMul, Flatten, ...), OnnxOpsNN.cpp (pooling,
// normalization, reductions, softmax, transposed convolution),
// OnnxOpsElementwise.cpp and OnnxOpsShape.cpp. OnnxOpTable.cpp maps op
// types to them.
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_LIB_FRONTEND_ONNXHANDLERS_H
#define DOJO_LIB_FRONTEND_ONNXHANDLERS_H

#include "ImporterImpl.h"

namespace dojo::onnx_import {

// OnnxOps.cpp
mlir::LogicalResult importConv(NodeContext &ctx);
mlir::LogicalResult importRelu(NodeContext &ctx);
mlir::LogicalResult importGemm(NodeContext &ctx);
mlir::LogicalResult importMatMul(NodeContext &ctx);
mlir::LogicalResult importFlatten(NodeContext &ctx);
mlir::LogicalResult importGlobalAveragePool(NodeContext &ctx);
mlir::LogicalResult importIdentity(NodeContext &ctx);
mlir::LogicalResult importConstant(NodeContext &ctx);
mlir::LogicalResult importFoldOnly(NodeContext &ctx);

// OnnxOpsNN.cpp
mlir::LogicalResult importConvTranspose(NodeContext &ctx);
mlir::LogicalResult importBatchNorm(NodeContext &ctx);
mlir::LogicalResult importPool(NodeContext &ctx);
mlir::LogicalResult importGlobalMaxPool(NodeContext &ctx);
mlir::LogicalResult importReduce(NodeContext &ctx);
mlir::LogicalResult importSoftmax(NodeContext &ctx);
mlir::LogicalResult importLayerNorm(NodeContext &ctx);

// OnnxOpsReduceAxes.cpp
/// Reduce* with keepdims=0 and run-time axes (input 1) when several axis
/// sets fit the declared result shape: one reduction per set, selected on
/// the mesh by the axes' values.
mlir::LogicalResult importReduceRuntimeAxes(NodeContext &ctx, mlir::Value x,
                                            llvm::ArrayRef<int64_t> declared);

// OnnxOpsElementwise.cpp
mlir::LogicalResult importUnary(NodeContext &ctx);
mlir::LogicalResult importClip(NodeContext &ctx);
mlir::LogicalResult importBinary(NodeContext &ctx);
mlir::LogicalResult importVariadic(NodeContext &ctx);
mlir::LogicalResult importWhere(NodeContext &ctx);
mlir::LogicalResult importCast(NodeContext &ctx);
mlir::LogicalResult importDropout(NodeContext &ctx);

// OnnxOpsShape.cpp
mlir::LogicalResult importReshape(NodeContext &ctx);
mlir::LogicalResult importTranspose(NodeContext &ctx);
mlir::LogicalResult importSqueeze(NodeContext &ctx);
mlir::LogicalResult importConcat(NodeContext &ctx);
mlir::LogicalResult importSplit(NodeContext &ctx);
mlir::LogicalResult importSlice(NodeContext &ctx);
mlir::LogicalResult importPad(NodeContext &ctx);
mlir::LogicalResult importExpand(NodeContext &ctx);
mlir::LogicalResult importGather(NodeContext &ctx);
mlir::LogicalResult importConstantOfShape(NodeContext &ctx);
mlir::LogicalResult importResize(NodeContext &ctx);

// OnnxOpsResizeDynamic.cpp
/// What importResize decided about a Resize whose scales or roi are run-time
/// values (axes normalized; scalesIndex is the scales input, read when
/// scalesGiven).
struct DynamicResizeSpec {
  std::string mode, transform, nearest;
  llvm::SmallVector<int64_t> axes;
  float cubicCoeffA, extrapolation;
  bool excludeOutside, scalesGiven;
  unsigned scalesIndex;
};
mlir::LogicalResult importDynamicResize(NodeContext &ctx, mlir::Value x,
                                        const DynamicResizeSpec &spec);

/// Normalizes `axis` into [0, rank) (or [0, rank] with `inclusive`);
/// emits an error naming `what` when out of range.
mlir::FailureOr<int64_t> normalizeAxis(NodeContext &ctx, int64_t axis,
                                       int64_t rank, llvm::StringRef what,
                                       bool inclusive = false);
/// Reads INTS attribute `attrName` (opsets before `inputOpset`) or the
/// constant input `inputIndex`; std::nullopt when neither is given.
mlir::FailureOr<std::optional<llvm::SmallVector<int64_t>>>
intsAttrOrInput(NodeContext &ctx, llvm::StringRef attrName,
                unsigned inputIndex, int64_t inputOpset);
/// Emits a dnn.reshape to `shape` (or returns `v` when it already has it).
mlir::Value reshapeTo(NodeContext &ctx, mlir::Value v,
                      llvm::ArrayRef<int64_t> shape);
/// An arith.constant f32 tensor.
mlir::Value f32Constant(NodeContext &ctx, llvm::ArrayRef<int64_t> shape,
                        llvm::ArrayRef<float> data);
/// Sets MaxPool's Indices output (output 1) for input `x` pooled to `y`
/// (OnnxOpsPoolIndices.cpp); `pads` holds the begin pads, then the end pads.
mlir::LogicalResult emitMaxPoolIndices(NodeContext &ctx, mlir::Value x,
                                       mlir::Value y,
                                       llvm::ArrayRef<int64_t> kernel,
                                       llvm::ArrayRef<int64_t> strides,
                                       llvm::ArrayRef<int64_t> pads,
                                       llvm::ArrayRef<int64_t> dilations,
                                       int64_t storageOrder);

} // namespace dojo::onnx_import

#endif // DOJO_LIB_FRONTEND_ONNXHANDLERS_H
