//===- MmaCacheTest.cpp - Reused Mma panels and the BF16 gather -----------===//
//
// The panel cache must give the result of packing afresh whenever a byte a
// panel came from was written (and recorded in SramWrites), and reuse the
// panel otherwise; the fused FP32 -> BF16 gather of converting transfers
// must round exactly like the element-wise conversion.
//
//===----------------------------------------------------------------------===//
#include "DataOps.h"
#include "FloatFormats.h"

#include <cstring>
#include <gtest/gtest.h>
#include <random>

using namespace dojo;
using namespace dojo::sim::detail;

namespace {

/// A BF16 Mma over k-contiguous BF16 operands, the convolution layout.
isa::MmaDesc convDesc(int64_t k) {
  isa::MmaDesc d;
  d.m = 8;
  d.n = 8;
  d.k = k;
  d.aSi = 2 * k;
  d.aSk = 2;
  d.bSk = 2;
  d.bSj = 2 * 16; // overlapping windows, as a sliding convolution reads
  d.dtype = 1;
  d.aStorage = 1;
  d.bStorage = 1;
  return d;
}

struct Fixture {
  std::vector<uint8_t> sram = std::vector<uint8_t>(64 * 1024);
  SramWrites writes;
  Decoded dd;
  Fixture(const isa::MmaDesc &d) {
    writes.init(int64_t(sram.size()));
    dd.kind = isa::DescKind::Mma;
    dd.mma = d;
    dd.mmaKernel = selectMmaKernel(d);
    dd.panels = selectMmaPanelKernels(d);
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
    for (size_t i = 0; i + 2 <= sram.size(); i += 2)
      store(int64_t(i), dist(rng));
  }
  void store(int64_t off, float f) {
    uint16_t h = floatToBF16Bits(f);
    std::memcpy(sram.data() + off, &h, 2);
  }
  /// The Mma through `cache` (or uncached) into a zeroed tile.
  std::vector<float> run(int64_t a, int64_t b, PanelCache *cache) {
    std::vector<float> acc(64, 0.0f);
    runMma(dd, acc.data(), sram.data(), a, b, writes, cache);
    return acc;
  }
};

TEST(SimMmaCache, RepacksAfterRecordedWritesOnly) {
  Fixture f(convDesc(40));
  const int64_t a = 1024, b = 16 * 1024;
  PanelCache cache;
  std::vector<float> first = f.run(a, b, &cache);
  EXPECT_EQ(first, f.run(a, b, nullptr));
  // A write the data side did not record (none does that) would go unseen:
  // this is how the test observes that the panels are reused.
  f.store(a + 2 * 3, 100.0f);
  f.store(b + 2 * 5, -100.0f);
  EXPECT_EQ(f.run(a, b, &cache), first);
  // Recorded writes to either operand invalidate its panel.
  f.writes.mark(a + 6, a + 8);
  std::vector<float> afterA = f.run(a, b, &cache);
  EXPECT_NE(afterA, first);
  f.writes.mark(b + 10, b + 12);
  std::vector<float> fresh = f.run(a, b, nullptr);
  EXPECT_EQ(f.run(a, b, &cache), fresh);
  EXPECT_NE(fresh, afterA);
  // A write elsewhere (beyond both spans' blocks) keeps them.
  f.store(a + 2 * 7, 5.0f);
  f.writes.mark(60 * 1024, 60 * 1024 + 4);
  EXPECT_EQ(f.run(a, b, &cache), fresh);
}

TEST(SimMmaCache, KeyIncludesShapeAndStrides) {
  // The same base with another k or other strides is another panel.
  isa::MmaDesc d = convDesc(40);
  Fixture f(d);
  PanelCache cache;
  const int64_t a = 2048, b = 20 * 1024;
  f.run(a, b, &cache);
  for (int variant = 0; variant < 3; ++variant) {
    isa::MmaDesc e = d;
    if (variant == 0)
      e.k = 24;
    else if (variant == 1)
      e.aSi = 2 * 41;
    else
      e.bSj = 2 * 9;
    Fixture g(e);
    g.sram = f.sram;
    std::vector<float> want = g.run(a, b, nullptr);
    std::vector<float> acc(64, 0.0f);
    // The first run's SRAM, writes record and cache.
    runMma(g.dd, acc.data(), f.sram.data(), a, b, f.writes, &cache);
    EXPECT_EQ(acc, want) << "variant " << variant;
  }
}

TEST(SimMmaCache, LongPanelsFallBackToChunks) {
  isa::MmaDesc d = convDesc(PanelCache::kMaxK + 8);
  d.aSi = 2;      // A column-major: rows one element apart
  d.aSk = 2 * 8;  // ...and k steps eight
  d.bSj = 2;
  d.bSk = 2 * 8;
  Fixture f(d);
  f.sram.resize(size_t(2 * 8 * (PanelCache::kMaxK + 8) * 2 + 64));
  f.writes.init(int64_t(f.sram.size()));
  PanelCache cache;
  const int64_t b = 2 * 8 * (PanelCache::kMaxK + 8);
  EXPECT_EQ(f.run(0, b, &cache), f.run(0, b, nullptr));
}

TEST(SimGatherBF16, MatchesElementwiseConversion) {
  // Specials, ties in both directions, subnormals and random values.
  std::vector<uint32_t> bits = {0x7f800000u, 0xff800000u, 0x7fc00000u,
                                0xffc00001u, 0x7f800001u, 0x7fffffffu,
                                0x00000000u, 0x80000000u, 0x00000001u,
                                0x807fffffu, 0x3f808000u, 0x3f818000u,
                                0x3f80ffffu, 0x7f7fffffu, 0xff7f8000u};
  std::mt19937 rng(3);
  while (bits.size() < 4096)
    bits.push_back(uint32_t(rng()));
  std::vector<uint8_t> src(bits.size() * 4);
  std::memcpy(src.data(), bits.data(), src.size());
  // Dense, then strided 3-D with a non-unit inner stride.
  isa::DmaDesc d;
  d.srcType = 1;
  d.dstType = 16;
  d.elemBytes = 4;
  for (int layout = 0; layout < 2; ++layout) {
    if (layout == 0) {
      d.rank = 1;
      d.shape[0] = int64_t(bits.size());
      d.srcStrides[0] = 4;
    } else {
      d.rank = 3;
      d.shape[0] = 5;
      d.shape[1] = 7;
      d.shape[2] = 9;
      d.srcStrides[0] = 4 * 700;
      d.srcStrides[1] = 4 * 90;
      d.srcStrides[2] = 4 * 3;
    }
    int64_t count = 1;
    for (int i = 0; i < d.rank; ++i)
      count *= d.shape[i];
    std::vector<uint8_t> dense(size_t(count * 4)), want(size_t(count * 2)),
        got(size_t(count * 2));
    stridedCopy<true>(src.data(), 8, d, d.srcStrides.data(), 4, dense.data());
    for (int64_t i = 0; i < count; ++i) {
      float x;
      std::memcpy(&x, dense.data() + 4 * i, 4);
      uint16_t h = floatToBF16Bits(x);
      std::memcpy(want.data() + 2 * i, &h, 2);
    }
    stridedGatherToBF16(src.data(), 8, d, d.srcStrides.data(), got.data());
    EXPECT_EQ(got, want) << "layout " << layout;
    convertElements(1, dense.data(), 16, got.data(), count);
    EXPECT_EQ(got, want) << "convertElements, layout " << layout;
  }
}

} // namespace
