//===- ConstantEval.cpp - Host evaluation of ONNX ops on constants --------===//
//
// The ops that PyTorch exports for shape arithmetic and weight
// preprocessing, evaluated with numpy semantics on ConstTensor. Anything
// not recognized returns false, which simply leaves the node in the graph.
//
//===----------------------------------------------------------------------===//

#include "ConstantFolder.h"

#include "dojo/Dialect/DNN/IR/DNNOps.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringRef.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace dojo::onnx_import;
using llvm::ArrayRef;
using llvm::SmallVector;
using llvm::StringRef;
using TP = onnx::TensorProto;

namespace {

const onnx::AttributeProto *findAttr(const onnx::NodeProto &node,
                                     StringRef name) {
  for (const auto &a : node.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}
int64_t intAttr(const onnx::NodeProto &n, StringRef name, int64_t dflt) {
  const auto *a = findAttr(n, name);
  return a ? a->i() : dflt;
}
std::optional<std::vector<int64_t>> intsAttr(const onnx::NodeProto &n,
                                             StringRef name) {
  const auto *a = findAttr(n, name);
  if (!a)
    return std::nullopt;
  return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

/// Normalizes a possibly negative axis; false when out of range.
bool normAxis(int64_t &axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return false;
  if (axis < 0)
    axis += rank;
  return true;
}

std::optional<SmallVector<int64_t>> bcast(ArrayRef<int64_t> a,
                                          ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  SmallVector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t x = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t y = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (x != y && x != 1 && y != 1)
      return std::nullopt;
    out[i] = x == 1 ? y : x;
  }
  return out;
}

/// Offset in `in` (broadcast to `out`) of output element `k`.
int64_t bcastOffset(int64_t k, ArrayRef<int64_t> out, ArrayRef<int64_t> in) {
  int64_t off = 0, stride = 1;
  for (int64_t d = static_cast<int64_t>(out.size()) - 1,
               e = static_cast<int64_t>(in.size()) - 1;
       d >= 0; --d, --e) {
    int64_t idx = k % out[d];
    k /= out[d];
    if (e >= 0) {
      if (in[e] != 1)
        off += idx * stride;
      stride *= in[e];
    }
  }
  return off;
}

/// Elementwise op over any number of broadcast inputs.
template <typename Fn>
std::optional<ConstTensor> elementwise(ArrayRef<const ConstTensor *> ins,
                                       int32_t outType, Fn fn) {
  SmallVector<int64_t> shape(ins[0]->dims);
  for (const ConstTensor *t : ins.drop_front()) {
    auto s = bcast(shape, t->dims);
    if (!s)
      return std::nullopt;
    shape = *s;
  }
  ConstTensor out = ConstTensor::zeros(outType, shape);
  SmallVector<int64_t> offs(ins.size());
  for (int64_t k = 0, n = out.numel(); k < n; ++k) {
    for (size_t j = 0; j < ins.size(); ++j)
      offs[j] = bcastOffset(k, shape, ins[j]->dims);
    fn(out, k, offs);
  }
  return out;
}

std::optional<ConstTensor> binary(StringRef op, const ConstTensor &a,
                                  const ConstTensor &b) {
  bool cmp = op == "Equal" || op == "Less" || op == "Greater" ||
             op == "LessOrEqual" || op == "GreaterOrEqual";
  bool logic = op == "And" || op == "Or" || op == "Xor";
  int32_t outType = cmp || logic ? int32_t(TP::BOOL) : a.dtype;
  bool fl = a.isFloat();
  const ConstTensor *ins[] = {&a, &b};
  return elementwise(ins, outType, [&](ConstTensor &o, int64_t k,
                                       ArrayRef<int64_t> off) {
    if (fl || op == "Pow") {
      double x = a.getF(off[0]), y = b.getF(off[1]), r = 0;
      if (op == "Add") r = x + y;
      else if (op == "Sub") r = x - y;
      else if (op == "Mul") r = x * y;
      else if (op == "Div") r = x / y;
      else if (op == "Pow") r = std::pow(x, y);
      else if (op == "Min") r = std::min(x, y);
      else if (op == "Max") r = std::max(x, y);
      else if (op == "Mod") r = std::fmod(x, y);
      else if (op == "Equal") r = x == y;
      else if (op == "Less") r = x < y;
      else if (op == "Greater") r = x > y;
      else if (op == "LessOrEqual") r = x <= y;
      else if (op == "GreaterOrEqual") r = x >= y;
      o.set(k, r);
      return;
    }
    int64_t x = a.i[off[0]], y = b.i[off[1]], r = 0;
    if (op == "Add") r = x + y;
    else if (op == "Sub") r = x - y;
    else if (op == "Mul") r = x * y;
    else if (op == "Div") r = y ? x / y : 0;
    else if (op == "Min") r = std::min(x, y);
    else if (op == "Max") r = std::max(x, y);
    else if (op == "Mod") r = y ? ((x % y) + y) % y : 0; // fmod=0: sign of y.
    else if (op == "Equal") r = x == y;
    else if (op == "Less") r = x < y;
    else if (op == "Greater") r = x > y;
    else if (op == "LessOrEqual") r = x <= y;
    else if (op == "GreaterOrEqual") r = x >= y;
    else if (op == "And") r = x && y;
    else if (op == "Or") r = x || y;
    else if (op == "Xor") r = (x != 0) != (y != 0);
    o.setI(k, r);
  });
}

std::optional<ConstTensor> unary(StringRef op, const ConstTensor &a) {
  ConstTensor o = ConstTensor::zeros(op == "Not" ? int32_t(TP::BOOL) : a.dtype,
                                     a.dims);
  for (int64_t k = 0, n = a.numel(); k < n; ++k) {
    if (!a.isFloat()) {
      int64_t x = a.i[k];
      if (op == "Neg") o.setI(k, -x);
      else if (op == "Abs") o.setI(k, x < 0 ? -x : x);
      else if (op == "Not") o.setI(k, !x);
      else if (op == "Sign") o.setI(k, (x > 0) - (x < 0));
      else if (op == "Relu") o.setI(k, std::max<int64_t>(x, 0));
      else if (op == "Floor" || op == "Ceil" || op == "Round" || op == "Identity")
        o.setI(k, x);
      else return std::nullopt;
      continue;
    }
    double x = a.f[k], r;
    if (op == "Neg") r = -x;
    else if (op == "Abs") r = std::fabs(x);
    else if (op == "Floor") r = std::floor(x);
    else if (op == "Ceil") r = std::ceil(x);
    else if (op == "Round") r = std::nearbyint(x);
    else if (op == "Sqrt") r = std::sqrt(x);
    else if (op == "Exp") r = std::exp(x);
    else if (op == "Log") r = std::log(x);
    else if (op == "Reciprocal") r = 1.0 / x;
    else if (op == "Relu") r = std::max(x, 0.0);
    else if (op == "Sign") r = (x > 0) - (x < 0);
    else if (op == "Sigmoid") r = 1.0 / (1.0 + std::exp(-x));
    else if (op == "Tanh") r = std::tanh(x);
    else if (op == "Identity") r = x;
    else return std::nullopt;
    o.set(k, r);
  }
  return o;
}

/// Copies element `src` of `in` to element `dst` of `out` (same dtype).
void copyElem(ConstTensor &out, int64_t dst, const ConstTensor &in,
              int64_t src) {
  if (in.isFloat())
    out.f[dst] = in.f[src];
  else
    out.i[dst] = in.i[src];
}

ConstTensor reshaped(const ConstTensor &in, ArrayRef<int64_t> dims) {
  ConstTensor out = in;
  out.dims.assign(dims.begin(), dims.end());
  return out;
}

std::optional<ConstTensor> transpose(const ConstTensor &in,
                                     std::vector<int64_t> perm) {
  int64_t rank = in.dims.size();
  if (perm.empty())
    for (int64_t i = rank - 1; i >= 0; --i)
      perm.push_back(i);
  if (static_cast<int64_t>(perm.size()) != rank)
    return std::nullopt;
  SmallVector<int64_t> dims;
  for (int64_t p : perm) {
    if (p < 0 || p >= rank)
      return std::nullopt;
    dims.push_back(in.dims[p]);
  }
  auto inStrides = stridesOf(in.dims);
  ConstTensor out = ConstTensor::zeros(in.dtype, dims);
  for (int64_t k = 0, n = out.numel(); k < n; ++k) {
    int64_t rem = k, src = 0;
    for (int64_t d = rank - 1; d >= 0; --d) {
      src += (rem % dims[d]) * inStrides[perm[d]];
      rem /= dims[d];
    }
    copyElem(out, k, in, src);
  }
  return out;
}

std::optional<ConstTensor> concat(ArrayRef<const ConstTensor *> ins,
                                  int64_t axis) {
  int64_t rank = ins[0]->dims.size();
  if (!normAxis(axis, rank))
    return std::nullopt;
  SmallVector<int64_t> dims(ins[0]->dims);
  dims[axis] = 0;
  for (const ConstTensor *t : ins) {
    if (static_cast<int64_t>(t->dims.size()) != rank || t->dtype != ins[0]->dtype)
      return std::nullopt;
    dims[axis] += t->dims[axis];
  }
  ConstTensor out = ConstTensor::zeros(ins[0]->dtype, dims);
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= dims[d];
  for (int64_t d = axis + 1; d < rank; ++d)
    inner *= dims[d];
  int64_t k = 0;
  for (int64_t o = 0; o < outer; ++o)
    for (const ConstTensor *t : ins) {
      int64_t chunk = t->dims[axis] * inner;
      for (int64_t j = 0; j < chunk; ++j)
        copyElem(out, k++, *t, o * chunk + j);
    }
  return out;
}

/// Strided slice of every dimension with normalized starts and counts.
ConstTensor sliceDims(const ConstTensor &in, ArrayRef<int64_t> starts,
                      ArrayRef<int64_t> steps, ArrayRef<int64_t> counts) {
  ConstTensor out = ConstTensor::zeros(in.dtype, counts);
  auto inStrides = stridesOf(in.dims);
  int64_t rank = in.dims.size();
  for (int64_t k = 0, n = out.numel(); k < n; ++k) {
    int64_t rem = k, src = 0;
    for (int64_t d = rank - 1; d >= 0; --d) {
      src += (starts[d] + (rem % counts[d]) * steps[d]) * inStrides[d];
      rem /= counts[d];
    }
    copyElem(out, k, in, src);
  }
  return out;
}

std::optional<ConstTensor> slice(const ConstTensor &in,
                                 std::vector<int64_t> starts,
                                 std::vector<int64_t> ends,
                                 std::optional<std::vector<int64_t>> axes,
                                 std::optional<std::vector<int64_t>> steps) {
  int64_t rank = in.dims.size();
  if (!axes) {
    axes.emplace();
    for (size_t i = 0; i < starts.size(); ++i)
      axes->push_back(i);
  }
  if (!steps)
    steps.emplace(starts.size(), 1);
  if (ends.size() != starts.size() || axes->size() != starts.size() ||
      steps->size() != starts.size())
    return std::nullopt;
  SmallVector<int64_t> st(rank, 0), sp(rank, 1), cnt(in.dims);
  for (size_t j = 0; j < starts.size(); ++j) {
    int64_t ax = (*axes)[j];
    if (!normAxis(ax, rank) || (*steps)[j] == 0)
      return std::nullopt;
    int64_t dim = in.dims[ax], step = (*steps)[j];
    int64_t s = starts[j], e = ends[j];
    dojo::dnn::clampSliceBounds(s, e, step, dim);
    int64_t n = dojo::dnn::sliceCount(s, e, step);
    st[ax] = n ? s : 0;
    sp[ax] = step;
    cnt[ax] = n;
  }
  return sliceDims(in, st, sp, cnt);
}

std::optional<ConstTensor> gather(const ConstTensor &data,
                                  const ConstTensor &idx, int64_t axis) {
  int64_t rank = data.dims.size();
  if (!normAxis(axis, rank) || idx.isFloat())
    return std::nullopt;
  SmallVector<int64_t> dims(data.dims.begin(), data.dims.begin() + axis);
  dims.append(idx.dims.begin(), idx.dims.end());
  dims.append(data.dims.begin() + axis + 1, data.dims.end());
  ConstTensor out = ConstTensor::zeros(data.dtype, dims);
  int64_t outer = 1, inner = 1, dim = data.dims[axis];
  for (int64_t d = 0; d < axis; ++d)
    outer *= data.dims[d];
  for (int64_t d = axis + 1; d < rank; ++d)
    inner *= data.dims[d];
  int64_t k = 0;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0, nj = idx.numel(); j < nj; ++j) {
      int64_t id = idx.i[j] < 0 ? idx.i[j] + dim : idx.i[j];
      if (id < 0 || id >= dim)
        return std::nullopt;
      for (int64_t in = 0; in < inner; ++in)
        copyElem(out, k++, data, (o * dim + id) * inner + in);
    }
  return out;
}

std::optional<ConstTensor> reduce(StringRef op, const ConstTensor &in,
                                  std::vector<int64_t> axes, bool keepdims) {
  int64_t rank = in.dims.size();
  if (axes.empty())
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  SmallVector<bool> red(rank, false);
  for (int64_t a : axes) {
    if (!normAxis(a, rank))
      return std::nullopt;
    red[a] = true;
  }
  SmallVector<int64_t> kdims;
  for (int64_t d = 0; d < rank; ++d)
    kdims.push_back(red[d] ? 1 : in.dims[d]);
  ConstTensor acc = ConstTensor::zeros(TP::DOUBLE, kdims);
  SmallVector<int64_t> count(acc.numel(), 0);
  for (int64_t k = 0, n = in.numel(); k < n; ++k) {
    int64_t dst = bcastOffset(k, in.dims, kdims);
    double v = in.getF(k);
    double &a = acc.f[dst];
    if (count[dst]++ == 0) a = v;
    else if (op == "ReduceProd") a *= v;
    else if (op == "ReduceMax") a = std::max(a, v);
    else if (op == "ReduceMin") a = std::min(a, v);
    else a += v;
  }
  if (in.numel() == 0)
    return std::nullopt;
  SmallVector<int64_t> odims;
  for (int64_t d = 0; d < rank; ++d)
    if (!red[d] || keepdims)
      odims.push_back(kdims[d]);
  ConstTensor out = ConstTensor::zeros(in.dtype, odims);
  for (int64_t k = 0; k < out.numel(); ++k)
    out.set(k, op == "ReduceMean" ? acc.f[k] / count[k] : acc.f[k]);
  if (!in.isFloat()) // Exact integer results for large values.
    for (int64_t k = 0; k < out.numel(); ++k)
      out.i[k] = static_cast<int64_t>(std::llround(acc.f[k]));
  return out;
}

/// The ONNX Reshape target shape with 0 (copy, unless allowzero) and -1.
std::optional<SmallVector<int64_t>> reshapeTarget(ArrayRef<int64_t> in,
                                                  ArrayRef<int64_t> shape,
                                                  bool allowzero) {
  SmallVector<int64_t> out;
  int64_t known = 1, inferred = -1, total = 1;
  for (int64_t d : in)
    total *= d;
  for (size_t i = 0; i < shape.size(); ++i) {
    int64_t d = shape[i];
    if (d == 0 && !allowzero) {
      if (i >= in.size())
        return std::nullopt;
      d = in[i];
    }
    if (d == -1) {
      if (inferred >= 0)
        return std::nullopt;
      inferred = static_cast<int64_t>(i);
      out.push_back(1);
      continue;
    }
    if (d < 0)
      return std::nullopt;
    known *= d;
    out.push_back(d);
  }
  if (inferred >= 0) {
    if (known == 0 || total % known)
      return std::nullopt;
    out[inferred] = total / known;
  } else if (known != total) {
    return std::nullopt;
  }
  return out;
}

} // namespace

namespace dojo::onnx_import {
/// Shared with the importer's Reshape handler.
std::optional<SmallVector<int64_t>>
computeReshapeTarget(ArrayRef<int64_t> in, ArrayRef<int64_t> shape,
                     bool allowzero) {
  return reshapeTarget(in, shape, allowzero);
}
} // namespace dojo::onnx_import


namespace {

/// The ints of an optional input, or of the attribute with the same name
/// in the opsets that had it as an attribute.
std::optional<std::vector<int64_t>>
intsFrom(const onnx::NodeProto &node, ArrayRef<const FoldValue *> in,
         size_t idx, StringRef attr) {
  if (idx < in.size() && in[idx])
    return in[idx]->tensor.toInts();
  return intsAttr(node, attr);
}

bool evalSequenceOp(StringRef op, const onnx::NodeProto &node,
                    ArrayRef<const FoldValue *> in, std::vector<FoldValue> &out) {
  FoldValue r;
  r.isSequence = true;
  if (op == "SequenceEmpty") {
    r.sequenceElemType = intAttr(node, "dtype", TP::FLOAT);
  } else if (op == "SequenceConstruct") {
    for (const FoldValue *v : in)
      r.sequence.push_back(v->tensor);
    r.sequenceElemType = in.empty() ? int32_t(TP::FLOAT) : in[0]->tensor.dtype;
  } else if (op == "SequenceInsert") {
    r = *in[0];
    int64_t n = r.sequence.size();
    int64_t pos = in.size() > 2 && in[2] ? in[2]->tensor.getI(0) : n;
    if (pos < 0) pos += n;
    if (pos < 0 || pos > n)
      return false;
    r.sequence.insert(r.sequence.begin() + pos, in[1]->tensor);
  } else if (op == "SequenceAt" || op == "SequenceLength") {
    const auto &seq = in[0]->sequence;
    FoldValue t;
    if (op == "SequenceLength") {
      t.tensor = ConstTensor::ints({static_cast<int64_t>(seq.size())});
      t.tensor.dims.clear();
    } else {
      int64_t pos = in[1]->tensor.getI(0), n = seq.size();
      if (pos < 0) pos += n;
      if (pos < 0 || pos >= n)
        return false;
      t.tensor = seq[pos];
    }
    out.push_back(std::move(t));
    return true;
  } else if (op == "ConcatFromSequence") {
    const auto &seq = in[0]->sequence;
    if (seq.empty())
      return false;
    int64_t axis = intAttr(node, "axis", 0);
    bool newAxis = intAttr(node, "new_axis", 0);
    std::vector<ConstTensor> parts;
    for (const ConstTensor &t : seq) {
      if (!newAxis) {
        parts.push_back(t);
        continue;
      }
      int64_t a = axis < 0 ? axis + t.dims.size() + 1 : axis;
      if (a < 0 || a > static_cast<int64_t>(t.dims.size()))
        return false;
      SmallVector<int64_t> d(t.dims);
      d.insert(d.begin() + a, 1);
      parts.push_back(reshaped(t, d));
    }
    SmallVector<const ConstTensor *> ptrs;
    for (const ConstTensor &t : parts)
      ptrs.push_back(&t);
    auto c = concat(ptrs, axis);
    if (!c)
      return false;
    FoldValue t;
    t.tensor = *c;
    out.push_back(std::move(t));
    return true;
  } else if (op == "SplitToSequence") {
    const ConstTensor &x = in[0]->tensor;
    int64_t axis = intAttr(node, "axis", 0), rank = x.dims.size();
    if (!normAxis(axis, rank))
      return false;
    bool keep = intAttr(node, "keepdims", 1);
    std::vector<int64_t> sizes;
    bool scalarSplit = in.size() > 1 && in[1] && in[1]->tensor.dims.empty();
    if (in.size() > 1 && in[1] && !scalarSplit) {
      sizes = in[1]->tensor.toInts();
    } else {
      int64_t chunk = scalarSplit ? in[1]->tensor.getI(0) : 1;
      if (chunk <= 0)
        return false;
      for (int64_t s = 0; s < x.dims[axis]; s += chunk)
        sizes.push_back(std::min(chunk, x.dims[axis] - s));
    }
    bool squeeze = !(in.size() > 1 && in[1]) && !keep;
    int64_t start = 0;
    r.sequenceElemType = x.dtype;
    for (int64_t s : sizes) {
      auto part = slice(x, {start}, {start + s}, std::vector<int64_t>{axis},
                        std::nullopt);
      if (!part)
        return false;
      start += s;
      if (squeeze) {
        SmallVector<int64_t> d(part->dims);
        d.erase(d.begin() + axis);
        *part = reshaped(*part, d);
      }
      r.sequence.push_back(*part);
    }
  } else {
    return false;
  }
  out.push_back(std::move(r));
  return true;
}

} // namespace

bool dojo::onnx_import::evaluateNode(const onnx::NodeProto &node,
                                     int64_t opset,
                                     ArrayRef<const FoldValue *> in,
                                     std::vector<FoldValue> &outputs) {
  StringRef op = node.op_type();
  if (op.starts_with("Sequence") || op == "ConcatFromSequence" ||
      op == "SplitToSequence")
    return evalSequenceOp(op, node, in, outputs);
  // Every other op reads tensors only.
  for (const FoldValue *v : in)
    if (v && v->isSequence)
      return false;
  auto t = [&](size_t i) -> const ConstTensor * {
    return i < in.size() && in[i] ? &in[i]->tensor : nullptr;
  };
  std::optional<ConstTensor> r;
  std::vector<ConstTensor> multi;
  if (op == "Identity") {
    r = *t(0);
  } else if (op == "Cast") {
    int64_t to = intAttr(node, "to", TP::FLOAT);
    // Every numeric type and BOOL; setI/set wrap and round to the target.
    if (!ConstTensor::isFloatType(to) && to != TP::INT64 && to != TP::INT32 &&
        to != TP::BOOL && to != TP::INT8 && to != TP::UINT8 &&
        to != TP::INT16 && to != TP::UINT16 && to != TP::UINT32 &&
        to != TP::UINT64)
      return false;
    r = ConstTensor::zeros(to, t(0)->dims);
    for (int64_t k = 0; k < r->numel(); ++k) {
      if (t(0)->isFloat())
        r->set(k, t(0)->f[k]);
      else
        r->setI(k, t(0)->i[k]);
    }
  } else if (op == "ConstantOfShape") {
    ConstTensor value = ConstTensor::scalarF(0.0, TP::FLOAT);
    if (const auto *a = findAttr(node, "value")) {
      std::string err;
      auto v = decodeTensor(a->t(), err);
      if (!v || v->numel() != 1)
        return false;
      value = *v;
    }
    auto shape = t(0)->toInts();
    r = ConstTensor::zeros(value.dtype, shape);
    for (int64_t k = 0; k < r->numel(); ++k)
      copyElem(*r, k, value, 0);
  } else if (op == "Size") {
    r = ConstTensor::ints({t(0)->numel()});
    r->dims.clear();
  } else if (op == "Gather") {
    r = gather(*t(0), *t(1), intAttr(node, "axis", 0));
  } else if (op == "Concat") {
    SmallVector<const ConstTensor *> ins;
    for (size_t i = 0; i < in.size(); ++i)
      if (t(i))
        ins.push_back(t(i));
    if (ins.empty())
      return false;
    r = concat(ins, intAttr(node, "axis", 0));
  } else if (op == "Slice") {
    if (opset < 10) {
      auto s = intsAttr(node, "starts"), e = intsAttr(node, "ends");
      if (!s || !e)
        return false;
      r = slice(*t(0), *s, *e, intsAttr(node, "axes"), std::nullopt);
    } else {
      std::optional<std::vector<int64_t>> axes, steps;
      if (t(3)) axes = t(3)->toInts();
      if (t(4)) steps = t(4)->toInts();
      r = slice(*t(0), t(1)->toInts(), t(2)->toInts(), axes, steps);
    }
  } else if (op == "Unsqueeze" || op == "Squeeze") {
    auto axes = intsFrom(node, in, 1, "axes");
    SmallVector<int64_t> dims(t(0)->dims);
    if (op == "Unsqueeze") {
      if (!axes)
        return false;
      int64_t rank = dims.size() + axes->size();
      std::vector<int64_t> sorted;
      for (int64_t a : *axes) {
        if (!normAxis(a, rank))
          return false;
        sorted.push_back(a);
      }
      llvm::sort(sorted);
      for (int64_t a : sorted)
        dims.insert(dims.begin() + a, 1);
    } else {
      int64_t rank = dims.size();
      SmallVector<bool> drop(rank, false);
      if (!axes) {
        for (int64_t d = 0; d < rank; ++d)
          drop[d] = dims[d] == 1;
      } else {
        for (int64_t a : *axes) {
          if (!normAxis(a, rank) || dims[a] != 1)
            return false;
          drop[a] = true;
        }
      }
      SmallVector<int64_t> kept;
      for (int64_t d = 0; d < rank; ++d)
        if (!drop[d])
          kept.push_back(dims[d]);
      dims = kept;
    }
    r = reshaped(*t(0), dims);
  } else if (op == "Reshape") {
    std::optional<std::vector<int64_t>> shape =
        opset < 5 ? intsAttr(node, "shape")
                  : std::optional<std::vector<int64_t>>(t(1)->toInts());
    if (!shape)
      return false;
    auto dims = reshapeTarget(t(0)->dims, *shape, intAttr(node, "allowzero", 0));
    if (!dims)
      return false;
    r = reshaped(*t(0), *dims);
  } else if (op == "Flatten") {
    int64_t axis = intAttr(node, "axis", 1), rank = t(0)->dims.size();
    if (axis < 0) axis += rank;
    if (axis < 0 || axis > rank)
      return false;
    int64_t outer = 1;
    for (int64_t d = 0; d < axis; ++d)
      outer *= t(0)->dims[d];
    r = reshaped(*t(0), {outer, outer ? t(0)->numel() / outer : 0});
  } else if (op == "Range") {
    double start = t(0)->getF(0), limit = t(1)->getF(0), delta = t(2)->getF(0);
    if (delta == 0)
      return false;
    int64_t n = std::max<int64_t>(
        0, static_cast<int64_t>(std::ceil((limit - start) / delta)));
    r = ConstTensor::zeros(t(0)->dtype, {n});
    for (int64_t k = 0; k < n; ++k) {
      if (t(0)->isFloat())
        r->set(k, start + k * delta);
      else
        r->setI(k, t(0)->i[0] + k * t(2)->i[0]);
    }
  } else if (op == "Where") {
    const ConstTensor *ins[] = {t(0), t(1), t(2)};
    r = elementwise(ins, t(1)->dtype, [&](ConstTensor &o, int64_t k,
                                         ArrayRef<int64_t> off) {
      copyElem(o, k, *(t(0)->i[off[0]] ? t(1) : t(2)),
               t(0)->i[off[0]] ? off[1] : off[2]);
    });
  } else if (op == "Expand") {
    auto shape = bcast(t(0)->dims, t(1)->toInts());
    if (!shape)
      return false;
    ConstTensor target = ConstTensor::zeros(TP::BOOL, *shape);
    const ConstTensor *ins[] = {t(0), &target};
    r = elementwise(ins, t(0)->dtype,
                    [&](ConstTensor &o, int64_t k, ArrayRef<int64_t> off) {
                      copyElem(o, k, *t(0), off[0]);
                    });
  } else if (op == "Tile") {
    auto reps = t(1)->toInts();
    if (reps.size() != t(0)->dims.size())
      return false;
    SmallVector<int64_t> dims;
    for (size_t d = 0; d < reps.size(); ++d)
      dims.push_back(t(0)->dims[d] * reps[d]);
    r = ConstTensor::zeros(t(0)->dtype, dims);
    auto inStrides = stridesOf(t(0)->dims);
    for (int64_t k = 0; k < r->numel(); ++k) {
      int64_t rem = k, src = 0;
      for (int64_t d = dims.size() - 1; d >= 0; --d) {
        src += ((rem % dims[d]) % t(0)->dims[d]) * inStrides[d];
        rem /= dims[d];
      }
      copyElem(*r, k, *t(0), src);
    }
  } else if (op == "Transpose") {
    r = transpose(*t(0), intsAttr(node, "perm").value_or(std::vector<int64_t>{}));
  } else if (op == "ReduceProd" || op == "ReduceSum" || op == "ReduceMax" ||
             op == "ReduceMin" || op == "ReduceMean") {
    bool axesInput = (op == "ReduceSum" && opset >= 13) || opset >= 18;
    auto axes = axesInput ? (t(1) ? std::optional(t(1)->toInts()) : std::nullopt)
                          : intsAttr(node, "axes");
    if (!axes && intAttr(node, "noop_with_empty_axes", 0)) {
      r = *t(0);
    } else {
      r = reduce(op, *t(0), axes.value_or(std::vector<int64_t>{}),
                 intAttr(node, "keepdims", 1));
    }
  } else if (op == "Split") {
    int64_t axis = intAttr(node, "axis", 0), rank = t(0)->dims.size();
    if (!normAxis(axis, rank))
      return false;
    auto sizes = intsFrom(node, in, 1, "split");
    int64_t dim = t(0)->dims[axis], n = node.output_size();
    if (!sizes) {
      sizes.emplace();
      int64_t chunk = (dim + n - 1) / n;
      for (int64_t s = 0; s < dim; s += chunk)
        sizes->push_back(std::min(chunk, dim - s));
    }
    if (static_cast<int64_t>(sizes->size()) != n)
      return false;
    int64_t start = 0;
    for (int64_t s : *sizes) {
      auto part = slice(*t(0), {start}, {start + s}, std::vector<int64_t>{axis},
                        std::nullopt);
      if (!part)
        return false;
      multi.push_back(*part);
      start += s;
    }
  } else if (in.size() == 1 && t(0)) {
    r = unary(op, *t(0));
  } else if (op == "Sum" || op == "Max" || op == "Min" || op == "Mean") {
    if (!t(0))
      return false;
    r = *t(0);
    StringRef bop = op == "Max" ? "Max" : op == "Min" ? "Min" : "Add";
    for (size_t i = 1; i < in.size() && r; ++i)
      r = binary(bop, *r, *t(i));
    if (r && op == "Mean")
      r = binary("Div", *r,
                 ConstTensor::scalarF(static_cast<double>(in.size()), r->dtype));
  } else if (in.size() == 2 && t(0) && t(1) &&
             llvm::is_contained({"Add", "Sub", "Mul", "Div", "Pow", "Mod",
                                 "Equal", "Less", "Greater", "LessOrEqual",
                                 "GreaterOrEqual", "And", "Or", "Xor"},
                                op)) {
    if (t(0)->isFloat() != t(1)->isFloat() && op != "Pow")
      return false;
    r = binary(op, *t(0), *t(1));
  }
  if (!multi.empty()) {
    for (ConstTensor &m : multi) {
      FoldValue v;
      v.tensor = std::move(m);
      outputs.push_back(std::move(v));
    }
    return true;
  }
  if (!r)
    return false;
  FoldValue v;
  v.tensor = std::move(*r);
  outputs.push_back(std::move(v));
  return true;
}
