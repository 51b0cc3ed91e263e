//===- MmaDot.cpp - BF16 Mma panels for the host's dot-product unit -------===//
//
// VDPBF16PS (AVX512-BF16) computes, per FP32 lane, c += a1 * b1 and then
// c += a0 * b0 for the high (1) and low (0) BF16 halves of a dword, each
// step an FMA rounded to nearest even, with BF16 denormal inputs read as
// zero and denormal results flushed to zero. The ISA's BF16 Mma adds the
// products in k order, each product and each sum rounded (docs/ISA.md).
// The two agree bit for bit when
//   - a panel pairs k steps 2p (high half, added first) and 2p + 1 (low),
//   - every product is exact: two BF16 significands have 8 bits each, so
//     a product has at most 16 and an FP32 holds it; the FMA then rounds
//     only the sum, as the ISA does;
//   - nothing is flushed: if every nonzero operand has an unbiased exponent
//     of at least -56, every product is a multiple of 2^-126, and if every
//     nonzero accumulator element has an exponent of at least -103 it is
//     one too. Rounding a multiple of 2^-126 to FP32 keeps it one, so every
//     partial sum is zero or at least 2^-126 in magnitude: never denormal;
//   - nothing overflows: with operand exponents at most 50, products stay
//     below 2^102 and a panel's at most 2048 of them below 2^113, so a sum
//     that starts below 2^126 stays finite (no infinities, no NaNs).
// Packing records whether every operand value is zero or in [-56, 50];
// the kernel checks the accumulator tile (zero or exponents in [-103,
// 125]) and otherwise runs the exact multiply-add on the same pair panels.
// An odd k pads the last pair with -0 (A) times +0 (B): adding -0 leaves
// every value as it is, -0 included.
//
// On random operands this was checked against the scalar definition for
// 12.8M elements without a difference; operands outside the range (down to
// exponent -70, or up to 66) gave flushed denormals and infinities where
// the definition has NaNs, so the range check is necessary.
//
//===----------------------------------------------------------------------===//
#include "MmaDot.h"

#include <cstring>
#include <immintrin.h>

namespace dojo::sim::detail {

namespace {

#define DOJO_DOT_TARGET                                                        \
  gnu::target("avx2,avx512f,avx512vl,avx512bw,avx512bf16")

typedef uint32_t aliasU32 __attribute__((may_alias));

constexpr uint16_t kPadA = 0x8000; ///< -0
constexpr uint16_t kPadB = 0x0000; ///< +0

/// Elements as the matrix unit reads them: BF16 storage as is, FP32
/// storage rounded to BF16 (ties to even, NaNs quiet), as in Mma.cpp.
template <bool Bf16Storage> inline uint16_t elemAt(const uint8_t *p) {
  if constexpr (Bf16Storage) {
    uint16_t h;
    std::memcpy(&h, p, 2);
    return h;
  } else {
    uint32_t u;
    std::memcpy(&u, p, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u)
      return uint16_t((u | 0x00400000u) >> 16);
    return uint16_t((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
  }
}

/// panel[8p + t] = (X[2p][t] << 16) | X[2p + 1][t], X[k][t] at
/// base + k * sk + t * st (columns t >= cnt repeat column 0), one pair at a
/// time.
template <bool Bf16Storage, uint16_t Pad>
[[DOJO_DOT_TARGET]] void pairsScalar(aliasU32 *panel, const uint8_t *base,
                                     int64_t k0, int64_t k, int64_t sk,
                                     int64_t st, int64_t cnt) {
  for (int64_t kk = k0; kk < k; kk += 2)
    for (int t = 0; t < 8; ++t) {
      const uint8_t *c = base + (t < cnt ? t * st : 0);
      const uint16_t hi = elemAt<Bf16Storage>(c + kk * sk);
      const uint16_t lo =
          kk + 1 < k ? elemAt<Bf16Storage>(c + (kk + 1) * sk) : Pad;
      panel[8 * (kk / 2) + t] = uint32_t(hi) << 16 | lo;
    }
}

/// 8 x 8 transpose of 32-bit elements.
[[DOJO_DOT_TARGET]] inline void transpose8x32(__m256i r[8]) {
  __m256i t[8], s[8];
  for (int i = 0; i < 8; i += 2) {
    t[i] = _mm256_unpacklo_epi32(r[i], r[i + 1]);
    t[i + 1] = _mm256_unpackhi_epi32(r[i], r[i + 1]);
  }
  for (int i = 0; i < 8; i += 4)
    for (int h = 0; h < 2; ++h) {
      s[i + h] = _mm256_unpacklo_epi64(t[i + h], t[i + h + 2]);
      s[i + h + 2] = _mm256_unpackhi_epi64(t[i + h], t[i + h + 2]);
    }
  // s[0], s[2], s[1], s[3] hold columns 0|4, 1|5, 2|6, 3|7 of rows 0-3;
  // s[4..8) the same of rows 4-7.
  const int order[4] = {0, 2, 1, 3};
  for (int c = 0; c < 4; ++c) {
    r[c] = _mm256_permute2x128_si256(s[order[c]], s[4 + order[c]], 0x20);
    r[c + 4] = _mm256_permute2x128_si256(s[order[c]], s[4 + order[c]], 0x31);
  }
}

/// Eight FP32s rounded to BF16 as elemAt<false> does, in their high
/// halves (the low halves are garbage).
[[DOJO_DOT_TARGET]] inline __m256i roundToBF16(const __m256i u) {
  const __m256i magnitude = _mm256_set1_epi32(0x7fffffff);
  const __m256i inf = _mm256_set1_epi32(0x7f800000);
  const __mmask8 nan = _mm256_cmpgt_epu32_mask(_mm256_and_si256(u, magnitude), inf);
  const __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(u, 16),
                                       _mm256_set1_epi32(1));
  const __m256i rounded = _mm256_add_epi32(
      u, _mm256_add_epi32(_mm256_set1_epi32(0x7fff), lsb));
  const __m256i quiet = _mm256_or_si256(u, _mm256_set1_epi32(0x00400000));
  return _mm256_mask_blend_epi32(nan, rounded, quiet);
}

/// Whether any BF16 half of the `words` packed words is nonzero and outside
/// exponents [-56, 50] (NaNs and infinities included).
/// The 16-bit lanes of `v` that are nonzero and outside exponents
/// [-56, 50] (NaNs and infinities included).
[[DOJO_DOT_TARGET]] inline __mmask16 outOfRange(const __m256i v) {
  const __m256i m = _mm256_and_si256(v, _mm256_set1_epi16(0x7fff));
  // Out of range: nonzero and (m - lo) >= span, unsigned.
  return _mm256_test_epi16_mask(m, m) &
         _mm256_cmpge_epu16_mask(
             _mm256_sub_epi16(m, _mm256_set1_epi16(int16_t(71 << 7))),
             _mm256_set1_epi16(int16_t((178 - 71) << 7)));
}

/// Whether any BF16 half of the `words` packed words is out of range.
[[DOJO_DOT_TARGET]] bool anyOutOfRange(const aliasU32 *panel, int64_t words) {
  __mmask16 bad = 0;
  int64_t i = 0;
  for (; i + 8 <= words; i += 8)
    bad |= outOfRange(
        _mm256_loadu_si256(reinterpret_cast<const __m256i *>(panel + i)));
  for (; i < words; ++i)
    for (uint32_t h : {panel[i] >> 16, panel[i] & 0xffffu}) {
      const uint32_t m = h & 0x7fffu;
      bad |= m != 0 && (m < (71u << 7) || m >= (178u << 7));
    }
  return bad != 0;
}

/// Steps k .. k + 15 of one column contiguous along k (at `p`) as eight
/// pair dwords, step 2q in the high half of dword q. BF16 storage holds
/// (2q, 2q + 1) low to high, so the halves are swapped; FP32 storage is
/// rounded to BF16 and the high halves are paired.
template <bool Bf16Storage>
[[DOJO_DOT_TARGET]] inline __m256i columnPairs(const uint8_t *p) {
  if constexpr (Bf16Storage) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p));
    return _mm256_or_si256(_mm256_srli_epi32(v, 16), _mm256_slli_epi32(v, 16));
  } else {
    // 16-bit lane 2q takes the high half of float 2q + 1 (index 4q + 3 of
    // the two registers' 32 halves), lane 2q + 1 that of float 2q (4q + 1).
    const __m256i pick = _mm256_setr_epi16(3, 1, 7, 5, 11, 9, 15, 13, 19, 17,
                                           23, 21, 27, 25, 31, 29);
    const __m256i lo = roundToBF16(
        _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p)));
    const __m256i hi = roundToBF16(
        _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p + 32)));
    return _mm256_permutex2var_epi16(lo, pick, hi);
  }
}

template <bool Bf16Storage, uint16_t Pad>
[[DOJO_DOT_TARGET]] void packPairs(float *out, const uint8_t *base, int64_t k,
                                   int64_t sk, int64_t st, int64_t cnt) {
  constexpr int64_t size = Bf16Storage ? 2 : 4;
  aliasU32 *panel = reinterpret_cast<aliasU32 *>(out);
  int64_t kk = 0;
  // The block path checks the values it stores as it goes; the final pass
  // covers the words from `checked` on.
  __mmask16 bad = 0;
  int64_t checked = 0;
  if (sk == size) {
    // Contiguous along k (convolution operands): 16 k steps of each column
    // as pair dwords, transposed 8 x 8.
    const uint8_t *col[8];
    for (int t = 0; t < 8; ++t)
      col[t] = base + (t < cnt ? t * st : 0);
    for (; kk + 16 <= k; kk += 16) {
      __m256i r[8];
      for (int t = 0; t < 8; ++t) {
        r[t] = columnPairs<Bf16Storage>(col[t] + size * kk);
        bad |= outOfRange(r[t]);
      }
      transpose8x32(r);
      for (int q = 0; q < 8; ++q)
        _mm256_storeu_si256(
            reinterpret_cast<__m256i *>(panel + 8 * (kk / 2 + q)), r[q]);
    }
    checked = 8 * (kk / 2);
  } else if (Bf16Storage && st == 2 && cnt == 8) {
    // Contiguous along t: interleaving rows 2q + 1 and 2q gives the pairs.
    for (; kk + 2 <= k; kk += 2) {
      const __m128i hi =
          _mm_loadu_si128(reinterpret_cast<const __m128i *>(base + kk * sk));
      const __m128i lo = _mm_loadu_si128(
          reinterpret_cast<const __m128i *>(base + (kk + 1) * sk));
      _mm_storeu_si128(reinterpret_cast<__m128i *>(panel + 4 * kk),
                       _mm_unpacklo_epi16(lo, hi));
      _mm_storeu_si128(reinterpret_cast<__m128i *>(panel + 4 * kk + 4),
                       _mm_unpackhi_epi16(lo, hi));
    }
  }
  pairsScalar<Bf16Storage, Pad>(panel, base, kk, k, sk, st, cnt);
  const int64_t words = 8 * ((k + 1) / 2);
  panel[words] =
      bad || anyOutOfRange(panel + checked, words - checked) ? 1 : 0;
}

/// Whether every element of the tile is zero or has an exponent in
/// [-103, 125].
[[DOJO_DOT_TARGET]] bool tileInRange(const __m256 c[8]) {
  const __m256i magnitude = _mm256_set1_epi32(0x7fffffff);
  const __m256i lo = _mm256_set1_epi32(24 << 23);
  const __m256i span = _mm256_set1_epi32((253 - 24) << 23);
  __mmask8 bad = 0;
  for (int i = 0; i < 8; ++i) {
    const __m256i v = _mm256_and_si256(_mm256_castps_si256(c[i]), magnitude);
    bad |= _mm256_test_epi32_mask(v, v) &
           _mm256_cmpge_epu32_mask(_mm256_sub_epi32(v, lo), span);
  }
  return bad == 0;
}

[[DOJO_DOT_TARGET]] void dotMma(float *acc, const float *paF,
                                const float *pbF, int64_t k, int64_t m,
                                int64_t n) {
  const aliasU32 *pa = reinterpret_cast<const aliasU32 *>(paF);
  const aliasU32 *pb = reinterpret_cast<const aliasU32 *>(pbF);
  const int64_t pairs = (k + 1) / 2;
  __m256 c[8];
  for (int i = 0; i < 8; ++i)
    c[i] = _mm256_loadu_ps(acc + 8 * i);
  if (pa[8 * pairs] == 0 && pb[8 * pairs] == 0 && tileInRange(c)) {
    for (int64_t p = 0; p < pairs; ++p) {
      const __m256bh b = (__m256bh)_mm256_loadu_si256(
          reinterpret_cast<const __m256i *>(pb + 8 * p));
      const aliasU32 *a = pa + 8 * p;
#pragma GCC unroll 8
      for (int i = 0; i < 8; ++i)
        c[i] = _mm256_dpbf16_ps(c[i], (__m256bh)_mm256_set1_epi32(int(a[i])),
                                b);
    }
  } else {
    // The exact multiply-add of Mma.cpp on the same pairs, widened here:
    // a BF16 value is the high half of its FP32.
    const __m256i high = _mm256_set1_epi32(int(0xffff0000u));
    for (int64_t p = 0; p < pairs; ++p) {
      const __m256i b = _mm256_loadu_si256(
          reinterpret_cast<const __m256i *>(pb + 8 * p));
      const __m256 b1 = _mm256_castsi256_ps(_mm256_and_si256(b, high));
      const __m256 b0 = _mm256_castsi256_ps(_mm256_slli_epi32(b, 16));
      for (int i = 0; i < 8; ++i) {
        const __m256i a = _mm256_set1_epi32(int(pa[8 * p + i]));
        const __m256 a1 = _mm256_castsi256_ps(_mm256_and_si256(a, high));
        const __m256 a0 = _mm256_castsi256_ps(_mm256_slli_epi32(a, 16));
        c[i] = _mm256_add_ps(c[i], _mm256_mul_ps(a1, b1));
        c[i] = _mm256_add_ps(c[i], _mm256_mul_ps(a0, b0));
      }
    }
  }
  if (m == 8 && n == 8) {
    for (int i = 0; i < 8; ++i)
      _mm256_storeu_ps(acc + 8 * i, c[i]);
    return;
  }
  for (int64_t i = 0; i < m; ++i) {
    alignas(32) float row[8];
    _mm256_store_ps(row, c[i]);
    std::memcpy(acc + 8 * i, row, size_t(n) * sizeof(float));
  }
}

} // namespace

bool hostHasBF16Dot() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") &&
         __builtin_cpu_supports("avx512vl") &&
         __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512bf16");
}

bool dotPanelKernels(const isa::MmaDesc &d, PackFn &packA, PackFn &packB,
                     PanelMmaFn &compute, uint8_t &kindA, uint8_t &kindB) {
  if (d.dtype == 0 || d.k < 2)
    return false;
  packA = d.aStorage ? packPairs<true, kPadA> : packPairs<false, kPadA>;
  packB = d.bStorage ? packPairs<true, kPadB> : packPairs<false, kPadB>;
  compute = dotMma;
  // Kinds apart from Mma.cpp's FP32 panels (0-2), so that the cache never
  // hands one form to a kernel expecting the other.
  kindA = uint8_t(0x10 | (d.aStorage ? 1 : 0));
  kindB = uint8_t(0x20 | (d.bStorage ? 1 : 0));
  return true;
}

} // namespace dojo::sim::detail
