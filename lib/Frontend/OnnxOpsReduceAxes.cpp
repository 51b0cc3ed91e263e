//===- OnnxOpsReduceAxes.cpp - Reductions over run-time axes --------------===//
//
// A Reduce* with keepdims=0 whose axes are computed at run time: the
// declared result shape fixes how many dimensions are reduced, but when
// several dimensions share an extent not which ones (a 3 x 2 x 2 input
// reduced to 3 x 2 loses dimension 1 or 2). Every axis set consistent with
// the shapes is reduced statically, and the graph selects one result at run
// time by comparing the (normalized) axes tensor against each candidate,
// all with ordinary dnn ops on the mesh. Axes that match no candidate (a
// model error) give NaN.
//
//===----------------------------------------------------------------------===//

#include "OnnxHandlers.h"

#include "dojo/Dialect/DNN/IR/DNNOps.h"

#include <functional>
#include <limits>

using namespace mlir;
using namespace dojo::dnn;

namespace dojo::onnx_import {

namespace {

/// Every set of `count` dimensions of `xs` whose removal leaves `declared`.
SmallVector<SmallVector<int64_t>> axisSets(ArrayRef<int64_t> xs,
                                           ArrayRef<int64_t> declared,
                                           size_t count) {
  SmallVector<SmallVector<int64_t>> sets;
  SmallVector<int64_t> pick;
  std::function<void(int64_t)> choose = [&](int64_t from) {
    if (pick.size() == count) {
      SmallVector<int64_t> kept;
      for (int64_t d = 0, j = 0; d < int64_t(xs.size()); ++d) {
        if (j < int64_t(pick.size()) && pick[j] == d)
          ++j;
        else
          kept.push_back(xs[d]);
      }
      if (ArrayRef<int64_t>(kept) == declared)
        sets.push_back(pick);
      return;
    }
    for (int64_t d = from; d < int64_t(xs.size()); ++d) {
      pick.push_back(d);
      choose(d + 1);
      pick.pop_back();
    }
  };
  choose(0);
  return sets;
}

} // namespace

LogicalResult importReduceRuntimeAxes(NodeContext &ctx, Value x,
                                      ArrayRef<int64_t> declared) {
  ArrayRef<int64_t> xs = NodeContext::shapeOf(x);
  int64_t rank = xs.size();
  auto sets = axisSets(xs, declared, xs.size() - declared.size());
  constexpr size_t kMaxCandidates = 8;
  if (sets.size() > kMaxCandidates)
    return ctx.emitError() << "run-time axes: " << sets.size()
                           << " axis sets fit the declared output shape (at "
                              "most "
                           << kMaxCandidates << " are supported)";
  if (sets.empty())
    return ctx.emitError() << "run-time axes: no axis set turns the input "
                              "shape into the declared output shape";
  auto axes = ctx.input(1);
  if (failed(axes))
    return failure();
  ArrayRef<int64_t> as = NodeContext::shapeOf(*axes);
  if (as.size() != 1 || as[0] < 1)
    return ctx.emitError() << "axes must be a non-empty 1-D tensor";
  StringRef op = ctx.getNode().op_type();
  StringRef kind = op == "ReduceMean"  ? "mean"
                   : op == "ReduceSum" ? "sum"
                   : op == "ReduceMax" ? "max"
                                       : "min";
  OpBuilder &b = ctx.getBuilder();
  Location loc = ctx.getLoc();
  auto f32 = [&](ArrayRef<int64_t> s) { return ctx.f32Tensor(s); };
  auto i1 = [&](ArrayRef<int64_t> s) { return ctx.tensorOf(s, b.getI1Type()); };
  auto scalar = [&](float v) { return f32Constant(ctx, {1}, {v}); };
  auto binary = [&](StringRef fn, Value l, Value r, RankedTensorType t) {
    return BinaryOp::create(b, loc, t, l, r, b.getStringAttr(fn)).getResult();
  };
  // Negative axes count from the end.
  Value a = CastOp::create(b, loc, f32(as), *axes);
  Value negative = binary("less", a, scalar(0.0f), i1(as));
  a = WhereOp::create(b, loc, f32(as), negative,
                      binary("add", a, scalar(float(rank)), f32(as)), a);
  // Candidate k is chosen when every axis entry names one of its
  // dimensions; later candidates are the fallback of earlier ones, NaN the
  // fallback of all.
  Value y = f32Constant(ctx, {1}, {std::numeric_limits<float>::quiet_NaN()});
  for (const SmallVector<int64_t> &set : llvm::reverse(sets)) {
    Value hits;
    for (int64_t d : set) {
      Value eq = CastOp::create(
          b, loc, f32(as), binary("equal", a, scalar(float(d)), i1(as)));
      hits = hits ? binary("add", hits, eq, f32(as)) : eq;
    }
    Value total = ReduceOp::create(b, loc, f32({1}), hits,
                                   b.getStringAttr("sum"),
                                   b.getDenseI64ArrayAttr({0}),
                                   b.getBoolAttr(true));
    Value match = binary("equal", total, scalar(float(as[0])), i1({1}));
    Value reduced =
        ReduceOp::create(b, loc, f32(declared), x, b.getStringAttr(kind),
                         b.getDenseI64ArrayAttr(set), b.getBoolAttr(false));
    y = WhereOp::create(b, loc, f32(declared), match, reduced, y);
  }
  return ctx.setOutput(0, y);
}

} // namespace dojo::onnx_import
