//===- SramAllocatorTest.cpp - Tests for the SRAM planner -----------------===//

#include "dojo/Dialect/D1/Analysis/SramAllocator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

using namespace dojo::d1;

namespace {

constexpr int64_t kBase = 4096;
constexpr int64_t kLimit = 64 * 1024;

BufferRequest buf(std::string name, int64_t size, int first, int last) {
  BufferRequest r;
  r.name = std::move(name);
  r.size = size;
  r.first = first;
  r.last = last;
  return r;
}

/// `prefix` followed by `i`, built by appending (GCC 12 warns falsely on
/// "literal" + std::to_string(i) at -O3).
std::string numbered(const char *prefix, int i) {
  std::string s = prefix;
  s += std::to_string(i);
  return s;
}

/// The most bytes live at any one step: no valid plan can use less.
int64_t maxPressure(const std::vector<BufferRequest> &reqs) {
  std::vector<std::pair<int64_t, int64_t>> events;
  for (const BufferRequest &r : reqs) {
    events.emplace_back(r.first, r.size);
    events.emplace_back(int64_t(r.last) + 1, -r.size);
  }
  std::sort(events.begin(), events.end());
  int64_t live = 0, best = 0;
  for (auto &e : events) {
    live += e.second;
    best = std::max(best, live);
  }
  return best;
}

TEST(SramAllocator, ReusesMemoryAcrossDisjointLifetimes) {
  std::vector<BufferRequest> reqs = {buf("a", 1000, 0, 1), buf("b", 1000, 2, 3),
                                     buf("c", 1000, 4, 9)};
  AllocationPlan plan = planSram(reqs, kBase, kLimit);
  ASSERT_TRUE(plan.ok);
  EXPECT_EQ(plan.offsets[0], kBase);
  EXPECT_EQ(plan.offsets[1], kBase);
  EXPECT_EQ(plan.offsets[2], kBase);
  EXPECT_EQ(plan.peak, kBase + 1000);
  EXPECT_EQ(verifyPlan(reqs, plan, kBase, kLimit), "");
}

TEST(SramAllocator, SeparatesBuffersLiveAtTheSameStep) {
  // b overlaps a only at step 3 (inclusive ranges), which must still count.
  std::vector<BufferRequest> reqs = {buf("a", 512, 0, 3), buf("b", 512, 3, 5),
                                     buf("c", 256, 4, 6)};
  AllocationPlan plan = planSram(reqs, kBase, kLimit);
  ASSERT_TRUE(plan.ok);
  EXPECT_NE(plan.offsets[0], plan.offsets[1]);
  EXPECT_GE(std::abs(plan.offsets[0] - plan.offsets[1]), 512);
  // c is live with b but not with a, so it reuses a's space.
  EXPECT_EQ(plan.offsets[2], plan.offsets[0]);
  EXPECT_EQ(plan.peak, kBase + 1024);
  EXPECT_EQ(verifyPlan(reqs, plan, kBase, kLimit), "");
}

TEST(SramAllocator, HonoursAlignment) {
  std::vector<BufferRequest> reqs = {
      buf("odd", 100, 0, 5), buf("wide", 300, 0, 5), buf("tiny", 8, 0, 5)};
  reqs[0].align = 64;
  reqs[1].align = 1024;
  reqs[2].align = 256;
  AllocationPlan plan = planSram(reqs, kBase + 64, kLimit);
  ASSERT_TRUE(plan.ok);
  EXPECT_EQ(plan.offsets[0] % 64, 0);
  EXPECT_EQ(plan.offsets[1] % 1024, 0);
  EXPECT_EQ(plan.offsets[2] % 256, 0);
  EXPECT_GE(plan.offsets[1], kBase + 64);
  EXPECT_EQ(verifyPlan(reqs, plan, kBase + 64, kLimit), "");
}

TEST(SramAllocator, PlacesFixedOffsetsFirstAndFlowsAroundThem) {
  std::vector<BufferRequest> reqs = {
      buf("x", 4096, 0, 9), buf("pinnedIO", 1024, 0, 9), buf("y", 2048, 0, 9)};
  reqs[1].fixedOffset = kBase;
  AllocationPlan plan = planSram(reqs, kBase, kLimit);
  ASSERT_TRUE(plan.ok);
  EXPECT_EQ(plan.offsets[1], kBase);
  EXPECT_GE(plan.offsets[0], kBase + 1024);
  EXPECT_GE(plan.offsets[2], kBase + 1024);
  EXPECT_EQ(verifyPlan(reqs, plan, kBase, kLimit), "");
}

TEST(SramAllocator, RejectsConflictingOrMisalignedFixedOffsets) {
  std::vector<BufferRequest> reqs = {buf("first", 1024, 0, 4),
                                     buf("clash", 1024, 2, 6),
                                     buf("crooked", 64, 0, 0)};
  reqs[0].fixedOffset = kBase;
  reqs[1].fixedOffset = kBase + 512;
  reqs[2].fixedOffset = kBase + 32;
  AllocationPlan plan = planSram(reqs, kBase, kLimit);
  EXPECT_FALSE(plan.ok);
  EXPECT_EQ(plan.failed, 1);
  EXPECT_EQ(plan.offsets[0], kBase);
  EXPECT_EQ(plan.offsets[1], -1);
  EXPECT_EQ(plan.offsets[2], -1);
  EXPECT_EQ(verifyPlan(reqs, plan, kBase, kLimit), "");
}

TEST(SramAllocator, BestFitPrefersTheTightestGap) {
  // Fixed buffers leave a 256-byte gap and then a 64-byte gap; a 64-byte
  // buffer belongs in the tight one, keeping the wide gap for later.
  std::vector<BufferRequest> reqs = {buf("f0", 64, 0, 9), buf("f1", 64, 0, 9),
                                     buf("f2", 64, 0, 9),
                                     buf("small", 64, 0, 9)};
  reqs[0].fixedOffset = 0;
  reqs[1].fixedOffset = 320;
  reqs[2].fixedOffset = 448;
  AllocationPlan plan = planSram(reqs, 0, kLimit);
  ASSERT_TRUE(plan.ok);
  EXPECT_EQ(plan.offsets[3], 384);
  EXPECT_EQ(plan.peak, 512);
}

TEST(SramAllocator, PinnedBuffersAreLiveEverywhere) {
  std::vector<BufferRequest> reqs = {buf("weights", 2048, 0, 0),
                                     buf("act0", 2048, 3, 4),
                                     buf("act1", 2048, 7, 8)};
  reqs[0].pinned = true;
  AllocationPlan plan = planSram(reqs, kBase, kLimit);
  ASSERT_TRUE(plan.ok);
  EXPECT_NE(plan.offsets[0], plan.offsets[1]);
  EXPECT_NE(plan.offsets[0], plan.offsets[2]);
  EXPECT_EQ(plan.offsets[1], plan.offsets[2]);
  EXPECT_EQ(plan.peak, kBase + 4096);
  EXPECT_EQ(verifyPlan(reqs, plan, kBase, kLimit), "");
}

TEST(SramAllocator, OverflowReportsFailedBufferAndMemoryMap) {
  std::vector<BufferRequest> reqs = {buf("conv1_out", 20480, 0, 3),
                                     buf("conv2_weights", 30720, 2, 5),
                                     buf("scratch", 10240, 4, 4)};
  const int64_t limit = kBase + 40960;
  AllocationPlan plan = planSram(reqs, kBase, limit);
  EXPECT_FALSE(plan.ok);
  EXPECT_EQ(plan.failed, 0);
  EXPECT_EQ(plan.offsets[0], -1);
  EXPECT_EQ(plan.offsets[1], kBase);
  // scratch overlaps conv2_weights in time but not the unplaced conv1_out.
  EXPECT_EQ(plan.offsets[2], kBase + 30720) << "the rest is still placed";
  EXPECT_EQ(verifyPlan(reqs, plan, kBase, limit), "");

  std::string map = formatMemoryMap(reqs, plan, kBase, limit);
  EXPECT_NE(map.find("FAILED"), std::string::npos) << map;
  EXPECT_NE(map.find("conv1_out"), std::string::npos) << map;
  EXPECT_NE(map.find("UNPLACED"), std::string::npos) << map;
  EXPECT_NE(map.find("20480"), std::string::npos) << map;
  EXPECT_NE(map.find("2..5"), std::string::npos) << map;
  // Steps 2 and 3 hold conv1_out and conv2_weights: 51200 bytes at step 2.
  EXPECT_NE(map.find("51200 bytes live at step 2"), std::string::npos) << map;
}

TEST(SramAllocator, MalformedRequestsFailWithoutCrashing) {
  std::vector<BufferRequest> reqs = {
      buf("ok", 64, 0, 1), buf("negative", -5, 0, 1), buf("badAlign", 64, 0, 1),
      buf("backwards", 64, 5, 2)};
  reqs[2].align = 48;
  AllocationPlan plan = planSram(reqs, kBase, kLimit);
  EXPECT_FALSE(plan.ok);
  EXPECT_EQ(plan.failed, 1);
  EXPECT_EQ(plan.offsets[0], kBase);
  for (int i = 1; i < 4; ++i)
    EXPECT_EQ(plan.offsets[i], -1);
  EXPECT_EQ(verifyPlan(reqs, plan, kBase, kLimit), "");
  EXPECT_NE(formatMemoryMap(reqs, plan, kBase, kLimit).find("negative size"),
            std::string::npos);
}

TEST(SramAllocator, VerifierCatchesBrokenPlans) {
  std::vector<BufferRequest> reqs = {buf("a", 128, 0, 2), buf("b", 128, 2, 4)};
  AllocationPlan plan;
  plan.ok = true;
  plan.peak = kBase + 192;
  plan.offsets = {kBase, kBase + 64};
  EXPECT_NE(verifyPlan(reqs, plan, kBase, kLimit)
                .find("overlap while both live at step 2"),
            std::string::npos);
  plan.offsets = {kBase, kBase + 32};
  EXPECT_NE(verifyPlan(reqs, plan, kBase, kLimit).find("not aligned"),
            std::string::npos);
  plan.offsets = {kBase, kLimit - 64};
  plan.peak = kLimit + 64;
  EXPECT_NE(verifyPlan(reqs, plan, kBase, kLimit).find("outside"),
            std::string::npos);
  plan.offsets = {kBase, -1};
  EXPECT_NE(verifyPlan(reqs, plan, kBase, kLimit).find("no address"),
            std::string::npos);
  plan.offsets = {kBase, kBase + 128};
  plan.peak = kBase + 128;
  EXPECT_NE(verifyPlan(reqs, plan, kBase, kLimit).find("peak"),
            std::string::npos);
  plan.peak = kBase + 256;
  EXPECT_EQ(verifyPlan(reqs, plan, kBase, kLimit), "");
  // Disjoint lifetimes may share addresses.
  reqs[1].first = 3;
  plan.offsets = {kBase, kBase};
  EXPECT_EQ(verifyPlan(reqs, plan, kBase, kLimit), "");
}

TEST(SramAllocator, RandomPlansAlwaysVerify) {
  std::mt19937 rng(1234);
  int failures = 0;
  for (int round = 0; round < 300; ++round) {
    int n = 1 + int(rng() % 60);
    std::vector<BufferRequest> reqs;
    for (int i = 0; i < n; ++i) {
      int first = int(rng() % 40);
      BufferRequest r = buf(numbered("t", i), int64_t(rng() % 3000), first,
                            first + int(rng() % 12));
      r.align = int64_t(1) << (rng() % 10);
      r.pinned = rng() % 25 == 0;
      if (rng() % 15 == 0)
        r.fixedOffset = kBase + int64_t(rng() % 64) * 256;
      reqs.push_back(r);
    }
    int64_t limit = kBase + 4096 + int64_t(rng() % 40000);
    AllocationPlan plan = planSram(reqs, kBase, limit);
    ASSERT_EQ(verifyPlan(reqs, plan, kBase, limit), "") << "round " << round;
    EXPECT_LE(plan.peak, limit);
    if (!plan.ok) {
      ++failures;
      ASSERT_GE(plan.failed, 0);
      EXPECT_EQ(plan.offsets[plan.failed], -1);
    }
    bool anyFixed =
        std::any_of(reqs.begin(), reqs.end(),
                    [](const BufferRequest &r) { return r.fixedOffset >= 0; });
    if (!anyFixed &&
        !std::any_of(reqs.begin(), reqs.end(),
                     [](const BufferRequest &r) { return r.pinned; })) {
      // With no fixed or pinned buffer and unlimited room everything fits,
      // and the peak cannot be below the live bytes at the busiest step.
      AllocationPlan roomy = planSram(reqs, kBase, int64_t(1) << 40);
      ASSERT_TRUE(roomy.ok);
      EXPECT_EQ(verifyPlan(reqs, roomy, kBase, int64_t(1) << 40), "");
      EXPECT_GE(roomy.peak - kBase, maxPressure(reqs));
    }
  }
  // The limits are tight enough that both outcomes are exercised.
  EXPECT_GT(failures, 0);
  EXPECT_LT(failures, 300);
}

TEST(SramAllocator, TwentyThousandShortLivedBuffers) {
  std::mt19937 rng(99);
  std::vector<BufferRequest> reqs;
  for (int i = 0; i < 20000; ++i) {
    int first = int(rng() % 4000);
    reqs.push_back(buf(numbered("b", i), 64 * (1 + int64_t(rng() % 256)), first,
                       first + int(rng() % 8)));
  }
  const int64_t base = 64 * 1024, limit = 1310720;
  AllocationPlan plan = planSram(reqs, base, limit);
  ASSERT_TRUE(plan.ok);
  EXPECT_EQ(verifyPlan(reqs, plan, base, limit), "");
  // Reuse is what makes this fit: the buffers add up to ~26x the SRAM.
  int64_t total = 0;
  for (const BufferRequest &r : reqs)
    total += r.size;
  EXPECT_GT(total, 20 * (limit - base));
  EXPECT_LE(plan.peak - base, 2 * maxPressure(reqs));
  EXPECT_FALSE(formatMemoryMap(reqs, plan, base, limit).empty());
}

TEST(SramAllocator, TwentyThousandPinnedBuffersPackContiguously) {
  std::vector<BufferRequest> reqs;
  for (int i = 0; i < 20000; ++i) {
    reqs.push_back(buf(numbered("w", i), 64, 0, 0));
    reqs.back().pinned = true;
  }
  AllocationPlan plan = planSram(reqs, 0, 20000 * 64);
  ASSERT_TRUE(plan.ok);
  EXPECT_EQ(plan.peak, 20000 * 64);
  EXPECT_EQ(verifyPlan(reqs, plan, 0, 20000 * 64), "");
}

} // namespace
