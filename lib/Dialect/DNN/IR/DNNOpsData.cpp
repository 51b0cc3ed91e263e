//===- DNNOpsData.cpp - Verifiers of the issue-3 data-movement ops --------===//
//
// dnn.transpose, concat, slice, pad, broadcast, gather and resize. They move
// data without computing on it, so (except resize and pad) they accept any
// supported element type as long as it is preserved.
//
//===----------------------------------------------------------------------===//

#include "VerifyUtils.h"

#include "mlir/IR/BuiltinTypes.h"

#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace dojo::dnn;
using namespace dojo::dnn::detail;

LogicalResult TransposeOp::verify() {
  if (failed(verifyStaticSameElementType(*this)))
    return failure();
  ArrayRef<int64_t> x = shapeOf(getInput());
  ArrayRef<int64_t> perm = getPerm();
  if (perm.size() != x.size())
    return emitOpError() << "perm must have " << x.size() << " entries";
  SmallVector<int64_t> expected;
  SmallVector<bool> seen(x.size(), false);
  for (int64_t p : perm) {
    if (p < 0 || p >= static_cast<int64_t>(x.size()) || seen[p])
      return emitOpError() << "perm must be a permutation of [0, "
                           << x.size() << ")";
    seen[p] = true;
    expected.push_back(x[p]);
  }
  return verifyResultShape(*this, expected);
}

LogicalResult ConcatOp::verify() {
  if (getInputs().empty())
    return emitOpError() << "needs at least one input";
  if (failed(verifyStaticSameElementType(*this)))
    return failure();
  ArrayRef<int64_t> first = shapeOf(getInputs()[0]);
  int64_t rank = first.size(), axis = getAxisAttr().getInt();
  if (axis < 0 || axis >= rank)
    return emitOpError() << "axis " << axis << " must be in [0, " << rank
                         << ")";
  SmallVector<int64_t> expected(first);
  expected[axis] = 0;
  for (Value in : getInputs()) {
    ArrayRef<int64_t> s = shapeOf(in);
    if (static_cast<int64_t>(s.size()) != rank)
      return emitOpError() << "all inputs must have rank " << rank;
    for (int64_t i = 0; i < rank; ++i)
      if (i != axis && s[i] != first[i])
        return emitOpError() << "input shape " << shapeStr(s)
                             << " differs from " << shapeStr(first)
                             << " outside the concatenation axis " << axis;
    expected[axis] += s[axis];
  }
  return verifyResultShape(*this, expected);
}

LogicalResult SliceOp::verify() {
  if (failed(verifyStaticSameElementType(*this)))
    return failure();
  ArrayRef<int64_t> x = shapeOf(getInput()), y = shapeOf(getOutput());
  if (getStarts().size() != x.size() || getSteps().size() != x.size() ||
      y.size() != x.size())
    return emitOpError() << "starts, steps and the result must have one entry "
                            "per input dimension ("
                         << x.size() << ")";
  for (size_t i = 0; i < x.size(); ++i) {
    int64_t start = getStarts()[i], step = getSteps()[i], n = y[i];
    if (step == 0)
      return emitOpError() << "step of dimension " << i << " is zero";
    if (n == 0)
      continue; // An empty extent reads nothing.
    int64_t last = start + (n - 1) * step;
    if (start < 0 || start >= x[i] || last < 0 || last >= x[i])
      return emitOpError() << "dimension " << i << " reads indices " << start
                           << " to " << last << " (step " << step
                           << ") outside [0, " << x[i] << ")";
  }
  return success();
}

LogicalResult PadOp::verify() {
  if (failed(verifyStaticNumericSame(*this)))
    return failure();
  ArrayRef<int64_t> x = shapeOf(getInput());
  size_t rank = x.size();
  ArrayRef<int64_t> pads = getPads();
  if (pads.size() != 2 * rank)
    return emitOpError() << "pads must have " << 2 * rank
                         << " entries (begin pads then end pads)";
  StringRef mode = getMode();
  if (mode != "constant" && mode != "reflect" && mode != "edge")
    return emitOpError() << "mode must be constant, reflect or edge, got \""
                         << mode << "\"";
  SmallVector<int64_t> expected;
  for (size_t i = 0; i < rank; ++i) {
    int64_t b = pads[i], e = pads[i + rank];
    if (b < 0 || e < 0)
      return emitOpError() << "pads must be non-negative (negative pads are "
                              "slices)";
    if (mode == "reflect" && (b >= x[i] || e >= x[i]) && (b || e))
      return emitOpError() << "reflect pads of dimension " << i
                           << " must be smaller than its size " << x[i];
    if (mode == "edge" && x[i] == 0 && (b || e))
      return emitOpError() << "edge padding of the empty dimension " << i;
    expected.push_back(x[i] + b + e);
  }
  return verifyResultShape(*this, expected);
}

LogicalResult BroadcastOp::verify() {
  if (failed(verifyStaticSameElementType(*this)))
    return failure();
  ArrayRef<int64_t> x = shapeOf(getInput()), y = shapeOf(getOutput());
  auto bc = broadcastShapes(x, y);
  if (x.size() > y.size() || !bc || ArrayRef<int64_t>(*bc) != y)
    return emitOpError() << "input shape " << shapeStr(x)
                         << " does not broadcast to the result shape "
                         << shapeStr(y);
  return success();
}

LogicalResult GatherOp::verify() {
  if (failed(verifyStaticSupported(*this)))
    return failure();
  Type idx = elemOf(getIndices());
  if (!idx.isInteger(32) && !idx.isInteger(64))
    return emitOpError() << "indices must be i32 or i64, got " << idx;
  if (elemOf(getData()) != elemOf(getOutput()))
    return emitOpError() << "result element type must equal the data's";
  ArrayRef<int64_t> data = shapeOf(getData());
  int64_t axis = getAxisAttr().getInt();
  if (axis < 0 || axis >= static_cast<int64_t>(data.size()))
    return emitOpError() << "axis " << axis << " must be in [0, "
                         << data.size() << ")";
  return verifyResultShape(
      *this, gatherResultShape(data, shapeOf(getIndices()), axis));
}

LogicalResult ResizeOp::verify() {
  if (failed(verifyStaticF32(*this)))
    return failure();
  StringRef ctm = getCoordinateTransformationMode();
  if (failed(verifyResizeModes(*this, getMode(), ctm, getNearestMode())))
    return failure();
  ArrayRef<int64_t> x = shapeOf(getInput()), y = shapeOf(getOutput());
  ArrayRef<float> scales = getScales();
  if (scales.size() != x.size() || y.size() != x.size())
    return emitOpError() << "scales and the result need one entry per input "
                            "dimension ("
                         << x.size() << ")";
  // tf_crop_and_resize reads a start and an end per dimension from roi.
  std::optional<ArrayRef<float>> roi = getRoi();
  if ((ctm == "tf_crop_and_resize") != roi.has_value())
    return emitOpError() << "roi must be given exactly when "
                            "coordinate_transformation_mode is "
                            "tf_crop_and_resize";
  if (roi && roi->size() != 2 * x.size())
    return emitOpError() << "roi needs " << 2 * x.size()
                         << " entries (starts, then ends)";
  for (size_t i = 0; i < x.size(); ++i) {
    if (!(scales[i] > 0.0f))
      return emitOpError() << "scale of dimension " << i
                           << " must be positive";
    if (y[i] != resizeOutputSize(x[i], scales[i]))
      return emitOpError() << "dimension " << i << " of the result is " << y[i]
                           << " but floor(" << x[i] << " * " << scales[i]
                           << ") is " << resizeOutputSize(x[i], scales[i]);
  }
  return success();
}
