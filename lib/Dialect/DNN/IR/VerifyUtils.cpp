//===- VerifyUtils.cpp - Shape helpers and shared verifier checks ---------===//
//
// The shape helpers declared in DNNOps.h for the issue-3 ops, and the checks
// every verifier shares. The importer calls the same helpers to compute
// result types, so the two cannot disagree.
//
//===----------------------------------------------------------------------===//

#include "VerifyUtils.h"

#include "mlir/IR/BuiltinTypes.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

#include <cmath>

using namespace mlir;
using namespace dojo::dnn;

//===----------------------------------------------------------------------===//
// Shape helpers
//===----------------------------------------------------------------------===//

bool dojo::dnn::isSupportedElementType(Type type) {
  if (type.isF16() || type.isBF16() || type.isF32() || type.isF64())
    return true;
  auto i = dyn_cast<IntegerType>(type);
  if (!i || i.isSigned())
    return false; // signed ONNX integers are signless in MLIR
  unsigned w = i.getWidth();
  return (w == 1 && i.isSignless()) || w == 8 || w == 16 || w == 32 || w == 64;
}

bool dojo::dnn::isValidUnaryFn(StringRef fn) {
  static const char *const names[] = {
      "leaky_relu", "clip",       "sigmoid",      "tanh",       "erf",
      "gelu",       "gelu_tanh",  "hard_sigmoid", "hard_swish", "softplus",
      "exp",        "log",        "sqrt",         "reciprocal", "neg",
      "abs",        "floor",      "ceil",         "round",      "sign",
      "identity"};
  return llvm::is_contained(names, fn);
}

bool dojo::dnn::isComparisonFn(StringRef fn) {
  return fn == "equal" || fn == "less" || fn == "greater" ||
         fn == "less_or_equal" || fn == "greater_or_equal";
}

bool dojo::dnn::isValidBinaryFn(StringRef fn) {
  return fn == "add" || fn == "sub" || fn == "mul" || fn == "div" ||
         fn == "min" || fn == "max" || fn == "pow" || isComparisonFn(fn);
}

std::optional<int64_t> dojo::dnn::poolOutputSize(int64_t in, int64_t kernel,
                                                 int64_t stride,
                                                 int64_t dilation,
                                                 int64_t padBegin,
                                                 int64_t padEnd,
                                                 bool ceilMode) {
  if (stride <= 0 || dilation <= 0 || kernel <= 0 || padBegin < 0 || padEnd < 0)
    return std::nullopt;
  int64_t window = dilation * (kernel - 1) + 1;
  int64_t span = in + padBegin + padEnd - window;
  if (span < 0)
    return std::nullopt;
  return (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
}

std::optional<int64_t> dojo::dnn::convTransposeOutputSize(
    int64_t in, int64_t kernel, int64_t stride, int64_t dilation,
    int64_t padBegin, int64_t padEnd) {
  // Negative pads are allowed: an `output_shape` larger than the full
  // transposed convolution extends it (with zeros plus bias).
  if (stride <= 0 || dilation <= 0 || kernel <= 0)
    return std::nullopt;
  int64_t out = stride * (in - 1) + dilation * (kernel - 1) + 1 - padBegin -
                padEnd;
  if (out <= 0)
    return std::nullopt;
  return out;
}

SmallVector<int64_t> dojo::dnn::reduceResultShape(ArrayRef<int64_t> in,
                                                  ArrayRef<int64_t> axes,
                                                  bool keepdims) {
  SmallVector<int64_t> out;
  for (auto [i, d] : llvm::enumerate(in)) {
    if (!llvm::is_contained(axes, static_cast<int64_t>(i)))
      out.push_back(d);
    else if (keepdims)
      out.push_back(1);
  }
  return out;
}

SmallVector<int64_t> dojo::dnn::gatherResultShape(ArrayRef<int64_t> data,
                                                  ArrayRef<int64_t> indices,
                                                  int64_t axis) {
  SmallVector<int64_t> out(data.take_front(axis));
  out.append(indices.begin(), indices.end());
  out.append(data.begin() + axis + 1, data.end());
  return out;
}

void dojo::dnn::clampSliceBounds(int64_t &start, int64_t &end, int64_t step,
                                 int64_t dim) {
  if (start < 0)
    start += dim;
  if (end < 0)
    end += dim;
  int64_t lo = step > 0 ? 0 : -1, hi = step > 0 ? dim : dim - 1;
  start = std::clamp<int64_t>(start, lo, hi);
  end = std::clamp<int64_t>(end, lo, hi);
}

int64_t dojo::dnn::sliceCount(int64_t start, int64_t end, int64_t step) {
  if (step > 0)
    return end > start ? (end - start + step - 1) / step : 0;
  return start > end ? (start - end - step - 1) / -step : 0;
}

int64_t dojo::dnn::resizeOutputSize(int64_t in, float scale) {
  // ONNX computes floor(in * scale) in float; a tiny tolerance keeps
  // out / in round trips (sizes given) from losing one.
  return static_cast<int64_t>(
      std::floor(static_cast<double>(in) * static_cast<double>(scale) + 1e-4));
}

//===----------------------------------------------------------------------===//
// Shared verification
//===----------------------------------------------------------------------===//

namespace dojo::dnn::detail {

std::string shapeStr(ArrayRef<int64_t> shape) {
  if (shape.empty())
    return "scalar";
  return llvm::join(llvm::map_range(shape,
                                    [](int64_t d) { return std::to_string(d); }),
                    "x");
}

namespace {
/// Checks every operand and result with `check(value, "operand"|"result", i)`.
template <typename Fn> LogicalResult forEachValue(Operation *op, Fn check) {
  for (auto [i, v] : llvm::enumerate(op->getOperands()))
    if (failed(check(v, "operand", i)))
      return failure();
  for (auto [i, v] : llvm::enumerate(op->getResults()))
    if (failed(check(v, "result", i)))
      return failure();
  return success();
}
} // namespace

LogicalResult verifyStaticSupported(Operation *op) {
  return forEachValue(op, [&](Value v, StringRef what,
                              size_t idx) -> LogicalResult {
    auto type = cast<RankedTensorType>(v.getType());
    if (!type.hasStaticShape())
      return op->emitOpError() << what << " #" << idx
                               << " must have a static shape, got " << type;
    if (!isSupportedElementType(type.getElementType()))
      return op->emitOpError() << what << " #" << idx
                               << " must have an ONNX element type (f16, "
                                  "bf16, f32, f64, i1, i8..i64, ui8..ui64), "
                                  "got "
                               << type;
    return success();
  });
}

LogicalResult verifyStaticF32(Operation *op) {
  return forEachValue(op, [&](Value v, StringRef what,
                              size_t idx) -> LogicalResult {
    auto type = cast<RankedTensorType>(v.getType());
    if (!type.hasStaticShape())
      return op->emitOpError() << what << " #" << idx
                               << " must have a static shape, got " << type;
    if (!type.getElementType().isF32())
      return op->emitOpError() << what << " #" << idx
                               << " must have f32 elements, got " << type;
    return success();
  });
}

LogicalResult verifyStaticNumericSame(Operation *op) {
  if (failed(verifyStaticSameElementType(op)))
    return failure();
  Type t = elemOf(op->getResult(0));
  if (t.isInteger(1))
    return op->emitOpError() << "needs numeric tensors, got " << t;
  return success();
}

LogicalResult verifyStaticSameElementType(Operation *op) {
  if (failed(verifyStaticSupported(op)))
    return failure();
  Type first = elemOf(op->getResult(0));
  return forEachValue(op, [&](Value v, StringRef what,
                              size_t idx) -> LogicalResult {
    if (elemOf(v) != first)
      return op->emitOpError() << what << " #" << idx << " has element type "
                               << elemOf(v) << " but the result has " << first;
    return success();
  });
}

LogicalResult verifyAct(Operation *op, StringRef act) {
  if (!isValidActivation(act))
    return op->emitOpError() << "act must be \"none\" or \"relu\", got \""
                             << act << "\"";
  return success();
}

LogicalResult verifyResultShape(Operation *op, ArrayRef<int64_t> expected) {
  auto actual = shapeOf(op->getResult(0));
  if (actual != expected)
    return op->emitOpError() << "result shape " << shapeStr(actual)
                             << " does not match the expected shape "
                             << shapeStr(expected);
  return success();
}

LogicalResult verifyResizeModes(Operation *op, StringRef mode, StringRef ctm,
                                StringRef nearest) {
  if (mode != "nearest" && mode != "linear" && mode != "cubic")
    return op->emitOpError() << "mode must be nearest, linear or cubic, got \""
                             << mode << "\"";
  if (!llvm::is_contained({"half_pixel", "asymmetric", "align_corners",
                           "pytorch_half_pixel", "tf_half_pixel_for_nearest",
                           "tf_crop_and_resize"},
                          ctm))
    return op->emitOpError() << "unknown coordinate_transformation_mode \""
                             << ctm << "\"";
  if (!llvm::is_contained(
          {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"},
          nearest))
    return op->emitOpError() << "unknown nearest_mode \"" << nearest << "\"";
  return success();
}

} // namespace dojo::dnn::detail
