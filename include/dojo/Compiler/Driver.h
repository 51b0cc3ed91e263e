//===- Driver.h - MLIR-level entry points of the compiler -----------------===//
//
// Used by dojo-cc to stop after any phase and print IR; compileModel
// (Compiler.h) is the same path without MLIR in its interface.
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_COMPILER_DRIVER_H
#define DOJO_COMPILER_DRIVER_H

#include "dojo/Binary/Executable.h"
#include "dojo/Compiler/Compiler.h"
#include "dojo/Dialect/D1/Pipelines/Pipelines.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LogicalResult.h"

#include <functional>

namespace dojo {

/// Registers every dialect the compiler's IR may contain.
void registerAllDojoDialects(mlir::DialectRegistry &registry);

/// Runs the pipeline on an imported module up to `last`. `onPhase` (if set)
/// is called with a phase name before each pass, for progress output.
mlir::LogicalResult
runPipeline(mlir::ModuleOp module, const CompileOptions &options,
            d1::Phase last, const std::string &routing = "xy",
            std::function<void(llvm::StringRef)> onPhase = nullptr);

/// Builds the executable from a module that went through code generation.
/// With `viewConstants` the executable's blobs point into the module's
/// constant attributes instead of copies, so the module's MLIRContext must
/// outlive `exe` (dojo-cc writes the file before the context goes away).
mlir::LogicalResult emitExecutable(mlir::ModuleOp module,
                                   bin::Executable &exe,
                                   bool viewConstants = false);

/// Prints a disassembly of every node program of `exe`.
void printAssembly(const bin::Executable &exe, llvm::raw_ostream &os);

} // namespace dojo

#endif
