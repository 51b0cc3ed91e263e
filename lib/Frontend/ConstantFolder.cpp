//===- ConstantFolder.cpp - Folding of constant ONNX subgraphs ------------===//
//
// A host-side walk over the ONNX graph (see ConstantFolder.h). Values known
// on the host live in a Scope; nested scopes (Loop bodies, If branches) see
// their parents' values, as ONNX subgraphs see outer-scope names.
// Initializers are decoded lazily, so large weights that no foldable node
// reads are never copied.
//
//===----------------------------------------------------------------------===//

#include "ConstantFolder.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"

#include <deque>

using namespace dojo::onnx_import;
using llvm::ArrayRef;
using llvm::SmallVector;
using llvm::StringRef;
using TP = onnx::TensorProto;

namespace {

/// Results larger than this many elements are left to the device: folding
/// them would only move big tensors from the program into the constants.
constexpr int64_t kMaxFoldElements = int64_t(1) << 24;

class Scope {
public:
  explicit Scope(Scope *parent = nullptr) : parent(parent) {}

  /// Registers the initializers and the static shapes of a graph.
  void addGraph(const onnx::GraphProto &graph) {
    for (const auto &init : graph.initializer())
      inits[init.name()] = &init;
    collectStaticShapes(graph, shapes);
  }

  const FoldValue *lookup(StringRef name) {
    auto it = values.find(name);
    if (it != values.end())
      return &it->second;
    if (const onnx::TensorProto *init = inits.lookup(name)) {
      std::string err;
      auto t = decodeTensor(*init, err);
      if (!t)
        return nullptr;
      FoldValue v;
      v.tensor = std::move(*t);
      return &(values[name] = std::move(v));
    }
    return parent ? parent->lookup(name) : nullptr;
  }

  std::optional<SmallVector<int64_t>> shape(StringRef name) {
    auto it = shapes.find(name);
    if (it != shapes.end())
      return it->second;
    if (values.count(name))
      return values[name].isSequence
                 ? std::nullopt
                 : std::optional(values[name].tensor.dims);
    if (const onnx::TensorProto *init = inits.lookup(name))
      return SmallVector<int64_t>(init->dims().begin(), init->dims().end());
    return parent ? parent->shape(name) : std::nullopt;
  }

  void set(StringRef name, FoldValue v) { values[name] = std::move(v); }
  void addInitializer(const onnx::TensorProto &init) {
    inits[init.name()] = &init;
  }
  bool isLocalValue(StringRef name) const { return values.count(name); }
  const FoldValue &local(StringRef name) { return values[name]; }

private:
  Scope *parent;
  llvm::StringMap<FoldValue> values;
  llvm::StringMap<const onnx::TensorProto *> inits;
  llvm::StringMap<SmallVector<int64_t>> shapes;
};

bool isDefaultDomain(StringRef d) { return d.empty() || d == "ai.onnx"; }

const onnx::AttributeProto *findAttr(const onnx::NodeProto &node,
                                     StringRef name) {
  for (const auto &a : node.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

FoldValue tensorValue(ConstTensor t) {
  FoldValue v;
  v.tensor = std::move(t);
  return v;
}

class Folder {
public:
  explicit Folder(int64_t opset) : opset(opset) {}

  /// Evaluates `node` in `scope`; on success its outputs are set there.
  bool tryFold(const onnx::NodeProto &node, Scope &scope);
  /// Evaluates a whole subgraph with the given values bound to its inputs;
  /// fills `outs` with its outputs.
  bool runGraph(const onnx::GraphProto &graph, Scope &parent,
                ArrayRef<const FoldValue *> inputs, std::vector<FoldValue> &outs);
  /// Like runGraph, but inputs may be run-time values (null): every node
  /// that can be evaluated is, and the outputs that could not are empty.
  std::vector<std::optional<FoldValue>>
  runGraphPartially(const onnx::GraphProto &graph, Scope &parent,
                    ArrayRef<const FoldValue *> inputs);

private:
  bool foldConstant(const onnx::NodeProto &node, Scope &scope);
  bool foldLoop(const onnx::NodeProto &node, Scope &scope);
  bool foldIf(const onnx::NodeProto &node, Scope &scope);

  int64_t opset;
};

bool Folder::foldConstant(const onnx::NodeProto &node, Scope &scope) {
  if (node.attribute_size() != 1)
    return false;
  const onnx::AttributeProto &a = node.attribute(0);
  ConstTensor t;
  if (a.name() == "value") {
    std::string err;
    auto d = decodeTensor(a.t(), err);
    if (!d)
      return false;
    t = std::move(*d);
  } else if (a.name() == "value_float") {
    t = ConstTensor::scalarF(a.f(), TP::FLOAT);
  } else if (a.name() == "value_floats") {
    t = ConstTensor::zeros(TP::FLOAT, {a.floats_size()});
    for (int k = 0; k < a.floats_size(); ++k)
      t.set(k, a.floats(k));
  } else if (a.name() == "value_int") {
    t = ConstTensor::ints({a.i()});
    t.dims.clear();
  } else if (a.name() == "value_ints") {
    t = ConstTensor::ints(SmallVector<int64_t>(a.ints().begin(), a.ints().end()));
  } else {
    return false; // sparse_value and strings stay (and are rejected later).
  }
  if (t.dtype == TP::FLOAT16)
    return false;
  scope.set(node.output(0), tensorValue(std::move(t)));
  return true;
}

/// Registers `graph`'s initializers and shapes in `scope` and binds its
/// inputs to `inputs` (null entries stay unknown).
static void bindGraph(Scope &scope, const onnx::GraphProto &graph,
                      ArrayRef<const FoldValue *> inputs) {
  scope.addGraph(graph);
  for (auto [i, in] : llvm::enumerate(graph.input()))
    if (i < inputs.size() && inputs[i])
      scope.set(in.name(), *inputs[i]);
}

bool Folder::runGraph(const onnx::GraphProto &graph, Scope &parent,
                      ArrayRef<const FoldValue *> inputs,
                      std::vector<FoldValue> &outs) {
  Scope scope(&parent);
  bindGraph(scope, graph, inputs);
  for (const auto &node : graph.node())
    if (!tryFold(node, scope))
      return false;
  for (const auto &out : graph.output()) {
    const FoldValue *v = scope.lookup(out.name());
    if (!v)
      return false;
    outs.push_back(*v);
  }
  return true;
}

std::vector<std::optional<FoldValue>>
Folder::runGraphPartially(const onnx::GraphProto &graph, Scope &parent,
                          ArrayRef<const FoldValue *> inputs) {
  Scope scope(&parent);
  bindGraph(scope, graph, inputs);
  for (const auto &node : graph.node())
    (void)tryFold(node, scope);
  std::vector<std::optional<FoldValue>> outs;
  for (const auto &out : graph.output()) {
    // A body input without a value is a run-time value, even when the
    // parent scope happens to hold a constant of the same name.
    bool unboundInput = false;
    for (auto [i, in] : llvm::enumerate(graph.input()))
      if (in.name() == out.name() && (i >= inputs.size() || !inputs[i]))
        unboundInput = true;
    const FoldValue *v = unboundInput ? nullptr : scope.lookup(out.name());
    outs.push_back(v ? std::optional(*v) : std::nullopt);
  }
  return outs;
}

bool Folder::foldLoop(const onnx::NodeProto &node, Scope &scope) {
  const onnx::AttributeProto *body = findAttr(node, "body");
  if (!body)
    return false;
  auto in = [&](int i) -> const FoldValue * {
    if (i >= node.input_size() || node.input(i).empty())
      return nullptr;
    return scope.lookup(node.input(i));
  };
  bool hasTrip = node.input_size() > 0 && !node.input(0).empty();
  bool hasCond = node.input_size() > 1 && !node.input(1).empty();
  if ((hasTrip && !in(0)) || (hasCond && !in(1)))
    return false;
  // Without a trip count the loop runs until its condition turns false;
  // cap it so a non-terminating loop just stays unfolded.
  int64_t trips = hasTrip ? in(0)->tensor.getI(0) : 100000;
  bool cond = hasCond ? in(1)->tensor.getI(0) != 0 : true;
  std::vector<FoldValue> carried;
  for (int i = 2; i < node.input_size(); ++i) {
    if (!in(i))
      return false;
    carried.push_back(*in(i));
  }
  size_t numScan = node.output_size() - carried.size();
  std::vector<std::vector<ConstTensor>> scans(numScan);
  int64_t iter = 0;
  for (; iter < trips && cond; ++iter) {
    FoldValue iterV = tensorValue(ConstTensor::ints({iter}));
    iterV.tensor.dims.clear();
    FoldValue condV = tensorValue(ConstTensor::ints({1}, TP::BOOL));
    condV.tensor.dims.clear();
    SmallVector<const FoldValue *> args = {&iterV, &condV};
    for (const FoldValue &c : carried)
      args.push_back(&c);
    std::vector<FoldValue> outs;
    if (!runGraph(body->g(), scope, args, outs) ||
        outs.size() != 1 + carried.size() + numScan)
      return false;
    cond = outs[0].tensor.getI(0) != 0;
    for (size_t k = 0; k < carried.size(); ++k)
      carried[k] = outs[1 + k];
    for (size_t k = 0; k < numScan; ++k) {
      if (outs[1 + carried.size() + k].isSequence)
        return false;
      scans[k].push_back(outs[1 + carried.size() + k].tensor);
    }
  }
  if (!hasTrip && cond)
    return false; // Hit the cap.
  std::vector<FoldValue> results = carried;
  for (auto &scan : scans) {
    if (scan.empty())
      return false; // Zero iterations: the scan shape is unknown.
    // Stack the per-iteration values along a new leading axis.
    ConstTensor stacked;
    stacked.dtype = scan[0].dtype;
    stacked.dims.assign(1, static_cast<int64_t>(scan.size()));
    stacked.dims.append(scan[0].dims.begin(), scan[0].dims.end());
    for (const ConstTensor &t : scan) {
      if (t.dims != scan[0].dims)
        return false;
      stacked.f.insert(stacked.f.end(), t.f.begin(), t.f.end());
      stacked.i.insert(stacked.i.end(), t.i.begin(), t.i.end());
    }
    results.push_back(tensorValue(std::move(stacked)));
  }
  for (auto [i, name] : llvm::enumerate(node.output()))
    if (!name.empty())
      scope.set(name, results[i]);
  return true;
}

bool Folder::foldIf(const onnx::NodeProto &node, Scope &scope) {
  const FoldValue *cond = scope.lookup(node.input(0));
  if (!cond || cond->isSequence || cond->tensor.numel() != 1)
    return false;
  const onnx::AttributeProto *branch =
      findAttr(node, cond->tensor.getI(0) ? "then_branch" : "else_branch");
  std::vector<FoldValue> outs;
  if (!branch || !runGraph(branch->g(), scope, {}, outs))
    return false;
  for (auto [i, name] : llvm::enumerate(node.output()))
    if (!name.empty() && i < outs.size())
      scope.set(name, outs[i]);
  return true;
}

bool Folder::tryFold(const onnx::NodeProto &node, Scope &scope) {
  if (!isDefaultDomain(node.domain()))
    return false;
  StringRef op = node.op_type();
  if (op == "Constant")
    return foldConstant(node, scope);
  if (op == "Loop")
    return foldLoop(node, scope);
  if (op == "If")
    return foldIf(node, scope);
  if (op == "Shape" || op == "Size") {
    // Only the shape matters, so the input need not be constant.
    auto dims = scope.shape(node.input(0));
    if (!dims)
      return false;
    int64_t rank = dims->size(), n = 1;
    for (int64_t d : *dims)
      n *= d;
    ConstTensor t;
    if (op == "Size") {
      t = ConstTensor::ints({n});
      t.dims.clear();
    } else {
      int64_t start = 0, end = rank;
      for (const auto &a : node.attribute()) {
        if (a.name() == "start")
          start = a.i();
        if (a.name() == "end")
          end = a.i();
      }
      if (start < 0) start += rank;
      if (end < 0) end += rank;
      start = std::clamp<int64_t>(start, 0, rank);
      end = std::clamp<int64_t>(end, start, rank);
      t = ConstTensor::ints(ArrayRef<int64_t>(*dims).slice(start, end - start));
    }
    scope.set(node.output(0), tensorValue(std::move(t)));
    return true;
  }
  SmallVector<const FoldValue *> ins;
  for (const std::string &name : node.input()) {
    if (name.empty()) {
      ins.push_back(nullptr);
      continue;
    }
    const FoldValue *v = scope.lookup(name);
    if (!v)
      return false;
    ins.push_back(v);
  }
  if (ins.empty() && op != "SequenceEmpty")
    return false;
  std::vector<FoldValue> outs;
  if (!evaluateNode(node, opset, ins, outs) ||
      outs.size() < static_cast<size_t>(node.output_size()))
    return false;
  for (const FoldValue &v : outs)
    if (!v.isSequence &&
        (v.tensor.numel() > kMaxFoldElements || v.tensor.dtype == TP::FLOAT16))
      return false;
  for (auto [i, name] : llvm::enumerate(node.output()))
    if (!name.empty())
      scope.set(name, std::move(outs[i]));
  return true;
}

/// Every value name a node (or its subgraphs, transitively) reads.
void collectUses(const onnx::NodeProto &node, llvm::StringSet<> &uses) {
  for (const std::string &in : node.input())
    uses.insert(in);
  for (const auto &a : node.attribute()) {
    if (a.has_g())
      for (const auto &n : a.g().node())
        collectUses(n, uses);
    for (const auto &g : a.graphs())
      for (const auto &n : g.node())
        collectUses(n, uses);
    if (a.has_g())
      for (const auto &o : a.g().output())
        uses.insert(o.name());
  }
}

} // namespace

bool dojo::onnx_import::foldConstants(onnx::ModelProto &model, int64_t opset) {
  onnx::GraphProto &graph = *model.mutable_graph();
  Scope scope;
  scope.addGraph(graph);
  Folder folder(opset);
  std::deque<onnx::NodeProto> work(graph.node().begin(), graph.node().end());
  std::vector<onnx::NodeProto> kept;
  llvm::StringSet<> folded;
  bool changed = false;
  while (!work.empty()) {
    onnx::NodeProto node = std::move(work.front());
    work.pop_front();
    // An If whose condition is constant but whose branch reads dynamic
    // values is inlined: its nodes join the main graph in its place.
    if (isDefaultDomain(node.domain()) && node.op_type() == "If") {
      const FoldValue *cond = scope.lookup(node.input(0));
      if (cond && !cond->isSequence && cond->tensor.numel() == 1 &&
          !folder.tryFold(node, scope)) {
        const onnx::AttributeProto *branch = findAttr(
            node, cond->tensor.getI(0) ? "then_branch" : "else_branch");
        if (branch && branch->g().output_size() == node.output_size()) {
          std::vector<onnx::NodeProto> inlined(branch->g().node().begin(),
                                               branch->g().node().end());
          for (const auto &init : branch->g().initializer())
            *graph.add_initializer() = init;
          scope.addGraph(branch->g());
          for (auto [i, out] : llvm::enumerate(branch->g().output())) {
            onnx::NodeProto id;
            id.set_op_type("Identity");
            id.set_name(node.name() + "/out" + std::to_string(i));
            id.add_input(out.name());
            id.add_output(node.output(i));
            inlined.push_back(id);
          }
          work.insert(work.begin(), inlined.begin(), inlined.end());
          changed = true;
          continue;
        }
      }
      if (cond && scope.isLocalValue(node.output(0))) {
        for (const std::string &o : node.output())
          folded.insert(o);
        changed = true;
        continue;
      }
    }
    if (folder.tryFold(node, scope)) {
      for (const std::string &o : node.output())
        folded.insert(o);
      changed = true;
      continue;
    }
    // A Loop with a known iteration count over run-time values is unrolled:
    // its body copies join the main graph in its place.
    if (isDefaultDomain(node.domain()) && node.op_type() == "Loop") {
      const onnx::AttributeProto *body = findAttr(node, "body");
      auto lookup = [&](StringRef name) -> const FoldValue * {
        return name.empty() ? nullptr : scope.lookup(name);
      };
      auto evalBody = [&](ArrayRef<const FoldValue *> args) {
        return folder.runGraphPartially(body->g(), scope, args);
      };
      if (body && body->has_g()) {
        if (auto unrolled = unrollLoop(node, opset, lookup, evalBody)) {
          for (auto &[name, value] : unrolled->constants) {
            scope.set(name, std::move(value));
            folded.insert(name);
          }
          for (const auto &init : unrolled->initializers)
            scope.addInitializer(*graph.add_initializer() = init);
          work.insert(work.begin(), unrolled->nodes.begin(),
                      unrolled->nodes.end());
          changed = true;
          continue;
        }
      }
    }
    kept.push_back(std::move(node));
  }
  if (!changed)
    return false;

  // Folded values that remaining nodes or the graph outputs still read
  // become initializers (sequences become a SequenceConstruct of them).
  llvm::StringSet<> uses;
  for (const auto &node : kept)
    collectUses(node, uses);
  for (const auto &out : graph.output())
    uses.insert(out.name());
  std::vector<onnx::NodeProto> prefix;
  for (const auto &entry : folded) {
    StringRef name = entry.getKey();
    if (name.empty() || !uses.count(name))
      continue;
    const FoldValue &v = scope.local(name);
    if (!v.isSequence) {
      *graph.add_initializer() = encodeTensor(v.tensor, name.str());
      continue;
    }
    onnx::NodeProto seq;
    seq.set_name(name.str() + "/sequence");
    seq.add_output(name.str());
    if (v.sequence.empty()) {
      seq.set_op_type("SequenceEmpty");
      auto *a = seq.add_attribute();
      a->set_name("dtype");
      a->set_type(onnx::AttributeProto::INT);
      a->set_i(v.sequenceElemType);
    } else {
      seq.set_op_type("SequenceConstruct");
      for (auto [k, t] : llvm::enumerate(v.sequence)) {
        std::string elem = name.str() + "/" + std::to_string(k);
        *graph.add_initializer() = encodeTensor(t, elem);
        seq.add_input(elem);
      }
    }
    prefix.push_back(std::move(seq));
  }
  graph.clear_node();
  for (auto &node : prefix)
    *graph.add_node() = std::move(node);
  for (auto &node : kept)
    *graph.add_node() = std::move(node);
  // Stale inferred shapes would hide what the folding made static.
  graph.clear_value_info();
  return true;
}

void dojo::onnx_import::collectStaticShapes(
    const onnx::GraphProto &graph,
    llvm::StringMap<SmallVector<int64_t>> &shapes) {
  auto addShapes = [&](const auto &infos) {
    for (const auto &info : infos) {
      if (!info.type().has_tensor_type() ||
          !info.type().tensor_type().has_shape())
        continue;
      SmallVector<int64_t> dims;
      bool ok = true;
      for (const auto &d : info.type().tensor_type().shape().dim()) {
        ok &= d.has_dim_value();
        dims.push_back(d.dim_value());
      }
      if (ok)
        shapes[info.name()] = dims;
    }
  };
  addShapes(graph.input());
  addShapes(graph.value_info());
  addShapes(graph.output());
}
