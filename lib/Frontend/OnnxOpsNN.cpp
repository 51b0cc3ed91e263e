//===- OnnxOpsNN.cpp - Pooling, normalization, reductions, softmax --------===//
//
// ConvTranspose, BatchNormalization (folded into the producing Conv when
// possible; training mode decomposed into batch statistics),
// MaxPool/AveragePool, GlobalMaxPool, ReduceMean/Sum/Max/Min,
// Softmax/LogSoftmax and LayerNormalization.
//
//===----------------------------------------------------------------------===//

#include "OnnxHandlers.h"

#include "dojo/Dialect/DNN/IR/DNNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#include "llvm/ADT/STLExtras.h"

#include <cmath>

using namespace mlir;
using namespace dojo::dnn;

namespace dojo::onnx_import {
namespace {

/// Pads for auto_pad SAME_UPPER/SAME_LOWER (output = ceil(in / stride)),
/// VALID, or the explicit 'pads'.
FailureOr<SmallVector<int64_t>>
windowPads(NodeContext &ctx, ArrayRef<int64_t> in, ArrayRef<int64_t> kernel,
           ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations) {
  size_t spatial = kernel.size();
  auto autoPad = ctx.stringAttr("auto_pad", "NOTSET");
  if (failed(autoPad))
    return failure();
  if (*autoPad == "NOTSET")
    return intsAttrOr(ctx, "pads", 2 * spatial, 0);
  SmallVector<int64_t> pads(2 * spatial, 0);
  if (*autoPad == "VALID")
    return pads;
  if (*autoPad != "SAME_UPPER" && *autoPad != "SAME_LOWER")
    return ctx.emitError() << "unknown auto_pad value '" << *autoPad << "'";
  for (size_t i = 0; i < spatial; ++i) {
    int64_t out = (in[i] + strides[i] - 1) / strides[i];
    int64_t window = dilations[i] * (kernel[i] - 1) + 1;
    int64_t total = std::max<int64_t>(0, (out - 1) * strides[i] + window - in[i]);
    int64_t small = total / 2, large = total - small;
    pads[i] = *autoPad == "SAME_UPPER" ? small : large;
    pads[i + spatial] = *autoPad == "SAME_UPPER" ? large : small;
  }
  return pads;
}

DenseI64ArrayAttr i64s(NodeContext &ctx, ArrayRef<int64_t> v) {
  return ctx.getBuilder().getDenseI64ArrayAttr(v);
}

} // namespace

LogicalResult importConvTranspose(NodeContext &ctx) {
  auto x = ctx.input(0), w = ctx.input(1), b = ctx.optionalInput(2);
  if (failed(x) || failed(w) || failed(b))
    return failure();
  ArrayRef<int64_t> xs = NodeContext::shapeOf(*x), ws = NodeContext::shapeOf(*w);
  if (xs.size() < 3 || xs.size() > 5 || ws.size() != xs.size())
    return ctx.emitError() << "input and weight must have the same rank 3 to "
                              "5, got "
                           << shapeString(xs) << " and " << shapeString(ws);
  size_t spatial = xs.size() - 2;
  ArrayRef<int64_t> kernel = ws.drop_front(2);
  auto strides = intsAttrOr(ctx, "strides", spatial, 1);
  auto dilations = intsAttrOr(ctx, "dilations", spatial, 1);
  auto outPad = intsAttrOr(ctx, "output_padding", spatial, 0);
  auto group = ctx.intAttr("group", 1);
  auto autoPad = ctx.stringAttr("auto_pad", "NOTSET");
  auto outShape = ctx.intsAttr("output_shape");
  if (failed(strides) || failed(dilations) || failed(outPad) || failed(group) ||
      failed(autoPad) || failed(outShape))
    return failure();
  if (*group <= 0 || xs[1] % *group || ws[0] != xs[1])
    return ctx.emitError() << "weight " << shapeString(ws)
                           << " must be [Cin, Cout/group, k...] for input "
                           << shapeString(xs) << " and group " << *group;
  SmallVector<int64_t> pads(2 * spatial, 0), out(spatial);
  for (size_t i = 0; i < spatial; ++i) {
    int64_t s = (*strides)[i], d = (*dilations)[i], op = (*outPad)[i];
    if (s <= 0 || d <= 0 || op < 0 || op >= std::max(s, d))
      return ctx.emitError() << "strides and dilations must be positive and "
                                "output_padding in [0, max(stride, dilation))";
    int64_t full = s * (xs[i + 2] - 1) + op + d * (kernel[i] - 1) + 1;
    std::optional<int64_t> target;
    if (*outShape) {
      ArrayRef<int64_t> os = **outShape;
      if (os.size() == xs.size())
        os = os.drop_front(2);
      if (os.size() != spatial)
        return ctx.emitError() << "output_shape must have " << spatial
                               << " entries";
      target = os[i];
    } else if (*autoPad == "SAME_UPPER" || *autoPad == "SAME_LOWER") {
      target = xs[i + 2] * s;
    }
    if (target) {
      // A target larger than the full output gives negative pads (extra
      // rows of bias); ONNX halves the total with floor division.
      int64_t total = full - *target;
      // ONNX: SAME_UPPER puts the smaller half first, otherwise the larger.
      int64_t half = total >= 0 ? total / 2 : -((-total + 1) / 2);
      pads[i] = *autoPad == "SAME_UPPER" ? half : total - half;
      pads[i + spatial] = total - pads[i];
    } else if (*autoPad == "NOTSET") {
      auto p = intsAttrOr(ctx, "pads", 2 * spatial, 0);
      if (failed(p))
        return failure();
      pads[i] = (*p)[i];
      pads[i + spatial] = (*p)[i + spatial];
    } else if (*autoPad != "VALID") {
      return ctx.emitError() << "unknown auto_pad value '" << *autoPad << "'";
    }
    out[i] = full - pads[i] - pads[i + spatial];
    if (out[i] <= 0)
      return ctx.emitError() << "spatial dimension " << i
                             << " has an empty output";
  }
  SmallVector<int64_t> shape = {xs[0], ws[1] * *group};
  shape.append(out.begin(), out.end());
  Value y = ConvTransposeOp::create(
      ctx.getBuilder(), ctx.getLoc(), ctx.f32Tensor(shape), *x, *w, *b,
      i64s(ctx, *strides), i64s(ctx, pads), i64s(ctx, *dilations),
      ctx.getBuilder().getI64IntegerAttr(*group));
  return ctx.setOutput(0, y);
}

/// BatchNormalization's per-channel operands (scale, B, input_mean,
/// input_var), each checked to be an f32 vector of `c` elements and
/// reshaped to `shape` so that it broadcasts against the input.
static LogicalResult batchNormParams(NodeContext &ctx, int64_t c,
                                     ArrayRef<int64_t> shape,
                                     SmallVectorImpl<Value> &params) {
  for (unsigned i = 1; i < 5; ++i) {
    auto v = ctx.input(i);
    if (failed(v))
      return failure();
    if (NodeContext::shapeOf(*v) != ArrayRef<int64_t>{c} ||
        !NodeContext::elementTypeOf(*v).isF32())
      return ctx.emitError() << "scale, B, input_mean and input_var must be "
                                "f32 vectors of "
                             << c << " elements";
    params.push_back(reshapeTo(ctx, *v, shape));
  }
  return success();
}

/// BatchNormalization with training_mode=1 (opset 14+), as ONNX's
/// reference computes it: the batch mean and population variance over N
/// and the spatial dims normalise x, and running_mean / running_var blend
/// the given statistics with the batch ones by momentum. Every per-channel
/// operand is reshaped to [1, C, 1, ...] so it broadcasts against x.
static LogicalResult importBatchNormTraining(NodeContext &ctx, Value x,
                                             float eps, float momentum) {
  OpBuilder &b = ctx.getBuilder();
  Location loc = ctx.getLoc();
  ArrayRef<int64_t> xs = NodeContext::shapeOf(x);
  int64_t c = xs[1];
  SmallVector<int64_t> axes = {0};
  for (size_t i = 2; i < xs.size(); ++i)
    axes.push_back(static_cast<int64_t>(i));
  SmallVector<int64_t> statShape = reduceResultShape(xs, axes, true);
  SmallVector<Value, 4> params;
  if (failed(batchNormParams(ctx, c, statShape, params)))
    return failure();
  auto statType = ctx.f32Tensor(statShape);
  auto mean = [&](Value v) {
    return ReduceOp::create(b, loc, statType, v, b.getStringAttr("mean"),
                            i64s(ctx, axes), b.getBoolAttr(true))
        .getResult();
  };
  auto binary = [&](StringRef fn, Value l, Value r) {
    auto shape = *broadcastShapes(NodeContext::shapeOf(l), NodeContext::shapeOf(r));
    return BinaryOp::create(b, loc, ctx.f32Tensor(shape), l, r,
                            b.getStringAttr(fn))
        .getResult();
  };
  Value m = mean(x);
  Value d = binary("sub", x, m);
  Value var = mean(binary("mul", d, d));
  Value std = UnaryOp::create(b, loc, statType,
                              binary("add", var, f32Constant(ctx, {}, {eps})),
                              b.getStringAttr("sqrt"), b.getF32FloatAttr(0),
                              b.getF32FloatAttr(0));
  Value scale = binary("div", params[0], std);
  Value y = binary("add", binary("mul", d, scale), params[1]);
  if (failed(ctx.setOutput(0, y)))
    return failure();
  // running = input * momentum + batch * (1 - momentum), as [C].
  auto running = [&](Value given, Value batch) {
    Value blend = binary("add",
                         binary("mul", given, f32Constant(ctx, {}, {momentum})),
                         binary("mul", batch,
                                f32Constant(ctx, {}, {1.0f - momentum})));
    return reshapeTo(ctx, blend, {c});
  };
  if (ctx.isOutputUsed(1) && failed(ctx.setOutput(1, running(params[2], m))))
    return failure();
  if (ctx.isOutputUsed(2) && failed(ctx.setOutput(2, running(params[3], var))))
    return failure();
  return success();
}

LogicalResult importBatchNorm(NodeContext &ctx) {
  auto x = ctx.input(0);
  auto eps = ctx.floatAttr("epsilon", 1e-5f);
  auto isTest = ctx.intAttr("is_test", 1), spatialAttr = ctx.intAttr("spatial", 1);
  auto training = ctx.intAttr("training_mode", 0);
  auto momentum = ctx.floatAttr("momentum", 0.9f);
  if (failed(x) || failed(eps) || failed(isTest) || failed(spatialAttr) ||
      failed(training) || failed(momentum))
    return failure();
  if (*training && ctx.getOpset() >= 14) {
    if (NodeContext::shapeOf(*x).size() < 2)
      return ctx.emitError() << "input must have rank >= 2";
    return importBatchNormTraining(ctx, *x, *eps, *momentum);
  }
  if (!*isTest || *training || !*spatialAttr)
    return ctx.emitError() << "only inference mode (is_test=1, "
                              "training_mode=0, spatial=1) is supported";
  for (unsigned i = 1; i < 5; ++i)
    if (ctx.isOutputUsed(i))
      return ctx.emitError() << "the running statistics outputs are used; "
                                "only training_mode=1 (opset 14+) produces "
                                "them";
  ArrayRef<int64_t> xs = NodeContext::shapeOf(*x);
  if (xs.size() < 2)
    return ctx.emitError() << "input must have rank >= 2";
  int64_t c = xs[1];
  OpBuilder &b = ctx.getBuilder();
  if (ctx.isRuntimeInput(1) || ctx.isRuntimeInput(2) || ctx.isRuntimeInput(3) ||
      ctx.isRuntimeInput(4)) {
    // Statistics known only at run time: scale * (x - mean) /
    // sqrt(var + eps) + B, each [C] operand reshaped to [C, 1, ...] so it
    // broadcasts over the spatial dimensions.
    SmallVector<int64_t> pshape(xs.size() - 1, 1);
    pshape[0] = c;
    SmallVector<Value, 4> params;
    if (failed(batchNormParams(ctx, c, pshape, params)))
      return failure();
    auto pType = ctx.f32Tensor(pshape);
    Value var = AddOp::create(b, ctx.getLoc(), pType, params[3],
                              f32Constant(ctx, {}, {*eps}),
                              b.getStringAttr("none"));
    Value std = UnaryOp::create(b, ctx.getLoc(), pType, var,
                                b.getStringAttr("sqrt"), b.getF32FloatAttr(0),
                                b.getF32FloatAttr(0));
    Value scale = BinaryOp::create(b, ctx.getLoc(), pType, params[0], std,
                                   b.getStringAttr("div"));
    Value centered = BinaryOp::create(b, ctx.getLoc(), x->getType(), *x,
                                      params[2], b.getStringAttr("sub"));
    Value scaled = BinaryOp::create(b, ctx.getLoc(), x->getType(), centered,
                                    scale, b.getStringAttr("mul"));
    return ctx.setOutput(0, AddOp::create(b, ctx.getLoc(), x->getType(), scaled,
                                          params[1], b.getStringAttr("none")));
  }
  SmallVector<std::optional<ConstTensor>> p;
  const char *names[] = {"scale", "B", "mean", "var"};
  for (unsigned i = 1; i < 5; ++i) {
    auto t = ctx.constInput(i, names[i - 1]);
    if (failed(t))
      return failure();
    if (!*t || (*t)->numel() != c)
      return ctx.emitError() << names[i - 1] << " must have " << c
                             << " elements";
    p.push_back(std::move(*t));
  }
  // y = x * scale' + shift' with scale' = gamma / sqrt(var + eps) and
  // shift' = beta - mean * scale', computed in double.
  std::vector<double> mul(c), add(c);
  for (int64_t k = 0; k < c; ++k) {
    mul[k] = p[0]->getF(k) / std::sqrt(p[3]->getF(k) + double(*eps));
    add[k] = p[1]->getF(k) - p[2]->getF(k) * mul[k];
  }
  // Fold into a Conv whose only reader is this node and whose weight and
  // bias are constants.
  auto conv = x->getDefiningOp<ConvOp>();
  if (conv && ctx.inputUseCount(0) == 1 && conv.getAct() == "none") {
    auto wAttr = conv.getWeight().getDefiningOp<arith::ConstantOp>();
    arith::ConstantOp bAttr;
    if (conv.getBias())
      bAttr = conv.getBias().getDefiningOp<arith::ConstantOp>();
    if (wAttr && (!conv.getBias() || bAttr)) {
      auto w = cast<DenseElementsAttr>(wAttr.getValue());
      ArrayRef<int64_t> ws = NodeContext::shapeOf(conv.getWeight());
      int64_t per = w.getNumElements() / ws[0];
      std::vector<float> nw;
      nw.reserve(w.getNumElements());
      int64_t k = 0;
      for (float v : w.getValues<float>())
        nw.push_back(static_cast<float>(v * mul[k++ / per]));
      std::vector<float> nb(c);
      for (int64_t j = 0; j < c; ++j) {
        double bias = bAttr ? cast<DenseElementsAttr>(bAttr.getValue())
                                  .getValues<float>()[j]
                            : 0.0;
        nb[j] = static_cast<float>(bias * mul[j] + add[j]);
      }
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(conv);
      Value newW = f32Constant(ctx, ws, nw), newB = f32Constant(ctx, {c}, nb);
      Value y = ConvOp::create(b, conv.getLoc(), conv.getType(), conv.getInput(),
                               newW, newB, conv.getStridesAttr(),
                               conv.getPadsAttr(), conv.getDilationsAttr(),
                               conv.getGroupAttr(), conv.getActAttr());
      conv.erase();
      if (wAttr->use_empty())
        wAttr->erase();
      if (bAttr && bAttr->use_empty())
        bAttr->erase();
      return ctx.setOutput(0, y);
    }
  }
  // Otherwise a per-channel multiply-add, broadcast as [C, 1, ...].
  SmallVector<int64_t> pshape(xs.size() - 1, 1);
  pshape[0] = c;
  std::vector<float> mf(mul.begin(), mul.end()), af(add.begin(), add.end());
  Value m = BinaryOp::create(b, ctx.getLoc(), x->getType(), *x,
                             f32Constant(ctx, pshape, mf), b.getStringAttr("mul"));
  Value y = AddOp::create(b, ctx.getLoc(), x->getType(), m,
                          f32Constant(ctx, pshape, af), b.getStringAttr("none"));
  return ctx.setOutput(0, y);
}

LogicalResult importPool(NodeContext &ctx) {
  auto x = ctx.input(0);
  if (failed(x))
    return failure();
  bool isMax = ctx.getNode().op_type() == "MaxPool";
  ArrayRef<int64_t> xs = NodeContext::shapeOf(*x);
  if (xs.size() < 3 || xs.size() > 5)
    return ctx.emitError() << "input must have rank 3, 4 or 5, got "
                           << shapeString(xs);
  size_t spatial = xs.size() - 2;
  auto kernel = ctx.intsAttr("kernel_shape");
  auto strides = intsAttrOr(ctx, "strides", spatial, 1);
  auto dilations = intsAttrOr(ctx, "dilations", spatial, 1);
  auto ceil = ctx.intAttr("ceil_mode", 0);
  auto cip = ctx.intAttr("count_include_pad", 0);
  auto order = ctx.intAttr("storage_order", 0);
  if (failed(kernel) || failed(strides) || failed(dilations) || failed(ceil) ||
      failed(cip) || failed(order))
    return failure();
  if (!*kernel || (*kernel)->size() != spatial)
    return ctx.emitError() << "kernel_shape must have " << spatial
                           << " entries";
  auto pads = windowPads(ctx, xs.drop_front(2), **kernel, *strides, *dilations);
  if (failed(pads))
    return failure();
  SmallVector<int64_t> shape(xs.take_front(2));
  for (size_t i = 0; i < spatial; ++i) {
    auto o = poolOutputSize(xs[i + 2], (**kernel)[i], (*strides)[i],
                            (*dilations)[i], (*pads)[i], (*pads)[i + spatial],
                            *ceil != 0);
    if (!o)
      return ctx.emitError() << "the window does not fit spatial dimension "
                             << i << " of " << shapeString(xs);
    shape.push_back(*o);
  }
  OpBuilder &b = ctx.getBuilder();
  Value y = PoolOp::create(b, ctx.getLoc(), ctx.f32Tensor(shape), *x,
                           b.getStringAttr(isMax ? "max" : "avg"),
                           i64s(ctx, **kernel), i64s(ctx, *strides),
                           i64s(ctx, *pads), i64s(ctx, *dilations),
                           b.getBoolAttr(*cip != 0));
  if (isMax && ctx.isOutputUsed(1) &&
      failed(emitMaxPoolIndices(ctx, *x, y, **kernel, *strides, *pads,
                                *dilations, *order)))
    return failure();
  return ctx.setOutput(0, y);
}

LogicalResult importGlobalMaxPool(NodeContext &ctx) {
  auto x = ctx.input(0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> xs = NodeContext::shapeOf(*x);
  if (xs.size() < 3)
    return ctx.emitError() << "input must have rank >= 3";
  SmallVector<int64_t> axes;
  for (size_t i = 2; i < xs.size(); ++i)
    axes.push_back(i);
  OpBuilder &b = ctx.getBuilder();
  Value y = ReduceOp::create(b, ctx.getLoc(),
                             ctx.f32Tensor(reduceResultShape(xs, axes, true)),
                             *x, b.getStringAttr("max"), i64s(ctx, axes),
                             b.getBoolAttr(true));
  return ctx.setOutput(0, y);
}

LogicalResult importReduce(NodeContext &ctx) {
  auto x = ctx.input(0);
  auto keep = ctx.intAttr("keepdims", 1);
  auto noop = ctx.intAttr("noop_with_empty_axes", 0);
  if (failed(x) || failed(keep) || failed(noop))
    return failure();
  StringRef op = ctx.getNode().op_type();
  // ReduceSum took axes as an input from opset 13, the others from 18.
  int64_t inputOpset = op == "ReduceSum" ? 13 : 18;
  ArrayRef<int64_t> xs = NodeContext::shapeOf(*x);
  // Axes known only at run time: with keepdims, the declared result shape
  // tells which dimensions are reduced (those that become 1; reducing a
  // dimension that already is 1 changes nothing either way).
  FailureOr<std::optional<SmallVector<int64_t>>> axes =
      std::optional<SmallVector<int64_t>>();
  auto declared = ctx.declaredOutputShape(0);
  std::optional<SmallVector<int64_t>> dropped;
  if (ctx.getOpset() >= inputOpset && ctx.isRuntimeInput(1) && !*keep &&
      declared && declared->size() < xs.size() && xs.size() <= 16) {
    // Without keepdims, the reduced dimensions are those whose removal
    // leaves the declared shape; use them only when that choice is unique.
    int matches = 0;
    for (uint32_t mask = 0; mask < (1u << xs.size()); ++mask) {
      SmallVector<int64_t> kept, axesSet;
      for (size_t d = 0; d < xs.size(); ++d)
        (mask >> d & 1 ? axesSet : kept)
            .push_back(mask >> d & 1 ? int64_t(d) : xs[d]);
      if (kept == *declared && !axesSet.empty()) {
        ++matches;
        dropped = axesSet;
      }
    }
    if (matches > 1) // several candidates: choose at run time
      return importReduceRuntimeAxes(ctx, *x, *declared);
    if (matches != 1)
      dropped.reset();
  }
  if (dropped) {
    axes = std::optional<SmallVector<int64_t>>(*dropped);
  } else if (ctx.getOpset() >= inputOpset && ctx.isRuntimeInput(1) && *keep &&
      declared && declared->size() == xs.size()) {
    SmallVector<int64_t> derived;
    for (size_t d = 0; d < xs.size(); ++d)
      if ((*declared)[d] == 1 && xs[d] != 1)
        derived.push_back(int64_t(d));
    if (derived.empty()) // the result equals the input: nothing reduced
      return ctx.setOutput(0, *x);
    axes = std::optional<SmallVector<int64_t>>(derived);
  } else {
    axes = intsAttrOrInput(ctx, "axes", 1, inputOpset);
  }
  if (failed(axes))
    return failure();
  int64_t rank = xs.size();
  SmallVector<int64_t> norm;
  if (!*axes || (*axes)->empty()) {
    if (*noop)
      return ctx.setOutput(0, *x);
    for (int64_t i = 0; i < rank; ++i)
      norm.push_back(i);
  } else {
    for (int64_t a : **axes) {
      auto n = normalizeAxis(ctx, a, rank, "axis");
      if (failed(n))
        return failure();
      norm.push_back(*n);
    }
    llvm::sort(norm);
    norm.erase(std::unique(norm.begin(), norm.end()), norm.end());
  }
  if (norm.empty()) // A rank-0 input: nothing to reduce.
    return ctx.setOutput(0, *x);
  StringRef kind = op == "ReduceMean" ? "mean"
                   : op == "ReduceSum" ? "sum"
                   : op == "ReduceMax" ? "max"
                                       : "min";
  OpBuilder &b = ctx.getBuilder();
  Value y = ReduceOp::create(
      b, ctx.getLoc(), ctx.f32Tensor(reduceResultShape(xs, norm, *keep != 0)),
      *x, b.getStringAttr(kind), i64s(ctx, norm), b.getBoolAttr(*keep != 0));
  return ctx.setOutput(0, y);
}

LogicalResult importSoftmax(NodeContext &ctx) {
  auto x = ctx.input(0);
  bool legacy = ctx.getOpset() < 13;
  auto axisAttr = ctx.intAttr("axis", legacy ? 1 : -1);
  if (failed(x) || failed(axisAttr))
    return failure();
  ArrayRef<int64_t> xs = NodeContext::shapeOf(*x);
  int64_t rank = xs.size();
  if (rank == 0)
    return ctx.emitError() << "input must have rank >= 1";
  auto axis = normalizeAxis(ctx, *axisAttr, rank, "axis");
  if (failed(axis))
    return failure();
  OpBuilder &b = ctx.getBuilder();
  bool isLog = ctx.getNode().op_type() == "LogSoftmax";
  // Before opset 13 the input is coerced to 2-D [prod(:axis), prod(axis:)]
  // and normalized over the second dim; with axis = rank - 1 that is the
  // last axis already.
  if (legacy && *axis != rank - 1) {
    int64_t outer = 1, inner = 1;
    for (int64_t i = 0; i < rank; ++i)
      (i < *axis ? outer : inner) *= xs[i];
    Value flat = reshapeTo(ctx, *x, {outer, inner});
    Value s = SoftmaxOp::create(b, ctx.getLoc(), flat.getType(), flat,
                                b.getI64IntegerAttr(1), b.getBoolAttr(isLog));
    return ctx.setOutput(0, reshapeTo(ctx, s, xs));
  }
  Value y = SoftmaxOp::create(b, ctx.getLoc(), x->getType(), *x,
                              b.getI64IntegerAttr(*axis), b.getBoolAttr(isLog));
  return ctx.setOutput(0, y);
}

/// The optional Mean and InvStdDev outputs of LayerNormalization, spelled
/// out with dnn.reduce and elementwise ops (the dnn op produces only Y).
static LogicalResult emitLayerNormStats(NodeContext &ctx, Value x,
                                        int64_t axis, float eps) {
  OpBuilder &b = ctx.getBuilder();
  ArrayRef<int64_t> xs = NodeContext::shapeOf(x);
  SmallVector<int64_t> axes;
  for (int64_t i = axis; i < static_cast<int64_t>(xs.size()); ++i)
    axes.push_back(i);
  auto statType = ctx.f32Tensor(reduceResultShape(xs, axes, true));
  auto mean = [&](Value v) {
    return ReduceOp::create(b, ctx.getLoc(), statType, v,
                            b.getStringAttr("mean"), i64s(ctx, axes),
                            b.getBoolAttr(true))
        .getResult();
  };
  auto binary = [&](StringRef fn, Value l, Value r) {
    auto shape = *broadcastShapes(NodeContext::shapeOf(l), NodeContext::shapeOf(r));
    return BinaryOp::create(b, ctx.getLoc(), ctx.f32Tensor(shape), l, r,
                            b.getStringAttr(fn))
        .getResult();
  };
  auto unary = [&](StringRef fn, Value v) {
    return UnaryOp::create(b, ctx.getLoc(), v.getType(), v, b.getStringAttr(fn),
                           b.getF32FloatAttr(0), b.getF32FloatAttr(0))
        .getResult();
  };
  Value m = mean(x);
  Value d = binary("sub", x, m);
  Value var = mean(binary("mul", d, d));
  Value inv = unary("reciprocal",
                    unary("sqrt", binary("add", var, f32Constant(ctx, {}, {eps}))));
  if (failed(ctx.setOutput(1, m)))
    return failure();
  return ctx.setOutput(2, inv);
}

LogicalResult importLayerNorm(NodeContext &ctx) {
  auto x = ctx.input(0), scale = ctx.input(1), bias = ctx.optionalInput(2);
  auto axisAttr = ctx.intAttr("axis", -1);
  auto eps = ctx.floatAttr("epsilon", 1e-5f);
  auto stash = ctx.intAttr("stash_type", 1);
  if (failed(x) || failed(scale) || failed(bias) || failed(axisAttr) ||
      failed(eps) || failed(stash))
    return failure();
  ArrayRef<int64_t> xs = NodeContext::shapeOf(*x);
  auto axis = normalizeAxis(ctx, *axisAttr, xs.size(), "axis");
  if (failed(axis))
    return failure();
  if ((ctx.isOutputUsed(1) || ctx.isOutputUsed(2)) &&
      failed(emitLayerNormStats(ctx, *x, *axis, *eps)))
    return failure();
  ArrayRef<int64_t> norm = xs.drop_front(*axis);
  // Scale and bias broadcast to the normalized shape; dnn.layer_norm wants
  // them exactly that shape.
  auto fit = [&](Value v) -> FailureOr<Value> {
    if (!v || NodeContext::shapeOf(v) == norm)
      return v;
    auto bc = broadcastShapes(NodeContext::shapeOf(v), norm);
    if (!bc || ArrayRef<int64_t>(*bc) != norm)
      return ctx.emitError() << "scale/bias shape "
                             << shapeString(NodeContext::shapeOf(v))
                             << " does not broadcast to " << shapeString(norm);
    return BroadcastOp::create(ctx.getBuilder(), ctx.getLoc(),
                               ctx.f32Tensor(norm), v)
        .getResult();
  };
  auto s = fit(*scale), bb = fit(*bias);
  if (failed(s) || failed(bb))
    return failure();
  OpBuilder &b = ctx.getBuilder();
  Value y = LayerNormOp::create(b, ctx.getLoc(), x->getType(), *x, *s, *bb,
                                b.getI64IntegerAttr(*axis),
                                b.getF32FloatAttr(*eps));
  return ctx.setOutput(0, y);
}

} // namespace dojo::onnx_import
