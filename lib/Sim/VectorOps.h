//===- VectorOps.h - Lane-wise kernels of the vector unit -----------------===//
//
// Private to lib/Sim. Each kernel works on all `lanes` lanes of its operands
// (only VRed looks at VL). The selector switch sits outside the lane loop so
// that every loop body is a plain host loop the compiler can vectorize.
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_LIB_SIM_VECTOROPS_H
#define DOJO_LIB_SIM_VECTOROPS_H

#include "FloatFormats.h"
#include "dojo/Target/ISA.h"

#include <cmath>
#include <cstdint>

namespace dojo::sim::detail {

/// NaN-propagating max/min, matching numpy and torch maximum/minimum.
inline float maxProp(float a, float b) {
  return std::isnan(a) || std::isnan(b) ? NAN : (a > b ? a : b);
}
inline float minProp(float a, float b) {
  return std::isnan(a) || std::isnan(b) ? NAN : (a < b ? a : b);
}

/// Logistic function; the two branches keep exp() from overflowing, so large
/// inputs saturate at exactly 0 or 1 instead of producing inf/inf.
inline float sigmoid(float x) {
  if (x >= 0.0f)
    return 1.0f / (1.0f + std::exp(-x));
  float e = std::exp(x);
  return e / (1.0f + e);
}

/// d[l] = f(x[l]) for l < lanes. `fn` was range-checked by verify().
inline void vfunc(isa::VFn fn, float *d, const float *x, int64_t lanes) {
  using isa::VFn;
  auto apply = [&](auto f) {
    for (int64_t l = 0; l < lanes; ++l)
      d[l] = f(x[l]);
  };
  switch (fn) {
  case VFn::Exp: apply([](float v) { return std::exp(v); }); break;
  case VFn::Log: apply([](float v) { return std::log(v); }); break;
  case VFn::Sqrt: apply([](float v) { return std::sqrt(v); }); break;
  case VFn::Rsqrt: apply([](float v) { return 1.0f / std::sqrt(v); }); break;
  case VFn::Recip: apply([](float v) { return 1.0f / v; }); break;
  case VFn::Tanh: apply([](float v) { return std::tanh(v); }); break;
  case VFn::Erf: apply([](float v) { return std::erf(v); }); break;
  case VFn::Sigmoid: apply(sigmoid); break;
  case VFn::Abs: apply([](float v) { return std::fabs(v); }); break;
  case VFn::Neg: apply([](float v) { return -v; }); break;
  case VFn::Floor: apply([](float v) { return std::floor(v); }); break;
  case VFn::Ceil: apply([](float v) { return std::ceil(v); }); break;
  // nearbyint rounds half to even in the default rounding mode, which the
  // simulator never changes.
  case VFn::Round: apply([](float v) { return std::nearbyint(v); }); break;
  case VFn::Trunc: apply([](float v) { return std::trunc(v); }); break;
  case VFn::RoundF16:
    apply([](float v) { return halfBitsToFloat(floatToHalfBits(v)); });
    break;
  case VFn::RoundBF16:
    apply([](float v) { return bf16BitsToFloat(floatToBF16Bits(v)); });
    break;
  case VFn::NumFns: break;
  }
}

/// d[l] = (x[l] P y[l]) ? 1 : 0 with IEEE semantics: every ordered
/// comparison with NaN is false and `ne` is true.
inline void vcmp(isa::CmpPred p, float *d, const float *x, const float *y,
                 int64_t lanes) {
  using isa::CmpPred;
  auto apply = [&](auto f) {
    for (int64_t l = 0; l < lanes; ++l)
      d[l] = f(x[l], y[l]) ? 1.0f : 0.0f;
  };
  switch (p) {
  case CmpPred::Eq: apply([](float a, float b) { return a == b; }); break;
  case CmpPred::Ne: apply([](float a, float b) { return a != b; }); break;
  case CmpPred::Lt: apply([](float a, float b) { return a < b; }); break;
  case CmpPred::Le: apply([](float a, float b) { return a <= b; }); break;
  case CmpPred::Gt: apply([](float a, float b) { return a > b; }); break;
  case CmpPred::Ge: apply([](float a, float b) { return a >= b; }); break;
  case CmpPred::NumPreds: break;
  }
}

/// R(x[0..vl)) in lane order (the sum adds lane 0 first), written to every
/// one of the `lanes` lanes of d. `d` may alias `x`.
inline void vred(isa::RedKind k, float *d, const float *x, int64_t vl,
                 int64_t lanes) {
  float r = x[0];
  for (int64_t l = 1; l < vl; ++l) {
    switch (k) {
    case isa::RedKind::Sum: r += x[l]; break;
    case isa::RedKind::Max: r = maxProp(r, x[l]); break;
    default: r = minProp(r, x[l]); break;
    }
  }
  for (int64_t l = 0; l < lanes; ++l)
    d[l] = r;
}

} // namespace dojo::sim::detail

#endif // DOJO_LIB_SIM_VECTOROPS_H
