//===- D1Dialect.h - The D1 mesh dialect ----------------------------------===//
#ifndef DOJO_DIALECT_D1_IR_D1DIALECT_H
#define DOJO_DIALECT_D1_IR_D1DIALECT_H

#include "dojo/Target/TargetModel.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/RegionKindInterface.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dojo/Dialect/D1/IR/D1OpsDialect.h.inc"

#define GET_TYPEDEF_CLASSES
#include "dojo/Dialect/D1/IR/D1OpsTypes.h.inc"

#define GET_OP_CLASSES
#include "dojo/Dialect/D1/IR/D1Ops.h.inc"

namespace dojo::d1 {

/// The module attribute that carries the target spec before a d1.device
/// exists (set by `d1-assign-target`).
inline constexpr llvm::StringLiteral kTargetAttrName = "d1.target";

/// Finds the target model for `op`: from the enclosing d1.device, or from
/// the `d1.target` attribute of the enclosing module. Emits an error at `op`
/// and returns std::nullopt if there is none or it does not parse.
std::optional<TargetModel> lookupTargetModel(mlir::Operation *op);

/// The node a buffer lives on.
NodeOp getBufferNode(BufferOp buffer);

} // namespace dojo::d1

#endif // DOJO_DIALECT_D1_IR_D1DIALECT_H
