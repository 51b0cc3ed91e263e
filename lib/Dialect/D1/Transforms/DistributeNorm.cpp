//===- DistributeNorm.cpp - Pooling and row-wise layers --------------------===//
//
// Pooling stages a channels-last input window like convolution (padded with
// -inf for max, 0 for average). Reductions, softmax and layer norm keep the
// reduced dimensions whole inside a block and stage them innermost, so the
// kernel walks contiguous rows.
//
//===----------------------------------------------------------------------===//
#include "Distributor.h"
#include "dojo/Dialect/DNN/IR/DNNOps.h"
#include "llvm/ADT/TypeSwitch.h"

#include <limits>
#include <numeric>

using namespace mlir;
using namespace dojo;
using namespace dojo::d1;

FailureOr<TensorBlock> Distributor::lowerPool(Operation *op, const Box &box,
                                              int nodeId, int step) {
  auto pool = cast<dnn::PoolOp>(op);
  auto x = shapeOf(pool.getInput());
  unsigned spatial = x.size() - 2;
  auto k = pool.getKernel();
  auto pads = pool.getPads();
  // When stride and dilation share a factor g, only every g-th input element
  // is ever read: stage those alone, with stride and dilation divided by g.
  SmallVector<int64_t, 3> s, dil, g;
  for (unsigned i = 0; i < spatial; ++i) {
    g.push_back(std::gcd(pool.getStrides()[i], pool.getDilations()[i]));
    s.push_back(pool.getStrides()[i] / g[i]);
    dil.push_back(pool.getDilations()[i] / g[i]);
  }
  bool isMax = pool.getKind() == "max";
  int64_t np = box.extent(0), cp = box.extent(1);
  SmallVector<int64_t, 3> win, outExt;
  for (unsigned i = 0; i < spatial; ++i) {
    outExt.push_back(box.extent(2 + i));
    win.push_back((outExt[i] - 1) * s[i] + (k[i] - 1) * dil[i] + 1);
  }
  SmallVector<int64_t, 3> winStride(spatial, cp * 4);
  for (int i = int(spatial) - 2; i >= 0; --i)
    winStride[i] = winStride[i + 1] * win[i + 1];
  SmallVector<ViewDim, 6> view;
  view.push_back({0, box.lo[0], np, product(win) * cp * 4});
  int64_t dstBase = 0;
  bool padded = false;
  for (unsigned i = 0; i < spatial; ++i) {
    // Window element j reads input start + j * g.
    int64_t start = box.lo[2 + i] * s[i] * g[i] - pads[i];
    int64_t j0 = start >= 0 ? 0 : (-start + g[i] - 1) / g[i];
    int64_t j1 = std::min(win[i] - 1, start + (win[i] - 1) * g[i] < x[2 + i]
                                          ? win[i] - 1
                                          : (x[2 + i] - 1 - start) >= 0
                                                ? (x[2 + i] - 1 - start) / g[i]
                                                : -1);
    padded |= j0 != 0 || j1 != win[i] - 1;
    dstBase += j0 * winStride[i];
    view.push_back({int(2 + i), start + j0 * g[i], std::max<int64_t>(0, j1 - j0 + 1),
                    winStride[i], g[i]});
  }
  view.push_back({1, box.lo[1], cp, 4});
  std::optional<float> fill;
  if (padded)
    fill = isMax ? -std::numeric_limits<float>::infinity() : 0.0f;
  Location loc = op->getLoc();
  FailureOr<BufferOp> in = stage(pool.getInput(), view, dstBase,
                                 np * product(win) * cp * 4, nodeId, step,
                                 fill, loc, opName(op) + "_in");
  if (failed(in))
    return failure();
  SmallVector<Value, 3> operands = {*in};

  // Average pooling divides each output by its own tap count: padded taps
  // count only with count_include_pad, and taps past the end padding (from
  // ceil_mode) never do.
  float scale = 1.0f;
  if (!isMax) {
    std::vector<float> recip;
    SmallVector<int64_t, 3> idx(spatial, 0);
    bool uniform = true;
    while (true) {
      int64_t count = 1;
      for (unsigned i = 0; i < spatial; ++i) {
        int64_t o = box.lo[2 + i] + idx[i], c = 0;
        int64_t lo = pool.getCountIncludePad() ? -pads[i] : 0;
        int64_t hi = x[2 + i] + (pool.getCountIncludePad() ? pads[spatial + i] : 0);
        for (int64_t t = 0; t < k[i]; ++t) {
          int64_t p = o * pool.getStrides()[i] - pads[i] +
                      t * pool.getDilations()[i];
          c += p >= lo && p < hi;
        }
        count *= c;
      }
      recip.push_back(count ? 1.0f / float(count) : 0.0f);
      uniform &= recip.back() == recip.front();
      int d = int(spatial) - 1;
      while (d >= 0 && ++idx[d] == outExt[d])
        idx[d--] = 0;
      if (d < 0)
        break;
    }
    if (uniform) {
      scale = recip.front();
    } else {
      auto type = RankedTensorType::get({int64_t(recip.size())},
                                        builder.getF32Type());
      operands.push_back(newBuffer(nodeId, opName(op) + "_div",
                                   int64_t(recip.size()) * 4, 0, loc,
                                   DenseElementsAttr::get(type, ArrayRef<float>(recip))));
      use(cast<BufferOp>(operands.back().getDefiningOp()), step);
    }
  }
  TensorBlock out = makeOutputBlock(op, box, nodeId, step, /*channelsLast=*/true);
  operands.push_back(out.buffer);
  auto arr = [&](ArrayRef<int64_t> v) { return builder.getDenseI64ArrayAttr(v); };
  NamedAttrList params;
  params.append("n", builder.getI64IntegerAttr(np));
  params.append("c", builder.getI64IntegerAttr(cp));
  params.append("out", arr(padTo3(outExt, 1)));
  params.append("win", arr(padTo3(win, 1)));
  params.append("kernel", arr(padTo3(k, 1)));
  params.append("strides", arr(padTo3(s, 1)));
  params.append("dilations", arr(padTo3(dil, 1)));
  params.append("max", builder.getBoolAttr(isMax));
  params.append("scale", builder.getF32FloatAttr(scale));
  params.append("table", builder.getBoolAttr(operands.size() == 3));
  KernelOp::create(builder, loc, builder.getStringAttr("pool"), operands,
                   params.getDictionary(builder.getContext()));
  return out;
}

FailureOr<TensorBlock> Distributor::lowerRows(Operation *op, const Box &box,
                                              int nodeId, int step) {
  Value input = op->getOperand(0);
  auto in = shapeOf(input);
  unsigned rank = in.size();
  Location loc = op->getLoc();
  NamedAttrList params;
  SmallVector<Value, 4> operands;
  TensorBlock out;

  if (auto red = dyn_cast<dnn::ReduceOp>(op)) {
    auto axes = red.getAxes();
    bool keep = red.getKeepdims();
    // Output dimension of each kept input dimension.
    SmallVector<unsigned, 6> kept;
    SmallVector<int64_t, 6> outDim;
    for (unsigned d = 0, o = 0; d < rank; ++d) {
      bool reduced = llvm::is_contained(axes, int64_t(d));
      if (!reduced) {
        kept.push_back(d);
        outDim.push_back(keep ? d : o);
      }
      if (!reduced || keep)
        ++o;
    }
    int64_t len = 1, rows = 1;
    for (int64_t a : axes)
      len *= in[a];
    SmallVector<ViewDim, 6> view;
    int64_t stride = 4;
    SmallVector<ViewDim, 6> tail;
    for (auto it = axes.rbegin(); it != axes.rend(); ++it) {
      tail.insert(tail.begin(), {int(*it), 0, in[*it], stride});
      stride *= in[*it];
    }
    for (int i = int(kept.size()) - 1; i >= 0; --i) {
      int64_t o = outDim[i];
      view.insert(view.begin(), {int(kept[i]), box.lo[o], box.extent(o), stride});
      stride *= box.extent(o);
      rows *= box.extent(o);
    }
    view.append(tail.begin(), tail.end());
    FailureOr<BufferOp> staged = stage(input, view, 0, stride, nodeId, step,
                                       std::nullopt, loc, opName(op) + "_x");
    if (failed(staged))
      return failure();
    operands.push_back(*staged);
    out = makeOutputBlock(op, box, nodeId, step, /*channelsLast=*/false);
    params.append("rows", builder.getI64IntegerAttr(rows));
    params.append("len", builder.getI64IntegerAttr(len));
    params.append("op", builder.getStringAttr(red.getKind()));
    operands.push_back(out.buffer);
    KernelOp::create(builder, loc, builder.getStringAttr("reduce"), operands,
                     params.getDictionary(builder.getContext()));
    return out;
  }

  // Softmax and layer norm: rows of the trailing (or the softmax axis)
  // dimensions, stored innermost.
  unsigned axis;
  SmallVector<unsigned, 6> order;
  if (auto sm = dyn_cast<dnn::SoftmaxOp>(op)) {
    axis = sm.getAxis();
    for (unsigned d = 0; d < rank; ++d)
      if (d != axis)
        order.push_back(d);
    order.push_back(axis);
  } else {
    axis = cast<dnn::LayerNormOp>(op).getAxis();
    for (unsigned d = 0; d < rank; ++d)
      order.push_back(d);
  }
  out = makeOutputBlock(op, box, nodeId, step, ArrayRef<unsigned>(order));
  SmallVector<ViewDim, 6> view;
  for (unsigned d : order)
    view.push_back({int(d), box.lo[d], box.extent(d), out.strides[d]});
  FailureOr<BufferOp> staged =
      stage(input, view, 0, box.numElements() * 4, nodeId, step, std::nullopt,
            loc, opName(op) + "_x");
  if (failed(staged))
    return failure();
  operands.push_back(*staged);
  int64_t len = 1;
  if (auto sm = dyn_cast<dnn::SoftmaxOp>(op)) {
    len = in[axis];
    params.append("log", builder.getBoolAttr(sm.getLog()));
  } else {
    auto ln = cast<dnn::LayerNormOp>(op);
    for (unsigned d = axis; d < rank; ++d)
      len *= in[d];
    params.append("epsilon", ln.getEpsilonAttr());
    // Scale and bias, broadcast over the normalized dimensions.
    for (Value v : {ln.getScale(), ln.getBias()}) {
      if (!v)
        continue;
      auto shape = shapeOf(v);
      int offset = int(rank) - int(shape.size());
      SmallVector<ViewDim, 6> sv;
      int64_t stride = 4;
      for (int d = int(rank) - 1; d >= int(axis); --d) {
        int opDim = d - offset;
        if (opDim < 0 || (shape[opDim] == 1 && in[d] != 1))
          sv.insert(sv.begin(), {-1, 0, in[d], stride});
        else
          sv.insert(sv.begin(), {opDim, 0, in[d], stride});
        stride *= in[d];
      }
      FailureOr<BufferOp> b = stage(v, sv, 0, len * 4, nodeId, step,
                                    std::nullopt, loc, opName(op) + "_p");
      if (failed(b))
        return failure();
      operands.push_back(*b);
    }
    params.append("bias", builder.getBoolAttr(bool(ln.getBias())));
  }
  params.append("rows", builder.getI64IntegerAttr(box.numElements() / len));
  params.append("len", builder.getI64IntegerAttr(len));
  operands.push_back(out.buffer);
  KernelOp::create(builder, loc,
                   builder.getStringAttr(llvm::isa<dnn::SoftmaxOp>(op)
                                             ? "softmax"
                                             : "layernorm"),
                   operands, params.getDictionary(builder.getContext()));
  return out;
}
