//===- DistributeResize.cpp - Nearest and linear resize --------------------===//
//
// Every output coordinate maps to input coordinates fixed at compile time
// (ONNX's coordinate transformation and rounding rules, as in its reference
// implementation). Nearest resize is pure data movement: along each
// dimension the index list splits into arithmetic runs (an upsampling by 2
// is two interleaved runs), and each combination of runs is one strided
// gather. Linear resize gathers the 2^k corner taps the same way into
// staging buffers and blends them with a per-position weight table on the
// vector unit.
//
//===----------------------------------------------------------------------===//
#include "Distributor.h"
#include "dojo/Dialect/DNN/IR/DNNOps.h"

#include <cmath>

using namespace mlir;
using namespace dojo;
using namespace dojo::d1;

namespace {

/// Input coordinate of output coordinate `x` (as a double).
double originalCoordinate(StringRef mode, int64_t x, double scale,
                          int64_t inLen, int64_t outLen) {
  if (mode == "align_corners")
    return outLen == 1 ? 0.0 : double(x) * double(inLen - 1) / double(outLen - 1);
  if (mode == "asymmetric")
    return double(x) / scale;
  if (mode == "pytorch_half_pixel")
    return outLen == 1 ? -0.5 : (double(x) + 0.5) / scale - 0.5;
  if (mode == "tf_half_pixel_for_nearest")
    return (double(x) + 0.5) / scale;
  return (double(x) + 0.5) / scale - 0.5; // half_pixel
}

/// Taps of one output coordinate: input indices and weights.
struct Taps {
  int64_t i0, i1;
  double w0, w1;
};

Taps tapsOf(bool linear, StringRef nearestMode, double xo, int64_t inLen) {
  auto clamp = [&](int64_t i) { return std::clamp<int64_t>(i, 0, inLen - 1); };
  double fl = std::floor(xo);
  int64_t base = int64_t(fl);
  double ratio = xo - fl;
  if (ratio == 0.0)
    return {clamp(base), clamp(base), 1.0, 0.0};
  if (linear)
    return {clamp(base), clamp(base + 1), 1.0 - ratio, ratio};
  bool up = nearestMode == "round_prefer_ceil" ? ratio >= 0.5
            : nearestMode == "floor"           ? false
            : nearestMode == "ceil"            ? true
                                               : ratio > 0.5;
  int64_t i = clamp(up ? base + 1 : base);
  return {i, i, 1.0, 0.0};
}

/// A run of output positions o = start, start + ostride, ... (count of them)
/// reading input indices first, first + step, ...
struct Run {
  int64_t start, ostride, count, first, step;
};

/// Splits the index list of output positions [lo, lo + idx.size()) into
/// arithmetic runs, trying periods 1..16 and keeping the fewest runs.
SmallVector<Run> decompose(int64_t lo, ArrayRef<int64_t> idx) {
  SmallVector<Run> best;
  int64_t n = idx.size();
  for (int64_t period = 1; period <= std::min<int64_t>(16, n); ++period) {
    SmallVector<Run> runs;
    for (int64_t r = 0; r < period; ++r) {
      for (int64_t o = r; o < n;) {
        Run run{lo + o, period, 1, idx[o], 0};
        if (o + period < n) {
          run.step = idx[o + period] - idx[o];
          while (o + run.count * period < n &&
                 idx[o + run.count * period] == idx[o] + run.count * run.step)
            ++run.count;
        }
        runs.push_back(run);
        o += run.count * period;
      }
    }
    if (best.empty() || runs.size() < best.size())
      best = runs;
  }
  return best;
}

} // namespace

FailureOr<TensorBlock> Distributor::lowerResize(Operation *op, const Box &box,
                                                int nodeId, int step) {
  auto resize = cast<dnn::ResizeOp>(op);
  auto in = shapeOf(resize.getInput());
  auto outShape = shapeOf(resize.getResult());
  unsigned rank = in.size();
  bool linear = resize.getMode() == "linear";
  StringRef ctm = resize.getCoordinateTransformationMode();
  auto scales = resize.getScales();
  Location loc = op->getLoc();
  // Per dimension, the taps of the block's output coordinates.
  SmallVector<SmallVector<Taps>, 6> taps(rank);
  SmallVector<bool, 6> resized(rank, false);
  for (unsigned d = 0; d < rank; ++d) {
    resized[d] = !(in[d] == outShape[d] && scales[d] == 1.0f);
    for (int64_t o = box.lo[d]; o < box.hi[d]; ++o) {
      if (!resized[d]) {
        taps[d].push_back({o, o, 1.0, 0.0});
        continue;
      }
      double xo = originalCoordinate(ctm, o, double(scales[d]), in[d], outShape[d]);
      taps[d].push_back(tapsOf(linear, resize.getNearestMode(), xo, in[d]));
    }
  }
  TensorBlock out = makeOutputBlock(op, box, nodeId, step, /*channelsLast=*/true);
  // Gathers `which` (0: i0, 1: i1 per resized dim, by bit) into `dst`.
  auto gatherTap = [&](unsigned which, BufferOp dst) -> LogicalResult {
    SmallVector<SmallVector<Run>, 6> runs(rank);
    unsigned bit = 0;
    for (unsigned d = 0; d < rank; ++d) {
      SmallVector<int64_t> idx;
      bool second = resized[d] && linear && ((which >> bit) & 1);
      if (resized[d] && linear)
        ++bit;
      for (const Taps &t : taps[d])
        idx.push_back(second ? t.i1 : t.i0);
      runs[d] = decompose(box.lo[d], idx);
    }
    SmallVector<unsigned, 6> order;
    for (unsigned d = 0; d < rank; ++d)
      order.push_back(d);
    llvm::stable_sort(order, [&](unsigned a, unsigned b) {
      return out.strides[a] > out.strides[b];
    });
    SmallVector<unsigned, 6> pick(rank, 0);
    while (true) {
      SmallVector<ViewDim, 6> view;
      int64_t base = 0;
      for (unsigned d : order) {
        const Run &r = runs[d][pick[d]];
        view.push_back({int(d), r.first, r.count, r.ostride * out.strides[d],
                        r.step});
        base += (r.start - box.lo[d]) * out.strides[d];
      }
      if (failed(gatherInto(resize.getInput(), view, dst, base, step, loc)))
        return failure();
      int d = int(rank) - 1;
      while (d >= 0 && ++pick[d] == runs[d].size())
        pick[d--] = 0;
      if (d < 0)
        break;
    }
    return success();
  };
  if (!linear) {
    if (failed(gatherTap(0, out.buffer)))
      return failure();
    return out;
  }
  // Linear: the channel dimension must not be resized so the kernel can
  // blend whole channel vectors with one weight per position.
  if (rank < 3 || resized[0] || resized[1])
    return op->emitError("linear Resize is supported only over spatial "
                         "dimensions of an N x C x ... tensor");
  unsigned k = 0;
  for (unsigned d = 2; d < rank; ++d)
    k += resized[d];
  unsigned tapsCount = 1u << k;
  SmallVector<Value, 10> operands;
  for (unsigned t = 0; t < tapsCount; ++t) {
    BufferOp staged = newBuffer(nodeId, opName(op) + "_tap", box.numElements() * 4,
                                step, loc);
    use(staged, step);
    if (failed(gatherTap(t, staged)))
      return failure();
    operands.push_back(staged);
  }
  // Weight table [position][tap], positions in the block's spatial order.
  std::vector<float> table;
  SmallVector<int64_t, 3> pos(rank - 2, 0);
  while (true) {
    for (unsigned t = 0; t < tapsCount; ++t) {
      double w = 1.0;
      unsigned bit = 0;
      for (unsigned d = 2; d < rank; ++d) {
        if (!resized[d])
          continue;
        const Taps &tp = taps[d][pos[d - 2]];
        w *= ((t >> bit) & 1) ? tp.w1 : tp.w0;
        ++bit;
      }
      table.push_back(float(w));
    }
    int d = int(rank) - 3;
    while (d >= 0 && ++pos[d] == box.extent(d + 2))
      pos[d--] = 0;
    if (d < 0)
      break;
  }
  auto type = RankedTensorType::get({int64_t(table.size())}, builder.getF32Type());
  BufferOp weights = newBuffer(nodeId, opName(op) + "_wt", int64_t(table.size()) * 4,
                               0, loc, DenseElementsAttr::get(type, ArrayRef<float>(table)));
  use(weights, step);
  operands.push_back(weights);
  operands.push_back(out.buffer);
  NamedAttrList params;
  params.append("n", builder.getI64IntegerAttr(box.extent(0)));
  params.append("positions",
                builder.getI64IntegerAttr(box.numElements() /
                                          (box.extent(0) * box.extent(1))));
  params.append("c", builder.getI64IntegerAttr(box.extent(1)));
  params.append("taps", builder.getI64IntegerAttr(tapsCount));
  KernelOp::create(builder, loc, builder.getStringAttr("lerp"), operands,
                   params.getDictionary(builder.getContext()));
  return out;
}
