//===- Tile.cpp - Choose how each layer is split over the mesh ------------===//
//
// The split is chosen from three target figures: the number of enabled nodes
// (how many blocks can run at once), the compute per block (blocks smaller
// than `min-piece-work` are not worth a node: their transfers and barrier
// would dominate), and SRAM (a block's working set must fit a share of the
// node's usable SRAM; if it does not, the layer gets more blocks than nodes
// and nodes compute several blocks in successive rounds).
//
//===----------------------------------------------------------------------===//
#include "Partition.h"
#include "dojo/Dialect/D1/Transforms/Passes.h"
#include "dojo/Dialect/DNN/IR/DNNOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/MapVector.h"

#include <cmath>

namespace dojo::d1 {
#define GEN_PASS_DEF_D1TILE
#include "dojo/Dialect/D1/Transforms/Passes.h.inc"
} // namespace dojo::d1

using namespace mlir;
using namespace dojo;
using namespace dojo::d1;

namespace {

/// Remaining chunks (in units) per block along `d` if the split grows.
int64_t chunksLeft(const OpGeometry &g, ArrayRef<int64_t> split, unsigned d) {
  int64_t units = (g.outShape[d] + g.units[d] - 1) / g.units[d];
  return (units + split[d] - 1) / split[d];
}

int64_t blockCount(const OpGeometry &g, ArrayRef<int64_t> split) {
  int64_t n = 1;
  for (unsigned d = 0; d < split.size(); ++d)
    n *= effectiveChunks(g.outShape[d], g.units[d], split[d]);
  return n;
}

/// Grows the split along the dimension whose blocks are currently largest
/// (in units). Returns false when no dimension can be split further.
bool growSplit(const OpGeometry &g, SmallVectorImpl<int64_t> &split) {
  int best = -1;
  int64_t bestLeft = 1;
  for (unsigned d = 0; d < split.size(); ++d) {
    if (!g.splittable[d])
      continue;
    int64_t left = chunksLeft(g, split, d);
    if (left > bestLeft) {
      bestLeft = left;
      best = int(d);
    }
  }
  if (best < 0)
    return false;
  // Step to the next split that really changes the block size.
  int64_t before = effectiveChunks(g.outShape[best], g.units[best], split[best]);
  do {
    ++split[best];
  } while (effectiveChunks(g.outShape[best], g.units[best], split[best]) ==
           before);
  return true;
}

/// Bytes of constant operand `index` of `op` that one output block `block`
/// needs (its slice of the weights).
int64_t constantSlice(Operation *op, unsigned index, const Box &block,
                      int64_t constBytes) {
  auto outShape = cast<RankedTensorType>(op->getResult(0).getType()).getShape();
  unsigned r = outShape.size();
  double fraction = 1.0;
  if (llvm::isa<dnn::ConvOp, dnn::ConvTransposeOp>(op))
    fraction = index == 0 ? 1.0 : double(block.extent(1)) / double(outShape[1]);
  else if (llvm::isa<dnn::GemmOp, dnn::MatMulOp>(op))
    fraction = index == 0   ? double(block.extent(r - 2)) / double(outShape[r - 2])
               : index == 1 ? double(block.extent(r - 1)) / double(outShape[r - 1])
                            : double(block.numElements()) /
                                  double(Box::full(outShape).numElements());
  else
    fraction = double(block.numElements()) /
               double(Box::full(outShape).numElements());
  return int64_t(std::ceil(fraction * double(constBytes)));
}

struct TilePass : dojo::d1::impl::D1TileBase<TilePass> {
  using D1TileBase::D1TileBase;

  void runOnOperation() override {
    std::optional<TargetModel> target = lookupTargetModel(getOperation());
    if (!target)
      return signalPassFailure();
    int64_t nodes = maxPieces > 0 ? maxPieces : target->numEnabled();
    int64_t budget =
        int64_t(sramFraction * double(target->usableSramBytes()));
    getOperation().walk([&](Operation *op) {
      std::optional<OpGeometry> g = getOpGeometry(op);
      if (!g)
        return;
      SmallVector<int64_t, 6> split(g->outShape.size(), 1);
      int64_t wanted = std::clamp<int64_t>(
          g->work / std::max<int64_t>(1, minPieceWork), 1, nodes);
      while (blockCount(*g, split) < wanted && growSplit(*g, split)) {
      }
      // Enforce the SRAM budget on the largest block (the first one is the
      // largest: later blocks are only clipped at the tensor's edges).
      while (true) {
        Box first = enumerateBlocks(g->outShape, g->units, split).front();
        if (blockWorkingSet(op, first) <= budget || !growSplit(*g, split))
          break;
      }
      op->setAttr(kSplitAttrName,
                  DenseI64ArrayAttr::get(op->getContext(), split));
      // Resident bytes of each constant operand on the busiest node.
      std::vector<Box> blocks = enumerateBlocks(g->outShape, g->units, split);
      int64_t perNode = (int64_t(blocks.size()) + nodes - 1) / nodes;
      for (auto [i, v] : llvm::enumerate(op->getOperands())) {
        auto c = v.getDefiningOp<arith::ConstantOp>();
        if (!c)
          continue;
        int64_t bytes =
            4 * cast<RankedTensorType>(v.getType()).getNumElements();
        residentBytes[c] += std::min(
            bytes, perNode * constantSlice(op, i, blocks.front(), bytes));
      }
    });
    chooseStreamedConstants(*target);
  }

  /// Keeps the smallest constants resident and streams the largest from HBM
  /// until the estimated resident bytes per node fit the weight budget.
  void chooseStreamedConstants(const TargetModel &target) {
    int64_t budget =
        int64_t(weightFraction * double(target.usableSramBytes()));
    int64_t total = 0;
    std::vector<std::pair<int64_t, Operation *>> order;
    for (auto &[op, bytes] : residentBytes) {
      total += bytes;
      order.push_back({bytes, op});
    }
    llvm::stable_sort(order, [](auto &a, auto &b) { return a.first > b.first; });
    for (auto &[bytes, op] : order) {
      if (total <= budget)
        break;
      op->setAttr(kStreamAttrName, UnitAttr::get(op->getContext()));
      total -= bytes;
    }
  }

  llvm::MapVector<Operation *, int64_t> residentBytes;
};
} // namespace
