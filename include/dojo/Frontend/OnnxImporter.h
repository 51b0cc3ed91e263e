//===- OnnxImporter.h - ONNX model to `dnn` dialect --------------*- C++ -*-===//
//
// Turns an ONNX model file into a module holding `func.func @main` built from
// dnn ops and arith.constant weights. See docs/frontend.md for the policies
// (static shapes only, f32 only, locations are ONNX node names).
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_FRONTEND_ONNXIMPORTER_H
#define DOJO_FRONTEND_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>

namespace dojo {

/// Imports the ONNX model at `path`. On failure, emits MLIR diagnostics on
/// `ctx` (install a handler to see them) and returns a null module. The dnn,
/// func and arith dialects are loaded into `ctx` as needed.
///
/// `shapeInfo` fixes dynamic input dims before shape inference, in
/// onnx-mlir's --shapeInformation syntax: comma-separated `INPUT:D1xD2x...`
/// entries where INPUT is the index among the non-initializer graph inputs
/// or an input name, e.g. "0:1x3x8x112x112".
mlir::OwningOpRef<mlir::ModuleOp> importOnnxFile(mlir::MLIRContext &ctx,
                                                 llvm::StringRef path,
                                                 llvm::StringRef shapeInfo = "");

/// Adds the dialects the importer produces (dnn, func, arith) to `registry`.
void registerOnnxImporterDialects(mlir::DialectRegistry &registry);

/// One row of the importer's supported-op table. This table drives both the
/// importer's dispatch and docs/supported-ops.md, so they cannot disagree.
struct OnnxOpSupport {
  llvm::StringRef opType;
  llvm::StringRef domain;     ///< "" is the default ai.onnx domain.
  int64_t minOpset;           ///< Oldest opset whose semantics we implement.
  int64_t maxOpset;           ///< Newest opset whose semantics we checked.
  llvm::StringRef attributes; ///< Comma-separated attribute names accepted.
  llvm::StringRef notes;
};

/// The supported ONNX ops, in documentation order.
llvm::ArrayRef<OnnxOpSupport> getSupportedOnnxOps();

} // namespace dojo

#endif // DOJO_FRONTEND_ONNXIMPORTER_H
