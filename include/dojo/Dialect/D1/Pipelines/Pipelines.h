//===- Pipelines.h - The dnn -> D1 pipeline, registered once --------------===//
#ifndef DOJO_DIALECT_D1_PIPELINES_PIPELINES_H
#define DOJO_DIALECT_D1_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

#include <string>

namespace dojo::d1 {

/// The phases dojo-cc can stop after (`--emit=`), in pipeline order.
enum class Phase { Fuse, Tile, Distribute, Place, Route, Codegen };

struct PipelineOptions : mlir::PassPipelineOptions<PipelineOptions> {
  Option<std::string> target{*this, "target",
                             llvm::cl::desc("d1 or mesh-RxC"),
                             llvm::cl::init("mesh-2x2")};
  Option<std::string> targetOpts{*this, "target-opts",
                                 llvm::cl::desc("key=value target overrides"),
                                 llvm::cl::init("")};
  Option<std::string> dtype{*this, "dtype", llvm::cl::desc("f32 or bf16"),
                            llvm::cl::init("f32")};
  Option<std::string> routing{*this, "routing",
                              llvm::cl::desc("xy or negotiated"),
                              llvm::cl::init("xy")};
  Option<double> sramFraction{*this, "sram-fraction",
                              llvm::cl::desc("d1-tile sram-fraction"),
                              llvm::cl::init(0.45)};
  Option<double> weightFraction{*this, "weight-fraction",
                                llvm::cl::desc("d1-tile weight-fraction"),
                                llvm::cl::init(0.45)};
};

/// dnn module -> d1.device with programs, stopping after `last`.
void buildD1Pipeline(mlir::OpPassManager &pm, const PipelineOptions &options,
                     Phase last = Phase::Codegen);

/// Registers `d1-compile` with the pass pipeline registry.
void registerD1Pipelines();

} // namespace dojo::d1

#endif
