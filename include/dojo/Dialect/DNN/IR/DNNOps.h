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

} // namespace dojo::dnn

#endif // DOJO_DIALECT_DNN_IR_DNNOPS_H
