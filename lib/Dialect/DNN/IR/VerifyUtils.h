//===- VerifyUtils.h - Checks shared by the dnn op verifiers ----*- C++ -*-===//
//
// Private to lib/Dialect/DNN/IR. The element-type policy lives here: the
// matrix, normalization and reduction ops take static f32 tensors
// (verifyStaticF32; the importer casts other types around them); unary,
// pad and pool take any numeric type they preserve (verifyStaticNumericSame);
// ops that only move or select data accept any supported element type as
// long as it is preserved (verifyStaticSameElementType).
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_LIB_DIALECT_DNN_IR_VERIFYUTILS_H
#define DOJO_LIB_DIALECT_DNN_IR_VERIFYUTILS_H

#include "dojo/Dialect/DNN/IR/DNNOps.h"

#include "mlir/IR/Operation.h"

#include <string>

namespace dojo::dnn::detail {

/// Renders a shape as "1x3x8x8" (or "scalar") for error messages.
std::string shapeStr(llvm::ArrayRef<int64_t> shape);

inline llvm::ArrayRef<int64_t> shapeOf(mlir::Value v) {
  return llvm::cast<mlir::RankedTensorType>(v.getType()).getShape();
}

inline mlir::Type elemOf(mlir::Value v) {
  return llvm::cast<mlir::RankedTensorType>(v.getType()).getElementType();
}

/// Every operand and result is a static tensor of a supported element type.
mlir::LogicalResult verifyStaticSupported(mlir::Operation *op);
/// Every operand and result is a static f32 tensor.
mlir::LogicalResult verifyStaticF32(mlir::Operation *op);
/// Static, supported, and every operand and result has the same element
/// type (for data movement ops).
mlir::LogicalResult verifyStaticSameElementType(mlir::Operation *op);
/// verifyStaticSameElementType with a numeric (not i1) type: ops whose
/// result is exact in any type on FP32 lanes (unary functions, pad, pool).
mlir::LogicalResult verifyStaticNumericSame(mlir::Operation *op);

mlir::LogicalResult verifyAct(mlir::Operation *op, llvm::StringRef act);
mlir::LogicalResult verifyResultShape(mlir::Operation *op,
                                      llvm::ArrayRef<int64_t> expected);
/// The string attributes of dnn.resize and dnn.dynamic_resize: `mode`,
/// `coordinate_transformation_mode` and `nearest_mode` are known values.
mlir::LogicalResult verifyResizeModes(mlir::Operation *op,
                                      llvm::StringRef mode,
                                      llvm::StringRef ctm,
                                      llvm::StringRef nearest);

} // namespace dojo::dnn::detail

#endif // DOJO_LIB_DIALECT_DNN_IR_VERIFYUTILS_H
