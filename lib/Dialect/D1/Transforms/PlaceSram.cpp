//===- PlaceSram.cpp - Give every buffer an SRAM address ------------------===//
//
// The pass builds one allocation problem per node and writes the answer
// back; the planner itself (Analysis/SramAllocator) is pass-free and
// unit-tested on its own. When a node's buffers do not fit, the pass spills:
// it picks a block output that stays live across the pressure peak, writes
// it to HBM right after it is produced, and turns every transfer that later
// reads it into an HBM load, so it is live for one step only. When nothing
// is left to spill, it reports the node's memory map.
//
//===----------------------------------------------------------------------===//
#include "Partition.h"
#include "dojo/Dialect/D1/Analysis/SramAllocator.h"
#include "dojo/Dialect/D1/Transforms/Passes.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/MapVector.h"

namespace dojo::d1 {
#define GEN_PASS_DEF_D1PLACESRAM
#include "dojo/Dialect/D1/Transforms/Passes.h.inc"
} // namespace dojo::d1

using namespace mlir;
using namespace dojo;
using namespace dojo::d1;

namespace {

/// The step a buffer is produced in and whether its later readers are all
/// transfers (so it can live in HBM between the two).
bool isSpillable(BufferOp buffer) {
  if (buffer.getInit()) {
    // Resident constants read only by kernels can be streamed instead.
    return llvm::all_of(buffer.getResult().getUsers(), [&](Operation *user) {
      auto kernel = dyn_cast<KernelOp>(user);
      return kernel && kernel.getOperands().back() != buffer.getResult();
    });
  }
  if (buffer.getLast() <= buffer.getFirst())
    return false;
  for (Operation *user : buffer.getResult().getUsers()) {
    if (auto dma = dyn_cast<DmaOp>(user)) {
      if (dma.getSrc() == buffer.getResult())
        continue; // read later by a transfer: becomes an HBM load
      if (cast<StepOp>(dma->getParentOp()).getIndex() == buffer.getFirst())
        continue; // written in its first step
      return false;
    }
    if (auto kernel = dyn_cast<KernelOp>(user)) {
      // Only as the output, in the step that produces it.
      if (kernel.getOperands().back() != buffer.getResult() ||
          llvm::count(kernel.getOperands(), buffer.getResult()) != 1)
        return false;
      continue;
    }
    return false; // fills, HBM stores of model outputs, loads into it
  }
  return true;
}

/// The step with the most bytes live, from the requests' live ranges.
int peakStep(const std::vector<BufferRequest> &requests) {
  int last = 0;
  for (auto &r : requests)
    last = std::max(last, r.last);
  std::vector<int64_t> delta(last + 2, 0);
  for (auto &r : requests) {
    delta[r.first] += r.size;
    delta[r.last + 1] -= r.size;
  }
  int best = 0;
  int64_t live = 0, bestLive = -1;
  for (int s = 0; s <= last; ++s) {
    live += delta[s];
    if (live > bestLive) {
      bestLive = live;
      best = s;
    }
  }
  return best;
}

struct PlaceSramPass : dojo::d1::impl::D1PlaceSramBase<PlaceSramPass> {
  using D1PlaceSramBase::D1PlaceSramBase;

  int64_t hbmTop = 0;
  unsigned spills = 0;
  SmallVector<BufferOp> newBuffers;
  /// The steps by index, found once: scanning the device body (every
  /// buffer, HBM tensor and step) for the producing step on every spill
  /// took 64 % of mvit_v1_b's compile time.
  llvm::DenseMap<int64_t, StepOp> stepByIndex;

  /// The 4-byte words that hold `buffer` whole: transfers to and from HBM
  /// move words, and a BF16 buffer with an odd number of elements (a
  /// depthwise convolution's 3 x 3 x 3 taps of an odd channel count) would
  /// otherwise lose its last element. A streamed constant's copy is sized to
  /// these words; a spill's store only reads the few bytes past its buffer.
  static int64_t wholeWords(BufferOp buffer) {
    return (int64_t(buffer.getSize()) + 3) / 4;
  }

  /// Keeps a resident constant in HBM instead and loads it into a one-step
  /// buffer before each kernel that reads it.
  void streamConstant(DeviceOp device, BufferOp victim) {
    OpBuilder builder(device.getContext());
    auto i64 = [&](int64_t v) { return builder.getI64IntegerAttr(v); };
    auto arr = [&](ArrayRef<int64_t> v) {
      return builder.getDenseI64ArrayAttr(v);
    };
    // The copies are sized to the whole words the load writes.
    int64_t words = wholeWords(victim);
    builder.setInsertionPoint(victim);
    auto hbm = HbmTensorOp::create(
        builder, victim.getLoc(),
        builder.getStringAttr((Twine("stream") + Twine(spills++)).str()),
        builder.getStringAttr("constant"), i64(0), victim.getSymNameAttr(),
        arr({words}), i64(hbmTop), *victim.getInit(), i64(1));
    hbmTop += (int64_t(victim.getSize()) + 63) / 64 * 64;
    auto ref = FlatSymbolRefAttr::get(hbm.getSymNameAttr());
    // One copy per step, loaded before the step's first kernel that reads
    // it: a block computed in phases (several kernels) shares it.
    SmallVector<KernelOp> users;
    for (Operation *user : victim.getResult().getUsers())
      users.push_back(cast<KernelOp>(user));
    auto stepOf = [](KernelOp k) {
      return int64_t(cast<StepOp>(k->getParentOp()).getIndex());
    };
    llvm::sort(users, [&](KernelOp a, KernelOp b) {
      if (stepOf(a) != stepOf(b))
        return stepOf(a) < stepOf(b);
      return a->isBeforeInBlock(b);
    });
    llvm::DenseMap<int64_t, BufferOp> copies;
    for (KernelOp kernel : users) {
      int64_t step = stepOf(kernel);
      BufferOp &copy = copies[step];
      if (!copy) {
        builder.setInsertionPoint(victim);
        copy = BufferOp::create(
            builder, victim.getLoc(), victim.getType(),
            builder.getStringAttr(
                (victim.getSymName() + "_s" + Twine(step)).str()),
            victim.getNode(), i64(words * 4), i64(step), i64(step),
            IntegerAttr(), ElementsAttr());
        builder.setInsertionPoint(kernel);
        HbmLoadOp::create(builder, victim.getLoc(), ref, copy, i64(0), i64(0),
                          arr({words}), arr({4}), arr({4}));
        newBuffers.push_back(copy);
      }
      kernel->replaceUsesOfWith(victim.getResult(), copy.getResult());
    }
    victim.erase();
  }

  /// Moves `victim` to HBM between its producing step and its readers.
  void spill(DeviceOp device, BufferOp victim) {
    OpBuilder builder(device.getContext());
    int64_t first = int64_t(victim.getFirst());
    StepOp producer = stepByIndex.lookup(first);
    int64_t words = wholeWords(victim);
    auto i64 = [&](int64_t v) { return builder.getI64IntegerAttr(v); };
    auto arr = [&](ArrayRef<int64_t> v) {
      return builder.getDenseI64ArrayAttr(v);
    };
    builder.setInsertionPoint(producer);
    auto hbm = HbmTensorOp::create(
        builder, victim.getLoc(),
        builder.getStringAttr((Twine("spill") + Twine(spills++)).str()),
        builder.getStringAttr("spill"), i64(0), victim.getSymNameAttr(),
        arr({words}), i64(hbmTop), ElementsAttr(), i64(1));
    hbmTop += (int64_t(victim.getSize()) + 63) / 64 * 64;
    auto ref = FlatSymbolRefAttr::get(hbm.getSymNameAttr());
    builder.setInsertionPointToEnd(&producer.getBody().front());
    auto store = HbmStoreOp::create(builder, victim.getLoc(), victim, ref, i64(0),
                                    i64(0), arr({words}), arr({4}), arr({4}));
    store->setAttr(kAwaitAttrName, builder.getUnitAttr());
    for (Operation *user : llvm::make_early_inc_range(victim.getResult().getUsers())) {
      auto dma = dyn_cast<DmaOp>(user);
      if (!dma || dma.getSrc() != victim.getResult())
        continue;
      builder.setInsertionPoint(dma);
      auto load = HbmLoadOp::create(
          builder, dma.getLoc(), ref, dma.getDst(), dma.getSrcOffsetAttr(),
          dma.getDstOffsetAttr(), dma.getShapeAttr(), dma.getSrcStridesAttr(),
          dma.getDstStridesAttr());
      // The reload converts like the transfer it replaces.
      if (Attribute t = dma->getAttr(kDstTypeAttrName))
        load->setAttr(kDstTypeAttrName, t);
      dma.erase();
    }
    victim.setLast(first);
  }

  void runOnOperation() override {
    DeviceOp device = getOperation();
    TargetModel target = device.getTargetModel();
    for (auto t : device.getBodyBlock().getOps<HbmTensorOp>()) {
      int64_t bytes = 4;
      for (int64_t s : t.getShape())
        bytes *= s;
      hbmTop = std::max(hbmTop, int64_t(t.getAddress()) + (bytes + 63) / 64 * 64);
    }
    for (StepOp step : device.getBodyBlock().getOps<StepOp>())
      stepByIndex[int64_t(step.getIndex())] = step;
    llvm::MapVector<Operation *, SmallVector<BufferOp>> byNode;
    for (BufferOp buffer : device.getBodyBlock().getOps<BufferOp>())
      byNode[buffer.getNode().getDefiningOp()].push_back(buffer);

    for (auto &[nodeOp, buffers] : byNode) {
      while (true) {
        std::vector<BufferRequest> requests;
        for (BufferOp b : buffers) {
          BufferRequest r;
          r.name = b.getSymName().str();
          r.size = int64_t(b.getSize());
          r.align = alignment;
          r.first = int(b.getFirst());
          r.last = int(b.getLast());
          requests.push_back(r);
        }
        AllocationPlan plan =
            planSram(requests, target.reservedBytes, target.sramBytes);
        if (!plan.ok) {
          // Long-lived constants scattered between short-lived buffers
          // fragment the SRAM: retry with them stacked at the top.
          int64_t top = target.sramBytes;
          for (auto [b, r] : llvm::zip(buffers, requests))
            if (b.getInit()) {
              top = (top - r.size) / alignment * alignment;
              r.fixedOffset = top;
            }
          if (top >= target.reservedBytes) {
            AllocationPlan pinned =
                planSram(requests, target.reservedBytes, target.sramBytes);
            if (pinned.ok)
              plan = pinned;
          }
        }
        if (plan.ok) {
          for (auto [b, offset] : llvm::zip(buffers, plan.offsets))
            b.setAddressAttr(IntegerAttr::get(
                IntegerType::get(&getContext(), 64), offset));
          break;
        }
        // A buffer that did not fit usually lives long and finds no address
        // free over its whole life: spill it if possible. Otherwise spill
        // the biggest, longest-lived spillable buffer live over the failed
        // one's range (or at the pressure peak).
        BufferOp failedBuffer = plan.failed >= 0 ? buffers[plan.failed] : BufferOp();
        int lo = peakStep(requests), hi = lo;
        if (failedBuffer) {
          lo = int(failedBuffer.getFirst());
          hi = int(failedBuffer.getLast());
        }
        BufferOp victim;
        int64_t best = 0;
        if (failedBuffer && isSpillable(failedBuffer))
          victim = failedBuffer;
        for (BufferOp b : buffers) {
          if (victim)
            break;
          if (int64_t(b.getFirst()) > hi || int64_t(b.getLast()) < lo ||
              !isSpillable(b))
            continue;
          int64_t score = int64_t(b.getSize()) *
                          int64_t(b.getLast() - b.getFirst());
          if (score > best) {
            best = score;
            victim = b;
          }
        }
        if (victim && victim.getInit()) {
          newBuffers.clear();
          streamConstant(device, victim);
          llvm::erase(buffers, victim);
          buffers.append(newBuffers.begin(), newBuffers.end());
          continue;
        }
        if (victim) {
          spill(device, victim);
          continue;
        }
        auto node = cast<NodeOp>(nodeOp);
        BufferOp failed = buffers[plan.failed >= 0 ? plan.failed : 0];
        failed.emitError()
            << "SRAM overflow on node (" << node.getRow() << ", "
            << node.getCol() << "): buffer @" << failed.getSymName() << " ("
            << failed.getSize() << " bytes) does not fit in ["
            << target.reservedBytes << ", " << target.sramBytes
            << ") and nothing live there can be spilled; memory map:\n"
            << formatMemoryMap(requests, plan, target.reservedBytes,
                               target.sramBytes);
        return signalPassFailure();
      }
    }
  }
};
} // namespace
