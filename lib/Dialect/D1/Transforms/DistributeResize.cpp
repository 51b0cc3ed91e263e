//===- DistributeResize.cpp - Nearest, linear and cubic resize ------------===//
//
// Every output coordinate maps to input coordinates fixed at compile time
// (ONNX's coordinate transformation and interpolation rules, as in its
// reference implementation). Per dimension, each output coordinate reads N
// taps (1 for nearest, 2 for linear, 4 for cubic) with weights. Along each
// dimension a tap's index list splits into arithmetic runs (an upsampling
// by 2 is two interleaved runs), and each combination of runs is one
// strided gather. When every position reads one tap with weight 1 the
// resize is pure data movement straight into the output buffer; otherwise
// the N^k tap combinations of the k interpolated dimensions are gathered
// into one staging buffer and blended with a per-position weight table on
// the vector unit (the "lerp" kernel), which also writes tf_crop_and_resize's
// extrapolation value as a per-position constant term.
//
//===----------------------------------------------------------------------===//
#include "Distributor.h"
#include "dojo/Dialect/DNN/IR/DNNOps.h"

#include <cmath>

using namespace mlir;
using namespace dojo;
using namespace dojo::d1;

namespace {

/// The scale ONNX's reference uses: out / in in double when sizes were
/// given (the op's f32 scale is that ratio rounded), the f32 scale itself
/// when scales were given.
double exactScale(float scale, int64_t inLen, int64_t outLen) {
  double ratio = double(outLen) / double(inLen);
  return float(ratio) == scale ? ratio : double(scale);
}

/// Input coordinate of output coordinate `x` of dimension `d`, or nullopt
/// when tf_crop_and_resize maps it outside the input (extrapolation).
std::optional<double> originalCoordinate(dnn::ResizeOp op, unsigned d,
                                         int64_t x, int64_t inLen,
                                         int64_t outLen) {
  StringRef mode = op.getCoordinateTransformationMode();
  double scale = exactScale(op.getScales()[d], inLen, outLen);
  // The reference's output_width is scale * in, which differs from the
  // output length when scales were given and in * scale is fractional.
  double outWidth = scale * double(inLen);
  if (mode == "tf_crop_and_resize") {
    // Like the reference, the output length here is the integer one the
    // spec defines for crops (the op's scale is out / in).
    ArrayRef<float> roi = *op.getRoi();
    double start = roi[d], end = roi[d + roi.size() / 2];
    double xo = outLen == 1 ? (end - start) * double(inLen - 1) / 2.0
                            : double(x) * (end - start) * double(inLen - 1) /
                                  double(outLen - 1);
    xo += start * double(inLen - 1);
    if (xo < 0.0 || xo > double(inLen - 1))
      return std::nullopt;
    return xo;
  }
  if (mode == "align_corners")
    return outWidth == 1.0 ? 0.0
                           : double(x) * double(inLen - 1) / (outWidth - 1.0);
  if (mode == "asymmetric")
    return double(x) / scale;
  if (mode == "pytorch_half_pixel")
    return outWidth == 1.0 ? -0.5 : (double(x) + 0.5) / scale - 0.5;
  if (mode == "tf_half_pixel_for_nearest")
    return (double(x) + 0.5) / scale;
  return (double(x) + 0.5) / scale - 0.5; // half_pixel
}

/// One input index read by an output coordinate, with its weight.
struct Tap {
  int64_t index;
  double weight;
};

/// The taps of one output coordinate along one dimension; `outside` marks
/// a tf_crop_and_resize coordinate that reads the extrapolation value.
struct Position {
  SmallVector<Tap, 4> taps;
  bool outside = false;
};

/// ONNX's cubic convolution coefficients for the 4 taps around a point at
/// `ratio` in (0, 1] past the second tap.
std::array<double, 4> cubicCoeffs(double ratio, double a) {
  auto near = [&](double t) { return ((a + 2) * t - (a + 3)) * t * t + 1; };
  auto far = [&](double t) {
    return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a;
  };
  return {far(ratio + 1), near(ratio), near(1 - ratio), far(2 - ratio)};
}

Position positionOf(dnn::ResizeOp op, unsigned d, int64_t o, int64_t inLen,
                    int64_t outLen) {
  auto clamp = [&](int64_t i) { return std::clamp<int64_t>(i, 0, inLen - 1); };
  Position p;
  std::optional<double> xo = originalCoordinate(op, d, o, inLen, outLen);
  StringRef mode = op.getMode();
  if (!xo) {
    // Every position of a dimension has the same number of taps.
    p.outside = true;
    int64_t n = mode == "cubic" ? 4 : mode == "linear" ? 2 : 1;
    p.taps.assign(n, Tap{0, 0.0});
    return p;
  }
  double fl = std::floor(*xo);
  if (mode == "nearest") {
    double ratio = *xo - fl;
    StringRef nearest = op.getNearestMode();
    bool up = ratio == 0.0                       ? false
              : nearest == "round_prefer_ceil" ? ratio >= 0.5
              : nearest == "floor"             ? false
              : nearest == "ceil"              ? true
                                               : ratio > 0.5;
    p.taps.push_back({clamp(int64_t(fl) + (up ? 1 : 0)), 1.0});
    return p;
  }
  // As in the reference, the ratio lies in (0, 1]: a coordinate on an input
  // point counts as a full step past the previous one. The taps are the N
  // nearest input points, indices outside the input reading the edge.
  int64_t base = int64_t(fl);
  double ratio = *xo - fl;
  if (ratio == 0.0) {
    base -= 1;
    ratio = 1.0;
  }
  SmallVector<double, 4> w;
  if (mode == "linear") {
    w = {1.0 - ratio, ratio};
  } else {
    auto c = cubicCoeffs(ratio, double(op.getCubicCoeffA().convertToFloat()));
    w.assign(c.begin(), c.end());
  }
  int64_t first = base - (int64_t(w.size()) / 2 - 1);
  if (op.getExcludeOutside()) {
    // Taps outside the input get no weight; the rest are renormalised.
    double sum = 0.0;
    for (auto [j, wj] : llvm::enumerate(w)) {
      int64_t i = first + int64_t(j);
      if (i < 0 || i >= inLen)
        wj = 0.0;
      sum += wj;
    }
    for (double &wj : w)
      wj /= sum;
  }
  for (auto [j, wj] : llvm::enumerate(w))
    p.taps.push_back({clamp(first + int64_t(j)), wj});
  return p;
}

/// Reduces every position of a dimension to one tap when each reads a
/// single input point (scale-1 dimensions, integer coordinates, or taps
/// clamped onto the same edge element), so the dimension costs no
/// interpolation. Weights within 1e-9 of 1 count as 1: the reference sums
/// them in double, so the copy differs from it by far less than FP32
/// rounding.
void compact(SmallVectorImpl<Position> &positions) {
  SmallVector<int64_t> single;
  for (const Position &p : positions) {
    if (p.outside)
      return;
    std::optional<int64_t> index;
    double sum = 0.0;
    for (const Tap &t : p.taps) {
      if (t.weight == 0.0)
        continue;
      if (index && *index != t.index)
        return;
      index = t.index;
      sum += t.weight;
    }
    if (!index || std::abs(sum - 1.0) > 1e-9)
      return;
    single.push_back(*index);
  }
  for (auto [p, index] : llvm::zip(positions, single))
    p.taps.assign(1, Tap{index, 1.0});
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
  Location loc = op->getLoc();
  // Per dimension, the taps of the block's output coordinates.
  SmallVector<SmallVector<Position>, 6> dims(rank);
  SmallVector<int64_t, 6> tapsOf(rank, 1);
  bool anyOutside = false;
  for (unsigned d = 0; d < rank; ++d) {
    for (int64_t o = box.lo[d]; o < box.hi[d]; ++o)
      dims[d].push_back(positionOf(resize, d, o, in[d], outShape[d]));
    compact(dims[d]);
    tapsOf[d] = dims[d].front().taps.size();
    for (const Position &p : dims[d])
      anyOutside |= p.outside;
  }
  int64_t tapCount = product(tapsOf);
  TensorBlock out = makeOutputBlock(op, box, nodeId, step, /*channelsLast=*/true);
  // Gathers tap combination `which` (mixed radix over tapsOf, last dim
  // fastest) into `dst` at byte offset `dstBase`.
  auto gatherTap = [&](int64_t which, BufferOp dst, int64_t dstBase) -> LogicalResult {
    SmallVector<SmallVector<Run>, 6> runs(rank);
    for (int d = int(rank) - 1; d >= 0; --d) {
      int64_t slot = which % tapsOf[d];
      which /= tapsOf[d];
      SmallVector<int64_t> idx;
      for (const Position &p : dims[d])
        idx.push_back(p.taps[slot].index);
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
      int64_t base = dstBase;
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
  if (tapCount == 1 && !anyOutside) {
    if (failed(gatherTap(0, out.buffer, 0)))
      return failure();
    return out;
  }
  // The kernel blends whole channel vectors with one weight per position,
  // so the batch and channel dimensions must be plain copies.
  auto plain = [&](unsigned d) {
    return tapsOf[d] == 1 &&
           llvm::none_of(dims[d], [](const Position &p) { return p.outside; });
  };
  if (rank < 3 || !plain(0) || !plain(1))
    return op->emitError() << resize.getMode()
                           << " Resize is supported only over spatial "
                              "dimensions of an N x C x ... tensor";
  // All tap combinations in one staging buffer, one output block apart.
  int64_t tapBytes = box.numElements() * 4;
  BufferOp staged = newBuffer(nodeId, opName(op) + "_taps", tapCount * tapBytes,
                              step, loc);
  use(staged, step);
  for (int64_t t = 0; t < tapCount; ++t)
    if (failed(gatherTap(t, staged, t * tapBytes)))
      return failure();
  // Weight table [position][tap] (then the constant term when some
  // position extrapolates), positions in the block's spatial order.
  float extrapolation = resize.getExtrapolationValue().convertToFloat();
  std::vector<float> table;
  SmallVector<int64_t, 4> pos(rank - 2, 0);
  while (true) {
    bool outside = false;
    for (unsigned d = 2; d < rank; ++d)
      outside |= dims[d][pos[d - 2]].outside;
    for (int64_t t = 0; t < tapCount; ++t) {
      double w = outside ? 0.0 : 1.0;
      int64_t which = t;
      for (int d = int(rank) - 1; d >= 2 && !outside; --d) {
        w *= dims[d][pos[d - 2]].taps[which % tapsOf[d]].weight;
        which /= tapsOf[d];
      }
      table.push_back(float(w));
    }
    if (anyOutside)
      table.push_back(outside ? extrapolation : 0.0f);
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
  NamedAttrList params;
  params.append("n", builder.getI64IntegerAttr(box.extent(0)));
  params.append("positions",
                builder.getI64IntegerAttr(box.numElements() /
                                          (box.extent(0) * box.extent(1))));
  params.append("c", builder.getI64IntegerAttr(box.extent(1)));
  params.append("taps", builder.getI64IntegerAttr(tapCount));
  params.append("tap_bytes", builder.getI64IntegerAttr(tapBytes));
  params.append("bias", builder.getI64IntegerAttr(anyOutside ? 1 : 0));
  KernelOp::create(builder, loc, builder.getStringAttr("lerp"),
                   ValueRange{staged, weights, out.buffer},
                   params.getDictionary(builder.getContext()));
  return out;
}
