//===- Partition.cpp - Block geometry of dnn ops --------------------------===//
#include "Partition.h"

#include "dojo/Dialect/DNN/IR/DNNOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>
#include <tuple>

using namespace mlir;
using namespace dojo;
using namespace dojo::d1;

Box Box::full(ArrayRef<int64_t> shape) {
  Box b;
  for (int64_t s : shape) {
    b.lo.push_back(0);
    b.hi.push_back(s);
  }
  return b;
}

Box dojo::d1::intersect(const Box &a, const Box &b) {
  Box r;
  for (unsigned d = 0; d < a.lo.size(); ++d) {
    r.lo.push_back(std::max(a.lo[d], b.lo[d]));
    r.hi.push_back(std::min(a.hi[d], b.hi[d]));
  }
  return r;
}

SmallVector<int64_t, 3> dojo::d1::padTo3(ArrayRef<int64_t> v, int64_t fill) {
  SmallVector<int64_t, 3> r(3 - v.size(), fill);
  r.append(v.begin(), v.end());
  return r;
}

SmallVector<int64_t, 6> dojo::d1::rowMajorStrides(ArrayRef<int64_t> shape) {
  SmallVector<int64_t, 6> s(shape.size(), 1);
  for (int i = int(shape.size()) - 2; i >= 0; --i)
    s[i] = s[i + 1] * shape[i + 1];
  return s;
}

ArrayRef<int64_t> dojo::d1::shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

int64_t dojo::d1::product(ArrayRef<int64_t> v) {
  int64_t p = 1;
  for (int64_t x : v)
    p *= x;
  return p;
}

std::optional<OpGeometry> dojo::d1::getOpGeometry(Operation *op) {
  if (op->getNumResults() != 1 || !llvm::isa<RankedTensorType>(op->getResult(0).getType()))
    return std::nullopt;
  // An empty result needs no blocks (see Distributor::lowerLayer).
  if (cast<RankedTensorType>(op->getResult(0).getType()).getNumElements() == 0)
    return std::nullopt;
  OpGeometry g;
  g.outShape.assign(shapeOf(op->getResult(0)).begin(),
                    shapeOf(op->getResult(0)).end());
  unsigned rank = g.outShape.size();
  g.units.assign(rank, 1);
  g.splittable.assign(rank, true);
  int64_t outElems = product(g.outShape);
  bool known =
      llvm::TypeSwitch<Operation *, bool>(op)
          .Case<dnn::ConvOp>([&](auto conv) {
            auto w = shapeOf(conv.getWeight());
            int64_t group = conv.getGroup();
            int64_t coPerGroup = g.outShape[1] / group;
            // A block either stays inside one group or holds whole groups;
            // within a group, blocks of 8 channels fill the matrix tile.
            g.units[1] = group == 1 ? 8 : coPerGroup;
            // Blocks of 8 along the innermost spatial dimension fill the
            // matrix unit's other tile side.
            g.units[rank - 1] = 8;
            g.work = outElems * product(w.drop_front(1));
            return true;
          })
          .Case<dnn::GemmOp, dnn::MatMulOp>([&](auto mm) {
            g.units[rank - 2] = 8;
            g.units[rank - 1] = 8;
            int64_t k;
            if constexpr (std::is_same_v<decltype(mm), dnn::GemmOp>) {
              auto a = shapeOf(mm.getA());
              k = mm.getTransA() ? a[0] : a[1];
            } else {
              auto a = shapeOf(mm.getA());
              k = a.back();
            }
            g.work = outElems * k;
            return true;
          })
          .Case<dnn::AddOp, dnn::ReluOp, dnn::UnaryOp, dnn::BinaryOp,
                dnn::WhereOp, dnn::CastOp, dnn::BroadcastOp>([&](auto) {
            // Blocks keep whole vectors along the innermost dimension,
            // except for image tensors (N, C and two or more spatial
            // dimensions): their channels-last blocks are contiguous
            // whatever the spatial cut, so they can follow a neighbouring
            // convolution's blocking.
            if (rank < 4)
              g.units[rank - 1] = std::min<int64_t>(16, g.outShape[rank - 1]);
            g.work = outElems;
            return true;
          })
          .Case<dnn::TransposeOp, dnn::ConcatOp, dnn::SliceOp, dnn::PadOp,
                dnn::GatherOp, dnn::ResizeOp, dnn::DynamicSliceOp,
                dnn::DynamicPadOp, dnn::DynamicResizeOp>([&](auto) {
            g.work = outElems;
            return true;
          })
          .Case<dnn::PoolOp>([&](auto pool) {
            g.units[1] = 16;
            g.work = outElems * product(pool.getKernel());
            return true;
          })
          .Case<dnn::ReduceOp>([&](auto red) {
            // Reduced dimensions stay whole inside a block (kept with
            // extent 1 when keepdims).
            if (red.getKeepdims())
              for (int64_t a : red.getAxes())
                g.splittable[a] = false;
            g.work = product(shapeOf(red.getInput()));
            return true;
          })
          .Case<dnn::SoftmaxOp>([&](auto sm) {
            g.splittable[sm.getAxis()] = false;
            g.work = 4 * outElems;
            return true;
          })
          .Case<dnn::LayerNormOp>([&](auto ln) {
            for (unsigned d = ln.getAxis(); d < rank; ++d)
              g.splittable[d] = false;
            g.work = 6 * outElems;
            return true;
          })
          .Case<dnn::ConvTransposeOp>([&](auto conv) {
            auto w = shapeOf(conv.getWeight());
            int64_t group = conv.getGroup();
            int64_t coPerGroup = g.outShape[1] / group;
            g.units[1] = group == 1 ? 8 : coPerGroup;
            g.units[rank - 1] = 8;
            g.work = product(shapeOf(conv.getInput())) * product(w.drop_front(1));
            return true;
          })
          .Case<dnn::GlobalAvgPoolOp>([&](auto pool) {
            for (unsigned d = 2; d < rank; ++d)
              g.splittable[d] = false;
            g.units[1] = 16;
            g.work = product(shapeOf(pool.getInput()));
            return true;
          })
          .Case<dnn::ReshapeOp>([&](auto) {
            // A reshape keeps the row-major order, so a block is copied as
            // the contiguous row-major runs it consists of (see
            // Distributor::lowerReshapeCopy). The outermost non-unit
            // dimension may always be split (each block is then one run);
            // the following non-unit dimensions may be split too, as long
            // as everything inside them still forms runs of at least
            // kMinReshapeRun elements: a block split along dimensions
            // d0 < ... < dk is one run per index of d0 ... d(k-1), each run
            // contiguous in the input and output orders alike. Without
            // this, a large reshape whose outermost dimension is short
            // (MViT's 2 heads x 96 channels x 8 x 28 x 28) gets blocks
            // larger than a node's SRAM. The inner dimensions stay whole,
            // so no block degenerates into many tiny copies.
            constexpr int64_t kMinReshapeRun = 64;
            // The inner extent only shrinks going inwards, so the
            // splittable dimensions are the non-unit ones of a prefix.
            bool found = false;
            for (unsigned d = 0; d < rank; ++d) {
              bool nonUnit = g.outShape[d] > 1;
              int64_t inner =
                  product(ArrayRef<int64_t>(g.outShape).drop_front(d + 1));
              g.splittable[d] =
                  nonUnit && (!found || inner >= kMinReshapeRun);
              found |= nonUnit;
            }
            g.work = outElems;
            return true;
          })
          .Default([](Operation *) { return false; });
  if (!known)
    return std::nullopt;
  for (unsigned d = 0; d < rank; ++d)
    g.units[d] = std::max<int64_t>(1, std::min(g.units[d], g.outShape[d]));
  return g;
}

int64_t dojo::d1::effectiveChunks(int64_t extent, int64_t unit, int64_t split) {
  int64_t units = (extent + unit - 1) / unit;
  split = std::max<int64_t>(1, std::min(split, units));
  int64_t perChunk = (units + split - 1) / split;
  return (units + perChunk - 1) / perChunk;
}

std::vector<Box> dojo::d1::enumerateBlocks(ArrayRef<int64_t> shape,
                                           ArrayRef<int64_t> units,
                                           ArrayRef<int64_t> split) {
  unsigned rank = shape.size();
  SmallVector<int64_t, 6> chunk(rank), count(rank);
  for (unsigned d = 0; d < rank; ++d) {
    int64_t u = (shape[d] + units[d] - 1) / units[d];
    int64_t s = std::max<int64_t>(1, std::min(split[d], u));
    chunk[d] = ((u + s - 1) / s) * units[d];
    count[d] = (shape[d] + chunk[d] - 1) / chunk[d];
  }
  // Dimensions from slowest to fastest varying.
  SmallVector<unsigned, 6> walk;
  for (unsigned d = 0; d < rank; ++d)
    if (rank < 3 || d != 1)
      walk.push_back(d);
  if (rank >= 3)
    walk.push_back(1);
  std::vector<Box> blocks;
  SmallVector<int64_t, 6> idx(rank, 0);
  while (true) {
    Box b;
    for (unsigned d = 0; d < rank; ++d) {
      b.lo.push_back(idx[d] * chunk[d]);
      b.hi.push_back(std::min(shape[d], (idx[d] + 1) * chunk[d]));
    }
    blocks.push_back(b);
    // Channels (dimension 1 of rank >= 3 tensors) vary fastest, then the
    // remaining dimensions from the innermost out: the blocks of one
    // spatial region, which the next layer reads together, land on
    // consecutive nodes of the snake order, i.e. near each other.
    int k = int(rank) - 1;
    while (k >= 0 && ++idx[walk[k]] == count[walk[k]])
      idx[walk[k--]] = 0;
    if (k < 0)
      break;
  }
  return blocks;
}

/// Input window extent of a convolution for `outExtent` outputs.
static int64_t window(int64_t outExtent, int64_t k, int64_t s, int64_t dil) {
  return (outExtent - 1) * s + (k - 1) * dil + 1;
}

int64_t dojo::d1::blockWorkingSet(Operation *op, const Box &block) {
  int64_t out = block.numElements();
  return llvm::TypeSwitch<Operation *, int64_t>(op)
      .Case<dnn::ConvOp>([&](auto conv) {
        auto w = shapeOf(conv.getWeight());
        unsigned spatial = w.size() - 2;
        int64_t group = conv.getGroup();
        int64_t coPerGroup = w[0] / group;
        int64_t groups = (block.extent(1) + coPerGroup - 1) / coPerGroup;
        int64_t in = block.extent(0) * groups * w[1];
        for (unsigned i = 0; i < spatial; ++i)
          in *= window(block.extent(2 + i), w[2 + i], conv.getStrides()[i],
                       conv.getDilations()[i]);
        int64_t weights = block.extent(1) * product(w.drop_front(1));
        return 4 * (in + weights + out + block.extent(1));
      })
      .Case<dnn::GemmOp, dnn::MatMulOp>([&](auto mm) {
        int64_t k = shapeOf(mm.getB())[shapeOf(mm.getB()).size() - 2];
        if constexpr (std::is_same_v<decltype(mm), dnn::GemmOp>)
          k = mm.getTransB() ? shapeOf(mm.getB())[1] : shapeOf(mm.getB())[0];
        unsigned r = block.lo.size();
        int64_t batch = out / (block.extent(r - 2) * block.extent(r - 1));
        int64_t a = batch * block.extent(r - 2) * k;
        int64_t b = batch * k * block.extent(r - 1);
        return 4 * (a + b + 2 * out);
      })
      .Case<dnn::AddOp, dnn::BinaryOp>([&](auto) { return 4 * 3 * out; })
      .Case<dnn::WhereOp>([&](auto) { return 4 * 4 * out; })
      .Case<dnn::PoolOp>([&](auto pool) {
        int64_t in = block.extent(0) * block.extent(1);
        auto k = pool.getKernel();
        for (unsigned i = 0; i + 2 < block.lo.size(); ++i)
          in *= (block.extent(2 + i) - 1) * pool.getStrides()[i] +
                (k[i] - 1) * pool.getDilations()[i] + 1;
        return 4 * (in + out);
      })
      .Case<dnn::ReduceOp>([&](auto red) {
        // The staged input is the block's outputs times the reduced extent.
        int64_t reduced = 1;
        for (int64_t a : red.getAxes())
          reduced *= shapeOf(red.getInput())[a];
        return 4 * (out * reduced + out);
      })
      .Case<dnn::SoftmaxOp, dnn::LayerNormOp>([&](auto) {
        // Blocks hold whole rows: staged input, output, scale and bias.
        return 4 * 4 * out;
      })
      .Case<dnn::GlobalAvgPoolOp>([&](auto pool) {
        auto in = shapeOf(pool.getInput());
        return 4 * (out * product(in.drop_front(2)) + out);
      })
      .Case<dnn::ResizeOp>([&](auto resize) {
        // Interpolation stages every tap combination (2 or 4 per resized
        // dimension) as a copy of the block, plus a weight row per
        // position; an upper bound counts every changed dimension.
        int64_t perDim = resize.getMode() == "cubic"    ? 4
                         : resize.getMode() == "linear" ? 2
                                                        : 1;
        auto in = shapeOf(resize.getInput());
        int64_t taps = 1;
        for (unsigned d = 0; d < in.size(); ++d)
          if (in[d] != block.extent(d) || resize.getScales()[d] != 1.0f ||
              resize.getRoi())
            taps *= perDim;
        if (taps == 1 && !resize.getRoi())
          return 4 * 2 * out;
        return 4 * ((taps + 1) * out + (taps + 1) * out);
      })
      .Case<dnn::GatherOp>([&](auto g) {
        // Run-time indices stage the whole gathered axis for the block.
        if (g.getIndices().template getDefiningOp<arith::ConstantOp>())
          return 4 * 2 * out;
        unsigned q = shapeOf(g.getIndices()).size();
        int64_t idx = 1;
        for (unsigned j = 0; j < q; ++j)
          idx *= block.extent(g.getAxis() + j);
        return 4 * (out / std::max<int64_t>(1, idx) *
                        shapeOf(g.getData())[g.getAxis()] +
                    idx + out);
      })
      .Case<dnn::DynamicSliceOp, dnn::DynamicPadOp>([&](auto d) {
        // The block may read any of the input (a conservative bound).
        return 4 * (product(shapeOf(d.getInput())) + out);
      })
      .Case<dnn::DynamicResizeOp>([&](auto d) {
        // At most the whole input, plus per position of each spatial
        // dimension its coordinate and up to 9 table entries (4 tap
        // offsets, 4 weights, a crop flag), counted as 10 per output
        // element.
        return 4 * (product(shapeOf(d.getInput())) + 10 * out);
      })
      .Default([&](Operation *) { return 4 * 2 * out; });
}

std::pair<int64_t, int64_t> dojo::d1::windowRange(int64_t lo, int64_t hi,
                                                  int64_t stride, int64_t pad,
                                                  int64_t kernel, int64_t dil,
                                                  int64_t extent) {
  int64_t a = lo * stride - pad;
  int64_t b = (hi - 1) * stride - pad + (kernel - 1) * dil + 1;
  return {std::clamp<int64_t>(a, 0, extent), std::clamp<int64_t>(b, 0, extent)};
}

std::optional<Box> dojo::d1::inputWindow(Operation *op, unsigned operand,
                                         const Box &block) {
  if (operand >= op->getNumOperands())
    return std::nullopt;
  auto type = dyn_cast<RankedTensorType>(op->getOperand(operand).getType());
  if (!type || !type.hasStaticShape())
    return std::nullopt;
  ArrayRef<int64_t> in = type.getShape();
  unsigned rank = block.lo.size();
  if (auto conv = dyn_cast<dnn::ConvOp>(op)) {
    if (operand != 0 || in.size() != rank)
      return std::nullopt;
    ArrayRef<int64_t> w = shapeOf(conv.getWeight());
    int64_t group = conv.getGroup(), cinG = w[1];
    int64_t coPerGroup = shapeOf(conv.getResult())[1] / group;
    Box r = block;
    r.lo[1] = block.lo[1] / coPerGroup * cinG;
    r.hi[1] = ((block.hi[1] - 1) / coPerGroup + 1) * cinG;
    for (unsigned i = 2; i < rank; ++i)
      std::tie(r.lo[i], r.hi[i]) = windowRange(
          block.lo[i], block.hi[i], conv.getStrides()[i - 2],
          conv.getPads()[i - 2], w[i], conv.getDilations()[i - 2], in[i]);
    return r;
  }
  if (auto pool = dyn_cast<dnn::PoolOp>(op)) {
    if (in.size() != rank)
      return std::nullopt;
    Box r = block;
    for (unsigned i = 2; i < rank; ++i)
      std::tie(r.lo[i], r.hi[i]) = windowRange(
          block.lo[i], block.hi[i], pool.getStrides()[i - 2],
          pool.getPads()[i - 2], pool.getKernel()[i - 2],
          pool.getDilations()[i - 2], in[i]);
    return r;
  }
  if (llvm::isa<dnn::GlobalAvgPoolOp>(op)) {
    if (in.size() != rank)
      return std::nullopt;
    Box r = Box::full(in);
    for (unsigned i = 0; i < 2 && i < rank; ++i) {
      r.lo[i] = block.lo[i];
      r.hi[i] = block.hi[i];
    }
    return r;
  }
  if (llvm::isa<dnn::AddOp, dnn::ReluOp, dnn::UnaryOp, dnn::BinaryOp,
                dnn::WhereOp, dnn::CastOp>(op)) {
    // Broadcasting aligns shapes at the right; a dimension of one is read
    // whole.
    if (in.size() > rank)
      return std::nullopt;
    Box r = Box::full(in);
    unsigned off = rank - in.size();
    for (unsigned i = 0; i < in.size(); ++i)
      if (in[i] != 1) {
        r.lo[i] = block.lo[off + i];
        r.hi[i] = block.hi[off + i];
      }
    return r;
  }
  return std::nullopt;
}
