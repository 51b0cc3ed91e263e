//===- Compiler.h - ONNX model to D1 executable, in one call -------------===//
//
// The library entry used by dojo-cc and the Python module: import the ONNX
// model, run the D1 pipeline for the requested target and emit an
// Executable. Diagnostics go to `error` as "LOCATION: message" lines.
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_COMPILER_COMPILER_H
#define DOJO_COMPILER_COMPILER_H

#include "dojo/Binary/Executable.h"

#include <string>

namespace dojo {

struct CompileOptions {
  std::string modelPath;           ///< .onnx file
  std::string target = "mesh-2x2"; ///< d1 | mesh-RxC
  std::string targetOverrides;     ///< key=value,... (see TargetModel)
  std::string dtype = "f32";       ///< f32 | bf16
  double sramFraction = 0.45;      ///< d1-tile: share of SRAM per block
  double weightFraction = 0.85;    ///< d1-tile: share of SRAM for weights
  std::string shapeInfo;           ///< INPUT:D1xD2x,... (see OnnxImporter.h)
};

/// Compiles `options.modelPath`. Returns false and fills `error` with the
/// diagnostics on failure.
bool compileModel(const CompileOptions &options, bin::Executable &exe,
                  std::string &error);

} // namespace dojo

#endif // DOJO_COMPILER_COMPILER_H
