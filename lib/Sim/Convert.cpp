//===- Convert.cpp - Element type conversion of converting DMAs -----------===//
//
// A DMA whose srcType differs from its dstType converts each element on the
// way (ISA.h, DmaDesc): float to integer truncates toward zero and saturates
// (NaN gives 0), anything to BOOL gives 1 for non-zero, integer to float
// rounds to nearest even, and integer to integer wraps like a C++
// conversion (two's complement). FLOAT16 and BFLOAT16 convert through
// FP32: to them the FP32 value is rounded to nearest even (NaN stays a NaN;
// FLOAT16 overflows to infinity), from them it widens exactly. DOUBLE to
// FLOAT16 therefore rounds twice (to FP32, then to FLOAT16). Both buffers
// are dense.
//
//===----------------------------------------------------------------------===//
#include "FloatFormats.h"
#include "Machine.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

namespace dojo::sim::detail {

namespace {

/// An ONNX element type: its host representation and whether it is BOOL
/// (stored as one byte, but with value semantics of its own).
template <typename T, bool IsBool = false> struct Elem {
  using type = T;
  static constexpr bool isBool = IsBool;
};

/// The host representations of BFLOAT16 (the high half of an FP32) and
/// FLOAT16 (IEEE binary16 bits).
struct BF16 {
  uint16_t bits;
};
struct Half {
  uint16_t bits;
};

float widen(BF16 h) { return bf16BitsToFloat(h.bits); }
float widen(Half h) { return halfBitsToFloat(h.bits); }
template <typename T> T narrow(float f);
template <> BF16 narrow<BF16>(float f) { return BF16{floatToBF16Bits(f)}; }
template <> Half narrow<Half>(float f) { return Half{floatToHalfBits(f)}; }

template <typename T>
constexpr bool isNarrowFloat = std::is_same_v<T, BF16> || std::is_same_v<T, Half>;

/// Calls f(Elem<...>{}) for ONNX type code `t` (one decode() accepts).
template <typename F> void withElem(int64_t t, F &&f) {
  switch (t) {
  case 1: f(Elem<float>{}); break;
  case 2: f(Elem<uint8_t>{}); break;
  case 3: f(Elem<int8_t>{}); break;
  case 4: f(Elem<uint16_t>{}); break;
  case 5: f(Elem<int16_t>{}); break;
  case 6: f(Elem<int32_t>{}); break;
  case 7: f(Elem<int64_t>{}); break;
  case 9: f(Elem<uint8_t, true>{}); break;
  case 10: f(Elem<Half>{}); break;
  case 11: f(Elem<double>{}); break;
  case 12: f(Elem<uint32_t>{}); break;
  case 13: f(Elem<uint64_t>{}); break;
  case 16: f(Elem<BF16>{}); break;
  default: break;
  }
}

/// Float to integer: truncate toward zero, saturate, NaN -> 0. The limits
/// min and max + 1 of every integer type are powers of two (or 0), hence
/// exact doubles, so the range tests are exact.
template <typename D> D floatToInt(double v) {
  if (std::isnan(v))
    return 0;
  v = std::trunc(v);
  constexpr double lo = double(std::numeric_limits<D>::min());
  const double hiExcl = std::ldexp(1.0, std::numeric_limits<D>::digits);
  if (v < lo)
    return std::numeric_limits<D>::min();
  if (v >= hiExcl)
    return std::numeric_limits<D>::max();
  return D(v);
}

template <typename DE, typename SE> typename DE::type convertOne(
    typename SE::type s) {
  using D = typename DE::type;
  using S = typename SE::type;
  if constexpr (isNarrowFloat<S>) {
    return convertOne<DE, Elem<float>>(widen(s));
  } else if constexpr (isNarrowFloat<D>) {
    return narrow<D>(convertOne<Elem<float>, SE>(s));
  } else if constexpr (SE::isBool) {
    // A BOOL byte other than 0 or 1 still means true.
    return convertOne<DE, Elem<uint8_t>>(uint8_t(s != 0));
  } else if constexpr (DE::isBool) {
    return D(s != 0); // NaN is non-zero
  } else if constexpr (std::is_floating_point_v<D>) {
    // Host conversions round to nearest even (the default FP environment).
    return D(s);
  } else if constexpr (std::is_floating_point_v<S>) {
    return floatToInt<D>(double(s));
  } else {
    return D(s); // modular since C++20
  }
}

template <typename DE, typename SE>
void convertLoop(const uint8_t *src, uint8_t *dst, int64_t count) {
  using D = typename DE::type;
  using S = typename SE::type;
  for (int64_t i = 0; i < count; ++i) {
    S s;
    std::memcpy(&s, src + i * int64_t(sizeof(S)), sizeof(S));
    D d = convertOne<DE, SE>(s);
    std::memcpy(dst + i * int64_t(sizeof(D)), &d, sizeof(D));
  }
}

} // namespace

void convertElements(int64_t srcType, const uint8_t *src, int64_t dstType,
                     uint8_t *dst, int64_t count) {
  if (srcType == 1 && dstType == 16) {
    floatsToBF16(src, dst, count);
    return;
  }
  withElem(srcType, [&](auto se) {
    withElem(dstType, [&](auto de) {
      convertLoop<decltype(de), decltype(se)>(src, dst, count);
    });
  });
}

} // namespace dojo::sim::detail
