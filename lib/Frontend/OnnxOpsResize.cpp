//===- OnnxOpsResize.cpp - Resize and Upsample ----------------------------===//
//
// Both become dnn.resize with one scale per dimension. When sizes are given
// the scale is out / in, as ONNX defines it. Upsample and opset-10 Resize
// use the asymmetric transform with floor rounding for nearest. Cubic mode
// carries cubic_coeff_a and exclude_outside; tf_crop_and_resize carries its
// (constant) roi, expanded to every dimension, and extrapolation_value.
// Scales (or a crop's roi) computed at run time go to dnn.dynamic_resize
// instead (OnnxOpsResizeDynamic.cpp).
//
//===----------------------------------------------------------------------===//

#include "OnnxHandlers.h"

#include "dojo/Dialect/DNN/IR/DNNOps.h"

#include "llvm/ADT/STLExtras.h"

#include <cmath>

using namespace mlir;
using namespace dojo::dnn;

namespace dojo::onnx_import {

LogicalResult importResize(NodeContext &ctx) {
  auto x = ctx.input(0);
  if (failed(x))
    return failure();
  bool upsample = ctx.getNode().op_type() == "Upsample";
  bool legacy = upsample || ctx.getOpset() < 11;
  auto mode = ctx.stringAttr("mode", "nearest");
  auto ctm = ctx.stringAttr("coordinate_transformation_mode",
                            legacy ? "asymmetric" : "half_pixel");
  auto nearest = ctx.stringAttr("nearest_mode",
                                legacy ? "floor" : "round_prefer_floor");
  auto antialias = ctx.intAttr("antialias", 0);
  auto policy = ctx.stringAttr("keep_aspect_ratio_policy", "stretch");
  auto axesAttr = ctx.intsAttr("axes");
  auto coeffA = ctx.floatAttr("cubic_coeff_a", -0.75f);
  auto exclude = ctx.intAttr("exclude_outside", 0);
  auto extrapolation = ctx.floatAttr("extrapolation_value", 0.0f);
  if (failed(mode) || failed(ctm) || failed(nearest) || failed(antialias) ||
      failed(policy) || failed(axesAttr) || failed(coeffA) ||
      failed(exclude) || failed(extrapolation))
    return failure();
  std::string m = *mode == "bilinear" ? "linear" : *mode;
  if (m != "nearest" && m != "linear" && m != "cubic")
    return ctx.emitError() << "mode '" << *mode
                           << "' is not supported (only nearest, linear and "
                              "cubic)";
  if (*antialias)
    return ctx.emitError() << "antialias=1 is not supported";
  if (*policy != "stretch")
    return ctx.emitError() << "keep_aspect_ratio_policy '" << *policy
                           << "' is not supported";
  // Opset 11 spelled the TensorFlow nearest-neighbour transform
  // tf_half_pixel_for_nn; dnn.resize calls it tf_half_pixel_for_nearest.
  std::string transform =
      *ctm == "tf_half_pixel_for_nn" ? "tf_half_pixel_for_nearest" : *ctm;
  static const char *const ctms[] = {
      "half_pixel",         "asymmetric",
      "align_corners",      "pytorch_half_pixel",
      "tf_half_pixel_for_nearest", "tf_crop_and_resize"};
  if (!llvm::is_contained(ctms, transform))
    return ctx.emitError() << "coordinate_transformation_mode '" << *ctm
                           << "' is not supported";
  bool crop = transform == "tf_crop_and_resize";
  ArrayRef<int64_t> xs = NodeContext::shapeOf(*x);
  int64_t rank = xs.size();
  // The dims the scales/sizes refer to (all, unless opset-18 'axes').
  SmallVector<int64_t> axes;
  if (*axesAttr) {
    for (int64_t a : **axesAttr) {
      auto n = normalizeAxis(ctx, a, rank, "axis");
      if (failed(n))
        return failure();
      axes.push_back(*n);
    }
  } else {
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  }
  // Scales (or a crop's roi) computed at run time: the declared result
  // shape with taps computed on the mesh.
  if (!(upsample && ctx.getOpset() < 9)) {
    unsigned scalesIdx = legacy ? 1 : 2;
    bool runtimeScales = false;
    if (ctx.isRuntimeInput(scalesIdx)) {
      auto s = ctx.input(scalesIdx);
      if (failed(s))
        return failure();
      runtimeScales = NodeContext::shapeOf(*s) != ArrayRef<int64_t>{0};
    }
    if (runtimeScales || (crop && ctx.isRuntimeInput(1))) {
      bool scalesGiven = runtimeScales;
      if (!runtimeScales) {
        auto s = ctx.constInput(scalesIdx, "scales");
        if (failed(s))
          return failure();
        scalesGiven = *s && (*s)->numel();
      }
      DynamicResizeSpec spec{m,       transform,   *nearest,
                             axes,    *coeffA,     *extrapolation,
                             *exclude != 0, scalesGiven, scalesIdx};
      return importDynamicResize(ctx, *x, spec);
    }
  }
  SmallVector<float> scales(rank, 1.0f);
  SmallVector<int64_t> shape(xs);
  std::optional<ConstTensor> scaleT, sizeT;
  if (upsample && ctx.getOpset() < 9) {
    auto a = ctx.attr("scales");
    if (!a)
      return ctx.emitError() << "needs the 'scales' attribute";
    scaleT = ConstTensor::zeros(onnx::TensorProto::FLOAT, {a->floats_size()});
    for (int k = 0; k < a->floats_size(); ++k)
      scaleT->set(k, a->floats(k));
  } else {
    unsigned scalesIdx = legacy ? 1 : 2;
    // Sizes known only at run time equal the declared result shape.
    auto declared = ctx.declaredOutputShape(0);
    bool runtimeSizes = !legacy && ctx.isRuntimeInput(3) && declared &&
                        declared->size() == xs.size();
    auto s = ctx.constInput(scalesIdx, "scales");
    auto z = legacy ? FailureOr<std::optional<ConstTensor>>(std::nullopt)
             : runtimeSizes
                 ? FailureOr<std::optional<ConstTensor>>(std::nullopt)
                 : ctx.constInput(3, "sizes");
    if (runtimeSizes && succeeded(z)) {
      ConstTensor t = ConstTensor::zeros(onnx::TensorProto::INT64,
                                         {int64_t(axes.size())});
      for (auto [k, a] : llvm::enumerate(axes))
        t.set(k, double((*declared)[a]));
      *z = t;
    }
    if (failed(s) || failed(z))
      return failure();
    if (*s && (*s)->numel())
      scaleT = **s;
    if (*z && (*z)->numel())
      sizeT = **z;
  }
  if (!scaleT == !sizeT)
    return ctx.emitError() << "needs exactly one of scales and sizes";
  // The crop box: a start and an end per dimension, [0, 1] where axes
  // leave a dimension out.
  SmallVector<float> roi;
  if (crop) {
    auto r = ctx.constInput(1, "roi");
    if (failed(r))
      return failure();
    if (!*r || (*r)->numel() != 2 * static_cast<int64_t>(axes.size()))
      return ctx.emitError() << "tf_crop_and_resize needs a roi of "
                             << 2 * axes.size() << " entries";
    roi.assign(rank, 0.0f);
    roi.append(rank, 1.0f);
    for (auto [k, a] : llvm::enumerate(axes)) {
      roi[a] = static_cast<float>((*r)->getF(k));
      roi[a + rank] = static_cast<float>((*r)->getF(k + axes.size()));
    }
  }
  const ConstTensor &given = scaleT ? *scaleT : *sizeT;
  if (given.numel() != static_cast<int64_t>(axes.size()))
    return ctx.emitError() << (scaleT ? "scales" : "sizes") << " must have "
                           << axes.size() << " entries";
  for (auto [k, a] : llvm::enumerate(axes)) {
    if (scaleT) {
      scales[a] = static_cast<float>(scaleT->getF(k));
      if (!(scales[a] > 0.0f))
        return ctx.emitError() << "scales must be positive";
      // A crop resizes only its box: floor(in * (end - start) * scale),
      // recorded as the equivalent scale out / in.
      if (crop) {
        double len = double(xs[a]) * (double(roi[a + rank]) - double(roi[a])) *
                     double(scales[a]);
        shape[a] = static_cast<int64_t>(std::floor(len + 1e-4));
        if (shape[a] > 0 && xs[a] > 0)
          scales[a] = static_cast<float>(shape[a]) / static_cast<float>(xs[a]);
      } else {
        shape[a] = resizeOutputSize(xs[a], scales[a]);
      }
    } else {
      shape[a] = sizeT->getI(k);
      if (shape[a] <= 0 || xs[a] == 0)
        return ctx.emitError() << "sizes must be positive";
      scales[a] = static_cast<float>(shape[a]) / static_cast<float>(xs[a]);
    }
    if (shape[a] <= 0)
      return ctx.emitError() << "dimension " << a << " would be empty";
  }
  OpBuilder &b = ctx.getBuilder();
  Value y = ResizeOp::create(
      b, ctx.getLoc(), ctx.f32Tensor(shape), *x, b.getStringAttr(m),
      b.getStringAttr(transform), b.getStringAttr(*nearest),
      b.getDenseF32ArrayAttr(scales), b.getF32FloatAttr(*coeffA),
      b.getBoolAttr(*exclude != 0),
      crop ? b.getDenseF32ArrayAttr(roi) : DenseF32ArrayAttr(),
      b.getF32FloatAttr(*extrapolation));
  return ctx.setOutput(0, y);
}

} // namespace dojo::onnx_import
