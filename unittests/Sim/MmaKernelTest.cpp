//===- MmaKernelTest.cpp - Host Mma kernels agree with the definition -----===//
//
// Every host kernel (baseline and, where the CPU has it, AVX2), whole or
// split into packing and multiply-add as the panel cache uses it, must produce
// bit for bit what the ISA defines: per element, k summed in order with
// each product and sum rounded, BF16 operands rounded to nearest even, and
// accumulator elements outside the m x n tile untouched. Shapes cover full
// and partial tiles, k below, at and across the packing chunk, and the
// layouts compilers use (k-contiguous operands, row-major B, odd strides),
// with FP32 or BF16 operand storage.
//
//===----------------------------------------------------------------------===//
#include "Machine.h"

#include <cmath>
#include <cstring>
#include <iterator>
#include <gtest/gtest.h>
#include <random>

using namespace dojo;
using namespace dojo::sim::detail;

namespace {

float roundBF16Ref(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  if ((u & 0x7fffffffu) > 0x7f800000u)
    u = (u | 0x00400000u) & 0xffff0000u;
  else
    u = (u + 0x7fffu + ((u >> 16) & 1u)) & 0xffff0000u;
  std::memcpy(&f, &u, 4);
  return f;
}

/// Reads operand element `off` bytes into `mem`: an FP32, or a BF16 (the
/// high half of an FP32) widened exactly.
float at(const std::vector<uint8_t> &mem, int64_t off, bool bf16Storage) {
  uint32_t u = 0;
  if (bf16Storage) {
    uint16_t h;
    std::memcpy(&h, mem.data() + off, 2);
    u = uint32_t(h) << 16;
  } else {
    std::memcpy(&u, mem.data() + off, 4);
  }
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

struct Layout {
  int64_t aSi, aSk, bSk, bSj; ///< in units of elements
};

/// A data type with the storage of each operand (valid combinations only).
struct Types {
  int64_t dtype, aStorage, bStorage;
};

/// Runs every kernel for `d` on `mem` and compares with the ISA's definition
/// computed one scalar operation at a time: bit for bit, except that with
/// `anyNaN` any NaN matches any NaN (the ISA does not define which payload
/// a product or sum of two NaNs carries, and the host compiler may order
/// the operands of a commutative operation either way).
void checkKernels(const isa::MmaDesc &d, const std::vector<uint8_t> &mem,
                  int64_t aBase, int64_t bBase, const float init[64],
                  bool anyNaN = false) {
  float want[64];
  std::memcpy(want, init, sizeof(want));
  for (int64_t i = 0; i < d.m; ++i)
    for (int64_t j = 0; j < d.n; ++j)
      for (int64_t kk = 0; kk < d.k; ++kk) {
        float x = at(mem, aBase + i * d.aSi + kk * d.aSk, d.aStorage);
        float y = at(mem, bBase + kk * d.bSk + j * d.bSj, d.bStorage);
        if (d.dtype) {
          x = roundBF16Ref(x);
          y = roundBF16Ref(y);
        }
        float p = x * y;
        want[i * 8 + j] = want[i * 8 + j] + p;
      }
  auto compare = [&](const float acc[64], const char *what, size_t ki) {
    if (!anyNaN) {
      EXPECT_EQ(std::memcmp(acc, want, 64 * sizeof(float)), 0)
          << what << " " << ki;
      return;
    }
    for (int e = 0; e < 64; ++e) {
      if (!(std::isnan(acc[e]) && std::isnan(want[e]))) {
        EXPECT_EQ(std::memcmp(&acc[e], &want[e], 4), 0)
            << what << " " << ki << " element " << e;
      }
    }
  };
  std::vector<MmaKernel> kernels = availableMmaKernels(d);
  ASSERT_FALSE(kernels.empty());
  for (size_t ki = 0; ki < kernels.size(); ++ki) {
    float acc[64];
    std::memcpy(acc, init, sizeof(acc));
    kernels[ki](acc, mem.data() + aBase, mem.data() + bBase, d);
    compare(acc, "kernel", ki);
  }
  // The split kernels of the cached path: whole panels packed, then the
  // multiply-add loop over them.
  std::vector<MmaPanelKernels> split = availableMmaPanelKernels(d);
  ASSERT_EQ(split.size(), kernels.size());
  for (size_t ki = 0; ki < split.size(); ++ki) {
    std::vector<float> pa(size_t(8 * d.k)), pb(size_t(8 * d.k));
    split[ki].packA(pa.data(), mem.data() + aBase, d.k, d.aSk, d.aSi, d.m);
    split[ki].packB(pb.data(), mem.data() + bBase, d.k, d.bSk, d.bSj, d.n);
    float acc[64];
    std::memcpy(acc, init, sizeof(acc));
    split[ki].compute(acc, pa.data(), pb.data(), d.k, d.m, d.n);
    compare(acc, "split kernel", ki);
  }
}

TEST(SimMmaKernel, EveryKernelMatchesTheDefinition) {
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
  const Layout layouts[] = {
      {300, 1, 1, 301},  // convolution: both operands contiguous along k
      {300, 1, 9, 1},    // GEMM: A row-major, B row-major
      {1, 9, 1, 300},    // A column-major, B k-contiguous
      {3, 17, 5, 2},     // arbitrary strides
      {300, 1, -1, 301}, // B walked backwards along k
  };
  const Types types[] = {{0, 0, 0}, {1, 0, 0}, {1, 1, 0}, {1, 0, 1}, {1, 1, 1}};
  for (const Types &ty : types)
    for (const Layout &l : layouts) {
      // Operands live in one buffer; the bases sit inside it so that
      // negative strides stay in bounds. Every 2-byte half holds the high
      // half of a random value in [-2, 2], so that FP32 and BF16 reads
      // both see finite numbers of moderate size.
      std::vector<uint8_t> mem(4 * 64 * 1024);
      for (size_t i = 0; i + 2 <= mem.size(); i += 2) {
        float f = dist(rng);
        std::memcpy(mem.data() + i, reinterpret_cast<uint8_t *>(&f) + 2, 2);
      }
      const int64_t aBase = 4 * 1024, bBase = 4 * 40 * 1024;
      const int64_t aElem = ty.aStorage ? 2 : 4, bElem = ty.bStorage ? 2 : 4;
      for (int64_t m : {8, 5, 1})
        for (int64_t n : {8, 7, 2})
          for (int64_t k : {1, 7, 8, 9, 64, 65, 150}) {
            SCOPED_TRACE(testing::Message()
                         << "dtype " << ty.dtype << " storage " << ty.aStorage
                         << ty.bStorage << " m " << m << " n " << n << " k "
                         << k << " layout " << l.aSi << "," << l.aSk << ","
                         << l.bSk << "," << l.bSj);
            isa::MmaDesc d;
            d.m = m;
            d.n = n;
            d.k = k;
            d.aSi = aElem * l.aSi;
            d.aSk = aElem * l.aSk;
            d.bSk = bElem * l.bSk;
            d.bSj = bElem * l.bSj;
            d.dtype = ty.dtype;
            d.aStorage = ty.aStorage;
            d.bStorage = ty.bStorage;
            ASSERT_EQ(isa::decode(isa::encode(d), d), "");
            float init[64];
            for (float &f : init)
              f = dist(rng);
            checkKernels(d, mem, aBase, bBase, init);
          }
    }
}

TEST(SimMmaKernel, Bf16StorageKeepsSpecialValues) {
  // Infinities, NaNs (quiet and signalling, both signs), zeros of both
  // signs and denormals stored as BF16 go through every kernel exactly as
  // the definition says.
  const uint16_t specials[] = {0x7f80, 0xff80, 0x7fc0, 0xffc1, 0x7f81,
                               0x8000, 0x0000, 0x0001, 0x807f, 0x3f80};
  std::vector<uint8_t> mem(4096);
  for (size_t i = 0; i + 2 <= mem.size(); i += 2) {
    uint16_t h = specials[(i / 2 * 7 + i / 6) % std::size(specials)];
    std::memcpy(mem.data() + i, &h, 2);
  }
  for (int64_t as : {0, 1})
    for (int64_t bs : {0, 1}) {
      isa::MmaDesc d;
      d.m = 8;
      d.n = 8;
      d.k = 12;
      d.aSi = 12 * (as ? 2 : 4);
      d.aSk = as ? 2 : 4;
      d.bSk = bs ? 2 : 4;
      d.bSj = 12 * (bs ? 2 : 4);
      d.dtype = 1;
      d.aStorage = as;
      d.bStorage = bs;
      SCOPED_TRACE(testing::Message() << "storage " << as << bs);
      float init[64] = {};
      checkKernels(d, mem, 0, 1024, init, /*anyNaN=*/true);
    }
}


/// A BF16 Mma whose operands are alike, contiguous along k, `cnt` columns
/// `stElems` elements apart, stored as BF16 (`storage`) or FP32: the shape
/// the packing tests walk.
isa::MmaDesc packingDesc(int64_t storage, int64_t cnt, int64_t k,
                         int64_t stElems) {
  const int64_t e = storage ? 2 : 4;
  isa::MmaDesc d;
  d.m = cnt;
  d.n = cnt;
  d.k = k;
  d.aSk = e;
  d.aSi = e * stElems;
  d.bSk = e;
  d.bSj = e * stElems;
  d.dtype = 1;
  d.aStorage = storage;
  d.bStorage = storage;
  return d;
}

TEST(SimMmaKernel, PackedPanelsMatchTheDefinition) {
  // Every packing of every variant yields panel[8k + t] = the operand
  // element (k, t), widened and for FP32 storage of a BF16 Mma rounded,
  // with columns t >= cnt repeating column 0; in particular the transposing
  // BF16 path (operand contiguous along k), over whole 8 x 8 blocks and the
  // k steps after them.
  std::vector<uint8_t> mem(64 * 1024);
  std::mt19937 rng(7);
  for (uint8_t &b : mem)
    b = uint8_t(rng());
  for (int64_t storage : {0, 1})
    for (int64_t cnt : {8, 6, 1})
      for (int64_t k : {3, 8, 16, 21, 192})
        for (int64_t stElems : {int64_t(1), k, int64_t(300)}) {
          const isa::MmaDesc d = packingDesc(storage, cnt, k, stElems);
          SCOPED_TRACE(testing::Message() << "storage " << storage << " cnt "
                                          << cnt << " k " << k << " st "
                                          << stElems);
          std::vector<float> want(size_t(8 * k));
          for (int64_t kk = 0; kk < k; ++kk)
            for (int64_t t = 0; t < 8; ++t) {
              const int64_t col = t < cnt ? t : 0;
              const float x = at(mem, 64 + kk * d.aSk + col * d.aSi, storage);
              want[size_t(8 * kk + t)] = storage ? x : roundBF16Ref(x);
            }
          for (const MmaPanelKernels &p : availableMmaPanelKernels(d)) {
            if (p.pairs)
              continue; // BF16 pairs: PairPanelsMatchTheDefinition
            std::vector<float> got(size_t(8 * k));
            p.packA(got.data(), mem.data() + 64, k, d.aSk, d.aSi, cnt);
            EXPECT_EQ(std::memcmp(got.data(), want.data(), 32 * size_t(k)), 0);
          }
        }
}

TEST(SimMmaKernel, PairPanelsMatchTheDefinition) {
  // Pair panels (hosts with AVX512-BF16) hold word 8p + t = element
  // (2p, t) in the high and (2p + 1, t) in the low half, an odd k padded
  // with -0 in A and +0 in B, then one word that is 0 exactly when every
  // element is zero or has an exponent in [-56, 50].
  std::vector<uint8_t> mem(64 * 1024);
  std::mt19937 rng(11);
  for (size_t i = 0; i + 2 <= mem.size(); i += 2) {
    // Moderate BF16 values (exponents -8..7) and zeros, so that the range
    // word is 0 unless a test plants an outlier.
    uint16_t h = uint16_t((rng() & 0x8000u) | ((119u + rng() % 16) << 7) |
                          (rng() & 0x7fu));
    if (rng() % 9 == 0)
      h &= 0x8000u;
    std::memcpy(mem.data() + i, &h, 2);
  }
  bool sawPairs = false;
  for (int64_t storage : {0, 1})
    for (int64_t cnt : {8, 6})
      for (int64_t k : {2, 3, 16, 21, 192})
        for (int64_t stElems : {int64_t(1), k, int64_t(300)})
          for (uint16_t outlier : {uint16_t(0), uint16_t(0x0e00),
                                   uint16_t(0x5980), uint16_t(0x7fc0)}) {
            const isa::MmaDesc d = packingDesc(storage, cnt, k, stElems);
            const int64_t e = d.aSk;
            std::vector<uint8_t> m = mem;
            // 0x0e00 has exponent -99, 0x5980 exponent 52, 0x7fc0 is a NaN;
            // planted as the last element read (k - 1 of column cnt - 1).
            const int64_t last = 64 + (k - 1) * d.aSk + (cnt - 1) * d.aSi;
            if (outlier) {
              if (storage)
                std::memcpy(m.data() + last, &outlier, 2);
              else
                std::memcpy(m.data() + last + 2, &outlier, 2);
            }
            SCOPED_TRACE(testing::Message()
                         << "storage " << storage << " cnt " << cnt << " k "
                         << k << " st " << stElems << " outlier " << outlier);
            const int64_t pairs = (k + 1) / 2;
            for (const MmaPanelKernels &p : availableMmaPanelKernels(d)) {
              if (!p.pairs)
                continue;
              sawPairs = true;
              for (int role = 0; role < 2; ++role) {
                std::vector<uint32_t> got(size_t(8 * k), 0xdeadbeefu);
                bool wantBad = false;
                (role ? p.packB : p.packA)(
                    reinterpret_cast<float *>(got.data()), m.data() + 64, k,
                    e, d.aSi, cnt);
                for (int64_t q = 0; q < pairs; ++q)
                  for (int64_t t = 0; t < 8; ++t) {
                    const int64_t col = t < cnt ? t : 0;
                    auto elem = [&](int64_t kk) -> uint32_t {
                      if (kk >= k)
                        return role ? 0x0000u : 0x8000u;
                      float x = at(m, 64 + kk * e + col * d.aSi, storage);
                      if (!storage)
                        x = roundBF16Ref(x);
                      uint32_t u;
                      std::memcpy(&u, &x, 4);
                      return u >> 16;
                    };
                    EXPECT_EQ(got[size_t(8 * q + t)],
                              elem(2 * q) << 16 | elem(2 * q + 1))
                        << "role " << role << " pair " << q << " t " << t;
                    for (int64_t kk : {2 * q, 2 * q + 1}) {
                      const uint32_t mag = elem(kk) & 0x7fffu;
                      wantBad |= mag != 0 && (mag < (71u << 7) ||
                                              mag >= (178u << 7));
                    }
                  }
                EXPECT_EQ(got[size_t(8 * pairs)], wantBad ? 1u : 0u)
                    << "role " << role;
                // A planted outlier is always seen.
                if (outlier) {
                  EXPECT_TRUE(wantBad);
                }
              }
            }
          }
  if (!sawPairs)
    GTEST_SKIP() << "the host has no AVX512-BF16";
}

TEST(SimMmaKernel, DotKernelRangeEdges) {
  // The dot-product kernel is used only where it is exact; at the edges of
  // its range (operand exponents -56 and 50, accumulators at exponents
  // -103 and 125 or just outside) and with cancellation towards tiny sums,
  // every kernel still matches the definition bit for bit.
  std::mt19937 rng(5);
  for (int trial = 0; trial < 400; ++trial) {
    const int64_t k = 2 + int64_t(rng() % 40);
    std::vector<uint8_t> mem(4096);
    const int exps[] = {-57, -56, -55, -50, 0, 45, 50, 51};
    for (size_t i = 0; i + 2 <= mem.size(); i += 2) {
      const int ex = exps[rng() % std::size(exps)];
      uint16_t h = uint16_t((rng() & 0x8000u) | uint32_t(ex + 127) << 7 |
                            (rng() & 0x7fu));
      if (rng() % 7 == 0)
        h &= 0x8000u;
      std::memcpy(mem.data() + i, &h, 2);
    }
    isa::MmaDesc d;
    d.m = 8;
    d.n = 8;
    d.k = k;
    d.aSk = 2;
    d.aSi = 2 * k;
    d.bSk = 2;
    d.bSj = 2 * k;
    d.dtype = 1;
    d.aStorage = 1;
    d.bStorage = 1;
    float init[64];
    const int accExps[] = {-104, -103, -90, 0, 100, 125, 126};
    for (float &f : init) {
      const int ex = accExps[rng() % std::size(accExps)];
      const uint32_t u = (rng() & 0x80000000u) | uint32_t(ex + 127) << 23 |
                         (rng() & 0x7fffffu);
      std::memcpy(&f, &u, 4);
      if (rng() % 5 == 0)
        f = (rng() & 1) ? -0.0f : 0.0f;
    }
    SCOPED_TRACE(testing::Message() << "trial " << trial << " k " << k);
    checkKernels(d, mem, 0, 2048, init);
  }
}

} // namespace
