//===- Route.cpp - A NoC path for every transfer --------------------------===//
//
// Builds the routing problem from the device's transfers and writes each
// path back as the transfer's `route`. The router (Analysis/Router) is
// pass-free and unit-tested, including its deadlock-freedom check.
//
//===----------------------------------------------------------------------===//
#include "dojo/Dialect/D1/Analysis/Router.h"
#include "dojo/Dialect/D1/Transforms/Passes.h"

namespace dojo::d1 {
#define GEN_PASS_DEF_D1ROUTE
#include "dojo/Dialect/D1/Transforms/Passes.h.inc"
} // namespace dojo::d1

using namespace mlir;
using namespace dojo;
using namespace dojo::d1;

static int nodeIdOf(const TargetModel &t, Value buffer) {
  NodeOp n = getBufferNode(buffer.getDefiningOp<BufferOp>());
  return t.nodeId({int(n.getRow()), int(n.getCol())});
}

namespace {
struct RoutePass : dojo::d1::impl::D1RouteBase<RoutePass> {
  using D1RouteBase::D1RouteBase;

  void runOnOperation() override {
    DeviceOp device = getOperation();
    TargetModel target = device.getTargetModel();
    RouterOptions options;
    if (algorithm == "xy")
      options.algorithm = RoutingAlgorithm::XY;
    else if (algorithm == "negotiated")
      options.algorithm = RoutingAlgorithm::Negotiated;
    else {
      device.emitError() << "unknown routing algorithm '" << algorithm
                         << "' (expected xy or negotiated)";
      return signalPassFailure();
    }
    SmallVector<DmaOp> dmas;
    std::vector<RouteRequest> requests;
    device.walk([&](DmaOp dma) {
      int64_t bytes = 4;
      for (int64_t s : dma.getShape())
        bytes *= s;
      dmas.push_back(dma);
      requests.push_back({nodeIdOf(target, dma.getSrc()),
                          nodeIdOf(target, dma.getDst()), bytes});
    });
    RoutingResult result = routeTransfers(target, requests, options);
    if (!result.ok) {
      device.emitError() << "routing failed: " << result.error;
      return signalPassFailure();
    }
    int64_t nocBytes = 0;
    for (auto [dma, path, req] : llvm::zip(dmas, result.paths, requests)) {
      SmallVector<int32_t> hops(path.begin(), path.end());
      dma.setRouteAttr(DenseI32ArrayAttr::get(&getContext(), hops));
      nocBytes += req.bytes * int64_t(path.size() > 1);
    }
    auto i64 = [&](int64_t v) {
      return IntegerAttr::get(IntegerType::get(&getContext(), 64), v);
    };
    device->setAttr("d1.noc_bytes", i64(nocBytes));
    device->setAttr("d1.max_link_bytes", i64(result.maxLinkBytes));
  }
};
} // namespace
