//===- DNNOps.cpp - Verifiers and shape helpers of the `dnn` ops ----------===//
//
// The D1 pipeline trusts the shapes of dnn ops when it tiles them, so every
// op checks here that its result shape is the one its semantics produce.
// All tensors must be static; matrix and normalization ops take f32,
// elementwise, pad and pool ops any numeric type, data-movement ops any
// supported type (VerifyUtils.h holds that policy in one place).
//
//===----------------------------------------------------------------------===//

#include "dojo/Dialect/DNN/IR/DNNOps.h"

#include "VerifyUtils.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace dojo::dnn;
using namespace dojo::dnn::detail;

//===----------------------------------------------------------------------===//
// Shape helpers
//===----------------------------------------------------------------------===//

std::optional<int64_t> dojo::dnn::convOutputSize(int64_t in, int64_t kernel,
                                                 int64_t stride,
                                                 int64_t dilation,
                                                 int64_t padBegin,
                                                 int64_t padEnd) {
  if (stride <= 0 || dilation <= 0 || kernel <= 0 || padBegin < 0 || padEnd < 0)
    return std::nullopt;
  int64_t window = dilation * (kernel - 1) + 1;
  int64_t padded = in + padBegin + padEnd;
  if (padded < window)
    return std::nullopt;
  return (padded - window) / stride + 1;
}

std::optional<SmallVector<int64_t>>
dojo::dnn::broadcastShapes(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs) {
  size_t rank = std::max(lhs.size(), rhs.size());
  SmallVector<int64_t> result(rank);
  for (size_t i = 0; i < rank; ++i) {
    // Align the shapes at their trailing dimensions, as numpy does.
    int64_t l = i < rank - lhs.size() ? 1 : lhs[i - (rank - lhs.size())];
    int64_t r = i < rank - rhs.size() ? 1 : rhs[i - (rank - rhs.size())];
    if (l != r && l != 1 && r != 1)
      return std::nullopt;
    result[i] = l == 1 ? r : l;
  }
  return result;
}

std::optional<SmallVector<int64_t>>
dojo::dnn::matmulResultShape(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  if (a.size() < 2 || b.size() < 2)
    return std::nullopt;
  if (a[a.size() - 1] != b[b.size() - 2])
    return std::nullopt;
  auto batch = broadcastShapes(a.drop_back(2), b.drop_back(2));
  if (!batch)
    return std::nullopt;
  batch->push_back(a[a.size() - 2]);
  batch->push_back(b[b.size() - 1]);
  return batch;
}

bool dojo::dnn::isValidActivation(StringRef act) {
  return act == "none" || act == "relu";
}

//===----------------------------------------------------------------------===//
// Shared verification
//===----------------------------------------------------------------------===//

// The shared checks (shapeStr, verifyStaticF32, verifyResultShape, ...) are
// in VerifyUtils.h, which the verifiers of the issue-3 ops in
// DNNOpsExtra.cpp use too.

//===----------------------------------------------------------------------===//
// ConvOp
//===----------------------------------------------------------------------===//

LogicalResult ConvOp::verify() {
  if (failed(verifyStaticF32(*this)) || failed(verifyAct(*this, getAct())))
    return failure();
  ArrayRef<int64_t> x = shapeOf(getInput()), w = shapeOf(getWeight());
  if (x.size() < 3 || x.size() > 5)
    return emitOpError() << "input must have rank 3, 4 or 5 (1-D to 3-D "
                            "convolution in NC[D]HW layout), got rank "
                         << x.size();
  if (w.size() != x.size())
    return emitOpError() << "weight rank " << w.size()
                         << " must equal input rank " << x.size();
  size_t spatial = x.size() - 2;
  if (getStrides().size() != spatial)
    return emitOpError() << "strides must have " << spatial
                         << " entries (one per spatial dimension), got "
                         << getStrides().size();
  if (getDilations().size() != spatial)
    return emitOpError() << "dilations must have " << spatial
                         << " entries (one per spatial dimension), got "
                         << getDilations().size();
  if (getPads().size() != 2 * spatial)
    return emitOpError() << "pads must have " << 2 * spatial
                         << " entries (begin pads then end pads), got "
                         << getPads().size();
  int64_t group = getGroupAttr().getInt();
  int64_t cin = x[1], cout = w[0];
  if (group <= 0)
    return emitOpError() << "group must be positive, got " << group;
  if (cin % group != 0 || cout % group != 0)
    return emitOpError() << "group " << group
                         << " must divide the input channels (" << cin
                         << ") and the output channels (" << cout << ")";
  if (w[1] != cin / group)
    return emitOpError() << "weight shape " << shapeStr(w)
                         << " must be [Cout, Cin/group, k...] with Cin/group = "
                         << cin / group;
  if (Value bias = getBias()) {
    ArrayRef<int64_t> b = shapeOf(bias);
    if (b.size() != 1 || b[0] != cout)
      return emitOpError() << "bias shape " << shapeStr(b)
                           << " must be [Cout] = [" << cout << "]";
  }
  SmallVector<int64_t> expected = {x[0], cout};
  for (size_t i = 0; i < spatial; ++i) {
    auto out = convOutputSize(x[i + 2], w[i + 2], getStrides()[i],
                              getDilations()[i], getPads()[i],
                              getPads()[i + spatial]);
    if (!out)
      return emitOpError() << "spatial dimension " << i << " is invalid: input "
                           << x[i + 2] << ", kernel " << w[i + 2]
                           << ", stride " << getStrides()[i] << ", dilation "
                           << getDilations()[i] << ", pads "
                           << getPads()[i] << "/" << getPads()[i + spatial]
                           << " (strides and dilations must be positive, "
                              "pads non-negative, and the dilated kernel must "
                              "fit the padded input)";
    expected.push_back(*out);
  }
  return verifyResultShape(*this, expected);
}

//===----------------------------------------------------------------------===//
// GemmOp
//===----------------------------------------------------------------------===//

LogicalResult GemmOp::verify() {
  if (failed(verifyStaticF32(*this)) || failed(verifyAct(*this, getAct())))
    return failure();
  ArrayRef<int64_t> a = shapeOf(getA()), b = shapeOf(getB());
  if (a.size() != 2 || b.size() != 2)
    return emitOpError() << "operands a and b must be 2-D, got "
                         << shapeStr(a) << " and " << shapeStr(b);
  int64_t m = getTransA() ? a[1] : a[0], ka = getTransA() ? a[0] : a[1];
  int64_t kb = getTransB() ? b[1] : b[0], n = getTransB() ? b[0] : b[1];
  if (ka != kb)
    return emitOpError() << "contraction dimensions differ: op(a) is " << m
                         << "x" << ka << " and op(b) is " << kb << "x" << n;
  if (Value c = getC()) {
    ArrayRef<int64_t> cs = shapeOf(c);
    // c broadcasts unidirectionally: the broadcast must yield exactly MxN.
    auto bc = broadcastShapes(cs, {m, n});
    if (cs.size() > 2 || !bc || *bc != ArrayRef<int64_t>{m, n})
      return emitOpError() << "c shape " << shapeStr(cs)
                           << " does not broadcast to the result shape " << m
                           << "x" << n;
  }
  return verifyResultShape(*this, {m, n});
}

//===----------------------------------------------------------------------===//
// MatMulOp
//===----------------------------------------------------------------------===//

LogicalResult MatMulOp::verify() {
  if (failed(verifyStaticF32(*this)))
    return failure();
  ArrayRef<int64_t> a = shapeOf(getA()), b = shapeOf(getB());
  if (a.size() < 2 || b.size() < 2)
    return emitOpError() << "operands must have rank >= 2 (reshape 1-D "
                            "operands first), got ranks "
                         << a.size() << " and " << b.size();
  if (a.back() != b[b.size() - 2])
    return emitOpError() << "contraction dimensions differ: a is "
                         << shapeStr(a) << " and b is " << shapeStr(b);
  auto expected = matmulResultShape(a, b);
  if (!expected)
    return emitOpError() << "batch dimensions of " << shapeStr(a) << " and "
                         << shapeStr(b) << " do not broadcast";
  return verifyResultShape(*this, *expected);
}

//===----------------------------------------------------------------------===//
// AddOp
//===----------------------------------------------------------------------===//

LogicalResult AddOp::verify() {
  if (failed(verifyStaticF32(*this)) || failed(verifyAct(*this, getAct())))
    return failure();
  ArrayRef<int64_t> l = shapeOf(getLhs()), r = shapeOf(getRhs());
  auto expected = broadcastShapes(l, r);
  if (!expected)
    return emitOpError() << "operand shapes " << shapeStr(l) << " and "
                         << shapeStr(r) << " do not broadcast";
  return verifyResultShape(*this, *expected);
}

//===----------------------------------------------------------------------===//
// ReluOp
//===----------------------------------------------------------------------===//

LogicalResult ReluOp::verify() {
  if (failed(verifyStaticF32(*this)))
    return failure();
  return verifyResultShape(*this, shapeOf(getInput()));
}

//===----------------------------------------------------------------------===//
// GlobalAvgPoolOp
//===----------------------------------------------------------------------===//

LogicalResult GlobalAvgPoolOp::verify() {
  if (failed(verifyStaticF32(*this)))
    return failure();
  ArrayRef<int64_t> x = shapeOf(getInput());
  if (x.size() < 3)
    return emitOpError() << "input must have rank >= 3 (N, C and at least "
                            "one spatial dimension), got rank "
                         << x.size();
  SmallVector<int64_t> expected(x.size(), 1);
  expected[0] = x[0];
  expected[1] = x[1];
  return verifyResultShape(*this, expected);
}

//===----------------------------------------------------------------------===//
// ReshapeOp
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  // Reshape moves data without looking at it, so index and mask tensors
  // (i64, i32, i1) may be reshaped too.
  if (failed(verifyStaticSameElementType(*this)))
    return failure();
  auto in = cast<RankedTensorType>(getInput().getType());
  auto out = cast<RankedTensorType>(getOutput().getType());
  if (in.getNumElements() != out.getNumElements())
    return emitOpError() << "input " << shapeStr(in.getShape()) << " has "
                         << in.getNumElements() << " elements but result "
                         << shapeStr(out.getShape()) << " has "
                         << out.getNumElements();
  return success();
}

#define GET_OP_CLASSES
#include "dojo/Dialect/DNN/IR/DNNOps.cpp.inc"
