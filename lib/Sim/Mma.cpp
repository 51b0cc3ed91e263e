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
// An operand stored as BF16 (2-byte elements, the high half of an FP32) is
// widened exactly while packing. Rounding a widened value to BF16 changes
// nothing but the quiet bit of a signalling NaN, which the multiply sets
// anyway (with the same payload), so such panels skip the rounding. BF16
// operands contiguous along k (nearly every panel a convolution packs) are
// transposed 16 bits wide and widened by the transpose's last step.
//
// The same source is compiled for the baseline ISA, for AVX2 and for
// AVX-512VL, picked at run time, so results are identical and only the
// speed differs. (AVX-512VL keeps the 8-lane form: it gains only that each
// broadcast of A[i][k] becomes the multiply's memory operand, `{1to8}`,
// which relieves the front end by about 10%. Fusing multiply and add was
// tried, with a proof that it is exact for BF16 operands in a checked
// exponent range, and gave nothing on Zen 4: both forms are bound by the
// same FP pipes.)
// Besides the whole kernel (packing chunks of k into stack buffers), each
// variant is also exported split into its packing and its multiply-add loop
// over whole-k panels, which MmaCache.h uses to reuse packed panels; both
// forms perform the same operations in the same order.
//
//===----------------------------------------------------------------------===//
#include "Machine.h"
#include "MmaDot.h"

#include <cstring>

// The 8-lane helpers below pass vectors by value; they are always inlined,
// so the baseline build's note that this ABI differs from AVX's is moot.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace dojo::sim::detail {

namespace {

typedef float v8f __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));
typedef uint32_t v8u __attribute__((vector_size(32)));
typedef uint16_t v8h __attribute__((vector_size(16)));

constexpr int64_t kChunk = 64; ///< k steps packed at a time (4 KiB panels)

[[gnu::always_inline]] inline v8f load8(const void *p) {
  v8f v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}
[[gnu::always_inline]] inline void store8(void *p, const v8f &v) {
  std::memcpy(p, &v, sizeof(v));
}
/// Widens eight BF16 values (the high halves of FP32s) at `p` exactly.
[[gnu::always_inline]] inline v8f loadBF16x8(const void *p) {
  v8h h;
  std::memcpy(&h, p, sizeof(h));
  v8u u = __builtin_convertvector(h, v8u) << 16;
  v8f f;
  std::memcpy(&f, &u, sizeof(f));
  return f;
}
inline float widenBF16(const uint8_t *p) {
  uint16_t h;
  std::memcpy(&h, p, 2);
  uint32_t u = uint32_t(h) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

/// How a panel's elements are read: FP32 as stored, FP32 rounded to BF16,
/// or BF16 storage widened.
enum class Elem { F32, F32Round, BF16 };

/// Rounds eight floats to bfloat16 (ties to even; NaN stays a quiet NaN),
/// as docs/ISA.md specifies for BF16 Mma operands.
[[gnu::always_inline]] inline v8f roundBF16x8(const v8f &in) {
  v8f x = in;
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

typedef uint16_t v16h __attribute__((vector_size(32)));

/// Two rows of eight BF16 values, from `lo` and `hi`, in one register (the
/// low and high 128-bit halves).
[[gnu::always_inline]] inline v16h loadBF16Pair(const uint8_t *lo,
                                                const uint8_t *hi) {
  v8h l, h;
  std::memcpy(&l, lo, sizeof(l));
  std::memcpy(&h, hi, sizeof(h));
  return __builtin_shufflevector(l, h, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
                                 12, 13, 14, 15);
}

/// In-lane interleaves (unpack low and high) of 16-bit values and of
/// 32-bit pairs of them. Operands are passed by reference, as elsewhere in
/// this file, so that no vector crosses a call boundary by value.
[[gnu::always_inline]] inline v16h interleaveLo16(const v16h &a, const v16h &b) {
  return __builtin_shuffle(
      a, b, v16h{0, 16, 1, 17, 2, 18, 3, 19, 8, 24, 9, 25, 10, 26, 11, 27});
}
[[gnu::always_inline]] inline v16h interleaveHi16(const v16h &a, const v16h &b) {
  return __builtin_shuffle(
      a, b, v16h{4, 20, 5, 21, 6, 22, 7, 23, 12, 28, 13, 29, 14, 30, 15, 31});
}
[[gnu::always_inline]] inline v16h interleaveLo32(const v16h &a, const v16h &b) {
  return __builtin_shuffle(
      a, b, v16h{0, 1, 16, 17, 2, 3, 18, 19, 8, 9, 24, 25, 10, 11, 26, 27});
}
[[gnu::always_inline]] inline v16h interleaveHi32(const v16h &a, const v16h &b) {
  return __builtin_shuffle(
      a, b, v16h{4, 5, 20, 21, 6, 7, 22, 23, 12, 13, 28, 29, 14, 15, 30, 31});
}

/// Packs an 8 x 8 block of BF16 values contiguous along k (rows col[t] + k0
/// for t < 8, eight k steps each) into eight widened panel rows. The block
/// is transposed while still 16 bits wide, and the last interleave with
/// zeros is the widening itself (a BF16 value is the high half of its
/// FP32), so that it takes half the shuffles of widening first and
/// transposing FP32 rows. Every shuffle stays within a 128-bit half, which
/// holds columns t < 4 in the low and t >= 4 in the high half throughout.
[[gnu::always_inline]] inline void transposeBF16x8(float *panel,
                                                   const uint8_t *const col[8],
                                                   int64_t off) {
  v16h r[4];
  for (int t = 0; t < 4; ++t)
    r[t] = loadBF16Pair(col[t] + off, col[t + 4] + off);
  // 16-bit interleave of rows t and t + 1: (t, t + 1) pairs per k.
  const v16h u01l = interleaveLo16(r[0], r[1]), u01h = interleaveHi16(r[0], r[1]);
  const v16h u23l = interleaveLo16(r[2], r[3]), u23h = interleaveHi16(r[2], r[3]);
  // 32-bit interleave of the pairs: four columns of two k steps per half.
  const v16h v[4] = {interleaveLo32(u01l, u23l), interleaveHi32(u01l, u23l),
                     interleaveLo32(u01h, u23h), interleaveHi32(u01h, u23h)};
  // Interleaving zeros below each value widens one k step per register.
  const v16h zero = {};
  for (int q = 0; q < 4; ++q) {
    const v16h w0 = interleaveLo16(zero, v[q]), w1 = interleaveHi16(zero, v[q]);
    std::memcpy(panel + 16 * q, &w0, sizeof(w0));
    std::memcpy(panel + 16 * q + 8, &w1, sizeof(w1));
  }
}

template <Elem E>
[[gnu::always_inline]] inline v8f load(const uint8_t *p) {
  return E == Elem::BF16 ? loadBF16x8(p) : load8(p);
}
template <Elem E> [[gnu::always_inline]] inline v8f finish(const v8f &v) {
  return E == Elem::F32Round ? roundBF16x8(v) : v;
}

/// Packs X[k0 + k][t] = element at base + (k0 + k) * sk + t * st, k < kc,
/// into panel[8k + t] as FP32. Columns t >= cnt repeat column 0 (valid
/// memory, results discarded by the caller).
template <Elem E>
[[gnu::always_inline]] inline void pack(float *panel, const uint8_t *base,
                                        int64_t k0, int64_t kc, int64_t sk,
                                        int64_t st, int64_t cnt) {
  constexpr int64_t size = E == Elem::BF16 ? 2 : 4;
  const uint8_t *col[8];
  for (int t = 0; t < 8; ++t)
    col[t] = base + k0 * sk + (t < cnt ? t * st : 0);
  int64_t k = 0;
  if (st == size && cnt == 8) {
    for (; k < kc; ++k)
      store8(panel + 8 * k, finish<E>(load<E>(col[0] + k * sk)));
    return;
  }
  if (E == Elem::BF16 && sk == size) {
    for (; k + 8 <= kc; k += 8)
      transposeBF16x8(panel + 8 * k, col, size * k);
  } else if (sk == size) {
    for (; k + 8 <= kc; k += 8) {
      v8f r[8];
      for (int t = 0; t < 8; ++t)
        r[t] = load<E>(col[t] + size * k);
      transpose8(r);
      for (int q = 0; q < 8; ++q)
        store8(panel + 8 * (k + q), finish<E>(r[q]));
    }
  }
  for (; k < kc; ++k) {
    alignas(32) float row[8];
    for (int t = 0; t < 8; ++t) {
      if constexpr (E == Elem::BF16)
        row[t] = widenBF16(col[t] + k * sk);
      else
        std::memcpy(&row[t], col[t] + k * sk, 4);
    }
    store8(panel + 8 * k, finish<E>(load8(row)));
  }
}

/// acc += A B over panels packed as by pack(): the multiply-add loop with
/// the tile in registers, stored back for the m x n tile only.
[[gnu::always_inline]] inline void loadTile(v8f c[8], const float *acc) {
  for (int i = 0; i < 8; ++i)
    c[i] = load8(acc + 8 * i);
}
[[gnu::always_inline]] inline void panelMma(v8f c[8], const float *pa,
                                            const float *pb, int64_t kc) {
  for (int64_t k = 0; k < kc; ++k) {
    const v8f bv = load8(pb + 8 * k);
    const float *ak = pa + 8 * k;
#pragma GCC unroll 8
    for (int i = 0; i < 8; ++i)
      c[i] = c[i] + ak[i] * bv; // product rounded, then the sum
  }
}
[[gnu::always_inline]] inline void storeTile(float *acc, const v8f c[8],
                                             int64_t m, int64_t n) {
  if (m == 8 && n == 8) {
    for (int i = 0; i < 8; ++i)
      store8(acc + 8 * i, c[i]);
    return;
  }
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j)
      acc[8 * i + j] = c[i][j];
}

template <Elem EA, Elem EB>
[[gnu::always_inline]] inline void mmaBody(float *acc, const uint8_t *a,
                                           const uint8_t *b,
                                           const isa::MmaDesc &d) {
  alignas(32) float pa[kChunk * 8], pb[kChunk * 8];
  v8f c[8];
  loadTile(c, acc);
  for (int64_t k0 = 0; k0 < d.k; k0 += kChunk) {
    const int64_t kc = d.k - k0 < kChunk ? d.k - k0 : kChunk;
    pack<EA>(pa, a, k0, kc, d.aSk, d.aSi, d.m);
    pack<EB>(pb, b, k0, kc, d.bSk, d.bSj, d.n);
    panelMma(c, pa, pb, kc);
  }
  storeTile(acc, c, d.m, d.n);
}

template <Elem EA, Elem EB>
void mmaBaseline(float *acc, const uint8_t *a, const uint8_t *b,
                 const isa::MmaDesc &d) {
  mmaBody<EA, EB>(acc, a, b, d);
}

template <Elem EA, Elem EB>
[[gnu::target("avx2")]] void mmaAvx2(float *acc, const uint8_t *a,
                                     const uint8_t *b, const isa::MmaDesc &d) {
  mmaBody<EA, EB>(acc, a, b, d);
}

template <Elem EA, Elem EB>
[[gnu::target("avx2,avx512f,avx512vl")]] void
mmaAvx512(float *acc, const uint8_t *a, const uint8_t *b,
          const isa::MmaDesc &d) {
  mmaBody<EA, EB>(acc, a, b, d);
}

// Whole-panel entry points of the cached path (MmaCache.cpp): the same
// packing and multiply-add loop, split so that a packed panel can be reused.
template <Elem E>
void packBaseline(float *panel, const uint8_t *base, int64_t k, int64_t sk,
                  int64_t st, int64_t cnt) {
  pack<E>(panel, base, 0, k, sk, st, cnt);
}
template <Elem E>
[[gnu::target("avx2")]] void packAvx2(float *panel, const uint8_t *base,
                                      int64_t k, int64_t sk, int64_t st,
                                      int64_t cnt) {
  pack<E>(panel, base, 0, k, sk, st, cnt);
}
void panelMmaBaseline(float *acc, const float *pa, const float *pb, int64_t k,
                      int64_t m, int64_t n) {
  v8f c[8];
  loadTile(c, acc);
  panelMma(c, pa, pb, k);
  storeTile(acc, c, m, n);
}
[[gnu::target("avx2")]] void panelMmaAvx2(float *acc, const float *pa,
                                          const float *pb, int64_t k,
                                          int64_t m, int64_t n) {
  v8f c[8];
  loadTile(c, acc);
  panelMma(c, pa, pb, k);
  storeTile(acc, c, m, n);
}
[[gnu::target("avx2,avx512f,avx512vl")]] void
panelMmaAvx512(float *acc, const float *pa, const float *pb, int64_t k,
               int64_t m, int64_t n) {
  v8f c[8];
  loadTile(c, acc);
  panelMma(c, pa, pb, k);
  storeTile(acc, c, m, n);
}

/// The host's kernel variants, slowest first. Packing has no AVX-512
/// variant: it gained nothing. Avx512Bf16 differs from Avx512 only for
/// the panels of BF16 Mmas (MmaDot.h).
enum class Isa { Baseline, Avx2, Avx512, Avx512Bf16 };

PackFn packVariant(Elem e, Isa isa) {
  const bool avx2 = isa != Isa::Baseline;
  switch (e) {
  case Elem::F32: return avx2 ? packAvx2<Elem::F32> : packBaseline<Elem::F32>;
  case Elem::F32Round:
    return avx2 ? packAvx2<Elem::F32Round> : packBaseline<Elem::F32Round>;
  case Elem::BF16: break;
  }
  return avx2 ? packAvx2<Elem::BF16> : packBaseline<Elem::BF16>;
}

/// How each operand of `d` is read.
void elemsOf(const isa::MmaDesc &d, Elem &ea, Elem &eb) {
  ea = d.dtype == 0 ? Elem::F32 : d.aStorage ? Elem::BF16 : Elem::F32Round;
  eb = d.dtype == 0 ? Elem::F32 : d.bStorage ? Elem::BF16 : Elem::F32Round;
}

MmaPanelKernels panelVariant(const isa::MmaDesc &d, Isa isa) {
  Elem ea, eb;
  elemsOf(d, ea, eb);
  MmaPanelKernels k;
  k.packA = packVariant(ea, isa);
  k.packB = packVariant(eb, isa);
  k.compute = isa >= Isa::Avx512 ? panelMmaAvx512
              : isa == Isa::Avx2 ? panelMmaAvx2
                                 : panelMmaBaseline;
  k.kindA = uint8_t(ea);
  k.kindB = uint8_t(eb);
  if (isa == Isa::Avx512Bf16)
    k.pairs = dotPanelKernels(d, k.packA, k.packB, k.compute, k.kindA,
                              k.kindB);
  return k;
}

/// The kernel variant `isa` for a descriptor's data type and operand
/// storage.
template <Elem EA, Elem EB> MmaKernel variant(Isa isa) {
  return isa >= Isa::Avx512 ? mmaAvx512<EA, EB>
         : isa == Isa::Avx2 ? mmaAvx2<EA, EB>
                            : mmaBaseline<EA, EB>;
}

MmaKernel variantFor(const isa::MmaDesc &d, Isa isa) {
  if (d.dtype == 0)
    return variant<Elem::F32, Elem::F32>(isa);
  if (d.aStorage) {
    if (d.bStorage)
      return variant<Elem::BF16, Elem::BF16>(isa);
    return variant<Elem::BF16, Elem::F32Round>(isa);
  }
  if (d.bStorage)
    return variant<Elem::F32Round, Elem::BF16>(isa);
  return variant<Elem::F32Round, Elem::F32Round>(isa);
}

/// The most capable variant the host runs.
Isa hostIsa() {
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx2"))
    return Isa::Baseline;
  if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512vl"))
    return Isa::Avx2;
  return hostHasBF16Dot() ? Isa::Avx512Bf16 : Isa::Avx512;
}

} // namespace

std::vector<MmaKernel> availableMmaKernels(const isa::MmaDesc &d) {
  std::vector<MmaKernel> k;
  for (int i = 0; i <= int(hostIsa()); ++i)
    k.push_back(variantFor(d, Isa(i)));
  return k;
}

MmaKernel selectMmaKernel(const isa::MmaDesc &d) {
  static const Isa isa = hostIsa();
  return variantFor(d, isa);
}

std::vector<MmaPanelKernels> availableMmaPanelKernels(const isa::MmaDesc &d) {
  std::vector<MmaPanelKernels> k;
  for (int i = 0; i <= int(hostIsa()); ++i)
    k.push_back(panelVariant(d, Isa(i)));
  return k;
}

MmaPanelKernels selectMmaPanelKernels(const isa::MmaDesc &d) {
  static const Isa isa = hostIsa();
  return panelVariant(d, isa);
}

} // namespace dojo::sim::detail
