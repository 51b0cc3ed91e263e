//===- LoopUnroll.cpp - Unrolling of ONNX Loops over run-time data --------===//
//
// A Loop whose iteration count is known at compile time but whose body
// reads run-time tensors (PyTorch exports these for list comprehensions over
// tensors, e.g. MViT's pooling) cannot be folded on the host. It is unrolled
// in the ONNX graph instead: the body's nodes are copied once per iteration,
// every value the body defines is renamed per iteration, the iteration
// number becomes a constant, loop-carried values are wired from one copy to
// the next and scan outputs are stacked with Unsqueeze + Concat. The copies
// then go through constant folding, sequence lowering and import like any
// other node, so nothing downstream knows there was a Loop.
//
//===----------------------------------------------------------------------===//

#include "ConstantFolder.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"

using namespace dojo::onnx_import;
using llvm::ArrayRef;
using llvm::SmallVector;
using llvm::StringRef;
using TP = onnx::TensorProto;

namespace {

/// Unrolling stops (and the Loop stays, to be reported) beyond this many
/// copied nodes: such a graph would be too large to compile anyway.
constexpr int64_t kMaxUnrolledNodes = int64_t(1) << 20;
/// Without a trip count the loop runs until its condition turns false;
/// this bounds the host-side search for that iteration.
constexpr int64_t kMaxIterationsWithoutTripCount = 100000;

using RenameFn = std::function<std::string(const std::string &)>;

/// Names a subgraph defines itself; they shadow outer names of the same
/// spelling, so references to them are not renamed.
void addDefinedNames(const onnx::GraphProto &g, llvm::StringSet<> &names) {
  for (const auto &in : g.input())
    names.insert(in.name());
  for (const auto &init : g.initializer())
    names.insert(init.name());
  for (const auto &n : g.node())
    for (const std::string &o : n.output())
      names.insert(o);
}

/// Renames a nested subgraph (an If or Loop inside the body) of one body
/// copy: references to the body's values follow `rename`, and the subgraph's
/// own values get the copy's `prefix` too. ONNX scopes those per subgraph,
/// but the folder inlines constant-condition Ifs into the main graph, where
/// the copies of one branch must not define the same name twice.
void renameNested(onnx::GraphProto &g, const llvm::StringSet<> &shadowed,
                  const std::string &prefix, const RenameFn &rename) {
  llvm::StringSet<> own = shadowed;
  addDefinedNames(g, own);
  auto fix = [&](std::string *name) {
    if (!name->empty())
      *name = own.count(*name) ? prefix + *name : rename(*name);
  };
  for (auto &in : *g.mutable_input())
    fix(in.mutable_name());
  for (auto &init : *g.mutable_initializer())
    fix(init.mutable_name());
  for (auto &info : *g.mutable_value_info())
    fix(info.mutable_name());
  for (auto &n : *g.mutable_node()) {
    for (auto &in : *n.mutable_input())
      fix(&in);
    for (auto &out : *n.mutable_output())
      fix(&out);
    for (auto &a : *n.mutable_attribute()) {
      if (a.has_g())
        renameNested(*a.mutable_g(), own, prefix, rename);
      for (auto &sub : *a.mutable_graphs())
        renameNested(sub, own, prefix, rename);
    }
  }
  for (auto &o : *g.mutable_output())
    fix(o.mutable_name());
}

FoldValue scalarValue(int64_t v, int32_t dtype) {
  FoldValue fv;
  fv.tensor = ConstTensor::ints({v}, dtype);
  fv.tensor.dims.clear();
  return fv;
}

onnx::NodeProto makeNode(StringRef op, const std::string &name,
                         ArrayRef<std::string> inputs, const std::string &out) {
  onnx::NodeProto n;
  n.set_op_type(op.str());
  n.set_name(name);
  for (const std::string &in : inputs)
    n.add_input(in);
  n.add_output(out);
  return n;
}

void addIntAttr(onnx::NodeProto &n, StringRef name, int64_t v) {
  auto *a = n.add_attribute();
  a->set_name(name.str());
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}

} // namespace

std::optional<UnrolledLoop> dojo::onnx_import::unrollLoop(
    const onnx::NodeProto &node, int64_t opset, const ValueLookup &lookup,
    const BodyEvaluator &evalBody) {
  const onnx::AttributeProto *bodyAttr = nullptr;
  for (const auto &a : node.attribute())
    if (a.name() == "body" && a.has_g())
      bodyAttr = &a;
  if (!bodyAttr)
    return std::nullopt;
  const onnx::GraphProto &body = bodyAttr->g();
  if (node.input_size() < 2)
    return std::nullopt;
  int numCarried = node.input_size() - 2;
  int numScan = node.output_size() - numCarried;
  if (numCarried < 0 || numScan < 0 || body.input_size() != 2 + numCarried ||
      body.output_size() != 1 + numCarried + numScan)
    return std::nullopt;

  // The iteration count must be known: a constant trip count and/or a
  // condition that the host can evaluate every iteration (constant, or
  // computed in the body from constants and the iteration number).
  auto constScalar = [&](int i) -> std::optional<int64_t> {
    const FoldValue *v = lookup(node.input(i));
    if (!v || v->isSequence || v->tensor.numel() != 1)
      return std::nullopt;
    return v->tensor.getI(0);
  };
  bool hasTrip = !node.input(0).empty();
  bool hasCond = !node.input(1).empty();
  std::optional<int64_t> trip = hasTrip ? constScalar(0) : std::nullopt;
  std::optional<int64_t> cond0 = hasCond ? constScalar(1) : std::optional<int64_t>(1);
  if ((hasTrip && !trip) || !cond0)
    return std::nullopt;
  int64_t limit = hasTrip ? *trip : kMaxIterationsWithoutTripCount;
  int64_t nodesPerIter = std::max(1, body.node_size());

  std::vector<std::optional<FoldValue>> carried;
  for (int i = 0; i < numCarried; ++i) {
    const FoldValue *v = lookup(node.input(2 + i));
    carried.push_back(v ? std::optional(*v) : std::nullopt);
  }
  bool cond = *cond0 != 0;
  int64_t iterations = 0;
  for (; iterations < limit && cond; ++iterations) {
    if ((iterations + 1) * nodesPerIter > kMaxUnrolledNodes)
      return std::nullopt;
    FoldValue iterV = scalarValue(iterations, TP::INT64);
    FoldValue condV = scalarValue(1, TP::BOOL);
    SmallVector<const FoldValue *> args = {&iterV, &condV};
    for (const auto &c : carried)
      args.push_back(c ? &*c : nullptr);
    std::vector<std::optional<FoldValue>> outs = evalBody(args);
    if (outs.size() != static_cast<size_t>(body.output_size()) || !outs[0] ||
        outs[0]->isSequence || outs[0]->tensor.numel() != 1)
      return std::nullopt; // The condition depends on run-time data.
    cond = outs[0]->tensor.getI(0) != 0;
    for (int i = 0; i < numCarried; ++i)
      carried[i] = outs[1 + i];
  }
  if (!hasTrip && cond)
    return std::nullopt;
  if (numScan > 0 && iterations == 0)
    return std::nullopt; // A zero-length scan output has no known shape.

  UnrolledLoop result;
  std::string base = (node.name().empty() ? "Loop_" + node.output(0)
                                          : node.name()) + "/";
  llvm::StringSet<> bodyDefined;
  addDefinedNames(body, bodyDefined);
  std::vector<std::string> current(node.input().begin() + 2, node.input().end());
  std::vector<std::vector<std::string>> scans(numScan);
  for (int64_t k = 0; k < iterations; ++k) {
    std::string prefix = base + "iter" + std::to_string(k) + "/";
    llvm::StringMap<std::string> map;
    map[body.input(0).name()] = prefix + body.input(0).name();
    map[body.input(1).name()] = prefix + body.input(1).name();
    result.constants.emplace_back(map[body.input(0).name()],
                                  scalarValue(k, TP::INT64));
    result.constants.emplace_back(map[body.input(1).name()],
                                  scalarValue(1, TP::BOOL));
    for (int i = 0; i < numCarried; ++i)
      map[body.input(2 + i).name()] = current[i];
    RenameFn rename = [&](const std::string &name) -> std::string {
      auto it = map.find(name);
      if (it != map.end())
        return it->second;
      return bodyDefined.count(name) ? prefix + name : name;
    };
    for (const auto &init : body.initializer()) {
      result.initializers.push_back(init);
      result.initializers.back().set_name(rename(init.name()));
    }
    for (const auto &n : body.node()) {
      onnx::NodeProto copy = n;
      copy.set_name(prefix + (n.name().empty() ? n.op_type() : n.name()));
      for (auto &in : *copy.mutable_input())
        if (!in.empty())
          in = rename(in);
      for (auto &out : *copy.mutable_output())
        if (!out.empty())
          out = rename(out);
      // Nested subgraphs see the body's values under their new names.
      for (auto &a : *copy.mutable_attribute()) {
        if (a.has_g())
          renameNested(*a.mutable_g(), {}, prefix, rename);
        for (auto &sub : *a.mutable_graphs())
          renameNested(sub, {}, prefix, rename);
      }
      result.nodes.push_back(std::move(copy));
    }
    for (int i = 0; i < numCarried; ++i)
      current[i] = rename(body.output(1 + i).name());
    for (int i = 0; i < numScan; ++i)
      scans[i].push_back(rename(body.output(1 + numCarried + i).name()));
  }

  // The Loop's outputs: final carried values, then stacked scan outputs.
  for (int i = 0; i < numCarried; ++i)
    if (!node.output(i).empty())
      result.nodes.push_back(makeNode("Identity", base + "out" + std::to_string(i),
                                      {current[i]}, node.output(i)));
  std::string axes = base + "scan_axes";
  if (opset >= 13 && numScan > 0) {
    FoldValue zero;
    zero.tensor = ConstTensor::ints({0});
    result.constants.emplace_back(axes, std::move(zero));
  }
  for (int i = 0; i < numScan; ++i) {
    const std::string &out = node.output(numCarried + i);
    if (out.empty())
      continue;
    std::vector<std::string> parts;
    for (auto [k, name] : llvm::enumerate(scans[i])) {
      std::string part = base + "scan" + std::to_string(i) + "/" + std::to_string(k);
      SmallVector<std::string, 2> ins = {name};
      if (opset >= 13)
        ins.push_back(axes);
      onnx::NodeProto u = makeNode("Unsqueeze", part, ins, part);
      if (opset < 13) {
        auto *a = u.add_attribute();
        a->set_name("axes");
        a->set_type(onnx::AttributeProto::INTS);
        a->add_ints(0);
      }
      result.nodes.push_back(std::move(u));
      parts.push_back(part);
    }
    onnx::NodeProto cat = makeNode("Concat", base + "scan" + std::to_string(i),
                                   parts, out);
    addIntAttr(cat, "axis", 0);
    result.nodes.push_back(std::move(cat));
  }
  return result;
}
