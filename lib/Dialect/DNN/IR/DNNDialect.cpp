//===- DNNDialect.cpp - Registration of the `dnn` dialect -----------------===//

#include "dojo/Dialect/DNN/IR/DNNDialect.h"
#include "dojo/Dialect/DNN/IR/DNNOps.h"

using namespace dojo::dnn;

#include "dojo/Dialect/DNN/IR/DNNOpsDialect.cpp.inc"

void DNNDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dojo/Dialect/DNN/IR/DNNOps.cpp.inc"
      >();
}
