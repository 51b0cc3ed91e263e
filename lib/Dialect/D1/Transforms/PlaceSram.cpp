//===- PlaceSram.cpp - Give every buffer an SRAM address ------------------===//
//
// The pass only builds one allocation problem per node and writes the
// answer back; the planner itself (Analysis/SramAllocator) is pass-free and
// unit-tested on its own.
//
//===----------------------------------------------------------------------===//
#include "dojo/Dialect/D1/Analysis/SramAllocator.h"
#include "dojo/Dialect/D1/Transforms/Passes.h"
#include "llvm/ADT/MapVector.h"

namespace dojo::d1 {
#define GEN_PASS_DEF_D1PLACESRAM
#include "dojo/Dialect/D1/Transforms/Passes.h.inc"
} // namespace dojo::d1

using namespace mlir;
using namespace dojo;
using namespace dojo::d1;

namespace {
struct PlaceSramPass : dojo::d1::impl::D1PlaceSramBase<PlaceSramPass> {
  using D1PlaceSramBase::D1PlaceSramBase;

  void runOnOperation() override {
    DeviceOp device = getOperation();
    TargetModel target = device.getTargetModel();
    llvm::MapVector<Operation *, SmallVector<BufferOp>> byNode;
    for (BufferOp buffer : device.getBodyBlock().getOps<BufferOp>())
      byNode[buffer.getNode().getDefiningOp()].push_back(buffer);

    for (auto &[nodeOp, buffers] : byNode) {
      std::vector<BufferRequest> requests;
      for (BufferOp b : buffers) {
        BufferRequest r;
        r.name = b.getSymName().str();
        r.size = b.getSize();
        r.align = alignment;
        r.first = int(b.getFirst());
        r.last = int(b.getLast());
        requests.push_back(r);
      }
      AllocationPlan plan =
          planSram(requests, target.reservedBytes, target.sramBytes);
      if (!plan.ok) {
        auto node = cast<NodeOp>(nodeOp);
        BufferOp failed = buffers[plan.failed >= 0 ? plan.failed : 0];
        failed.emitError()
            << "SRAM overflow on node (" << node.getRow() << ", "
            << node.getCol() << "): buffer @" << failed.getSymName() << " ("
            << failed.getSize() << " bytes) does not fit in ["
            << target.reservedBytes << ", " << target.sramBytes
            << "); memory map:\n"
            << formatMemoryMap(requests, plan, target.reservedBytes,
                               target.sramBytes);
        return signalPassFailure();
      }
      for (auto [b, offset] : llvm::zip(buffers, plan.offsets))
        b.setAddressAttr(IntegerAttr::get(IntegerType::get(&getContext(), 64),
                                          offset));
    }
  }
};
} // namespace
