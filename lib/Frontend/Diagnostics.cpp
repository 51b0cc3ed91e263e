//===- Diagnostics.cpp - One-line rendering of MLIR diagnostics -----------===//

#include "dojo/Frontend/Diagnostics.h"

#include "mlir/IR/BuiltinAttributes.h"

#include "llvm/ADT/STLExtras.h"

using namespace mlir;

// The renderers write to a stream: g++ 12 emits spurious -Wrestrict warnings
// for chains of std::string operator+.
static void printLocation(Location loc, llvm::raw_ostream &os) {
  if (auto file = dyn_cast<FileLineColLoc>(loc)) {
    os << file.getFilename().getValue();
    // The importer has no line information; "model.onnx:0:0" would be noise.
    if (file.getLine() != 0)
      os << ":" << file.getLine() << ":" << file.getColumn();
    return;
  }
  if (auto name = dyn_cast<NameLoc>(loc)) {
    if (!isa<UnknownLoc>(name.getChildLoc())) {
      printLocation(name.getChildLoc(), os);
      os << ":";
    }
    os << name.getName().getValue();
    return;
  }
  if (auto call = dyn_cast<CallSiteLoc>(loc))
    return printLocation(call.getCallee(), os);
  if (auto fused = dyn_cast<FusedLoc>(loc)) {
    os << "[";
    llvm::interleaveComma(fused.getLocations(), os,
                          [&](Location l) { printLocation(l, os); });
    os << "]";
    return;
  }
  if (auto opaque = dyn_cast<OpaqueLoc>(loc))
    return printLocation(opaque.getFallbackLocation(), os);
  os << "<unknown>";
}

std::string dojo::formatLocation(Location loc) {
  std::string s;
  llvm::raw_string_ostream os(s);
  printLocation(loc, os);
  return s;
}

static StringRef severityName(DiagnosticSeverity severity) {
  switch (severity) {
  case DiagnosticSeverity::Error:
    return "error";
  case DiagnosticSeverity::Warning:
    return "warning";
  case DiagnosticSeverity::Note:
    return "note";
  case DiagnosticSeverity::Remark:
    return "remark";
  }
  return "error";
}

static void printDiagnostic(Diagnostic &diag, llvm::raw_ostream &os) {
  printLocation(diag.getLocation(), os);
  os << ": " << severityName(diag.getSeverity()) << ": " << diag.str();
  for (Diagnostic &note : diag.getNotes()) {
    os << "\n";
    printDiagnostic(note, os);
  }
}

std::string dojo::formatDiagnostic(Diagnostic &diag) {
  std::string s;
  llvm::raw_string_ostream os(s);
  printDiagnostic(diag, os);
  return s;
}

dojo::LineDiagnosticHandler::LineDiagnosticHandler(MLIRContext *ctx,
                                                   llvm::raw_ostream &os)
    : ScopedDiagnosticHandler(ctx, [&os](Diagnostic &diag) {
        os << formatDiagnostic(diag) << "\n";
        os.flush();
        return success();
      }) {}
