//===- OnnxOps.cpp - One handler per supported ONNX op --------------------===//
//
// Each handler reads its node's inputs and attributes, fills in ONNX
// defaults, computes the static result shape and emits dnn ops. The table
// at the bottom is the single list of supported ops: the importer dispatches
// through it and `dojo-translate --list-supported-ops` prints it for
// docs/supported-ops.md.
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

} // namespace

LogicalResult importConv(NodeContext &ctx) {
  auto x = ctx.input(0), w = ctx.input(1), b = ctx.optionalInput(2);
  if (failed(x) || failed(w) || failed(b))
    return failure();
  ArrayRef<int64_t> xs = NodeContext::shapeOf(*x), ws = NodeContext::shapeOf(*w);
  if (xs.size() < 3 || xs.size() > 5)
    return ctx.emitError() << "input must have rank 3, 4 or 5 (1-D to 3-D "
                              "convolution), got shape "
                           << shapeString(xs);
  if (ws.size() != xs.size())
    return ctx.emitError() << "weight shape " << shapeString(ws)
                           << " must have the same rank as the input shape "
                           << shapeString(xs);
  size_t spatial = xs.size() - 2;
  ArrayRef<int64_t> kernel = ws.drop_front(2);
  auto kernelAttr = ctx.intsAttr("kernel_shape");
  auto strides = intsAttrOr(ctx, "strides", spatial, 1);
  auto dilations = intsAttrOr(ctx, "dilations", spatial, 1);
  auto group = ctx.intAttr("group", 1);
  auto autoPad = ctx.stringAttr("auto_pad", "NOTSET");
  if (failed(kernelAttr) || failed(strides) || failed(dilations) ||
      failed(group) || failed(autoPad))
    return failure();
  if (*kernelAttr && ArrayRef<int64_t>(**kernelAttr) != kernel)
    return ctx.emitError() << "kernel_shape " << shapeString(**kernelAttr)
                           << " does not match the weight's spatial shape "
                           << shapeString(kernel);
  for (size_t i = 0; i < spatial; ++i)
    if ((*strides)[i] <= 0 || (*dilations)[i] <= 0)
      return ctx.emitError() << "strides and dilations must be positive";

  SmallVector<int64_t> pads;
  if (*autoPad == "NOTSET") {
    auto explicitPads = intsAttrOr(ctx, "pads", 2 * spatial, 0);
    if (failed(explicitPads))
      return failure();
    pads = *explicitPads;
  } else if (*autoPad == "VALID") {
    pads.assign(2 * spatial, 0);
  } else if (*autoPad == "SAME_UPPER" || *autoPad == "SAME_LOWER") {
    if (ctx.attr("pads"))
      return ctx.emitError() << "'pads' cannot be combined with auto_pad "
                             << *autoPad;
    // SAME keeps ceil(in / stride) outputs; the odd pad goes at the end for
    // SAME_UPPER and at the beginning for SAME_LOWER.
    pads.assign(2 * spatial, 0);
    for (size_t i = 0; i < spatial; ++i) {
      int64_t in = xs[i + 2], s = (*strides)[i];
      int64_t out = (in + s - 1) / s;
      int64_t window = (*dilations)[i] * (kernel[i] - 1) + 1;
      int64_t total = std::max<int64_t>(0, (out - 1) * s + window - in);
      int64_t small = total / 2, large = total - small;
      pads[i] = *autoPad == "SAME_UPPER" ? small : large;
      pads[i + spatial] = *autoPad == "SAME_UPPER" ? large : small;
    }
  } else {
    return ctx.emitError() << "unknown auto_pad value '" << *autoPad << "'";
  }

  SmallVector<int64_t> outShape = {xs[0], ws[0]};
  for (size_t i = 0; i < spatial; ++i) {
    auto out = convOutputSize(xs[i + 2], kernel[i], (*strides)[i],
                              (*dilations)[i], pads[i], pads[i + spatial]);
    if (!out)
      return ctx.emitError() << "the kernel does not fit spatial dimension "
                             << i << " of the input " << shapeString(xs)
                             << " (or a pad is negative)";
    outShape.push_back(*out);
  }
  OpBuilder &builder = ctx.getBuilder();
  Value y = ConvOp::create(builder, ctx.getLoc(), ctx.f32Tensor(outShape), *x,
                           *w, *b, builder.getDenseI64ArrayAttr(*strides),
                           builder.getDenseI64ArrayAttr(pads),
                           builder.getDenseI64ArrayAttr(*dilations),
                           builder.getI64IntegerAttr(*group),
                           builder.getStringAttr("none"));
  return ctx.setOutput(0, y);
}

LogicalResult importRelu(NodeContext &ctx) {
  auto x = ctx.input(0);
  if (failed(x))
    return failure();
  Value y = ReluOp::create(ctx.getBuilder(), ctx.getLoc(), x->getType(), *x);
  return ctx.setOutput(0, y);
}

LogicalResult importGemm(NodeContext &ctx) {
  auto a = ctx.input(0), b = ctx.input(1), c = ctx.optionalInput(2);
  auto alpha = ctx.floatAttr("alpha", 1.0f), beta = ctx.floatAttr("beta", 1.0f);
  auto transA = ctx.intAttr("transA", 0), transB = ctx.intAttr("transB", 0);
  if (failed(a) || failed(b) || failed(c) || failed(alpha) || failed(beta) ||
      failed(transA) || failed(transB))
    return failure();
  ArrayRef<int64_t> as = NodeContext::shapeOf(*a), bs = NodeContext::shapeOf(*b);
  if (as.size() != 2 || bs.size() != 2)
    return ctx.emitError() << "A and B must be 2-D, got " << shapeString(as)
                           << " and " << shapeString(bs);
  int64_t m = *transA ? as[1] : as[0], ka = *transA ? as[0] : as[1];
  int64_t kb = *transB ? bs[1] : bs[0], n = *transB ? bs[0] : bs[1];
  if (ka != kb)
    return ctx.emitError() << "contraction dimensions differ (" << ka
                           << " vs " << kb << ")";
  OpBuilder &builder = ctx.getBuilder();
  Value y = GemmOp::create(
      builder, ctx.getLoc(), ctx.f32Tensor({m, n}), *a, *b, *c,
      builder.getF32FloatAttr(*alpha), builder.getF32FloatAttr(*beta),
      builder.getBoolAttr(*transA != 0), builder.getBoolAttr(*transB != 0),
      builder.getStringAttr("none"));
  return ctx.setOutput(0, y);
}

LogicalResult importMatMul(NodeContext &ctx) {
  auto a = ctx.input(0), b = ctx.input(1);
  if (failed(a) || failed(b))
    return failure();
  OpBuilder &builder = ctx.getBuilder();
  SmallVector<int64_t> as(NodeContext::shapeOf(*a)), bs(NodeContext::shapeOf(*b));
  if (as.empty() || bs.empty())
    return ctx.emitError() << "operands must have rank >= 1";
  // numpy.matmul: a 1-D A is a row vector [1, K] and a 1-D B a column
  // vector [K, 1]; the added dimension is removed from the result again.
  Value lhs = *a, rhs = *b;
  bool squeezeRow = as.size() == 1, squeezeCol = bs.size() == 1;
  if (squeezeRow) {
    as.insert(as.begin(), 1);
    lhs = ReshapeOp::create(builder, ctx.getLoc(), ctx.f32Tensor(as), lhs);
  }
  if (squeezeCol) {
    bs.push_back(1);
    rhs = ReshapeOp::create(builder, ctx.getLoc(), ctx.f32Tensor(bs), rhs);
  }
  auto shape = matmulResultShape(as, bs);
  if (!shape)
    return ctx.emitError() << "shapes " << shapeString(NodeContext::shapeOf(*a))
                           << " and " << shapeString(NodeContext::shapeOf(*b))
                           << " are not compatible for MatMul";
  Value y = MatMulOp::create(builder, ctx.getLoc(), ctx.f32Tensor(*shape), lhs,
                             rhs);
  if (squeezeRow || squeezeCol) {
    SmallVector<int64_t> finalShape(*shape);
    if (squeezeCol)
      finalShape.pop_back();
    if (squeezeRow)
      finalShape.erase(finalShape.end() - (squeezeCol ? 1 : 2));
    y = ReshapeOp::create(builder, ctx.getLoc(), ctx.f32Tensor(finalShape), y);
  }
  return ctx.setOutput(0, y);
}

LogicalResult importFlatten(NodeContext &ctx) {
  auto x = ctx.input(0);
  auto axis = ctx.intAttr("axis", 1);
  if (failed(x) || failed(axis))
    return failure();
  ArrayRef<int64_t> xs = NodeContext::shapeOf(*x);
  int64_t rank = xs.size();
  if (*axis < -rank || *axis > rank)
    return ctx.emitError() << "axis " << *axis << " is out of range for rank "
                           << rank;
  int64_t split = *axis < 0 ? *axis + rank : *axis;
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < rank; ++i)
    (i < split ? outer : inner) *= xs[i];
  Value y = ReshapeOp::create(ctx.getBuilder(), ctx.getLoc(),
                              ctx.f32Tensor({outer, inner}), *x);
  return ctx.setOutput(0, y);
}

LogicalResult importGlobalAveragePool(NodeContext &ctx) {
  auto x = ctx.input(0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> xs = NodeContext::shapeOf(*x);
  if (xs.size() < 3)
    return ctx.emitError() << "input must have rank >= 3, got shape "
                           << shapeString(xs);
  SmallVector<int64_t> shape(xs.size(), 1);
  shape[0] = xs[0];
  shape[1] = xs[1];
  Value y = GlobalAvgPoolOp::create(ctx.getBuilder(), ctx.getLoc(),
                                    ctx.f32Tensor(shape), *x);
  return ctx.setOutput(0, y);
}

LogicalResult importIdentity(NodeContext &ctx) {
  auto x = ctx.input(0);
  if (failed(x))
    return failure();
  // An alias: later uses of the output name see the input value itself.
  return ctx.setOutput(0, *x);
}

LogicalResult importConstant(NodeContext &ctx) {
  // Constant folding turns every readable Constant into an initializer, so
  // a Constant still here holds a form the importer cannot represent.
  const onnx::NodeProto &node = ctx.getNode();
  if (node.attribute_size() == 1 && node.attribute(0).name() == "value") {
    auto attr = tensorToAttr(node.attribute(0).t(), ctx.getLoc(),
                             "the value of node '" + ctx.getName().str() + "'");
    if (failed(attr))
      return failure();
    Value y = arith::ConstantOp::create(ctx.getBuilder(), ctx.getLoc(), *attr);
    return ctx.setOutput(0, y);
  }
  return ctx.emitError() << "needs exactly one of the attributes 'value', "
                            "'value_float', 'value_floats', 'value_int' or "
                            "'value_ints' (sparse and string constants are "
                            "not supported)";
}

LogicalResult importFoldOnly(NodeContext &ctx) {
  // These ops only appear in shape computations; reaching this handler means
  // constant folding could not evaluate them.
  auto diag = ctx.emitError()
              << "could not be constant-folded (opset " << ctx.getOpset()
              << "): ";
  StringRef op = ctx.getNode().op_type();
  if (op == "Shape")
    diag << "its input has no static shape";
  else if (op == "Loop")
    diag << "only Loops with a constant trip count (or condition) are "
            "supported: the iteration count must be known at compile time, "
            "so the trip count and the condition may not depend on run-time "
            "data";
  else if (op.starts_with("Sequence") || op == "ConcatFromSequence" ||
           op == "SplitToSequence")
    diag << "sequences are supported only when their length and every "
            "position used are known at compile time";
  else if (op == "If")
    diag << "only Ifs with a constant condition are supported";
  else
    diag << "the op is supported only on constant inputs, and some input is "
            "computed at run time";
  return failure();
}

FailureOr<int64_t> normalizeAxis(NodeContext &ctx, int64_t axis, int64_t rank,
                                 StringRef what, bool inclusive) {
  int64_t limit = inclusive ? rank + 1 : rank;
  if (axis < -limit || axis >= limit)
    return ctx.emitError() << what << " " << axis
                           << " is out of range for rank " << rank;
  return axis < 0 ? axis + limit : axis;
}

FailureOr<std::optional<SmallVector<int64_t>>>
intsAttrOrInput(NodeContext &ctx, StringRef attrName, unsigned inputIndex,
                int64_t inputOpset) {
  using Result = std::optional<SmallVector<int64_t>>;
  if (ctx.getOpset() < inputOpset)
    return ctx.intsAttr(attrName);
  auto t = ctx.constInput(inputIndex, attrName);
  if (failed(t))
    return failure();
  if (!*t)
    return Result();
  std::vector<int64_t> v = (*t)->toInts();
  return Result(SmallVector<int64_t>(v.begin(), v.end()));
}

Value reshapeTo(NodeContext &ctx, Value v, ArrayRef<int64_t> shape) {
  if (NodeContext::shapeOf(v) == shape)
    return v;
  return ReshapeOp::create(
      ctx.getBuilder(), ctx.getLoc(),
      ctx.tensorOf(shape, NodeContext::elementTypeOf(v)), v);
}

Value f32Constant(NodeContext &ctx, ArrayRef<int64_t> shape,
                  ArrayRef<float> data) {
  return arith::ConstantOp::create(
      ctx.getBuilder(), ctx.getLoc(),
      DenseElementsAttr::get(ctx.f32Tensor(shape), data));
}

} // namespace dojo::onnx_import
