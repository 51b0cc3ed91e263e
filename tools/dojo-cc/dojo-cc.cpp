//===- dojo-cc.cpp - ONNX model to a D1 executable ------------------------===//
//
//   dojo-cc MODEL.onnx -o OUT.d1 [--target=d1|mesh-RxC] [--dtype=f32|bf16]
//           [--target-opts=k=v,...] [--routing=xy|negotiated]
//           [--emit=dnn|fused|tiled|mesh|placed|routed|code|asm|binary]
//
// `--emit` stops after a phase and prints its IR (or, for `asm`, the
// disassembled node programs) to -o (default stdout).
//
//===----------------------------------------------------------------------===//
#include "dojo/Compiler/Driver.h"
#include "dojo/Frontend/Diagnostics.h"
#include "dojo/Frontend/OnnxImporter.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/ToolOutputFile.h"
#include "mlir/Support/FileUtilities.h"

using namespace llvm;
using namespace mlir;

// dojo-cc's own options; --help hides the LLVM and MLIR ones linked in.
static cl::OptionCategory ccOptions("dojo-cc options");

static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.onnx>"),
                                      cl::Required, cl::cat(ccOptions));
static cl::opt<std::string> outputFile("o", cl::desc("Output file"),
                                       cl::value_desc("file"), cl::cat(ccOptions), cl::init(""));
static cl::opt<std::string> target("target", cl::desc("d1 or mesh-RxC"),
                                   cl::cat(ccOptions), cl::init("mesh-2x2"));
static cl::opt<std::string> targetOpts(
    "target-opts", cl::desc("Comma-separated key=value target overrides"),
    cl::cat(ccOptions), cl::init(""));
static cl::opt<std::string> dtype("dtype", cl::desc("f32 or bf16"),
                                  cl::cat(ccOptions), cl::init("f32"));
static cl::opt<std::string> routing("routing", cl::desc("xy or negotiated"),
                                    cl::cat(ccOptions), cl::init("xy"));
static cl::opt<std::string> emit(
    "emit",
    cl::desc("Stop after a phase and print it: dnn, fused, tiled, mesh, "
             "placed, routed, code, asm, binary (default)"),
    cl::cat(ccOptions), cl::init("binary"));
static cl::opt<double> sramFraction(
    "sram-fraction",
    cl::desc("Share of a node's SRAM one block's working set may take"),
    cl::cat(ccOptions), cl::init(0.45));
static cl::opt<double> weightFraction(
    "weight-fraction",
    cl::desc("Share of a node's SRAM resident weights may take before the "
             "largest are streamed from HBM"),
    cl::cat(ccOptions), cl::init(0.85));
static cl::opt<bool> printConstants(
    "print-constants", cl::desc("Print large constants in IR output"),
    cl::cat(ccOptions), cl::init(false));
static cl::opt<std::string> shapeInfo(
    "shape-info",
    cl::desc("Fix dynamic input dims: INPUT:D1xD2x... entries separated by "
             "commas; INPUT is an input index or name (e.g. 0:1x3x224x224)"),
    cl::cat(ccOptions), cl::init(""));
static cl::opt<bool> progress("progress",
                              cl::desc("Print each phase as it starts"),
                              cl::cat(ccOptions), cl::init(false));

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(ccOptions);
  cl::ParseCommandLineOptions(argc, argv, "dojo-cc: ONNX to Dojo D1\n");

  static const std::pair<const char *, dojo::d1::Phase> phases[] = {
      {"fused", dojo::d1::Phase::Fuse},   {"tiled", dojo::d1::Phase::Tile},
      {"mesh", dojo::d1::Phase::Distribute}, {"placed", dojo::d1::Phase::Place},
      {"routed", dojo::d1::Phase::Route},  {"code", dojo::d1::Phase::Codegen},
      {"asm", dojo::d1::Phase::Codegen},   {"binary", dojo::d1::Phase::Codegen}};
  std::optional<dojo::d1::Phase> last;
  for (auto &[name, phase] : phases)
    if (emit == name)
      last = phase;
  if (!last && emit != "dnn") {
    errs() << "dojo-cc: error: unknown --emit value '" << emit << "'\n";
    return 1;
  }
  if (emit == "binary" && outputFile.empty()) {
    errs() << "dojo-cc: error: -o OUT.d1 is required to write a binary\n";
    return 1;
  }

  DialectRegistry registry;
  dojo::registerAllDojoDialects(registry);
  MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();
  // Diagnostics are one line each; the offending op is named by location,
  // not by dumping it.
  ctx.printOpOnDiagnostic(false);
  dojo::LineDiagnosticHandler handler(&ctx, errs());

  // Check the target before any work, so a typo fails fast and alone.
  std::optional<dojo::TargetModel> targetModel = dojo::TargetModel::byName(target);
  if (!targetModel) {
    errs() << "dojo-cc: error: unknown target '" << target
           << "' (expected d1 or mesh-RxC)\n";
    return 1;
  }
  if (std::string err = targetModel->applyOverrides(targetOpts); !err.empty()) {
    errs() << "dojo-cc: error: " << err << "\n";
    return 1;
  }

  if (!sys::fs::exists(inputFile)) {
    errs() << inputFile << ": error: no such file\n";
    return 1;
  }
  if (progress)
    errs() << "[import] " << inputFile << "\n";
  OwningOpRef<ModuleOp> module = dojo::importOnnxFile(ctx, inputFile, shapeInfo);
  if (!module)
    return 1;
  dojo::CompileOptions options;
  options.modelPath = inputFile;
  options.target = target;
  options.targetOverrides = targetOpts;
  options.dtype = dtype;
  options.sramFraction = sramFraction;
  options.weightFraction = weightFraction;
  options.shapeInfo = shapeInfo;
  if (last) {
    int index = 0;
    // Pass adaptors (which nest the pipeline into functions or devices)
    // have no argument; only real passes are phases.
    auto onPhase = [&](StringRef name) {
      if (!name.empty())
        errs() << "[" << ++index << "] " << name << "\n";
    };
    if (failed(dojo::runPipeline(*module, options, *last, routing,
                                 progress ? std::function<void(StringRef)>(onPhase)
                                          : nullptr)))
      return 1;
  }

  if (emit == "binary") {
    dojo::bin::Executable exe;
    // The module outlives the write, so weights go from its attributes
    // straight to the file without a copy.
    if (failed(dojo::emitExecutable(*module, exe, /*viewConstants=*/true)))
      return 1;
    std::string error;
    if (!dojo::bin::writeExecutable(outputFile, exe, error)) {
      errs() << "dojo-cc: error: " << error << "\n";
      return 1;
    }
    return 0;
  }
  std::string errorMessage;
  auto output = mlir::openOutputFile(outputFile.empty() ? "-" : outputFile.getValue(),
                               &errorMessage);
  if (!output) {
    errs() << "dojo-cc: error: " << errorMessage << "\n";
    return 1;
  }
  if (emit == "asm") {
    dojo::bin::Executable exe;
    if (failed(dojo::emitExecutable(*module, exe)))
      return 1;
    dojo::printAssembly(exe, output->os());
  } else {
    OpPrintingFlags flags;
    if (!printConstants)
      flags.elideLargeElementsAttrs(16);
    module->print(output->os(), flags);
    output->os() << "\n";
  }
  output->keep();
  return 0;
}
