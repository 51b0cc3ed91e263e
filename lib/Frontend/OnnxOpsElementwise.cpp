//===- OnnxOpsElementwise.cpp - Elementwise ONNX ops ----------------------===//
//
// Unary activations become dnn.unary with a function name (and alpha/beta
// for the parameterized ones), binary ops dnn.binary (Add on f32 stays
// dnn.add, which dnn-fuse-activations knows), variadic Min/Max/Sum a chain
// of binaries. Where, Cast/CastLike and Dropout (inference) are here too.
// Every op keeps its operands' element type (any numeric type; the mesh
// computes all of them in FP32 lanes, see docs/decisions.md).
//
//===----------------------------------------------------------------------===//

#include "OnnxHandlers.h"

#include "dojo/Dialect/DNN/IR/DNNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#include "llvm/ADT/StringSwitch.h"

#include <limits>

using namespace mlir;
using namespace dojo::dnn;

namespace dojo::onnx_import {

LogicalResult importUnary(NodeContext &ctx) {
  auto x = ctx.input(0);
  if (failed(x))
    return failure();
  StringRef op = ctx.getNode().op_type();
  float alpha = 0.0f, beta = 0.0f;
  std::string fn = llvm::StringSwitch<std::string>(op)
                       .Case("Sigmoid", "sigmoid")
                       .Case("Tanh", "tanh")
                       .Case("Erf", "erf")
                       .Case("Exp", "exp")
                       .Case("Log", "log")
                       .Case("Sqrt", "sqrt")
                       .Case("Reciprocal", "reciprocal")
                       .Case("Neg", "neg")
                       .Case("Abs", "abs")
                       .Case("Floor", "floor")
                       .Case("Ceil", "ceil")
                       .Case("Round", "round")
                       .Case("Sign", "sign")
                       .Case("Softplus", "softplus")
                       .Case("HardSwish", "hard_swish")
                       .Case("LeakyRelu", "leaky_relu")
                       .Case("HardSigmoid", "hard_sigmoid")
                       .Case("Gelu", "gelu")
                       .Default("");
  if (op == "LeakyRelu") {
    auto a = ctx.floatAttr("alpha", 0.01f);
    if (failed(a))
      return failure();
    alpha = *a;
  } else if (op == "HardSigmoid") {
    auto a = ctx.floatAttr("alpha", 0.2f), b = ctx.floatAttr("beta", 0.5f);
    if (failed(a) || failed(b))
      return failure();
    alpha = *a;
    beta = *b;
  } else if (op == "Gelu") {
    auto approx = ctx.stringAttr("approximate", "none");
    if (failed(approx))
      return failure();
    if (*approx == "tanh")
      fn = "gelu_tanh";
    else if (*approx != "none")
      return ctx.emitError() << "unknown approximate mode '" << *approx << "'";
  }
  if (fn.empty())
    return ctx.emitError() << "has no dnn.unary function";
  OpBuilder &b = ctx.getBuilder();
  Value y = UnaryOp::create(b, ctx.getLoc(), x->getType(), *x,
                            b.getStringAttr(fn), b.getF32FloatAttr(alpha),
                            b.getF32FloatAttr(beta));
  return ctx.setOutput(0, y);
}

LogicalResult importClip(NodeContext &ctx) {
  auto x = ctx.input(0);
  if (failed(x))
    return failure();
  // An absent bound is unbounded; +-FLT_MAX keeps the attribute finite.
  float lo = -std::numeric_limits<float>::max();
  float hi = std::numeric_limits<float>::max();
  if (ctx.getOpset() < 11) {
    auto a = ctx.floatAttr("min", lo), b = ctx.floatAttr("max", hi);
    if (failed(a) || failed(b))
      return failure();
    lo = *a;
    hi = *b;
  } else if (ctx.isRuntimeInput(1) || ctx.isRuntimeInput(2)) {
    // Bounds known only at run time: max(x, min) then min(., max), each a
    // broadcasting elementwise op.
    Value y = *x;
    OpBuilder &b = ctx.getBuilder();
    for (auto [index, fn] : {std::pair{1u, "max"}, std::pair{2u, "min"}}) {
      auto bound = ctx.optionalInput(index);
      if (failed(bound))
        return failure();
      if (*bound)
        y = BinaryOp::create(b, ctx.getLoc(), x->getType(), y, *bound,
                             b.getStringAttr(fn));
    }
    return ctx.setOutput(0, y);
  } else {
    auto a = ctx.constInput(1, "min"), b = ctx.constInput(2, "max");
    if (failed(a) || failed(b))
      return failure();
    if (*a)
      lo = static_cast<float>((*a)->getF(0));
    if (*b)
      hi = static_cast<float>((*b)->getF(0));
  }
  if (lo > hi)
    return ctx.emitError() << "min " << lo << " is greater than max " << hi
                           << ", which the importer does not support";
  OpBuilder &b = ctx.getBuilder();
  Value y = UnaryOp::create(b, ctx.getLoc(), x->getType(), *x,
                            b.getStringAttr("clip"), b.getF32FloatAttr(lo),
                            b.getF32FloatAttr(hi));
  return ctx.setOutput(0, y);
}

namespace {

/// A constant of `elemType` and `shape` holding `data` (rounded to the
/// type's precision, or converted to an integer toward zero).
Value typedConstant(NodeContext &ctx, Type elemType, ArrayRef<int64_t> shape,
                    ArrayRef<double> data) {
  auto type = ctx.tensorOf(shape, elemType);
  Attribute attr;
  if (auto ft = dyn_cast<FloatType>(elemType)) {
    SmallVector<APFloat> vals;
    for (double d : data) {
      APFloat v(d);
      bool lost = false;
      v.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
      vals.push_back(v);
    }
    attr = DenseElementsAttr::get(type, vals);
  } else {
    SmallVector<APInt> vals;
    unsigned width = elemType.getIntOrFloatBitWidth();
    for (double d : data)
      vals.push_back(APInt(64, static_cast<uint64_t>(static_cast<int64_t>(d)))
                         .trunc(width));
    attr = DenseElementsAttr::get(type, vals);
  }
  return arith::ConstantOp::create(ctx.getBuilder(), ctx.getLoc(),
                                   cast<TypedAttr>(attr));
}

/// Emits one broadcasting binary op; f32 additions stay dnn.add. Only pow
/// accepts operands of different types (the exponent's type is free).
FailureOr<Value> emitBinary(NodeContext &ctx, StringRef fn, Value lhs,
                            Value rhs) {
  ArrayRef<int64_t> ls = NodeContext::shapeOf(lhs), rs = NodeContext::shapeOf(rhs);
  auto shape = broadcastShapes(ls, rs);
  if (!shape)
    return ctx.emitError() << "shapes " << shapeString(ls) << " and "
                           << shapeString(rs) << " do not broadcast";
  Type lt = NodeContext::elementTypeOf(lhs), rt = NodeContext::elementTypeOf(rhs);
  if (lt != rt && fn != "pow")
    return ctx.emitError() << "operands have different element types";
  if (lt.isInteger(1) || rt.isInteger(1))
    return ctx.emitError() << "bool operands are not supported";
  OpBuilder &b = ctx.getBuilder();
  if (fn == "add" && lt.isF32())
    return AddOp::create(b, ctx.getLoc(), ctx.f32Tensor(*shape), lhs, rhs,
                         b.getStringAttr("none"))
        .getResult();
  Type outElem = isComparisonFn(fn) ? b.getI1Type() : lt;
  return BinaryOp::create(b, ctx.getLoc(), ctx.tensorOf(*shape, outElem), lhs,
                          rhs, b.getStringAttr(fn))
      .getResult();
}

/// Opset < 7 arithmetic: with broadcast=1, B matches a contiguous run of
/// A's dims starting at `axis` (default: the trailing dims, as numpy).
FailureOr<Value> legacyBroadcast(NodeContext &ctx, Value a, Value b) {
  auto bc = ctx.intAttr("broadcast", 0);
  auto axis = ctx.intAttr("axis", -1);
  if (failed(bc) || failed(axis))
    return failure();
  ArrayRef<int64_t> as = NodeContext::shapeOf(a), bs = NodeContext::shapeOf(b);
  if (!*bc) {
    if (as != bs)
      return ctx.emitError() << "without broadcast=1 the shapes must be equal";
    return b;
  }
  if (!ctx.attr("axis"))
    return b;
  int64_t start = *axis < 0 ? *axis + as.size() : *axis;
  if (start < 0 || start + bs.size() > as.size())
    return ctx.emitError() << "legacy broadcast axis " << *axis
                           << " does not fit shapes " << shapeString(as)
                           << " and " << shapeString(bs);
  SmallVector<int64_t> shape(bs);
  shape.append(as.size() - start - bs.size(), 1);
  return reshapeTo(ctx, b, shape);
}

} // namespace

LogicalResult importBinary(NodeContext &ctx) {
  auto a = ctx.input(0), b = ctx.input(1);
  if (failed(a) || failed(b))
    return failure();
  StringRef op = ctx.getNode().op_type();
  std::string fn = llvm::StringSwitch<std::string>(op)
                       .Case("Add", "add")
                       .Case("Sub", "sub")
                       .Case("Mul", "mul")
                       .Case("Div", "div")
                       .Case("Pow", "pow")
                       .Case("Equal", "equal")
                       .Case("Less", "less")
                       .Case("Greater", "greater")
                       .Case("LessOrEqual", "less_or_equal")
                       .Case("GreaterOrEqual", "greater_or_equal")
                       .Default("");
  Value rhs = *b;
  if (ctx.getOpset() < 7 && fn != "equal" && fn != "less" && fn != "greater") {
    auto r = legacyBroadcast(ctx, *a, *b);
    if (failed(r))
      return failure();
    rhs = *r;
  }
  // Pow whose exponent has another type: a constant exponent of a float
  // base becomes a constant of the base's type (so the D1 lowering sees one
  // type and a constant operand); a run-time exponent, or any exponent of
  // an integer base, stays as it is (dnn.binary pow takes mixed types, and
  // the mesh holds both in FP32 lanes anyway).
  Type baseType = NodeContext::elementTypeOf(*a);
  if (op == "Pow" && isa<FloatType>(baseType) &&
      NodeContext::elementTypeOf(rhs) != baseType && !ctx.isRuntimeInput(1) &&
      ctx.getOpset() >= 7) {
    auto e = ctx.constInput(1, "exponent");
    if (failed(e))
      return failure();
    std::vector<double> data;
    for (int64_t k = 0; k < (*e)->numel(); ++k)
      data.push_back((*e)->getF(k));
    rhs = typedConstant(ctx, baseType, (*e)->dims, data);
  }
  auto y = emitBinary(ctx, fn, *a, rhs);
  if (failed(y))
    return failure();
  return ctx.setOutput(0, *y);
}

LogicalResult importVariadic(NodeContext &ctx) {
  StringRef op = ctx.getNode().op_type();
  StringRef fn = op == "Min" ? "min" : op == "Max" ? "max" : "add";
  auto acc = ctx.input(0);
  if (failed(acc))
    return failure();
  Value y = *acc;
  for (unsigned i = 1; i < ctx.numInputs(); ++i) {
    auto next = ctx.input(i);
    if (failed(next))
      return failure();
    auto r = emitBinary(ctx, fn, y, *next);
    if (failed(r))
      return failure();
    y = *r;
  }
  if (op == "Mean" && ctx.numInputs() > 1) {
    double inv = 1.0 / static_cast<double>(ctx.numInputs());
    auto r = emitBinary(ctx, "mul", y,
                        typedConstant(ctx, NodeContext::elementTypeOf(y), {},
                                      {inv}));
    if (failed(r))
      return failure();
    y = *r;
  }
  return ctx.setOutput(0, y);
}

LogicalResult importWhere(NodeContext &ctx) {
  auto c = ctx.input(0), x = ctx.input(1), y = ctx.input(2);
  if (failed(c) || failed(x) || failed(y))
    return failure();
  auto shape = broadcastShapes(NodeContext::shapeOf(*c), NodeContext::shapeOf(*x));
  if (shape)
    shape = broadcastShapes(*shape, NodeContext::shapeOf(*y));
  if (!shape)
    return ctx.emitError() << "the shapes of cond, x and y do not broadcast";
  Value r = WhereOp::create(
      ctx.getBuilder(), ctx.getLoc(),
      ctx.tensorOf(*shape, NodeContext::elementTypeOf(*x)), *c, *x, *y);
  return ctx.setOutput(0, r);
}

LogicalResult importCast(NodeContext &ctx) {
  auto x = ctx.input(0);
  if (failed(x))
    return failure();
  // CastLike takes the target type from its second input; only its element
  // type matters, so a run-time `target_type` is fine.
  Type target;
  if (ctx.getNode().op_type() == "CastLike") {
    auto like = ctx.input(1);
    if (failed(like))
      return failure();
    target = NodeContext::elementTypeOf(*like);
  } else {
    auto to = ctx.intAttr("to", onnx::TensorProto::UNDEFINED);
    if (failed(to))
      return failure();
    target = elementTypeFor(*to, ctx.getContext());
    if (!target)
      return ctx.emitError() << "casts to " << dataTypeName(*to) << ", "
                             << supportedTypesText();
  }
  if (target == NodeContext::elementTypeOf(*x))
    return ctx.setOutput(0, *x); // A no-op cast is an alias.
  Value y = CastOp::create(ctx.getBuilder(), ctx.getLoc(),
                           ctx.tensorOf(NodeContext::shapeOf(*x), target), *x);
  return ctx.setOutput(0, y);
}

LogicalResult importDropout(NodeContext &ctx) {
  auto x = ctx.input(0);
  if (failed(x))
    return failure();
  // Inference semantics: Dropout is the identity unless training is on.
  auto isTest = ctx.intAttr("is_test", 1);
  if (failed(isTest))
    return failure();
  if (ctx.getOpset() < 7 && !*isTest)
    return ctx.emitError() << "is_test=0 (training mode) is not supported";
  if (ctx.getOpset() >= 12) {
    auto training = ctx.constInput(2, "training_mode");
    if (failed(training))
      return failure();
    if (*training && (*training)->getI(0))
      return ctx.emitError() << "training_mode=true is not supported";
  }
  if (ctx.isOutputUsed(1)) {
    // In inference mode nothing is dropped: the mask is all true.
    auto type = ctx.tensorOf(NodeContext::shapeOf(*x),
                             ctx.getBuilder().getI1Type());
    Value mask = arith::ConstantOp::create(
        ctx.getBuilder(), ctx.getLoc(),
        DenseElementsAttr::get(type, ctx.getBuilder().getBoolAttr(true)));
    if (failed(ctx.setOutput(1, mask)))
      return failure();
  }
  return ctx.setOutput(0, *x);
}

} // namespace dojo::onnx_import
