//===- DNNOpsResizeDynamic.cpp - Verifier of dnn.dynamic_resize -----------===//
//
// A Resize whose scales or roi are run-time tensors. Only the static parts
// can be checked here (modes, ranks, operand lengths, the axes); the
// values are read, and checked, by the code that runs.
//
//===----------------------------------------------------------------------===//

#include "VerifyUtils.h"

#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;
using namespace dojo::dnn;
using namespace dojo::dnn::detail;

LogicalResult DynamicResizeOp::verify() {
  // Static shapes first: the checks below read them.
  if (failed(verifyStaticSupported(*this)) ||
      failed(verifyResizeModes(*this, getMode(),
                               getCoordinateTransformationMode(),
                               getNearestMode())))
    return failure();
  if (!elemOf(getInput()).isF32() || !elemOf(getOutput()).isF32())
    return emitOpError("input and result must be f32 tensors");
  ArrayRef<int64_t> x = shapeOf(getInput()), y = shapeOf(getOutput());
  if (x.size() != y.size())
    return emitOpError("result rank must equal the input's");
  ArrayRef<int64_t> axes = getAxes();
  SmallVector<bool, 8> seen(x.size(), false);
  for (int64_t a : axes) {
    if (a < 0 || a >= int64_t(x.size()) || seen[a])
      return emitOpError() << "axes must be distinct dimensions in [0, "
                           << x.size() << "), got " << a;
    seen[a] = true;
  }
  for (size_t d = 0; d < x.size(); ++d) {
    if (!seen[d] && x[d] != y[d])
      return emitOpError() << "dimension " << d
                           << " is not resized but its result extent " << y[d]
                           << " differs from the input's " << x[d];
    if (y[d] <= 0)
      return emitOpError() << "dimension " << d << " of the result is empty";
  }
  // One scale per axis; a start and an end per axis.
  for (auto [v, name, n] :
       {std::tuple{getScales(), "scales", axes.size()},
        std::tuple{getRoi(), "roi", 2 * axes.size()}}) {
    ArrayRef<int64_t> s = shapeOf(v);
    if (s.size() != 1 || s[0] != int64_t(n) || !isa<FloatType>(elemOf(v)))
      return emitOpError() << name << " must be a 1-D float tensor of " << n
                           << " entries, got " << v.getType();
  }
  return success();
}
