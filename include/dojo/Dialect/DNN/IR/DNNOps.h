//===- DNNOps.h - Operations of the `dnn` dialect ----------------*- C++ -*-===//
//
// Declares the ops generated from DNNOps.td plus the shape helpers their
// verifiers use, so the importer and the D1 passes compute result shapes
// exactly the way the verifiers check them.
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_DIALECT_DNN_IR_DNNOPS_H
#define DOJO_DIALECT_DNN_IR_DNNOPS_H

#include "dojo/Dialect/DNN/IR/DNNDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <optional>

#define GET_OP_CLASSES
#include "dojo/Dialect/DNN/IR/DNNOps.h.inc"

namespace dojo::dnn {

/// Spatial output size of one convolution dimension, or std::nullopt when
/// the window does not fit (the result would be empty or negative).
std::optional<int64_t> convOutputSize(int64_t in, int64_t kernel,
                                      int64_t stride, int64_t dilation,
                                      int64_t padBegin, int64_t padEnd);

/// Numpy-style (multidirectional) broadcast of two shapes. Returns
/// std::nullopt when some pair of dimensions is incompatible.
std::optional<llvm::SmallVector<int64_t>>
broadcastShapes(llvm::ArrayRef<int64_t> lhs, llvm::ArrayRef<int64_t> rhs);

/// Result shape of a batched matmul of ranks >= 2 (batch dims broadcast),
/// or std::nullopt when the contraction or batch dims do not match.
std::optional<llvm::SmallVector<int64_t>>
matmulResultShape(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b);

/// True for the activation names the `act` attribute accepts.
bool isValidActivation(llvm::StringRef act);

/// True for the element types dnn tensors may have: every ONNX numeric type
/// (f16, bf16, f32, f64; signless i8..i64 for signed, ui8..ui64 for
/// unsigned integers) and i1 for BOOL.
bool isSupportedElementType(mlir::Type type);

/// The `fn` names of dnn.unary and dnn.binary (see DNNOps.td).
bool isValidUnaryFn(llvm::StringRef fn);
bool isValidBinaryFn(llvm::StringRef fn);
/// True for the dnn.binary functions that produce an i1 result.
bool isComparisonFn(llvm::StringRef fn);

/// Output size of one pooling dimension. With `ceilMode` the last partial
/// window counts (ONNX ceil_mode, as ONNX shape inference computes it).
std::optional<int64_t> poolOutputSize(int64_t in, int64_t kernel,
                                      int64_t stride, int64_t dilation,
                                      int64_t padBegin, int64_t padEnd,
                                      bool ceilMode);

/// Output size of one transposed-convolution dimension before
/// output_padding: stride * (in - 1) + dilation * (kernel - 1) + 1 - pads.
std::optional<int64_t> convTransposeOutputSize(int64_t in, int64_t kernel,
                                               int64_t stride,
                                               int64_t dilation,
                                               int64_t padBegin,
                                               int64_t padEnd);

/// Shape after reducing the (non-negative, sorted) `axes` of `in`.
llvm::SmallVector<int64_t> reduceResultShape(llvm::ArrayRef<int64_t> in,
                                             llvm::ArrayRef<int64_t> axes,
                                             bool keepdims);

/// Shape of ONNX Gather: data[:axis] + indices + data[axis+1:].
llvm::SmallVector<int64_t> gatherResultShape(llvm::ArrayRef<int64_t> data,
                                             llvm::ArrayRef<int64_t> indices,
                                             int64_t axis);

/// Number of elements a strided slice visits from `start` (inclusive)
/// towards `end` (exclusive) with `step` (non-zero), all already clamped.
int64_t sliceCount(int64_t start, int64_t end, int64_t step);

/// ONNX Slice bound rules: negative values count from the end, then clamp
/// to [0, dim] (step > 0) or [-1, dim - 1] (step < 0).
void clampSliceBounds(int64_t &start, int64_t &end, int64_t step, int64_t dim);

/// Resize output size for one dimension: floor(in * scale), which ONNX uses
/// when scales are given (sizes give scale = out / in).
int64_t resizeOutputSize(int64_t in, float scale);

} // namespace dojo::dnn

#endif // DOJO_DIALECT_DNN_IR_DNNOPS_H
