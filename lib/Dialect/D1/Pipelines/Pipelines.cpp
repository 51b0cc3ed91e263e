//===- Pipelines.cpp - The dnn -> D1 pipeline ------------------------------===//
#include "dojo/Dialect/D1/Pipelines/Pipelines.h"

#include "dojo/Dialect/D1/Transforms/Passes.h"
#include "dojo/Dialect/DNN/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassRegistry.h"

using namespace mlir;

void dojo::d1::buildD1Pipeline(OpPassManager &pm, const PipelineOptions &o,
                               Phase last) {
  pm.addPass(createD1AssignTarget({o.target, o.targetOpts, o.dtype}));
  pm.addNestedPass<func::FuncOp>(dnn::createDNNFuseActivations());
  if (last == Phase::Fuse)
    return;
  D1TileOptions tile;
  tile.sramFraction = o.sramFraction;
  tile.weightFraction = o.weightFraction;
  pm.addPass(createD1Tile(tile));
  if (last == Phase::Tile)
    return;
  pm.addPass(createD1Distribute());
  if (last == Phase::Distribute)
    return;
  OpPassManager &device = pm.nest<DeviceOp>();
  device.addPass(createD1PlaceSram());
  if (last == Phase::Place)
    return;
  device.addPass(createD1Route({o.routing}));
  if (last == Phase::Route)
    return;
  device.addPass(createD1Codegen({o.dtype}));
}

void dojo::d1::registerD1Pipelines() {
  PassPipelineRegistration<PipelineOptions>(
      "d1-compile", "Compile a dnn module to D1 node programs",
      [](OpPassManager &pm, const PipelineOptions &o) { buildD1Pipeline(pm, o); });
}
