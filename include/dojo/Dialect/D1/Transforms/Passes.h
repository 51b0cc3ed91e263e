//===- Passes.h - D1 mesh passes ------------------------------------------===//
#ifndef DOJO_DIALECT_D1_TRANSFORMS_PASSES_H
#define DOJO_DIALECT_D1_TRANSFORMS_PASSES_H

#include "dojo/Dialect/D1/IR/D1Dialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace dojo::d1 {

#define GEN_PASS_DECL
#include "dojo/Dialect/D1/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dojo/Dialect/D1/Transforms/Passes.h.inc"

} // namespace dojo::d1

#endif // DOJO_DIALECT_D1_TRANSFORMS_PASSES_H
