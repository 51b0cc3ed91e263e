//===- dojo-translate.cpp - ONNX model to dnn-dialect MLIR ----------------===//
//
//   dojo-translate --import-onnx model.onnx [-o out.mlir] [--elide-constants]
//                  [--shape-info=INPUT:D1xD2x...,...]
//   dojo-translate --list-supported-ops          (JSON, for the docs)
//
// Errors are printed to stderr as "LOCATION: error: message" lines and the
// tool exits with status 1.
//
//===----------------------------------------------------------------------===//

#include "dojo/Frontend/Diagnostics.h"
#include "dojo/Frontend/OnnxImporter.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Support/FileUtilities.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

static cl::opt<bool> importOnnx("import-onnx",
                                cl::desc("Import an ONNX model into the dnn "
                                         "dialect"));
static cl::opt<bool>
    listSupportedOps("list-supported-ops",
                     cl::desc("Print the supported ONNX ops as JSON"));
static cl::opt<bool> elideConstants(
    "elide-constants",
    cl::desc("Print constants with more than 16 elements as dense_resource "
             "placeholders (the output no longer holds the weights)"));
static cl::opt<std::string> shapeInfo(
    "shape-info",
    cl::desc("Fix dynamic input dims: INPUT:D1xD2x... entries separated by "
             "commas; INPUT is an input index or name (e.g. 0:1x3x224x224)"),
    cl::init(""));
static cl::opt<std::string> inputFilename(cl::Positional,
                                          cl::desc("<model.onnx>"),
                                          cl::init(""));
static cl::opt<std::string> outputFilename("o", cl::desc("Output file"),
                                           cl::value_desc("filename"),
                                           cl::init("-"));

static int printSupportedOps() {
  json::Array rows;
  for (const dojo::OnnxOpSupport &op : dojo::getSupportedOnnxOps()) {
    json::Array attrs;
    SmallVector<StringRef> names;
    op.attributes.split(names, ',', -1, /*KeepEmpty=*/false);
    for (StringRef name : names)
      attrs.push_back(name);
    rows.push_back(json::Object{
        {"op", op.opType},
        {"domain", op.domain.empty() ? StringRef("ai.onnx") : op.domain},
        {"min_opset", op.minOpset},
        {"max_opset", op.maxOpset},
        {"attributes", std::move(attrs)},
        {"notes", op.notes},
    });
  }
  outs() << formatv("{0:2}", json::Value(std::move(rows))) << "\n";
  return 0;
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  cl::ParseCommandLineOptions(argc, argv, "dojo-cc ONNX importer\n");

  if (listSupportedOps)
    return printSupportedOps();
  if (!importOnnx || inputFilename.empty()) {
    errs() << "dojo-translate: error: expected --import-onnx <model.onnx> or "
              "--list-supported-ops\n";
    return 1;
  }

  mlir::DialectRegistry registry;
  dojo::registerOnnxImporterDialects(registry);
  mlir::MLIRContext context(registry);
  // Errors are one line each; the op dump MLIR appends by default is noise
  // for a model the user never saw as MLIR.
  context.printOpOnDiagnostic(false);
  dojo::LineDiagnosticHandler handler(&context, errs());

  mlir::OwningOpRef<mlir::ModuleOp> module =
      dojo::importOnnxFile(context, inputFilename, shapeInfo);
  if (!module)
    return 1;

  std::string error;
  std::unique_ptr<ToolOutputFile> output =
      mlir::openOutputFile(outputFilename, &error);
  if (!output) {
    errs() << outputFilename << ": error: " << error << "\n";
    return 1;
  }
  mlir::OpPrintingFlags flags;
  if (elideConstants)
    flags.elideLargeElementsAttrs(16);
  module->print(output->os(), flags);
  output->os() << "\n";
  output->keep();
  return 0;
}
