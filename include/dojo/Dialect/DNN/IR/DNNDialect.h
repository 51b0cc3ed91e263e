//===- DNNDialect.h - The tensor-level `dnn` dialect -------------*- C++ -*-===//
//
// Declares dojo::dnn::DNNDialect, generated from DNNOps.td.
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_DIALECT_DNN_IR_DNNDIALECT_H
#define DOJO_DIALECT_DNN_IR_DNNDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dojo/Dialect/DNN/IR/DNNOpsDialect.h.inc"

#endif // DOJO_DIALECT_DNN_IR_DNNDIALECT_H
