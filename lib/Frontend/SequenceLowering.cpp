//===- SequenceLowering.cpp - Sequences of static length as tensor lists --===//
//
// dnn has no sequence type: every value is a tensor. A sequence whose
// length and insert/erase/read positions are known at compile time is
// nothing but a list of tensor names, so the sequence ops are rewritten in
// the ONNX graph into the tensor ops they amount to (see ConstantFolder.h).
// Sequences of constants are already evaluated by the folder; this handles
// the ones holding run-time tensors, e.g. those an unrolled Loop built with
// SequenceInsert. A sequence that reaches an op this cannot rewrite (a Loop
// or If that reads it, a graph output, a run-time position) is rebuilt
// there with SequenceConstruct, so the graph stays valid and the importer
// reports that op.
//
//===----------------------------------------------------------------------===//

#include "ConstantFolder.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <functional>

using namespace dojo::onnx_import;
using llvm::SmallVector;
using llvm::StringRef;

namespace {

struct SeqList {
  std::vector<std::string> elems;
  int32_t elemType = onnx::TensorProto::FLOAT;
};

class Lowering {
public:
  Lowering(onnx::GraphProto &graph, int64_t opset) : graph(graph), opset(opset) {
    for (const auto &init : graph.initializer())
      inits[init.name()] = &init;
    collectStaticShapes(graph, shapes);
  }

  bool run();

private:
  std::optional<ConstTensor> constant(const std::string &name) {
    const onnx::TensorProto *init = inits.lookup(name);
    if (!init)
      return std::nullopt;
    std::string err;
    return decodeTensor(*init, err);
  }
  std::optional<SmallVector<int64_t>> shapeOf(const std::string &name) {
    auto it = shapes.find(name);
    if (it != shapes.end())
      return it->second;
    if (const onnx::TensorProto *init = inits.lookup(name))
      return SmallVector<int64_t>(init->dims().begin(), init->dims().end());
    return std::nullopt;
  }
  /// A constant position into a sequence of `size` elements, normalized;
  /// `inclusive` allows `size` itself (an insert position).
  std::optional<int64_t> position(const onnx::NodeProto &node, int input,
                                  int64_t size, bool inclusive) {
    auto t = constant(node.input(input));
    if (!t || t->numel() != 1)
      return std::nullopt;
    int64_t p = t->getI(0), limit = inclusive ? size + 1 : size;
    if (p < -size || p >= limit)
      return std::nullopt;
    return p < 0 ? p + size : p;
  }
  std::string newConstant(const std::string &name, ConstTensor t) {
    *graph.add_initializer() = encodeTensor(t, name);
    return name;
  }
  /// Rewrites one node; false leaves it (and the sequences it reads) as is.
  bool lower(const onnx::NodeProto &node, std::vector<onnx::NodeProto> &out);
  /// Rebuilds the sequence `name` in front of the node `reader` that still
  /// needs it. The rebuilt node takes the reader's name, so that when it is
  /// rejected the diagnostic points at the node that could not be lowered.
  void materialize(const std::string &name, const std::string &reader,
                   std::vector<onnx::NodeProto> &out);

  onnx::GraphProto &graph;
  int64_t opset;
  llvm::StringMap<const onnx::TensorProto *> inits;
  llvm::StringMap<SmallVector<int64_t>> shapes;
  llvm::StringMap<SeqList> seqs;
};

onnx::NodeProto makeNode(StringRef op, const std::string &name,
                         const std::vector<std::string> &inputs,
                         const std::vector<std::string> &outputs) {
  onnx::NodeProto n;
  n.set_op_type(op.str());
  n.set_name(name);
  for (const std::string &in : inputs)
    n.add_input(in);
  for (const std::string &o : outputs)
    n.add_output(o);
  return n;
}

int64_t intAttr(const onnx::NodeProto &node, StringRef name, int64_t dflt) {
  for (const auto &a : node.attribute())
    if (a.name() == name)
      return a.i();
  return dflt;
}

void setIntAttr(onnx::NodeProto &n, StringRef name, int64_t v) {
  auto *a = n.add_attribute();
  a->set_name(name.str());
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}

void setIntsAttr(onnx::NodeProto &n, StringRef name, llvm::ArrayRef<int64_t> v) {
  auto *a = n.add_attribute();
  a->set_name(name.str());
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v)
    a->add_ints(x);
}

bool Lowering::lower(const onnx::NodeProto &node,
                     std::vector<onnx::NodeProto> &out) {
  StringRef op = node.op_type();
  std::string name = node.name().empty() ? op.str() + "_" + node.output(0)
                                         : node.name();
  auto seqIn = [&](int i) -> SeqList * {
    if (i >= node.input_size())
      return nullptr;
    auto it = seqs.find(node.input(i));
    return it == seqs.end() ? nullptr : &it->second;
  };
  auto hasInput = [&](int i) {
    return i < node.input_size() && !node.input(i).empty();
  };
  if (op == "SequenceEmpty") {
    SeqList s;
    s.elemType = intAttr(node, "dtype", onnx::TensorProto::FLOAT);
    seqs[node.output(0)] = s;
    return true;
  }
  if (op == "SequenceConstruct") {
    SeqList s;
    s.elems.assign(node.input().begin(), node.input().end());
    seqs[node.output(0)] = s;
    return true;
  }
  SeqList *s = seqIn(0);
  if (!s)
    return false;
  int64_t size = s->elems.size();
  if (op == "Identity") {
    seqs[node.output(0)] = *s;
    return true;
  }
  if (op == "SequenceInsert" || op == "SequenceErase") {
    bool insert = op == "SequenceInsert";
    int posInput = insert ? 2 : 1;
    std::optional<int64_t> pos =
        hasInput(posInput) ? position(node, posInput, size, insert)
                           : std::optional<int64_t>(insert ? size : size - 1);
    if (!pos || *pos < 0 || (!insert && *pos >= size))
      return false;
    SeqList r = *s;
    if (insert)
      r.elems.insert(r.elems.begin() + *pos, node.input(1));
    else
      r.elems.erase(r.elems.begin() + *pos);
    seqs[node.output(0)] = std::move(r);
    return true;
  }
  if (op == "SequenceAt") {
    std::optional<int64_t> pos = position(node, 1, size, false);
    if (!pos)
      return false;
    out.push_back(makeNode("Identity", name, {s->elems[*pos]}, {node.output(0)}));
    return true;
  }
  if (op == "SequenceLength") {
    ConstTensor t = ConstTensor::ints({size});
    t.dims.clear();
    newConstant(node.output(0), std::move(t));
    return true;
  }
  if (op == "ConcatFromSequence") {
    if (size == 0)
      return false;
    int64_t axis = intAttr(node, "axis", 0);
    std::vector<std::string> parts = s->elems;
    if (intAttr(node, "new_axis", 0)) {
      // Unsqueeze at `axis` (of the output rank, as new_axis defines it).
      std::string axes;
      if (opset >= 13)
        axes = newConstant(name + "/axes", ConstTensor::ints({axis}));
      for (auto &p : parts) {
        std::string u = name + "/unsqueeze" + std::to_string(&p - parts.data());
        std::vector<std::string> ins = {p};
        if (opset >= 13)
          ins.push_back(axes);
        onnx::NodeProto n = makeNode("Unsqueeze", u, ins, {u});
        if (opset < 13)
          setIntsAttr(n, "axes", {axis});
        out.push_back(std::move(n));
        p = u;
      }
    }
    onnx::NodeProto cat = makeNode("Concat", name, parts, {node.output(0)});
    setIntAttr(cat, "axis", axis);
    out.push_back(std::move(cat));
    return true;
  }
  return false;
}

void Lowering::materialize(const std::string &name, const std::string &reader,
                           std::vector<onnx::NodeProto> &out) {
  auto it = seqs.find(name);
  if (it == seqs.end())
    return;
  const SeqList &s = it->second;
  if (s.elems.empty()) {
    onnx::NodeProto n = makeNode("SequenceEmpty", reader, {}, {name});
    setIntAttr(n, "dtype", s.elemType);
    out.push_back(std::move(n));
  } else {
    out.push_back(
        makeNode("SequenceConstruct", reader, s.elems, {name}));
  }
  seqs.erase(it);
}

bool Lowering::run() {
  std::vector<onnx::NodeProto> out;
  bool changed = false;
  for (const auto &node : graph.node()) {
    bool isDefault = node.domain().empty() || node.domain() == "ai.onnx";
    StringRef op = node.op_type();
    // SplitToSequence only needs its input's static shape.
    if (isDefault && op == "SplitToSequence") {
      auto dims = shapeOf(node.input(0));
      int64_t rank = dims ? dims->size() : 0;
      int64_t axis = intAttr(node, "axis", 0);
      if (axis < 0)
        axis += rank;
      std::vector<int64_t> sizes;
      bool keep = true;
      if (dims && axis >= 0 && axis < rank) {
        int64_t len = (*dims)[axis];
        if (node.input_size() > 1 && !node.input(1).empty()) {
          auto split = constant(node.input(1));
          if (split && split->dims.empty() && split->getI(0) > 0) {
            for (int64_t at = 0; at < len; at += split->getI(0))
              sizes.push_back(std::min(split->getI(0), len - at));
          } else if (split && split->dims.size() == 1) {
            sizes = split->toInts();
          }
        } else {
          sizes.assign(len, 1);
          keep = intAttr(node, "keepdims", 1) != 0;
        }
      }
      if (!sizes.empty()) {
        std::string name = node.name().empty() ? "SplitToSequence_" + node.output(0)
                                               : node.name();
        std::vector<std::string> parts;
        for (size_t k = 0; k < sizes.size(); ++k)
          parts.push_back(name + "/part" + std::to_string(k));
        std::vector<std::string> ins = {node.input(0)};
        if (opset >= 13)
          ins.push_back(newConstant(name + "/split", ConstTensor::ints(sizes)));
        onnx::NodeProto split = makeNode("Split", name, ins, parts);
        setIntAttr(split, "axis", axis);
        if (opset < 13)
          setIntsAttr(split, "split", sizes);
        out.push_back(std::move(split));
        if (!keep) {
          std::string axes;
          if (opset >= 13)
            axes = newConstant(name + "/axes", ConstTensor::ints({axis}));
          for (auto &p : parts) {
            std::vector<std::string> sq = {p};
            if (opset >= 13)
              sq.push_back(axes);
            onnx::NodeProto n = makeNode("Squeeze", p + "/squeeze", sq,
                                         {p + "/squeeze"});
            if (opset < 13)
              setIntsAttr(n, "axes", {axis});
            out.push_back(std::move(n));
            p += "/squeeze";
          }
        }
        SeqList s;
        s.elems = parts;
        seqs[node.output(0)] = std::move(s);
        changed = true;
        continue;
      }
    }
    if (isDefault && lower(node, out)) {
      // Listing the elements of SequenceEmpty/Construct changes nothing by
      // itself (they come back if a reader needs them as a sequence).
      changed |= op != "SequenceEmpty" && op != "SequenceConstruct";
      continue;
    }
    // Any other reader of a listed sequence gets it back as a sequence.
    std::string reader = node.name().empty() ? node.op_type() + "_" + node.output(0)
                                             : node.name();
    for (const std::string &in : node.input())
      materialize(in, reader, out);
    for (const auto &a : node.attribute()) {
      llvm::StringSet<> uses;
      std::function<void(const onnx::GraphProto &)> walk =
          [&](const onnx::GraphProto &g) {
            for (const auto &n : g.node()) {
              for (const std::string &in : n.input())
                uses.insert(in);
              for (const auto &sa : n.attribute()) {
                if (sa.has_g())
                  walk(sa.g());
                for (const auto &sg : sa.graphs())
                  walk(sg);
              }
            }
            for (const auto &o : g.output())
              uses.insert(o.name());
          };
      if (a.has_g())
        walk(a.g());
      for (const auto &g : a.graphs())
        walk(g);
      for (const auto &u : uses)
        materialize(u.getKey().str(), reader, out);
    }
    out.push_back(node);
  }
  if (!changed)
    return false;
  for (const auto &o : graph.output())
    materialize(o.name(), o.name(), out);
  graph.clear_node();
  for (auto &n : out)
    *graph.add_node() = std::move(n);
  return true;
}

} // namespace

bool dojo::onnx_import::lowerSequences(onnx::ModelProto &model, int64_t opset) {
  return Lowering(*model.mutable_graph(), opset).run();
}
