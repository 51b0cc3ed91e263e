//===- MmaKernelTest.cpp - Host Mma kernels agree with the definition -----===//
//
// Every host kernel (baseline and, where the CPU has it, AVX2) must produce
// bit for bit what the ISA defines: per element, k summed in order with
// each product and sum rounded, BF16 operands rounded to nearest even, and
// accumulator elements outside the m x n tile untouched. Shapes cover full
// and partial tiles, k below, at and across the packing chunk, and the
// layouts compilers use (k-contiguous operands, row-major B, odd strides).
//
//===----------------------------------------------------------------------===//
#include "Machine.h"

#include <cstring>
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

float at(const std::vector<uint8_t> &mem, int64_t off) {
  float f;
  std::memcpy(&f, mem.data() + off, 4);
  return f;
}

struct Layout {
  int64_t aSi, aSk, bSk, bSj; ///< in units of floats
};

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
  for (bool bf16 : {false, true}) {
    std::vector<MmaKernel> kernels = availableMmaKernels(bf16);
    ASSERT_FALSE(kernels.empty());
    for (const Layout &l : layouts)
      for (int64_t m : {8, 5, 1})
        for (int64_t n : {8, 7, 2})
          for (int64_t k : {1, 7, 8, 9, 64, 65, 150}) {
            SCOPED_TRACE(testing::Message()
                         << "bf16 " << bf16 << " m " << m << " n " << n
                         << " k " << k << " layout " << l.aSi << "," << l.aSk
                         << "," << l.bSk << "," << l.bSj);
            isa::MmaDesc d;
            d.m = m;
            d.n = n;
            d.k = k;
            d.aSi = 4 * l.aSi;
            d.aSk = 4 * l.aSk;
            d.bSk = 4 * l.bSk;
            d.bSj = 4 * l.bSj;
            d.dtype = bf16;
            // Operands live in one buffer; the base sits in the middle so
            // that negative strides stay inside it.
            std::vector<uint8_t> mem(4 * 64 * 1024);
            for (size_t i = 0; i + 4 <= mem.size(); i += 4) {
              float f = dist(rng);
              std::memcpy(mem.data() + i, &f, 4);
            }
            const int64_t aBase = 4 * 1024, bBase = 4 * 40 * 1024;
            float init[64];
            for (float &f : init)
              f = dist(rng);
            float want[64];
            std::memcpy(want, init, sizeof(want));
            for (int64_t i = 0; i < m; ++i)
              for (int64_t j = 0; j < n; ++j)
                for (int64_t kk = 0; kk < k; ++kk) {
                  float x = at(mem, aBase + i * d.aSi + kk * d.aSk);
                  float y = at(mem, bBase + kk * d.bSk + j * d.bSj);
                  if (bf16) {
                    x = roundBF16Ref(x);
                    y = roundBF16Ref(y);
                  }
                  float p = x * y;
                  want[i * 8 + j] = want[i * 8 + j] + p;
                }
            for (size_t ki = 0; ki < kernels.size(); ++ki) {
              float acc[64];
              std::memcpy(acc, init, sizeof(acc));
              kernels[ki](acc, mem.data() + aBase, mem.data() + bBase, d);
              EXPECT_EQ(std::memcmp(acc, want, sizeof(acc)), 0)
                  << "kernel " << ki;
            }
          }
  }
}

} // namespace
