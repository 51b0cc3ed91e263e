//===- OnnxOpsPoolIndices.cpp - MaxPool's Indices output ------------------===//
//
// MaxPool's optional Indices output, spelled out with existing dnn ops
// rather than a second pool-kernel result: for every window tap k the
// strided slice of the input (padded with NaN, which equals nothing) that
// tap reads is compared with the pooled result, and
//   idx = where(tap_k == Y, flat_k, idx)
// over the taps from last to first leaves the first tap holding the
// maximum, as ONNX's reference picks it. flat_k is a compile-time constant
// of the output's spatial shape (the tap's input position, row-major, or
// column-major with storage_order=1); the batch and channel offsets
// n * C * prod(spatial) + c * prod(spatial) are added at the end. The
// result is cast to the declared INT64; indices stay exact in FP32 lanes
// up to 2^24 input elements.
//
//===----------------------------------------------------------------------===//

#include "OnnxHandlers.h"

#include "dojo/Dialect/DNN/IR/DNNOps.h"

#include "llvm/ADT/STLExtras.h"

#include <limits>

using namespace mlir;
using namespace dojo::dnn;

namespace dojo::onnx_import {

LogicalResult emitMaxPoolIndices(NodeContext &ctx, Value x, Value y,
                                 ArrayRef<int64_t> kernel,
                                 ArrayRef<int64_t> strides,
                                 ArrayRef<int64_t> pads,
                                 ArrayRef<int64_t> dilations,
                                 int64_t storageOrder) {
  OpBuilder &b = ctx.getBuilder();
  Location loc = ctx.getLoc();
  ArrayRef<int64_t> xs = NodeContext::shapeOf(x), ys = NodeContext::shapeOf(y);
  size_t rank = xs.size(), spatial = rank - 2;
  auto product = [](ArrayRef<int64_t> v) {
    int64_t p = 1;
    for (int64_t e : v)
      p *= e;
    return p;
  };
  int64_t plane = product(xs.drop_front(2));
  if (product(xs) > (int64_t(1) << 24))
    return ctx.emitError() << "the Indices output is supported for inputs of "
                              "at most 2^24 elements (exact in FP32)";
  // Pad so that every tap of every window is inside: the begin pads, and at
  // the end whatever the last window (ceil_mode) reaches past the input.
  SmallVector<int64_t> padAll(2 * rank, 0);
  SmallVector<int64_t> padded(xs);
  for (size_t i = 0; i < spatial; ++i) {
    int64_t need = (ys[i + 2] - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1;
    int64_t end = std::max<int64_t>(0, need - xs[i + 2] - pads[i]);
    padAll[i + 2] = pads[i];
    padAll[i + 2 + rank] = end;
    padded[i + 2] = xs[i + 2] + pads[i] + end;
  }
  Value xp = x;
  if (llvm::any_of(padAll, [](int64_t p) { return p != 0; }))
    xp = PadOp::create(b, loc, ctx.f32Tensor(padded), x,
                       b.getDenseI64ArrayAttr(padAll),
                       b.getStringAttr("constant"),
                       b.getF32FloatAttr(std::numeric_limits<float>::quiet_NaN()));
  SmallVector<int64_t> spatialShape(ys.size(), 1);
  for (size_t i = 0; i < spatial; ++i)
    spatialShape[i + 2] = ys[i + 2];
  int64_t outPlane = product(ArrayRef<int64_t>(spatialShape));
  int64_t taps = product(kernel);
  SmallVector<int64_t> steps(rank, 1);
  for (size_t i = 0; i < spatial; ++i)
    steps[i + 2] = strides[i];
  Value idx;
  for (int64_t k = taps - 1; k >= 0; --k) {
    // Tap k's offset in the window, row-major over the kernel.
    SmallVector<int64_t> off(spatial);
    for (int64_t r = k, i = int64_t(spatial) - 1; i >= 0; --i) {
      off[i] = (r % kernel[i]) * dilations[i];
      r /= kernel[i];
    }
    // The tap's flat position in the input plane for every output position
    // (padding positions get -1; their NaN never matches).
    std::vector<float> flat(outPlane);
    SmallVector<int64_t> o(spatial, 0);
    for (int64_t p = 0; p < outPlane; ++p) {
      int64_t f = 0, scale = 1;
      bool inside = true;
      for (size_t j = 0; j < spatial; ++j) {
        // Row-major: the last dim is fastest; column-major: the first.
        size_t i = storageOrder ? j : spatial - 1 - j;
        int64_t at = o[i] * strides[i] + off[i] - pads[i];
        inside &= at >= 0 && at < xs[i + 2];
        f += at * scale;
        scale *= xs[i + 2];
      }
      flat[p] = inside ? float(f) : -1.0f;
      for (int64_t i = int64_t(spatial) - 1; i >= 0 && ++o[i] == ys[i + 2]; --i)
        o[i] = 0;
    }
    Value flatK = f32Constant(ctx, spatialShape, flat);
    if (!idx) {
      idx = flatK;
      continue;
    }
    SmallVector<int64_t> starts(rank, 0);
    for (size_t i = 0; i < spatial; ++i)
      starts[i + 2] = off[i];
    Value tap = SliceOp::create(b, loc, y.getType(), xp,
                                b.getDenseI64ArrayAttr(starts),
                                b.getDenseI64ArrayAttr(steps));
    Value eq = BinaryOp::create(
        b, loc, RankedTensorType::get(ys, b.getI1Type()), tap, y,
        b.getStringAttr("equal"));
    idx = WhereOp::create(b, loc, y.getType(), eq, flatK, idx);
  }
  // The last tap needed no test: it is the fallback under all the others,
  // which must hold the maximum when none of them does. Adding the batch
  // and channel offsets broadcasts a lone tap's [1, 1, ...] positions.
  std::vector<float> base(ys[0] * ys[1]);
  for (int64_t n = 0; n < ys[0]; ++n)
    for (int64_t c = 0; c < ys[1]; ++c)
      base[n * ys[1] + c] = float((n * xs[1] + c) * plane);
  SmallVector<int64_t> baseShape(rank, 1);
  baseShape[0] = ys[0];
  baseShape[1] = ys[1];
  Value full = BinaryOp::create(b, loc, y.getType(), idx,
                                f32Constant(ctx, baseShape, base),
                                b.getStringAttr("add"));
  Value out = CastOp::create(
      b, loc, RankedTensorType::get(ys, b.getIntegerType(64)), full);
  return ctx.setOutput(1, out);
}

} // namespace dojo::onnx_import
