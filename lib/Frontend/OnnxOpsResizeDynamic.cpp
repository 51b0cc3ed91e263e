//===- OnnxOpsResizeDynamic.cpp - Resize with run-time scales or roi ------===//
//
// When Resize's scales (or, for tf_crop_and_resize, its roi) are computed
// at run time, the result shape is the one the model declares and the
// values only decide where each output coordinate samples. The node
// becomes dnn.dynamic_resize, whose D1 lowering computes the taps and
// their weights on the mesh from the run-time values (decision 24). The
// operand the mode does not read is given as a constant.
//
//===----------------------------------------------------------------------===//

#include "OnnxHandlers.h"

#include "dojo/Dialect/DNN/IR/DNNOps.h"

using namespace mlir;
using namespace dojo::dnn;

namespace dojo::onnx_import {

LogicalResult importDynamicResize(NodeContext &ctx, Value x,
                                  const DynamicResizeSpec &spec) {
  ArrayRef<int64_t> xs = NodeContext::shapeOf(x);
  int64_t rank = xs.size();
  size_t n = spec.axes.size();
  auto declared = ctx.declaredOutputShape(0);
  if (!declared)
    return ctx.emitError() << "scales or roi known only at run time need the "
                              "output's static shape to be declared or "
                              "inferable";
  if (int64_t(declared->size()) != rank)
    return ctx.emitError() << "declared output rank " << declared->size()
                           << " differs from the input's " << rank;
  SmallVector<bool, 8> named(rank, false);
  for (int64_t a : spec.axes)
    named[a] = true;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t out = (*declared)[d];
    if (out <= 0)
      return ctx.emitError() << "declared output dimension " << d
                             << " is empty";
    if (out == xs[d])
      continue;
    if (!named[d])
      return ctx.emitError() << "dimension " << d
                             << " is not resized but its declared extent "
                             << out << " differs from the input's " << xs[d];
    // The kernel blends whole channel vectors of N x C x ... tensors.
    if (d < 2 || rank < 3)
      return ctx.emitError() << "run-time scales or roi can resize only the "
                                "spatial dimensions (2 and up) of an "
                                "N x C x ... tensor";
  }
  if (rank < 3)
    return ctx.emitError() << "run-time scales or roi need an N x C x ... "
                              "input of rank 3 or more";
  auto vectorOf = [&](unsigned i, StringRef what,
                      size_t entries) -> FailureOr<Value> {
    auto v = ctx.input(i);
    if (failed(v))
      return failure();
    ArrayRef<int64_t> s = NodeContext::shapeOf(*v);
    if (s.size() != 1 || s[0] != int64_t(entries) ||
        !isa<FloatType>(NodeContext::elementTypeOf(*v)))
      return ctx.emitError() << what << " must be a 1-D float tensor of "
                             << entries << " entries (one per resized axis"
                             << (what == "roi" ? ", starts then ends" : "")
                             << ")";
    return *v;
  };
  bool crop = spec.transform == "tf_crop_and_resize";
  // Scales: the given tensor, or (sizes given, crop mode) out / in, which
  // the kernel does not read.
  FailureOr<Value> scales = failure();
  if (spec.scalesGiven) {
    scales = vectorOf(spec.scalesIndex, "scales", n);
  } else {
    SmallVector<float> ratio;
    for (int64_t a : spec.axes)
      ratio.push_back(float((*declared)[a]) / float(xs[a]));
    scales = f32Constant(ctx, {int64_t(n)}, ratio);
  }
  // Roi: read only by tf_crop_and_resize; a neutral [0, 1] box otherwise.
  FailureOr<Value> roi = failure();
  if (crop) {
    roi = vectorOf(1, "roi", 2 * n);
  } else {
    SmallVector<float> box(n, 0.0f);
    box.append(n, 1.0f);
    roi = f32Constant(ctx, {int64_t(2 * n)}, box);
  }
  if (failed(scales) || failed(roi))
    return failure();
  OpBuilder &b = ctx.getBuilder();
  Value y = DynamicResizeOp::create(
      b, ctx.getLoc(), ctx.f32Tensor(*declared), x, *scales, *roi,
      b.getStringAttr(spec.mode), b.getStringAttr(spec.transform),
      b.getStringAttr(spec.nearest), b.getDenseI64ArrayAttr(spec.axes),
      b.getF32FloatAttr(spec.cubicCoeffA), b.getBoolAttr(spec.excludeOutside),
      b.getF32FloatAttr(spec.extrapolation));
  return ctx.setOutput(0, y);
}

} // namespace dojo::onnx_import
