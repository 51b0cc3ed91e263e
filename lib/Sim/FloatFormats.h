//===- FloatFormats.h - FLOAT16 and BFLOAT16 rounding on the host ---------===//
//
// Private to lib/Sim. The DMA engine's FLOAT16/BFLOAT16 conversions
// (Convert.cpp) and the vector unit's RoundF16/RoundBF16 functions
// (VectorOps.h) must round identically, so both use these helpers. Every
// narrowing rounds to nearest, ties to even; widening is exact.
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_LIB_SIM_FLOATFORMATS_H
#define DOJO_LIB_SIM_FLOATFORMATS_H

#include <cstdint>
#include <cstring>

namespace dojo::sim::detail {

inline uint32_t floatBitsOf(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

inline float floatFromBits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

/// FP32 -> BFLOAT16 bits, ties to even; a NaN becomes a quiet NaN with its
/// sign and the top of its payload (the rounding the matrix unit applies).
inline uint16_t floatToBF16Bits(float f) {
  uint32_t u = floatBitsOf(f);
  if ((u & 0x7fffffffu) > 0x7f800000u)
    return uint16_t((u | 0x00400000u) >> 16);
  return uint16_t((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

inline float bf16BitsToFloat(uint16_t h) { return floatFromBits(uint32_t(h) << 16); }

/// FP32 -> IEEE binary16 bits, ties to even. Values beyond the largest
/// half (65504) round to infinity as IEEE prescribes; values below the
/// smallest normal become subnormals or zero; NaN stays a quiet NaN.
inline uint16_t floatToHalfBits(float f) {
  uint32_t u = floatBitsOf(f);
  uint16_t sign = uint16_t((u >> 16) & 0x8000u);
  uint32_t absBits = u & 0x7fffffffu;
  if (absBits > 0x7f800000u) // NaN: keep the top of the payload, make quiet
    return uint16_t(sign | 0x7e00u | ((absBits >> 13) & 0x3ffu));
  if (absBits >= 0x477ff000u) // >= 65520 rounds to infinity (or is inf)
    return uint16_t(sign | 0x7c00u);
  int exp = int(absBits >> 23) - 127;
  if (exp >= -14) {
    // Normal half: drop 13 mantissa bits with round-to-nearest-even; a
    // carry out of the mantissa correctly bumps the exponent.
    uint32_t rebased = absBits - (uint32_t(127 - 15) << 23);
    uint32_t rounded = rebased + 0xfffu + ((rebased >> 13) & 1u);
    return uint16_t(sign | (rounded >> 13));
  }
  if (exp < -25) // below half the smallest subnormal: +-0
    return sign;
  // Subnormal half: the value in units of 2^-24, rounded to nearest even.
  uint32_t mant = (absBits & 0x7fffffu) | 0x800000u;
  int shift = -exp - 1; // 14..24 fraction bits to drop from 2^-24 units
  uint32_t q = mant >> shift, rem = mant & ((1u << shift) - 1u);
  uint32_t halfway = 1u << (shift - 1);
  if (rem > halfway || (rem == halfway && (q & 1u)))
    ++q;
  return uint16_t(sign | q);
}

inline float halfBitsToFloat(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu;
  if (exp == 0x1f)
    return floatFromBits(sign | 0x7f800000u | (mant << 13));
  if (exp == 0) {
    // Subnormal: mant * 2^-24, exact in FP32.
    float v = float(mant) * (1.0f / 16777216.0f);
    return sign ? -v : v;
  }
  return floatFromBits(sign | ((exp + 127 - 15) << 23) | (mant << 13));
}

} // namespace dojo::sim::detail

#endif // DOJO_LIB_SIM_FLOATFORMATS_H
