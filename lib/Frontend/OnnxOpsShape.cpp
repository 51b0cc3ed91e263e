//===- OnnxOpsShape.cpp - Data-movement ONNX ops --------------------------===//
//
// Reshape/Squeeze/Unsqueeze (dnn.reshape), Transpose, Concat, Split and
// Slice (dnn.slice with normalized per-dim start and step), Pad (negative
// pads become a slice first), Expand (dnn.broadcast), Gather,
// ConstantOfShape and Resize/Upsample. Operands that shape the result must
// be constant after folding, except that Gather indices, Slice
// starts/ends/axes/steps and Pad pads may be run-time values
// (dnn.gather with a computed operand, dnn.dynamic_slice, dnn.dynamic_pad)
// when the result shape is declared.
//
//===----------------------------------------------------------------------===//

#include "OnnxHandlers.h"

#include "dojo/Dialect/DNN/IR/DNNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace dojo::dnn;

namespace dojo::onnx_import {
namespace {

DenseI64ArrayAttr i64s(NodeContext &ctx, ArrayRef<int64_t> v) {
  return ctx.getBuilder().getDenseI64ArrayAttr(v);
}

/// dnn.slice of `x` with normalized starts/steps and result extents.
Value emitSlice(NodeContext &ctx, Value x, ArrayRef<int64_t> starts,
                ArrayRef<int64_t> steps, ArrayRef<int64_t> counts) {
  return SliceOp::create(
      ctx.getBuilder(), ctx.getLoc(),
      ctx.tensorOf(counts, NodeContext::elementTypeOf(x)), x,
      i64s(ctx, starts), i64s(ctx, steps));
}

} // namespace

/// Reshape-like ops (Reshape, Squeeze, Unsqueeze) whose shaping input is a
/// run-time value: the declared static output shape decides the result,
/// since a row-major reshape moves no data whatever the operand says.
static std::optional<LogicalResult> reshapeToDeclared(NodeContext &ctx,
                                                      Value x, unsigned input) {
  if (!ctx.isRuntimeInput(input))
    return std::nullopt;
  auto shape = ctx.declaredOutputShape(0);
  if (!shape)
    return std::nullopt;
  int64_t in = 1, out = 1;
  for (int64_t d : NodeContext::shapeOf(x))
    in *= d;
  for (int64_t d : *shape)
    out *= d;
  if (in != out)
    return std::nullopt;
  return ctx.setOutput(0, reshapeTo(ctx, x, *shape));
}

LogicalResult importReshape(NodeContext &ctx) {
  auto x = ctx.input(0);
  auto allowzero = ctx.intAttr("allowzero", 0);
  if (failed(x) || failed(allowzero))
    return failure();
  if (auto done = reshapeToDeclared(ctx, *x, 1))
    return *done;
  auto shape = intsAttrOrInput(ctx, "shape", 1, 5);
  if (failed(shape))
    return failure();
  if (!*shape)
    return ctx.emitError() << "needs a shape";
  auto target =
      computeReshapeTarget(NodeContext::shapeOf(*x), **shape, *allowzero != 0);
  if (!target)
    return ctx.emitError() << "cannot reshape "
                           << shapeString(NodeContext::shapeOf(*x)) << " to "
                           << "[" << shapeString(**shape) << "]";
  return ctx.setOutput(0, reshapeTo(ctx, *x, *target));
}

LogicalResult importTranspose(NodeContext &ctx) {
  auto x = ctx.input(0);
  auto permAttr = ctx.intsAttr("perm");
  if (failed(x) || failed(permAttr))
    return failure();
  ArrayRef<int64_t> xs = NodeContext::shapeOf(*x);
  int64_t rank = xs.size();
  SmallVector<int64_t> perm;
  if (*permAttr) {
    for (int64_t p : **permAttr) {
      auto n = normalizeAxis(ctx, p, rank, "perm entry");
      if (failed(n))
        return failure();
      perm.push_back(*n);
    }
  } else {
    for (int64_t i = rank - 1; i >= 0; --i)
      perm.push_back(i);
  }
  SmallVector<int64_t> shape;
  SmallVector<bool> seen(rank, false);
  if (static_cast<int64_t>(perm.size()) != rank)
    return ctx.emitError() << "perm must have " << rank << " entries";
  for (int64_t p : perm) {
    if (seen[p])
      return ctx.emitError() << "perm is not a permutation";
    seen[p] = true;
    shape.push_back(xs[p]);
  }
  if (llvm::equal(perm, llvm::seq<int64_t>(0, rank)))
    return ctx.setOutput(0, *x);
  Value y = TransposeOp::create(
      ctx.getBuilder(), ctx.getLoc(),
      ctx.tensorOf(shape, NodeContext::elementTypeOf(*x)), *x,
      i64s(ctx, perm));
  return ctx.setOutput(0, y);
}

LogicalResult importSqueeze(NodeContext &ctx) {
  auto x = ctx.input(0);
  if (failed(x))
    return failure();
  bool unsqueeze = ctx.getNode().op_type() == "Unsqueeze";
  if (auto done = reshapeToDeclared(ctx, *x, 1))
    return *done;
  auto axes = intsAttrOrInput(ctx, "axes", 1, 13);
  if (failed(axes))
    return failure();
  SmallVector<int64_t> shape(NodeContext::shapeOf(*x));
  int64_t rank = shape.size();
  if (unsqueeze) {
    if (!*axes)
      return ctx.emitError() << "needs axes";
    int64_t outRank = rank + (*axes)->size();
    SmallVector<int64_t> norm;
    for (int64_t a : **axes) {
      auto n = normalizeAxis(ctx, a, outRank, "axis");
      if (failed(n))
        return failure();
      norm.push_back(*n);
    }
    llvm::sort(norm);
    for (int64_t a : norm)
      shape.insert(shape.begin() + a, 1);
  } else {
    SmallVector<bool> drop(rank, false);
    if (!*axes) {
      for (int64_t i = 0; i < rank; ++i)
        drop[i] = shape[i] == 1;
    }
    for (int64_t a : axes->value_or(SmallVector<int64_t>())) {
      auto n = normalizeAxis(ctx, a, rank, "axis");
      if (failed(n))
        return failure();
      if (shape[*n] != 1)
        return ctx.emitError() << "cannot squeeze dimension " << *n
                               << " of size " << shape[*n];
      drop[*n] = true;
    }
    SmallVector<int64_t> kept;
    for (int64_t i = 0; i < rank; ++i)
      if (!drop[i])
        kept.push_back(shape[i]);
    shape = kept;
  }
  return ctx.setOutput(0, reshapeTo(ctx, *x, shape));
}

LogicalResult importConcat(NodeContext &ctx) {
  auto axisAttr = ctx.intAttr("axis", ctx.getOpset() < 4 ? 1 : 0);
  if (failed(axisAttr))
    return failure();
  SmallVector<Value> ins;
  for (unsigned i = 0; i < ctx.numInputs(); ++i) {
    auto v = ctx.input(i);
    if (failed(v))
      return failure();
    ins.push_back(*v);
  }
  if (ins.empty())
    return ctx.emitError() << "needs at least one input";
  if (ins.size() == 1)
    return ctx.setOutput(0, ins[0]);
  SmallVector<int64_t> shape(NodeContext::shapeOf(ins[0]));
  auto axis = normalizeAxis(ctx, *axisAttr, shape.size(), "axis");
  if (failed(axis))
    return failure();
  shape[*axis] = 0;
  for (Value v : ins) {
    ArrayRef<int64_t> s = NodeContext::shapeOf(v);
    if (s.size() != shape.size())
      return ctx.emitError() << "inputs have different ranks";
    shape[*axis] += s[*axis];
  }
  Value y = ConcatOp::create(
      ctx.getBuilder(), ctx.getLoc(),
      ctx.tensorOf(shape, NodeContext::elementTypeOf(ins[0])), ins,
      ctx.getBuilder().getI64IntegerAttr(*axis));
  return ctx.setOutput(0, y);
}

LogicalResult importSplit(NodeContext &ctx) {
  auto x = ctx.input(0);
  auto axisAttr = ctx.intAttr("axis", 0);
  auto numOutputs = ctx.intAttr("num_outputs", 0);
  if (failed(x) || failed(axisAttr) || failed(numOutputs))
    return failure();
  ArrayRef<int64_t> xs = NodeContext::shapeOf(*x);
  auto axis = normalizeAxis(ctx, *axisAttr, xs.size(), "axis");
  if (failed(axis))
    return failure();
  int64_t n = ctx.getNode().output_size(), dim = xs[*axis];
  // A run-time `split` input: the declared output shapes give the sizes.
  std::optional<SmallVector<int64_t>> declaredSizes;
  if (ctx.isRuntimeInput(1)) {
    SmallVector<int64_t> sizes;
    for (int64_t i = 0; i < n; ++i) {
      auto shape = ctx.declaredOutputShape(i);
      if (!shape || shape->size() != xs.size())
        break;
      sizes.push_back((*shape)[*axis]);
    }
    if (int64_t(sizes.size()) == n)
      declaredSizes = sizes;
  }
  auto split = declaredSizes
                   ? FailureOr<std::optional<SmallVector<int64_t>>>(declaredSizes)
                   : intsAttrOrInput(ctx, "split", 1, 13);
  if (failed(split))
    return failure();
  SmallVector<int64_t> sizes;
  if (*split) {
    sizes = **split;
  } else {
    // Equal parts; the last one is smaller when the dim does not divide.
    int64_t chunk = (dim + n - 1) / n;
    for (int64_t s = 0; s < dim; s += chunk)
      sizes.push_back(std::min(chunk, dim - s));
  }
  int64_t total = 0;
  for (int64_t s : sizes)
    total += s;
  if (static_cast<int64_t>(sizes.size()) != n || total != dim)
    return ctx.emitError() << "split sizes [" << shapeString(sizes)
                           << "] do not divide dimension " << *axis << " ("
                           << dim << ") into " << n << " outputs";
  int64_t start = 0;
  for (int64_t i = 0; i < n; ++i) {
    SmallVector<int64_t> starts(xs.size(), 0), steps(xs.size(), 1),
        counts(xs);
    starts[*axis] = sizes[i] ? start : 0;
    counts[*axis] = sizes[i];
    start += sizes[i];
    if (!ctx.isOutputUsed(i))
      continue;
    if (failed(ctx.setOutput(i, emitSlice(ctx, *x, starts, steps, counts))))
      return failure();
  }
  return success();
}

namespace {

/// A constant 1-D i64 tensor (a default the run-time ops take as operand).
Value i64Vector(NodeContext &ctx, ArrayRef<int64_t> values) {
  OpBuilder &b = ctx.getBuilder();
  auto type = ctx.tensorOf({int64_t(values.size())}, b.getI64Type());
  return arith::ConstantOp::create(b, ctx.getLoc(),
                                   DenseElementsAttr::get(type, values));
}

/// The declared static shape of output 0, which the run-time forms need
/// since their operands' values decide it only when the model runs; these
/// forms keep the rank of their input `x`.
FailureOr<SmallVector<int64_t>> declaredShapeFor(NodeContext &ctx, Value x,
                                                 StringRef what) {
  auto shape = ctx.declaredOutputShape(0);
  if (!shape)
    return ctx.emitError() << what
                           << " known only at run time need the output's "
                              "static shape to be declared or inferable";
  size_t rank = NodeContext::shapeOf(x).size();
  if (shape->size() != rank)
    return ctx.emitError() << "declared output rank " << shape->size()
                           << " differs from the input's " << rank;
  return *shape;
}

/// Slice (opset >= 10) whose starts, ends, axes or steps are computed at
/// run time: dnn.dynamic_slice with the declared result shape.
LogicalResult importDynamicSlice(NodeContext &ctx, Value x) {
  auto shape = declaredShapeFor(ctx, x, "Slice starts/ends/axes/steps");
  if (failed(shape))
    return failure();
  int64_t rank = NodeContext::shapeOf(x).size();
  auto starts = ctx.input(1), ends = ctx.input(2);
  auto axes = ctx.optionalInput(3), steps = ctx.optionalInput(4);
  if (failed(starts) || failed(ends) || failed(axes) || failed(steps))
    return failure();
  auto length = [](Value v) {
    auto s = NodeContext::shapeOf(v);
    return s.size() == 1 ? s[0] : int64_t(-1);
  };
  int64_t n = length(*starts);
  if (n < 0 || n > rank)
    return ctx.emitError() << "starts must be a 1-D tensor of at most " << rank
                           << " entries";
  // Absent axes are 0, 1, ...; absent steps are 1.
  SmallVector<int64_t> iota, ones(n, 1);
  for (int64_t j = 0; j < n; ++j)
    iota.push_back(j);
  Value a = *axes ? *axes : i64Vector(ctx, iota);
  Value st = *steps ? *steps : i64Vector(ctx, ones);
  for (Value v : {*ends, a, st})
    if (length(v) != n)
      return ctx.emitError() << "starts, ends, axes and steps must have the "
                                "same length";
  Value y = DynamicSliceOp::create(
      ctx.getBuilder(), ctx.getLoc(),
      ctx.tensorOf(*shape, NodeContext::elementTypeOf(x)), x, *starts, *ends,
      a, st);
  return ctx.setOutput(0, y);
}

/// Pad whose pads (or constant value) are computed at run time.
LogicalResult importDynamicPad(NodeContext &ctx, Value x, StringRef mode) {
  auto shape = declaredShapeFor(ctx, x, "Pad pads");
  if (failed(shape))
    return failure();
  int64_t rank = NodeContext::shapeOf(x).size();
  if (ctx.numInputs() > 3 && !ctx.getNode().input(3).empty())
    return ctx.emitError() << "run-time pads with an axes input are not "
                              "supported";
  auto pads = ctx.input(1);
  auto value = ctx.optionalInput(2);
  if (failed(pads) || failed(value))
    return failure();
  Type elem = NodeContext::elementTypeOf(x);
  Value v = *value;
  if (!v) {
    OpBuilder &b = ctx.getBuilder();
    auto type = ctx.tensorOf({1}, elem);
    v = arith::ConstantOp::create(
        b, ctx.getLoc(), DenseElementsAttr::get(type, b.getZeroAttr(elem)));
  }
  // The importer may hand this handler an f32 view of an integer input;
  // the value then follows it (a cast that moves nothing on the mesh).
  if (NodeContext::elementTypeOf(v) != elem)
    v = CastOp::create(ctx.getBuilder(), ctx.getLoc(),
                       ctx.tensorOf(NodeContext::shapeOf(v), elem), v);
  auto ps = NodeContext::shapeOf(*pads);
  if (ps.size() != 1 || ps[0] != 2 * rank)
    return ctx.emitError() << "pads must have " << 2 * rank << " entries";
  int64_t count = 1;
  for (int64_t d : NodeContext::shapeOf(v))
    count *= d;
  if (count != 1)
    return ctx.emitError() << "constant_value must have one element";
  Value y = DynamicPadOp::create(ctx.getBuilder(), ctx.getLoc(),
                                 ctx.tensorOf(*shape, elem), x, *pads, v,
                                 ctx.getBuilder().getStringAttr(mode));
  return ctx.setOutput(0, y);
}

} // namespace

LogicalResult importSlice(NodeContext &ctx) {
  auto x = ctx.input(0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> xs = NodeContext::shapeOf(*x);
  int64_t rank = xs.size();
  std::optional<SmallVector<int64_t>> starts, ends, axes, steps;
  if (ctx.getOpset() >= 10 &&
      (ctx.isRuntimeInput(1) || ctx.isRuntimeInput(2) ||
       ctx.isRuntimeInput(3) || ctx.isRuntimeInput(4)))
    return importDynamicSlice(ctx, *x);
  if (ctx.getOpset() < 10) {
    auto s = ctx.intsAttr("starts"), e = ctx.intsAttr("ends"),
         a = ctx.intsAttr("axes");
    if (failed(s) || failed(e) || failed(a))
      return failure();
    starts = *s, ends = *e, axes = *a;
  } else {
    auto s = intsAttrOrInput(ctx, "starts", 1, 10),
         e = intsAttrOrInput(ctx, "ends", 2, 10),
         a = intsAttrOrInput(ctx, "axes", 3, 10),
         st = intsAttrOrInput(ctx, "steps", 4, 10);
    if (failed(s) || failed(e) || failed(a) || failed(st))
      return failure();
    starts = *s, ends = *e, axes = *a, steps = *st;
  }
  if (!starts || !ends || starts->size() != ends->size() ||
      (axes && axes->size() != starts->size()) ||
      (steps && steps->size() != starts->size()))
    return ctx.emitError() << "starts, ends, axes and steps must have the "
                              "same length";
  SmallVector<int64_t> st(rank, 0), sp(rank, 1), cnt(xs);
  SmallVector<bool> seen(rank, false);
  for (size_t j = 0; j < starts->size(); ++j) {
    auto ax = normalizeAxis(ctx, axes ? (*axes)[j] : int64_t(j), rank, "axis");
    if (failed(ax))
      return failure();
    if (seen[*ax])
      return ctx.emitError() << "axis " << *ax << " is sliced twice";
    seen[*ax] = true;
    int64_t dim = xs[*ax], step = steps ? (*steps)[j] : 1;
    if (step == 0)
      return ctx.emitError() << "steps must be non-zero";
    // INT64_MAX/MIN sentinels clamp like any other value.
    int64_t s = (*starts)[j], e = (*ends)[j];
    clampSliceBounds(s, e, step, dim);
    int64_t n = sliceCount(s, e, step);
    st[*ax] = n ? s : 0;
    sp[*ax] = step;
    cnt[*ax] = n;
  }
  if (cnt == ArrayRef<int64_t>(xs) && llvm::all_of(sp, [](int64_t s) {
        return s == 1;
      }))
    return ctx.setOutput(0, *x);
  return ctx.setOutput(0, emitSlice(ctx, *x, st, sp, cnt));
}

LogicalResult importPad(NodeContext &ctx) {
  auto x = ctx.input(0);
  auto mode = ctx.stringAttr("mode", "constant");
  if (failed(x) || failed(mode))
    return failure();
  if (*mode != "constant" && *mode != "reflect" && *mode != "edge")
    return ctx.emitError() << "mode '" << *mode << "' is not supported";
  ArrayRef<int64_t> xs = NodeContext::shapeOf(*x);
  int64_t rank = xs.size();
  std::optional<SmallVector<int64_t>> pads;
  float value = 0.0f;
  if (ctx.getOpset() < 11) {
    auto p = ctx.intsAttr(ctx.getOpset() < 2 ? "paddings" : "pads");
    auto v = ctx.floatAttr("value", 0.0f);
    if (failed(p) || failed(v))
      return failure();
    pads = *p;
    value = *v;
  } else {
    // Run-time pads (or value): offsets decided when the model runs, the
    // shape by the declaration.
    if (ctx.isRuntimeInput(1) || ctx.isRuntimeInput(2))
      return importDynamicPad(ctx, *x, *mode);
    auto p = intsAttrOrInput(ctx, "pads", 1, 11);
    auto v = ctx.constInput(2, "constant_value");
    auto a = intsAttrOrInput(ctx, "axes", 3, 18);
    if (failed(p) || failed(v) || failed(a))
      return failure();
    pads = *p;
    if (*v && (*v)->numel())
      value = static_cast<float>((*v)->getF(0));
    if (*a && pads) {
      // Pads given for some axes only: scatter them over all dims.
      SmallVector<int64_t> full(2 * rank, 0);
      int64_t na = (*a)->size();
      if (static_cast<int64_t>(pads->size()) != 2 * na)
        return ctx.emitError() << "pads must have 2 entries per axis";
      for (int64_t j = 0; j < na; ++j) {
        auto ax = normalizeAxis(ctx, (**a)[j], rank, "axis");
        if (failed(ax))
          return failure();
        full[*ax] = (*pads)[j];
        full[*ax + rank] = (*pads)[j + na];
      }
      pads = full;
    }
  }
  if (!pads || static_cast<int64_t>(pads->size()) != 2 * rank)
    return ctx.emitError() << "pads must have " << 2 * rank << " entries";
  // Negative pads crop: slice them off first, then pad the positive parts.
  Value in = *x;
  SmallVector<int64_t> starts(rank, 0), steps(rank, 1), counts(xs), pos(*pads);
  bool crop = false;
  for (int64_t i = 0; i < rank; ++i) {
    int64_t b = (*pads)[i], e = (*pads)[i + rank];
    if (b < 0) starts[i] = -b, counts[i] += b, pos[i] = 0, crop = true;
    if (e < 0) counts[i] += e, pos[i + rank] = 0, crop = true;
    if (counts[i] < 0)
      return ctx.emitError() << "negative pads remove more than dimension "
                             << i << " holds";
  }
  if (crop)
    in = emitSlice(ctx, in, starts, steps, counts);
  if (llvm::all_of(pos, [](int64_t p) { return p == 0; }))
    return ctx.setOutput(0, in);
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i) {
    shape.push_back(counts[i] + pos[i] + pos[i + rank]);
    if (*mode == "reflect" && (pos[i] >= counts[i] || pos[i + rank] >= counts[i]))
      return ctx.emitError() << "reflect pads of dimension " << i
                             << " must be smaller than its size " << counts[i];
  }
  OpBuilder &b = ctx.getBuilder();
  Value y = PadOp::create(b, ctx.getLoc(), ctx.f32Tensor(shape), in,
                          i64s(ctx, pos), b.getStringAttr(*mode),
                          b.getF32FloatAttr(value));
  return ctx.setOutput(0, y);
}

LogicalResult importExpand(NodeContext &ctx) {
  auto x = ctx.input(0);
  if (failed(x))
    return failure();
  std::vector<int64_t> target;
  if (auto declared = ctx.declaredOutputShape(0);
      declared && ctx.isRuntimeInput(1)) {
    // A run-time shape operand: the declared result shape is what matters.
    target.assign(declared->begin(), declared->end());
  } else {
    auto shape = ctx.constInput(1, "shape");
    if (failed(shape))
      return failure();
    if (!*shape)
      return ctx.emitError() << "needs a shape";
    target = (*shape)->toInts();
  }
  auto out = broadcastShapes(NodeContext::shapeOf(*x), target);
  if (!out)
    return ctx.emitError() << "shape " << shapeString(NodeContext::shapeOf(*x))
                           << " does not broadcast to [" << shapeString(target)
                           << "]";
  if (ArrayRef<int64_t>(*out) == NodeContext::shapeOf(*x))
    return ctx.setOutput(0, *x);
  Value y = BroadcastOp::create(
      ctx.getBuilder(), ctx.getLoc(),
      ctx.tensorOf(*out, NodeContext::elementTypeOf(*x)), *x);
  return ctx.setOutput(0, y);
}

LogicalResult importGather(NodeContext &ctx) {
  auto data = ctx.input(0), idx = ctx.input(1);
  auto axisAttr = ctx.intAttr("axis", 0);
  if (failed(data) || failed(idx) || failed(axisAttr))
    return failure();
  // Constant indices become plain copies on D1; run-time ones (embedding
  // lookups) are read by the scalar unit of the node that gathers.
  ArrayRef<int64_t> ds = NodeContext::shapeOf(*data);
  auto axis = normalizeAxis(ctx, *axisAttr, ds.size(), "axis");
  if (failed(axis))
    return failure();
  Value y = GatherOp::create(
      ctx.getBuilder(), ctx.getLoc(),
      ctx.tensorOf(gatherResultShape(ds, NodeContext::shapeOf(*idx), *axis),
                   NodeContext::elementTypeOf(*data)),
      *data, *idx, ctx.getBuilder().getI64IntegerAttr(*axis));
  return ctx.setOutput(0, y);
}

LogicalResult importConstantOfShape(NodeContext &ctx) {
  std::vector<int64_t> dims;
  if (auto declared = ctx.declaredOutputShape(0);
      declared && ctx.isRuntimeInput(0)) {
    dims.assign(declared->begin(), declared->end());
  } else {
    auto shape = ctx.constInput(0, "shape");
    if (failed(shape))
      return failure();
    if (!*shape)
      return ctx.emitError() << "needs a shape";
    dims = (*shape)->toInts();
  }
  ConstTensor value = ConstTensor::scalarF(0.0, onnx::TensorProto::FLOAT);
  if (const onnx::AttributeProto *a = ctx.attr("value")) {
    std::string error;
    auto v = decodeTensor(a->t(), error);
    if (!v || v->numel() != 1)
      return ctx.emitError() << "'value' must be a one-element tensor";
    value = *v;
  }
  Type elem = elementTypeFor(value.dtype, ctx.getContext());
  if (!elem)
    return ctx.emitError() << "value type " << dataTypeName(value.dtype)
                           << " is not supported";
  auto type = ctx.tensorOf(dims, elem);
  Attribute splat =
      elem.isF32() ? Attribute(FloatAttr::get(elem, value.getF(0)))
                   : Attribute(IntegerAttr::get(elem, value.getI(0)));
  Value y = arith::ConstantOp::create(ctx.getBuilder(), ctx.getLoc(),
                                      DenseElementsAttr::get(type, splat));
  return ctx.setOutput(0, y);
}

} // namespace dojo::onnx_import
