//===- DistributeConvPhases.cpp - Convolution blocks in phases ------------===//
//
// A convolution block cannot start before its input window has arrived, and
// on big layers the window takes a large part of the step to cross the NoC.
// The block is therefore cut into sub-blocks along one of its output
// spatial dimensions (not the innermost, the kernel's tile dimension); the
// cost model picks the dimension and the count. Sub-block c reads only the
// window rows up to the end of its receptive field; the rows it is the
// first to read form phase c. Each phase's transfers carry the phase (d1.phase), every node
// issues its transfers in phase order, and d1-codegen makes sub-block c
// wait only for phases <= c, so it computes while the later rows arrive.
//
//===----------------------------------------------------------------------===//
#include "Distributor.h"
#include "mlir/Dialect/Arith/IR/Arith.h"

#include <algorithm>

using namespace mlir;
using namespace dojo;
using namespace dojo::d1;

namespace {
/// Sub-blocks per block: enough to hide all but a quarter of the window,
/// few enough that their fixed costs stay small.
constexpr int64_t kMaxConvPhases = 8;
/// Instructions a sub-block adds on its node: the kernel's pointer and loop
/// set-up and the semaphore wait.
constexpr int64_t kSubBlockSetupCycles = 16;
} // namespace

ConvPhases Distributor::planConvPhases(Value input, ArrayRef<ViewDim> view,
                                       ArrayRef<int64_t> outExt,
                                       ArrayRef<int64_t> win,
                                       ArrayRef<int64_t> strides,
                                       ArrayRef<int64_t> kernel,
                                       ArrayRef<int64_t> dilations,
                                       int64_t macs, int64_t inBytes) {
  ConvPhases none;
  // Constants are baked into the SRAM image (stage() bakes whatever view
  // it is given): nothing is in flight.
  auto it = dist.find(input);
  if (it == dist.end() || input.getDefiningOp<arith::ConstantOp>())
    return none;
  // The input blocks the window reads: each sends one more transfer per
  // phase.
  int64_t sources = 0;
  for (const TensorBlock &b : it->second.blocks) {
    bool hit = true;
    for (const ViewDim &v : view) {
      if (v.opDim < 0)
        continue;
      int64_t first = v.lo, last = v.lo + (v.extent - 1) * v.step;
      if (v.extent <= 0 || std::max(first, last) < b.box.lo[v.opDim] ||
          std::min(first, last) >= b.box.hi[v.opDim]) {
        hit = false;
        break;
      }
    }
    sources += hit;
  }
  if (sources == 0)
    return none;

  // Transfer time the phases can hide: the window's bytes through one
  // injection port, at most the block's compute time.
  MatDType dt = bf16Weights ? MatDType::BF16 : MatDType::F32;
  double compute = double(macs) / target.macsPerCycle(dt);
  double transfer = double(inBytes) / std::min(target.linkBytesPerCycle,
                                               target.injectBytesPerCycle);
  double hidden = std::min(compute, transfer);
  // What one more phase costs: a descriptor issued by every source, the
  // sub-block's set-up, and one more head latency before its data lands.
  double overhead = double(sources * target.dmaIssueCycles +
                           kSubBlockSetupCycles + target.injectLatency +
                           target.ejectLatency);
  // Any spatial dimension but the innermost (the kernel's tile dimension)
  // can be cut; the one whose first sub-block reads the smallest share of
  // the window hides the most.
  ConvPhases best;
  double bestGain = 0;
  for (unsigned dim = 0; dim + 1 < outExt.size(); ++dim) {
    int64_t extent = outExt[dim];
    for (int64_t s = 2; s <= std::min(kMaxConvPhases, extent); ++s) {
      ConvPhases p;
      p.dim = int(dim);
      for (int64_t c = 0; c <= s; ++c)
        p.bounds.push_back(c * extent / s);
      // Sub-block c reads window rows up to its last output position's
      // receptive field; the last one reads to the window's end.
      p.rows.push_back(0);
      for (int64_t c = 1; c < s; ++c)
        p.rows.push_back((p.bounds[c] - 1) * strides[dim] +
                         (kernel[dim] - 1) * dilations[dim] + 1);
      p.rows.push_back(win[dim]);
      // The first sub-block still waits for its own rows; the rest overlap.
      double firstShare = double(p.rows[1]) / double(win[dim]);
      double gain = hidden * (1.0 - firstShare) - double(s - 1) * overhead;
      if (gain > bestGain) {
        bestGain = gain;
        best = std::move(p);
      }
    }
  }
  return best;
}

FailureOr<BufferOp> Distributor::stagePhased(
    const ConvPhases &phases, int64_t firstRow, int64_t rowStep,
    Value operand, ArrayRef<ViewDim> view, int64_t dstBase, int64_t bytes,
    int nodeId, int step, std::optional<float> fill, Location loc,
    StringRef role, ArrayRef<int64_t> fillRegions, int64_t dstType) {
  if (phases.count() <= 1)
    return stage(operand, view, dstBase, bytes, nodeId, step, fill, loc, role,
                 fillRegions, dstType);
  // The view of a convolution window is [batch][spatial...][channels].
  const ViewDim &split = view[1 + phases.dim];
  // The first view position at or after window row `row`.
  auto position = [&](int64_t row) {
    int64_t j = row <= firstRow ? 0 : (row - firstRow + rowStep - 1) / rowStep;
    return std::min(j, split.extent);
  };
  FailureOr<BufferOp> buffer;
  for (size_t c = 0; c < phases.count(); ++c) {
    int64_t j0 = position(phases.rows[c]), j1 = position(phases.rows[c + 1]);
    SmallVector<ViewDim, 6> sub(view.begin(), view.end());
    sub[1 + phases.dim].lo = split.lo + j0 * split.step;
    sub[1 + phases.dim].extent = j1 - j0;
    int64_t base = dstBase + j0 * split.dstStride;
    if (c == 0) {
      // Phase 0 creates (and pads) the buffer, with the rows of the first
      // sub-block; its transfers need no tag.
      buffer = stage(operand, sub, base, bytes, nodeId, step, fill, loc, role,
                     fillRegions, dstType);
      if (failed(buffer))
        return failure();
      continue;
    }
    if (j1 <= j0)
      continue;
    Block *block = builder.getInsertionBlock();
    Operation *mark = block->empty() ? nullptr : &block->back();
    if (failed(gatherInto(operand, sub, *buffer, base, step, loc, dstType)))
      return failure();
    auto from = mark ? std::next(mark->getIterator()) : block->begin();
    for (Operation &op : llvm::make_range(from, block->end()))
      if (llvm::isa<DmaOp, HbmLoadOp>(op))
        op.setAttr(kPhaseAttrName, builder.getI64IntegerAttr(int64_t(c)));
  }
  return buffer;
}
