//===- DNNOpsCompute.cpp - Verifiers of the issue-3 compute ops -----------===//
//
// dnn.unary, binary, where, cast, pool, reduce, softmax, layer_norm and
// conv_transpose. Each re-derives its result type from the operands and
// attributes, with the helpers in DNNOps.h that the importer also uses.
//
//===----------------------------------------------------------------------===//

#include "VerifyUtils.h"

#include "mlir/IR/BuiltinTypes.h"

#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace dojo::dnn;
using namespace dojo::dnn::detail;

namespace {

/// Axes must be in range, strictly increasing (so also unique).
LogicalResult verifyAxes(Operation *op, ArrayRef<int64_t> axes, int64_t rank) {
  for (auto [i, a] : llvm::enumerate(axes)) {
    if (a < 0 || a >= rank)
      return op->emitOpError() << "axis " << a << " is out of range for rank "
                               << rank << " (axes are normalized to [0, rank))";
    if (i > 0 && axes[i - 1] >= a)
      return op->emitOpError() << "axes must be sorted and unique";
  }
  return success();
}

/// Kernel, strides, dilations (one per spatial dim) and pads (two per).
LogicalResult verifyWindowAttrs(Operation *op, size_t spatial,
                                ArrayRef<int64_t> strides,
                                ArrayRef<int64_t> dilations,
                                ArrayRef<int64_t> pads) {
  if (strides.size() != spatial || dilations.size() != spatial)
    return op->emitOpError() << "strides and dilations must have " << spatial
                             << " entries (one per spatial dimension)";
  if (pads.size() != 2 * spatial)
    return op->emitOpError() << "pads must have " << 2 * spatial
                             << " entries (begin pads then end pads), got "
                             << pads.size();
  return success();
}

} // namespace

LogicalResult UnaryOp::verify() {
  if (failed(verifyStaticNumericSame(*this)))
    return failure();
  if (!isValidUnaryFn(getFn()))
    return emitOpError() << "unknown unary function \"" << getFn() << "\"";
  if (getFn() == "clip" && getAlpha().convertToFloat() > getBeta().convertToFloat())
    return emitOpError() << "clip needs min (alpha) <= max (beta)";
  return verifyResultShape(*this, shapeOf(getInput()));
}

LogicalResult BinaryOp::verify() {
  if (failed(verifyStaticSupported(*this)))
    return failure();
  if (!isValidBinaryFn(getFn()))
    return emitOpError() << "unknown binary function \"" << getFn() << "\"";
  Type l = elemOf(getLhs()), r = elemOf(getRhs()), out = elemOf(getOutput());
  // Only pow's exponent may have another type (ONNX Pow has T and T1).
  if (l != r && getFn() != "pow")
    return emitOpError() << "operands must have the same element type, got "
                         << l << " and " << r;
  if (l.isInteger(1) || r.isInteger(1))
    return emitOpError() << "operands must be numeric tensors, not i1";
  Type expected = isComparisonFn(getFn())
                      ? Type(IntegerType::get(getContext(), 1))
                      : l;
  if (out != expected)
    return emitOpError() << "result element type must be " << expected
                         << " for \"" << getFn() << "\", got " << out;
  auto shape = broadcastShapes(shapeOf(getLhs()), shapeOf(getRhs()));
  if (!shape)
    return emitOpError() << "operand shapes " << shapeStr(shapeOf(getLhs()))
                         << " and " << shapeStr(shapeOf(getRhs()))
                         << " do not broadcast";
  return verifyResultShape(*this, *shape);
}

LogicalResult WhereOp::verify() {
  if (failed(verifyStaticSupported(*this)))
    return failure();
  if (!elemOf(getCond()).isInteger(1))
    return emitOpError() << "condition must be an i1 tensor";
  if (elemOf(getX()) != elemOf(getY()) || elemOf(getX()) != elemOf(getOutput()))
    return emitOpError() << "x, y and the result must have one element type";
  auto shape = broadcastShapes(shapeOf(getCond()), shapeOf(getX()));
  if (shape)
    shape = broadcastShapes(*shape, shapeOf(getY()));
  if (!shape)
    return emitOpError() << "shapes of cond, x and y do not broadcast";
  return verifyResultShape(*this, *shape);
}

LogicalResult CastOp::verify() {
  if (failed(verifyStaticSupported(*this)))
    return failure();
  return verifyResultShape(*this, shapeOf(getInput()));
}

LogicalResult PoolOp::verify() {
  if (failed(verifyStaticNumericSame(*this)))
    return failure();
  if (getKind() != "max" && getKind() != "avg")
    return emitOpError() << "kind must be \"max\" or \"avg\", got \""
                         << getKind() << "\"";
  ArrayRef<int64_t> x = shapeOf(getInput());
  if (x.size() < 3 || x.size() > 5)
    return emitOpError() << "input must have rank 3, 4 or 5, got " << x.size();
  size_t spatial = x.size() - 2;
  if (getKernel().size() != spatial)
    return emitOpError() << "kernel must have " << spatial << " entries";
  if (failed(verifyWindowAttrs(*this, spatial, getStrides(), getDilations(),
                               getPads())))
    return failure();
  ArrayRef<int64_t> y = shapeOf(getOutput());
  if (y.size() != x.size() || y[0] != x[0] || y[1] != x[1])
    return emitOpError() << "result shape " << shapeStr(y)
                         << " must keep the batch and channel dims of "
                         << shapeStr(x);
  for (size_t i = 0; i < spatial; ++i) {
    ArrayRef<int64_t> p = getPads();
    auto lo = poolOutputSize(x[i + 2], getKernel()[i], getStrides()[i],
                             getDilations()[i], p[i], p[i + spatial], false);
    auto hi = poolOutputSize(x[i + 2], getKernel()[i], getStrides()[i],
                             getDilations()[i], p[i], p[i + spatial], true);
    if (!lo || !hi)
      return emitOpError() << "the window does not fit spatial dimension " << i
                           << " (or an attribute is not positive)";
    if (y[i + 2] != *lo && y[i + 2] != *hi)
      return emitOpError() << "spatial dimension " << i << " of the result is "
                           << y[i + 2] << " but must be " << *lo
                           << " (floor) or " << *hi << " (ceil_mode)";
  }
  return success();
}

LogicalResult ReduceOp::verify() {
  if (failed(verifyStaticF32(*this)))
    return failure();
  StringRef kind = getKind();
  if (kind != "mean" && kind != "sum" && kind != "max" && kind != "min")
    return emitOpError() << "kind must be mean, sum, max or min, got \"" << kind
                         << "\"";
  ArrayRef<int64_t> x = shapeOf(getInput());
  if (getAxes().empty())
    return emitOpError() << "axes must not be empty";
  if (failed(verifyAxes(*this, getAxes(), x.size())))
    return failure();
  return verifyResultShape(*this,
                           reduceResultShape(x, getAxes(), getKeepdims()));
}

LogicalResult SoftmaxOp::verify() {
  if (failed(verifyStaticF32(*this)))
    return failure();
  int64_t rank = shapeOf(getInput()).size();
  if (getAxisAttr().getInt() < 0 || getAxisAttr().getInt() >= rank)
    return emitOpError() << "axis " << getAxisAttr().getInt()
                         << " must be in [0, rank) with rank " << rank;
  return verifyResultShape(*this, shapeOf(getInput()));
}

LogicalResult LayerNormOp::verify() {
  if (failed(verifyStaticF32(*this)))
    return failure();
  ArrayRef<int64_t> x = shapeOf(getInput());
  int64_t rank = x.size();
  if (getAxisAttr().getInt() < 0 || getAxisAttr().getInt() >= rank)
    return emitOpError() << "axis " << getAxisAttr().getInt()
                         << " must be in [0, rank) with rank " << rank;
  ArrayRef<int64_t> normalized = x.drop_front(getAxisAttr().getInt());
  if (shapeOf(getScale()) != normalized)
    return emitOpError() << "scale shape " << shapeStr(shapeOf(getScale()))
                         << " must equal the normalized shape "
                         << shapeStr(normalized);
  if (getBias() && shapeOf(getBias()) != normalized)
    return emitOpError() << "bias shape " << shapeStr(shapeOf(getBias()))
                         << " must equal the normalized shape "
                         << shapeStr(normalized);
  if (getEpsilon().convertToFloat() <= 0.0f)
    return emitOpError() << "epsilon must be positive";
  return verifyResultShape(*this, x);
}

LogicalResult ConvTransposeOp::verify() {
  if (failed(verifyStaticF32(*this)))
    return failure();
  ArrayRef<int64_t> x = shapeOf(getInput()), w = shapeOf(getWeight());
  if (x.size() < 3 || x.size() > 5 || w.size() != x.size())
    return emitOpError() << "input and weight must have the same rank, 3 to "
                            "5, got "
                         << shapeStr(x) << " and " << shapeStr(w);
  size_t spatial = x.size() - 2;
  if (failed(verifyWindowAttrs(*this, spatial, getStrides(), getDilations(),
                               getPads())))
    return failure();
  int64_t group = getGroupAttr().getInt();
  if (group <= 0 || x[1] % group != 0)
    return emitOpError() << "group " << group
                         << " must be positive and divide the input channels "
                         << x[1];
  if (w[0] != x[1])
    return emitOpError() << "weight shape " << shapeStr(w)
                         << " must be [Cin, Cout/group, k...] with Cin = "
                         << x[1];
  int64_t cout = w[1] * group;
  if (Value bias = getBias())
    if (shapeOf(bias) != ArrayRef<int64_t>{cout})
      return emitOpError() << "bias shape " << shapeStr(shapeOf(bias))
                           << " must be [Cout] = [" << cout << "]";
  ArrayRef<int64_t> y = shapeOf(getOutput());
  if (y.size() != x.size() || y[0] != x[0] || y[1] != cout)
    return emitOpError() << "result shape " << shapeStr(y)
                         << " must be [N, Cout, ...] = [" << x[0] << ", "
                         << cout << ", ...]";
  for (size_t i = 0; i < spatial; ++i) {
    int64_t s = getStrides()[i], d = getDilations()[i];
    auto full = convTransposeOutputSize(x[i + 2], w[i + 2], s, d, getPads()[i],
                                        getPads()[i + spatial]);
    if (!full)
      return emitOpError() << "spatial dimension " << i
                           << " is invalid (strides and dilations must be "
                              "positive, output non-empty)";
    // The result may exceed the formula by the output_padding, which ONNX
    // bounds by max(stride, dilation).
    int64_t extra = y[i + 2] - *full;
    if (extra < 0 || extra >= std::max(s, d))
      return emitOpError() << "spatial dimension " << i << " of the result is "
                           << y[i + 2] << " but must be " << *full
                           << " plus an output padding below "
                           << std::max(s, d);
  }
  return success();
}
