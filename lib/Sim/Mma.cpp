//===- Mma.cpp - Host kernels of the matrix unit --------------------------===//
//
// The matrix unit's semantics fix, for each accumulator element, the order
// of its additions (k = 0, 1, ...) and a separate rounding of every multiply
// and add, so the host may vectorize only across the 64 accumulator
// elements, never along k. The kernel therefore keeps the tile in eight
// 8-lane registers (one per row) and, for each k, adds A[i][k] * B[k][0..8)
// to row i. Operands are first packed, in chunks of k, into dense
// B[k][0..8) and A[k][0..8) panels (a transposition when the operand is
// contiguous along k, which is how convolutions lay it out), with BF16
// rounding applied to whole panel rows. Lanes beyond a partial tile compute
// on duplicated real data and are never written back.
//
// The same source is compiled twice: for the baseline ISA and for AVX2,
// picked at run time, so results are identical and only the speed differs.
//
//===----------------------------------------------------------------------===//
#include "Machine.h"

#include <cstring>

// The 8-lane helpers below pass vectors by value; they are always inlined,
// so the baseline build's note that this ABI differs from AVX's is moot.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace dojo::sim::detail {

namespace {

typedef float v8f __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));
typedef uint32_t v8u __attribute__((vector_size(32)));

constexpr int64_t kChunk = 64; ///< k steps packed at a time (4 KiB panels)

[[gnu::always_inline]] inline v8f load8(const void *p) {
  v8f v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}
[[gnu::always_inline]] inline void store8(void *p, v8f v) {
  std::memcpy(p, &v, sizeof(v));
}

/// Rounds eight floats to bfloat16 (ties to even; NaN stays a quiet NaN),
/// as docs/ISA.md specifies for BF16 Mma operands.
[[gnu::always_inline]] inline v8f roundBF16x8(v8f x) {
  v8u u;
  std::memcpy(&u, &x, sizeof(u));
  v8i nan = (v8i)(u & 0x7fffffffu) > 0x7f800000;
  v8u quiet = (u | 0x00400000u) & 0xffff0000u;
  v8u rounded = (u + 0x7fffu + ((u >> 16) & 1u)) & 0xffff0000u;
  u = (quiet & (v8u)nan) | (rounded & ~(v8u)nan);
  std::memcpy(&x, &u, sizeof(x));
  return x;
}

/// 8x8 transpose of rows r[0..8).
[[gnu::always_inline]] inline void transpose8(v8f r[8]) {
  v8f t[8], s[8];
  for (int p = 0; p < 8; p += 2) {
    t[p] = __builtin_shuffle(r[p], r[p + 1], v8i{0, 8, 1, 9, 4, 12, 5, 13});
    t[p + 1] = __builtin_shuffle(r[p], r[p + 1], v8i{2, 10, 3, 11, 6, 14, 7, 15});
  }
  for (int q = 0; q < 8; q += 4)
    for (int h = 0; h < 2; ++h) {
      s[q + h] = __builtin_shuffle(t[q + h], t[q + h + 2],
                                   v8i{0, 1, 8, 9, 4, 5, 12, 13});
      s[q + h + 2] = __builtin_shuffle(t[q + h], t[q + h + 2],
                                       v8i{2, 3, 10, 11, 6, 7, 14, 15});
    }
  // s[0], s[2], s[1], s[3] hold columns 0|4, 1|5, 2|6, 3|7 (low|high
  // 128-bit half) of rows 0-3, s[4..8) the same of rows 4-7; the final step
  // pairs the halves.
  const int order[4] = {0, 2, 1, 3};
  for (int c = 0; c < 4; ++c) {
    v8f lo = s[order[c]], hi = s[4 + order[c]];
    r[c] = __builtin_shuffle(lo, hi, v8i{0, 1, 2, 3, 8, 9, 10, 11});
    r[c + 4] = __builtin_shuffle(lo, hi, v8i{4, 5, 6, 7, 12, 13, 14, 15});
  }
}

/// Packs X[k0 + k][t] = f32 at base + (k0 + k) * sk + t * st, k < kc, into
/// panel[8k + t]. Columns t >= cnt repeat column 0 (valid memory, results
/// discarded by the caller).
template <bool BF16>
[[gnu::always_inline]] inline void pack(float *panel, const uint8_t *base,
                                        int64_t k0, int64_t kc, int64_t sk,
                                        int64_t st, int64_t cnt) {
  const uint8_t *col[8];
  for (int t = 0; t < 8; ++t)
    col[t] = base + k0 * sk + (t < cnt ? t * st : 0);
  int64_t k = 0;
  if (st == 4 && cnt == 8) {
    for (; k < kc; ++k) {
      v8f v = load8(col[0] + k * sk);
      store8(panel + 8 * k, BF16 ? roundBF16x8(v) : v);
    }
    return;
  }
  if (sk == 4) {
    for (; k + 8 <= kc; k += 8) {
      v8f r[8];
      for (int t = 0; t < 8; ++t)
        r[t] = load8(col[t] + 4 * k);
      transpose8(r);
      for (int q = 0; q < 8; ++q)
        store8(panel + 8 * (k + q), BF16 ? roundBF16x8(r[q]) : r[q]);
    }
  }
  for (; k < kc; ++k) {
    alignas(32) float row[8];
    for (int t = 0; t < 8; ++t)
      std::memcpy(&row[t], col[t] + k * sk, 4);
    v8f v = load8(row);
    store8(panel + 8 * k, BF16 ? roundBF16x8(v) : v);
  }
}

template <bool BF16>
[[gnu::always_inline]] inline void mmaBody(float *acc, const uint8_t *a,
                                           const uint8_t *b,
                                           const isa::MmaDesc &d) {
  alignas(32) float pa[kChunk * 8], pb[kChunk * 8];
  v8f c[8];
  for (int i = 0; i < 8; ++i)
    c[i] = load8(acc + 8 * i);
  for (int64_t k0 = 0; k0 < d.k; k0 += kChunk) {
    const int64_t kc = d.k - k0 < kChunk ? d.k - k0 : kChunk;
    pack<BF16>(pa, a, k0, kc, d.aSk, d.aSi, d.m);
    pack<BF16>(pb, b, k0, kc, d.bSk, d.bSj, d.n);
    for (int64_t k = 0; k < kc; ++k) {
      const v8f bv = load8(pb + 8 * k);
      const float *ak = pa + 8 * k;
#pragma GCC unroll 8
      for (int i = 0; i < 8; ++i)
        c[i] = c[i] + ak[i] * bv; // product rounded, then the sum
    }
  }
  if (d.m == 8 && d.n == 8) {
    for (int i = 0; i < 8; ++i)
      store8(acc + 8 * i, c[i]);
    return;
  }
  for (int64_t i = 0; i < d.m; ++i)
    for (int64_t j = 0; j < d.n; ++j)
      acc[8 * i + j] = c[i][j];
}

template <bool BF16> void mmaBaseline(float *acc, const uint8_t *a,
                                      const uint8_t *b, const isa::MmaDesc &d) {
  mmaBody<BF16>(acc, a, b, d);
}

template <bool BF16>
[[gnu::target("avx2")]] void mmaAvx2(float *acc, const uint8_t *a,
                                     const uint8_t *b, const isa::MmaDesc &d) {
  mmaBody<BF16>(acc, a, b, d);
}

} // namespace

std::vector<MmaKernel> availableMmaKernels(bool bf16) {
  std::vector<MmaKernel> k = {bf16 ? mmaBaseline<true> : mmaBaseline<false>};
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2"))
    k.push_back(bf16 ? mmaAvx2<true> : mmaAvx2<false>);
  return k;
}

MmaKernel selectMmaKernel(bool bf16) {
  static const MmaKernel f32 = availableMmaKernels(false).back();
  static const MmaKernel b16 = availableMmaKernels(true).back();
  return bf16 ? b16 : f32;
}

} // namespace dojo::sim::detail
