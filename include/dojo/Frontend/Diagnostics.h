//===- Diagnostics.h - One-line rendering of MLIR diagnostics ----*- C++ -*-===//
//
// Tools report errors as "LOCATION: error: message" lines. Importer
// locations are NameLoc(node, FileLineColLoc(model, 0, 0)); they render as
// "model.onnx:node" rather than MLIR's `loc(...)` syntax.
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_FRONTEND_DIAGNOSTICS_H
#define DOJO_FRONTEND_DIAGNOSTICS_H

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"

#include "llvm/Support/raw_ostream.h"

#include <string>

namespace dojo {

/// Renders `loc`: "file:line:col" (just "file" when line is 0), with a
/// ":name" suffix for each enclosing NameLoc.
std::string formatLocation(mlir::Location loc);

/// Renders one diagnostic (and its notes) as "LOC: severity: message" lines.
std::string formatDiagnostic(mlir::Diagnostic &diag);

/// While alive, prints every diagnostic of `ctx` to `os` with
/// formatDiagnostic and marks it handled.
class LineDiagnosticHandler : public mlir::ScopedDiagnosticHandler {
public:
  LineDiagnosticHandler(mlir::MLIRContext *ctx, llvm::raw_ostream &os);
};

} // namespace dojo

#endif // DOJO_FRONTEND_DIAGNOSTICS_H
