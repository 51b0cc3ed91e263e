//===- DmaCopyTest.cpp - Collapsed strided copies of DMA transfers --------===//
//
// A StridedPlan must visit exactly the bytes of the descriptor's
// dimensions in the same order (so gathers and scatters through it equal
// an element-by-element copy, whatever the strides: dense, padded,
// negative, zero, extent 1), collapse what is contiguous, and keep the
// span that issueDma checks; copyRow must copy every short length exactly.
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

/// Byte offsets (relative to the base) of every element of `d` with
/// `strides`, in row-major order: the reference the plans must match.
std::vector<int64_t> elementOffsets(const isa::DmaDesc &d,
                                    const int64_t *strides) {
  std::vector<int64_t> out;
  int64_t idx[isa::kMaxDmaRank] = {};
  const int r = int(d.rank);
  while (true) {
    int64_t off = 0;
    for (int i = 0; i < r; ++i)
      off += idx[i] * strides[i];
    out.push_back(off);
    int i = r - 1;
    for (; i >= 0; --i) {
      if (++idx[i] < d.shape[i])
        break;
      idx[i] = 0;
    }
    if (i < 0)
      return out;
  }
}

/// A random descriptor of up to 4 dimensions whose strides are dense,
/// padded, reversed, zero (sources only) or mixed, so that some
/// dimensions collapse and others do not.
isa::DmaDesc randomDesc(std::mt19937 &rng, int64_t e, bool source) {
  isa::DmaDesc d;
  d.elemBytes = e;
  d.rank = 1 + int64_t(rng() % 4);
  for (int i = 0; i < d.rank; ++i)
    d.shape[size_t(i)] = 1 + int64_t(rng() % 5);
  int64_t dense = e;
  for (int i = int(d.rank) - 1; i >= 0; --i) {
    int64_t s = dense;
    switch (rng() % 5) {
    case 0: s = dense + e * int64_t(rng() % 3); break; // padded
    case 1: s = -dense; break;                         // reversed
    case 2: s = source ? 0 : dense; break;             // broadcast
    default: break;                                    // contiguous
    }
    (source ? d.srcStrides : d.dstStrides)[size_t(i)] = s;
    dense = std::max<int64_t>(std::abs(s), dense) * d.shape[size_t(i)];
  }
  return d;
}

TEST(DmaCopy, PlansVisitTheDescriptorsBytesInOrder) {
  std::mt19937 rng(7);
  for (int64_t e : {1, 2, 4, 8}) {
    for (int trial = 0; trial < 300; ++trial) {
      for (bool source : {true, false}) {
        isa::DmaDesc d = randomDesc(rng, e, source);
        const int64_t *strides =
            source ? d.srcStrides.data() : d.dstStrides.data();
        std::vector<int64_t> offs = elementOffsets(d, strides);
        int64_t lo = 0, hi = 0;
        ASSERT_TRUE(stridedSpan(0, int(d.rank), d.shape.data(), strides, e,
                                lo, hi));
        const int64_t base = -lo; // every element at a non-negative offset
        std::vector<uint8_t> mem(size_t(hi - lo));
        for (size_t i = 0; i < mem.size(); ++i)
          mem[i] = uint8_t(rng());
        const StridedPlan plan = collapseDims(d, strides);

        // The plan's span is the descriptor's.
        int64_t plo = 0, phi = 0;
        ASSERT_TRUE(stridedSpan(base, plan.rank, plan.shape, plan.strides, e,
                                plo, phi));
        EXPECT_EQ(plo, base + lo);
        EXPECT_EQ(phi, base + hi);

        // Gather.
        std::vector<uint8_t> want(offs.size() * size_t(e)), got(want.size());
        for (size_t k = 0; k < offs.size(); ++k)
          std::memcpy(&want[k * size_t(e)], &mem[size_t(base + offs[k])],
                      size_t(e));
        stridedCopy<true>(mem.data(), base, plan, e, got.data());
        EXPECT_EQ(got, want) << "gather, e " << e << " trial " << trial;
        // The descriptor overload collapses the same way.
        std::fill(got.begin(), got.end(), 0);
        stridedCopy<true>(mem.data(), base, d, strides, e, got.data());
        EXPECT_EQ(got, want);

        // Scatter (a destination never broadcasts, so later elements
        // overwrite earlier ones only where the reference does too).
        if (source)
          continue;
        std::vector<uint8_t> wantMem = mem, gotMem = mem;
        for (size_t k = 0; k < offs.size(); ++k)
          std::memcpy(&wantMem[size_t(base + offs[k])], &want[k * size_t(e)],
                      size_t(e));
        stridedCopy<false>(gotMem.data(), base, plan, e, want.data());
        EXPECT_EQ(gotMem, wantMem) << "scatter, e " << e << " trial " << trial;
      }
    }
  }
}

TEST(DmaCopy, CollapsesContiguousDimensionsAndDropsUnitOnes) {
  isa::DmaDesc d;
  d.rank = 4;
  d.shape = {3, 1, 4, 6};
  // [3][4][6] FP32 rows of a [*][4][8] array: the two inner dimensions
  // are not contiguous (padded rows), the outer two are.
  d.srcStrides = {4 * 8 * 4, 999, 8 * 4, 4};
  StridedPlan p = collapseDims(d, d.srcStrides.data());
  ASSERT_EQ(p.rank, 2);
  EXPECT_EQ(p.shape[0], 12);
  EXPECT_EQ(p.strides[0], 32);
  EXPECT_EQ(p.shape[1], 6);
  EXPECT_EQ(p.strides[1], 4);
  // Dense: one row.
  d.srcStrides = {4 * 6 * 4, 999, 6 * 4, 4};
  p = collapseDims(d, d.srcStrides.data());
  ASSERT_EQ(p.rank, 1);
  EXPECT_EQ(p.shape[0], 72);
  // A single element.
  d.shape = {1, 1, 1, 1};
  p = collapseDims(d, d.srcStrides.data());
  ASSERT_EQ(p.rank, 1);
  EXPECT_EQ(p.shape[0], 1);
  // Strides whose product would overflow never merge.
  d.rank = 2;
  d.shape = {2, int64_t(1) << 40};
  d.srcStrides = {0, int64_t(1) << 40};
  p = collapseDims(d, d.srcStrides.data());
  EXPECT_EQ(p.rank, 2);
}

TEST(DmaCopy, CopyRowCopiesEveryLengthExactly) {
  std::vector<uint8_t> src(200), dst(220);
  for (size_t i = 0; i < src.size(); ++i)
    src[i] = uint8_t(i * 7 + 1);
  for (int64_t n = 0; n <= 160; ++n) {
    std::fill(dst.begin(), dst.end(), 0xee);
    copyRow(dst.data() + 10, src.data() + 3, n);
    for (int64_t i = 0; i < int64_t(dst.size()); ++i) {
      const uint8_t want =
          i >= 10 && i < 10 + n ? src[size_t(i - 10 + 3)] : uint8_t(0xee);
      ASSERT_EQ(dst[size_t(i)], want) << "n " << n << " byte " << i;
    }
  }
}

TEST(DmaCopy, BF16GatherThroughAPlanRoundsLikeConvertElements) {
  std::mt19937 rng(11);
  isa::DmaDesc d;
  d.rank = 3;
  d.shape = {4, 3, 5};
  d.srcStrides = {4 * 40, 4 * 10, 4}; // padded rows: does not collapse
  std::vector<uint8_t> mem(4 * 200);
  for (size_t i = 0; i < mem.size(); i += 4) {
    const uint32_t bits = uint32_t(rng());
    std::memcpy(&mem[i], &bits, 4);
  }
  const int64_t count = 60;
  std::vector<uint8_t> dense(size_t(count * 4)), want(size_t(count * 2)),
      got(size_t(count * 2));
  stridedCopy<true>(mem.data(), 8, d, d.srcStrides.data(), 4, dense.data());
  convertElements(1, dense.data(), 16, want.data(), count);
  stridedGatherToBF16(mem.data(), 8, collapseDims(d, d.srcStrides.data()),
                      got.data());
  EXPECT_EQ(got, want);
}

} // namespace
