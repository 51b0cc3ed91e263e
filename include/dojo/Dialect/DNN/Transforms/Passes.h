//===- Passes.h - Transformations on the `dnn` dialect -----------*- C++ -*-===//
#ifndef DOJO_DIALECT_DNN_TRANSFORMS_PASSES_H
#define DOJO_DIALECT_DNN_TRANSFORMS_PASSES_H

#include "dojo/Dialect/DNN/IR/DNNDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

#include <memory>

namespace dojo::dnn {

#define GEN_PASS_DECL
#include "dojo/Dialect/DNN/Transforms/Passes.h.inc"

/// Registers every dnn pass with the global pass registry (for dojo-opt).
#define GEN_PASS_REGISTRATION
#include "dojo/Dialect/DNN/Transforms/Passes.h.inc"

} // namespace dojo::dnn

#endif // DOJO_DIALECT_DNN_TRANSFORMS_PASSES_H
