//===- Compiler.cpp - Import, pipeline, emit ------------------------------===//
#include "dojo/Compiler/Compiler.h"

#include "dojo/Compiler/Driver.h"
#include "dojo/Dialect/D1/IR/D1Dialect.h"
#include "dojo/Dialect/DNN/IR/DNNDialect.h"
#include "dojo/Frontend/Diagnostics.h"
#include "dojo/Frontend/OnnxImporter.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "mlir/Pass/PassManager.h"

using namespace mlir;
using namespace dojo;

void dojo::registerAllDojoDialects(DialectRegistry &registry) {
  registry.insert<d1::D1Dialect, dnn::DNNDialect, func::FuncDialect,
                  arith::ArithDialect, tensor::TensorDialect>();
}

namespace {
/// Reports each pass as it starts, for dojo-cc's progress lines.
struct PhaseReporter : PassInstrumentation {
  std::function<void(StringRef)> callback;
  explicit PhaseReporter(std::function<void(StringRef)> cb)
      : callback(std::move(cb)) {}
  void runBeforePass(Pass *pass, Operation *) override {
    callback(pass->getArgument());
  }
};
} // namespace

LogicalResult dojo::runPipeline(ModuleOp module, const CompileOptions &options,
                                d1::Phase last, const std::string &routing,
                                std::function<void(StringRef)> onPhase) {
  PassManager pm(module.getContext());
  d1::PipelineOptions po;
  po.target = options.target;
  po.targetOpts = options.targetOverrides;
  po.dtype = options.dtype;
  po.routing = routing;
  po.sramFraction = options.sramFraction;
  po.weightFraction = options.weightFraction;
  d1::buildD1Pipeline(pm, po, last);
  if (onPhase)
    pm.addInstrumentation(std::make_unique<PhaseReporter>(onPhase));
  return pm.run(module);
}

bool dojo::compileModel(const CompileOptions &options, bin::Executable &exe,
                        std::string &error) {
  DialectRegistry registry;
  registerAllDojoDialects(registry);
  MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();
  ctx.printOpOnDiagnostic(false);
  std::string diagnostics;
  llvm::raw_string_ostream os(diagnostics);
  LineDiagnosticHandler handler(&ctx, os);
  OwningOpRef<ModuleOp> module = importOnnxFile(ctx, options.modelPath, options.shapeInfo);
  bool ok = module && succeeded(runPipeline(*module, options, d1::Phase::Codegen)) &&
            succeeded(emitExecutable(*module, exe));
  os.flush();
  if (!ok) {
    error = diagnostics.empty() ? "compilation failed" : diagnostics;
    while (!error.empty() && error.back() == '\n')
      error.pop_back();
  }
  return ok;
}
