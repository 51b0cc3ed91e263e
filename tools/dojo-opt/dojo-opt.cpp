//===- dojo-opt.cpp - MLIR's opt driver with every dojo dialect and pass ---===//
#include "dojo/Compiler/Driver.h"
#include "dojo/Dialect/D1/Pipelines/Pipelines.h"
#include "dojo/Dialect/D1/Transforms/Passes.h"
#include "dojo/Dialect/DNN/Transforms/Passes.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  dojo::registerAllDojoDialects(registry);
  dojo::d1::registerD1Passes();
  dojo::dnn::registerDNNPasses();
  dojo::d1::registerD1Pipelines();
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "dojo-cc optimizer driver\n", registry));
}
