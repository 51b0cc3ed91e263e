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
#include "ConvPlan.h"
#include "Partition.h"
#include "PiecePlacement.h"
#include "dojo/Dialect/D1/Transforms/Passes.h"
#include "dojo/Dialect/DNN/IR/DNNOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/MapVector.h"

#include <cmath>
#include <set>
#include <tuple>

namespace dojo::d1 {
#define GEN_PASS_DEF_D1TILE
#include "dojo/Dialect/D1/Transforms/Passes.h.inc"
} // namespace dojo::d1

using namespace mlir;
using namespace dojo;
using namespace dojo::d1;

namespace {

/// How many matrix-unit multiply-accumulates one element of vector-unit
/// work is worth when deciding how many pieces a layer deserves (a vector
/// element takes a load, an operation and a store over 16 lanes; a BF16
/// MAC is 1/256 of a cycle).
constexpr int64_t kVectorWorkWeight = 4;

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
/// (in units), or along `preferred` while it can still be split (layers
/// whose weights outweigh their activations split output channels first, so
/// each node holds a distinct slice of the weights). Returns false when no
/// dimension can be split further.
bool growSplit(const OpGeometry &g, SmallVectorImpl<int64_t> &split,
               int preferred = -1) {
  int best = -1;
  int64_t bestLeft = 1;
  bool usePreferred = preferred >= 0 && g.splittable[preferred] &&
                      chunksLeft(g, split, preferred) > 1;
  if (usePreferred)
    best = preferred;
  for (unsigned d = 0; d < split.size() && !usePreferred; ++d) {
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

/// The output-channel dimension of a convolution or matrix product whose
/// constant weights are larger than its output, or -1.
int weightHeavyDim(Operation *op) {
  auto bytes = [](Value v) {
    return cast<RankedTensorType>(v.getType()).getNumElements();
  };
  Value out = op->getResult(0);
  unsigned rank = cast<RankedTensorType>(out.getType()).getRank();
  if (llvm::isa<dnn::ConvOp, dnn::ConvTransposeOp>(op)) {
    Value w = op->getOperand(1);
    if (w.getDefiningOp<arith::ConstantOp>() && bytes(w) > bytes(out))
      return 1;
  } else if (llvm::isa<dnn::GemmOp, dnn::MatMulOp>(op)) {
    Value b = op->getOperand(1);
    if (b.getDefiningOp<arith::ConstantOp>() && bytes(b) > bytes(out))
      return int(rank) - 1;
  }
  return -1;
}

struct TilePass : dojo::d1::impl::D1TileBase<TilePass> {
  using D1TileBase::D1TileBase;

  void runOnOperation() override {
    target = lookupTargetModel(getOperation());
    if (!target)
      return signalPassFailure();
    order = target->enabledNodesCurve();
    int64_t nodes = maxPieces > 0 ? maxPieces : target->numEnabled();
    int64_t budget =
        int64_t(sramFraction * double(target->usableSramBytes()));
    auto dtype = getOperation()->getAttrOfType<StringAttr>("d1.dtype");
    bool bf16 = dtype && dtype.getValue() == "bf16";
    planConvolutions(*target, nodes, budget, bf16);
    getOperation().walk([&](Operation *op) {
      std::optional<OpGeometry> g = getOpGeometry(op);
      if (!g)
        return;
      if (auto it = convPlans.find(op); it != convPlans.end()) {
        recordPlanned(op, *g, it->second, bf16);
        return;
      }
      SmallVector<int64_t, 6> split(g->outShape.size(), 1);
      // Work counts multiply-accumulates for matrix ops and elements for
      // the rest; an element on the vector unit costs several times a MAC
      // on the matrix unit, so elementwise work is weighted up before it is
      // compared with min-piece-work.
      int64_t weight =
          llvm::isa<dnn::ConvOp, dnn::ConvTransposeOp, dnn::GemmOp,
                    dnn::MatMulOp>(op)
              ? 1
              : kVectorWorkWeight;
      int64_t wanted = std::clamp<int64_t>(
          g->work * weight / std::max<int64_t>(1, minPieceWork), 1, nodes);
      int preferred = weightHeavyDim(op);
      if (std::optional<SmallVector<int64_t, 6>> same = producerSplit(op, *g))
        split = *same;
      else
        while (blockCount(*g, split) < wanted &&
               growSplit(*g, split, preferred)) {
        }
      // Enforce the SRAM budget on the largest block (the first one is the
      // largest: later blocks are only clipped at the tensor's edges).
      while (true) {
        Box first = enumerateBlocks(g->outShape, g->units, split).front();
        if (blockWorkingSet(op, first) <= budget ||
            !growSplit(*g, split, preferred))
          break;
      }
      op->setAttr(kSplitAttrName,
                  DenseI64ArrayAttr::get(op->getContext(), split));
      // Which slice of each constant operand lands on which node: blocks
      // go to the enabled nodes in snake order from layerStart (as
      // d1-distribute assigns them).
      std::vector<Box> blocks = enumerateBlocks(g->outShape, g->units, split);
      std::vector<int> nodes = placeLayer(op, blocks, 1);
      for (auto [b, box] : llvm::enumerate(blocks)) {
        int node = nodes[b];
        for (auto [i, v] : llvm::enumerate(op->getOperands())) {
          auto c = v.getDefiningOp<arith::ConstantOp>();
          if (!c)
            continue;
          // Resident convolution weights are BF16 when the unit runs BF16.
          int64_t elem = bf16 && i == 1 &&
                                 llvm::isa<dnn::ConvOp, dnn::ConvTransposeOp>(op)
                             ? 2
                             : 4;
          int64_t bytes =
              elem * cast<RankedTensorType>(v.getType()).getNumElements();
          int64_t slice = constantSlice(op, i, box, bytes);
          // Blocks on one node that share a slice (same output channels)
          // share its buffer.
          std::string key = sliceKey(op, i, box, b);
          if (placed.insert({c, node, key}).second)
            nodeBytes[{c, node}] += slice;
          streamedBytes[c] += slice;
        }
      }
    });
    chooseStreamedConstants(*target);
  }

  /// An elementwise layer (a residual addition, an activation) whose
  /// operand comes from a layer of the same shape takes that layer's split
  /// when it is at least as fine as its own would be: the blocks line up,
  /// land on the same nodes (see layerStart), and read their operand with
  /// no NoC hop; so does a following layer with the same blocking.
  static std::optional<SmallVector<int64_t, 6>>
  producerSplit(Operation *op, const OpGeometry &g) {
    if (!followsProducer(op))
      return std::nullopt;
    Operation *best = latestProducer(op, g.outShape, [&](Operation *def) {
      auto split = def->getAttrOfType<DenseI64ArrayAttr>(kSplitAttrName);
      return !def->hasAttr(kKSplitAttrName) && split &&
             split.size() == int64_t(g.outShape.size());
    });
    if (!best)
      return std::nullopt;
    // Only when this layer's units cut the same boxes.
    SmallVector<int64_t, 6> split(
        best->getAttrOfType<DenseI64ArrayAttr>(kSplitAttrName).asArrayRef());
    std::optional<OpGeometry> pg = getOpGeometry(best);
    if (!pg)
      return std::nullopt;
    std::vector<Box> mine = enumerateBlocks(g.outShape, g.units, split);
    std::vector<Box> theirs = enumerateBlocks(pg->outShape, pg->units, split);
    if (mine.size() != theirs.size())
      return std::nullopt;
    for (auto [a, b] : llvm::zip(mine, theirs))
      if (a.lo != b.lo || a.hi != b.hi)
        return std::nullopt;
    return split;
  }

  /// The ungrouped convolution with constant weights, as the planner sees
  /// it; std::nullopt for any other op.
  static std::optional<ConvProblem> convProblem(Operation *op, bool bf16,
                                                const TargetModel &target) {
    auto conv = dyn_cast<dnn::ConvOp>(op);
    if (!conv || conv.getGroup() != 1 ||
        !conv.getWeight().getDefiningOp<arith::ConstantOp>())
      return std::nullopt;
    auto out = shapeOf(conv.getResult());
    auto w = shapeOf(conv.getWeight());
    ConvProblem p;
    p.batch = out[0];
    p.cout = out[1];
    p.cin = w[1];
    p.out.assign(out.begin() + 2, out.end());
    p.kernel.assign(w.begin() + 2, w.end());
    p.strides.assign(conv.getStrides().begin(), conv.getStrides().end());
    p.dilations.assign(conv.getDilations().begin(), conv.getDilations().end());
    p.pads.assign(conv.getPads().begin(),
                  conv.getPads().begin() + int64_t(p.out.size()));
    auto in = shapeOf(conv.getInput());
    p.in.assign(in.begin() + 2, in.end());
    p.weightElemBytes = bf16 ? 2 : 4;
    p.macsPerCycle =
        target.macsPerCycle(bf16 ? MatDType::BF16 : MatDType::F32);
    p.inputInHbm = isa<BlockArgument>(conv.getInput());
    return p;
  }

  /// Chooses every plannable convolution's split together, so that their
  /// resident weights share the weight budget where they buy most cycles.
  void planConvolutions(const TargetModel &target, int64_t nodes,
                        int64_t sramBudget, bool bf16) {
    SmallVector<Operation *> ops;
    std::vector<ConvProblem> problems;
    std::vector<std::vector<ConvPlanChoice>> candidates;
    getOperation().walk([&](Operation *op) {
      std::optional<ConvProblem> p = convProblem(op, bf16, target);
      if (!p)
        return;
      std::optional<OpGeometry> g = getOpGeometry(op);
      int64_t worth = g ? g->work / std::max<int64_t>(1, minPieceWork) : 1;
      std::vector<ConvPlanChoice> c =
          convPlanCandidates(*p, target, nodes, sramBudget, worth);
      if (c.empty())
        return; // the generic split below handles it
      // The fastest plans and the memory-lean ones; the pairwise costs
      // below are quadratic in their number.
      pruneCandidates(c, 24, 24);
      ops.push_back(op);
      problems.push_back(*p);
      candidates.push_back(std::move(c));
    });
    if (ops.empty())
      return;
    // Each layer's producer among the planned ones, and what every pair of
    // their plans costs in redistribution.
    llvm::DenseMap<Operation *, int> index;
    for (auto [i, op] : llvm::enumerate(ops))
      index[op] = int(i);
    std::vector<int> parent(ops.size(), -1);
    std::vector<std::vector<std::vector<double>>> edge(ops.size());
    for (auto [l, op] : llvm::enumerate(ops)) {
      Operation *src = convProducer(op);
      auto it = src ? index.find(src) : index.end();
      if (it == index.end())
        continue;
      int p = it->second;
      parent[l] = p;
      edge[l].assign(candidates[p].size(),
                     std::vector<double>(candidates[l].size(), 0.0));
      for (size_t i = 0; i < candidates[p].size(); ++i)
        for (size_t j = 0; j < candidates[l].size(); ++j)
          edge[l][i][j] = redistributionCycles(
              problems[p], candidates[p][i], problems[l], candidates[l][j],
              target, nodes);
    }
    // Leave headroom below the per-node weight budget for the constants
    // the planner does not see (biases, other layers' weights).
    int64_t weightBudget =
        int64_t(0.9 * weightFraction * double(target.usableSramBytes()));
    std::vector<size_t> pick =
        choosePlans(candidates, parent, edge, weightBudget);
    for (auto [i, op] : llvm::enumerate(ops))
      if (pick[i] != SIZE_MAX)
        convPlans[op] = candidates[i][pick[i]];
  }

  /// The convolution whose output `conv` reads, through elementwise layers
  /// that keep their producer's blocking (see producerSplit: the most
  /// recent same-shape operand); nullptr when the input comes from
  /// anything else.
  static Operation *convProducer(Operation *conv) {
    Operation *def = conv->getOperand(0).getDefiningOp();
    auto shape = shapeOf(conv->getOperand(0));
    for (int depth = 0; def && depth < 16; ++depth) {
      if (isa<dnn::ConvOp>(def))
        return def;
      if (!followsProducer(def))
        return nullptr;
      def = latestProducer(def, shape, [](Operation *) { return true; });
    }
    return nullptr;
  }

  /// Layers that take their producer's blocking (see producerSplit).
  static bool followsProducer(Operation *op) {
    return llvm::isa<dnn::AddOp, dnn::ReluOp, dnn::UnaryOp, dnn::BinaryOp>(op);
  }

  /// Of the ops in `op`'s block defining an operand of shape `shape` and
  /// passing `accept`, the most recent: a residual addition follows the
  /// branch's last convolution, whose blocking the next convolution of the
  /// same stage shares.
  static Operation *latestProducer(Operation *op, ArrayRef<int64_t> shape,
                                   function_ref<bool(Operation *)> accept) {
    Operation *best = nullptr;
    for (Value v : op->getOperands()) {
      Operation *def = v.getDefiningOp();
      if (!def || def->getBlock() != op->getBlock() || shapeOf(v) != shape ||
          !accept(def))
        continue;
      if (!best || best->isBeforeInBlock(def))
        best = def;
    }
    return best;
  }

  /// Applies a planned split and records where its weight slices live.
  void recordPlanned(Operation *op, const OpGeometry &g,
                     const ConvPlanChoice &plan, bool bf16) {
    MLIRContext *ctx = op->getContext();
    op->setAttr(kSplitAttrName, DenseI64ArrayAttr::get(ctx, plan.split));
    if (plan.parts > 1)
      op->setAttr(kKSplitAttrName,
                  IntegerAttr::get(IntegerType::get(ctx, 64), plan.parts));
    std::vector<Box> blocks = enumerateBlocks(g.outShape, g.units, plan.split);
    std::vector<int> nodes = placeLayer(op, blocks, plan.parts);
    for (auto [b, box] : llvm::enumerate(blocks)) {
      for (int64_t j = 0; j < plan.parts; ++j) {
        int node = nodes[b * plan.parts + j];
        for (auto [i, v] : llvm::enumerate(op->getOperands())) {
          auto c = v.getDefiningOp<arith::ConstantOp>();
          // The bias rides on the first part only.
          if (!c || (i != 1 && j > 0))
            continue;
          int64_t elem = bf16 && i == 1 ? 2 : 4;
          int64_t bytes =
              elem * cast<RankedTensorType>(v.getType()).getNumElements();
          int64_t slice = constantSlice(op, i, box, bytes);
          if (i == 1)
            slice = (slice + plan.parts - 1) / plan.parts;
          std::string key = sliceKey(op, i, box, b) + "/p" + std::to_string(j);
          if (placed.insert({c, node, key}).second)
            nodeBytes[{c, node}] += slice;
          streamedBytes[c] += slice;
        }
      }
    }
  }

  /// Where each piece of `op` runs (block-major, then input-channel part):
  /// the run of the placement order layerStart gives the layer, permuted by
  /// placePieces so that each block sits near the bytes its input window
  /// reads from its producers' pieces. The parts of a block stay on
  /// consecutive nodes (they reduce among themselves). Records the choice
  /// as d1.place and the result's layout for the layers that read it.
  std::vector<int> placeLayer(Operation *op, ArrayRef<Box> blocks,
                              int64_t parts) {
    size_t n = order.size(), pieces = blocks.size() * size_t(parts);
    size_t start = layerStart(firstNode, pieces, n);
    std::vector<int> nodes(pieces);
    for (size_t i = 0; i < pieces; ++i)
      nodes[i] = order[(start + i) % n];
    // Layers of several rounds keep the order: a node's pieces share
    // weights by round, which a permutation could break.
    if (placeNearData && pieces > 1 && pieces <= n) {
      SmallVector<SmallVector<PieceSource, 8>> demand(blocks.size());
      bool any = false;
      for (auto [b, box] : llvm::enumerate(blocks))
        any |= addDemand(op, box, demand[b]);
      if (any) {
        SmallVector<int> slotNodes;
        for (size_t b = 0; b < blocks.size(); ++b)
          slotNodes.push_back(nodes[b * size_t(parts)]);
        std::vector<int> slot =
            dojo::d1::placePieces(demand, slotNodes, *target);
        std::vector<int> placed(pieces);
        for (size_t b = 0; b < blocks.size(); ++b)
          for (int64_t j = 0; j < parts; ++j)
            placed[b * size_t(parts) + size_t(j)] =
                nodes[size_t(slot[b]) * size_t(parts) + size_t(j)];
        nodes = std::move(placed);
        SmallVector<int64_t> attr(nodes.begin(), nodes.end());
        op->setAttr(kPlaceAttrName,
                    DenseI64ArrayAttr::get(op->getContext(), attr));
      }
    }
    // Reshapes and casts may alias their operand instead of computing
    // blocks (see d1-distribute): their layout is not known here.
    if (!llvm::isa<dnn::ReshapeOp, dnn::CastOp>(op)) {
      std::vector<Held> &held = layouts[op->getResult(0)];
      for (size_t i = 0; i < pieces; ++i)
        held.push_back({blocks[i / size_t(parts)], nodes[i], 1.0 / double(parts)});
    }
    return nodes;
  }

  /// Adds to `out` the elements output block `box` of `op` reads from each
  /// node holding a piece of a non-constant operand of known layout.
  /// Returns whether any was found.
  bool addDemand(Operation *op, const Box &box,
                 SmallVectorImpl<PieceSource> &out) {
    bool any = false;
    for (auto [i, v] : llvm::enumerate(op->getOperands())) {
      auto it = layouts.find(v);
      if (it == layouts.end())
        continue;
      std::optional<Box> window = inputWindow(op, unsigned(i), box);
      if (!window || window->empty())
        continue;
      for (const Held &h : it->second) {
        if (h.box.lo.size() != window->lo.size())
          break;
        Box common = intersect(h.box, *window);
        if (common.empty())
          continue;
        double bytes = double(common.numElements()) * h.share;
        auto same = llvm::find_if(
            out, [&](const PieceSource &s) { return s.node == h.node; });
        if (same != out.end())
          same->bytes += bytes;
        else
          out.push_back({h.node, bytes});
        any = true;
      }
    }
    return any;
  }

  /// Identifies the part of constant operand `i` a block reads: the output
  /// channels for convolution weights and bias, the rows or columns for
  /// matrix operands, the block itself otherwise.
  static std::string sliceKey(Operation *op, unsigned i, const Box &box,
                              size_t index) {
    unsigned r = box.lo.size();
    auto range = [&](unsigned d) {
      return (Twine(box.lo[d]) + ":" + Twine(box.hi[d])).str();
    };
    if (llvm::isa<dnn::ConvOp, dnn::ConvTransposeOp>(op) && i >= 1)
      return range(1);
    if (llvm::isa<dnn::GemmOp, dnn::MatMulOp>(op) && i <= 1)
      return i == 0 ? range(r - 2) : range(r - 1);
    return (Twine("b") + Twine(index)).str();
  }

  /// Streams constants from HBM until every node's resident weights fit
  /// the weight budget: repeatedly on the fullest node, the constant that
  /// frees the most bytes there per byte it would pull from HBM.
  void chooseStreamedConstants(const TargetModel &target) {
    int64_t budget =
        int64_t(weightFraction * double(target.usableSramBytes()));
    llvm::DenseMap<int, int64_t> perNode;
    llvm::DenseMap<int, SmallVector<Operation *>> onNode;
    for (auto &[key, bytes] : nodeBytes) {
      perNode[key.second] += bytes;
      onNode[key.second].push_back(key.first);
    }
    llvm::DenseSet<Operation *> streamed;
    while (true) {
      int worst = -1;
      int64_t worstBytes = budget;
      for (auto &[node, bytes] : perNode)
        if (bytes > worstBytes) {
          worstBytes = bytes;
          worst = node;
        }
      if (worst < 0)
        break;
      Operation *pick = nullptr;
      double bestRatio = -1;
      for (Operation *c : onNode[worst]) {
        if (streamed.contains(c))
          continue;
        double ratio = double(nodeBytes[{c, worst}]) /
                       double(std::max<int64_t>(1, streamedBytes[c]));
        if (ratio > bestRatio) {
          bestRatio = ratio;
          pick = c;
        }
      }
      if (!pick)
        break;
      streamed.insert(pick);
      pick->setAttr(kStreamAttrName, UnitAttr::get(pick->getContext()));
      for (auto &[node, bytes] : perNode)
        bytes -= nodeBytes.lookup({pick, node});
    }
  }

  /// A piece of a computed tensor: its box, its node, and the share of
  /// the box's bytes the node holds (1/parts after a d1.ksplit layer's
  /// reduce-scatter, which leaves each part's node a slice of the block).
  struct Held {
    Box box;
    int node;
    double share;
  };

  std::optional<TargetModel> target;
  std::vector<int> order;
  size_t firstNode = 0;
  llvm::DenseMap<Value, std::vector<Held>> layouts;
  llvm::DenseMap<Operation *, ConvPlanChoice> convPlans;
  std::set<std::tuple<Operation *, int, std::string>> placed;
  llvm::DenseMap<std::pair<Operation *, int>, int64_t> nodeBytes;
  llvm::DenseMap<Operation *, int64_t> streamedBytes;
};
} // namespace
