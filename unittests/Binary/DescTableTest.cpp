//===- DescTableTest.cpp - Descriptors in place, reading on two threads ---===//
#include "../../lib/Binary/Parallel.h"
#include "TestUtil.h"

#include <atomic>

using namespace dojo;
using namespace dojo::test;

namespace {

std::vector<int64_t> wordsOf(std::span<const int64_t> s) {
  return {s.begin(), s.end()};
}

TEST(DescTable, OwnedDescriptorsSurviveGrowthAndCopies) {
  bin::DescTable t;
  // Enough descriptors that the word array reallocates several times.
  for (int64_t i = 0; i < 1000; ++i)
    t.push_back(std::vector<int64_t>(size_t(i % 7), i));
  bin::DescTable copy = t;
  t = bin::DescTable();
  ASSERT_EQ(copy.size(), 1000u);
  for (int64_t i = 0; i < 1000; ++i)
    EXPECT_EQ(wordsOf(copy[size_t(i)]), std::vector<int64_t>(size_t(i % 7), i));
}

TEST(DescTable, ViewsReplaceAndEquality) {
  std::vector<int64_t> outside = {3, 1, 4, 1, 5};
  bin::DescTable a, b;
  a.pushView(outside.data() + 1, 3);
  a.push_back(std::vector<int64_t>{9});
  b.push_back(std::vector<int64_t>{1, 4, 1});
  b.push_back(std::vector<int64_t>{9});
  // Equal by content, wherever the words lie.
  EXPECT_EQ(a[0].data(), outside.data() + 1);
  EXPECT_TRUE(a == b);
  // Replacing a view copies: the viewed words are never written.
  a.replace(0, std::vector<int64_t>{2, 7});
  EXPECT_EQ(outside, (std::vector<int64_t>{3, 1, 4, 1, 5}));
  EXPECT_EQ(wordsOf(a[0]), (std::vector<int64_t>{2, 7}));
  EXPECT_FALSE(a == b);
  // Replacing with the table's own words (which the append may move).
  a.replace(1, a[0]);
  EXPECT_EQ(wordsOf(a[1]), (std::vector<int64_t>{2, 7}));
  EXPECT_EQ(wordsOf(a[0]), (std::vector<int64_t>{2, 7}));
}

/// An executable with one DMA descriptor on node 0.
bin::Executable dmaExe() {
  bin::Executable exe = makeExe();
  exe.routes = {{0, 1}};
  Asm p0(exe, 0);
  p0.dma(4096, 8192, copy1d(isa::DmaMode::SramToSram, 4, 0, 1, 0));
  p0.halt();
  return exe;
}

TEST(DescTable, DeserializeViewsWordsOnlyWhenTheBufferIsKeptAlive) {
  bin::Executable exe = dmaExe();
  EXPECT_FALSE(exe.verified);
  auto bytes = std::make_shared<std::vector<uint8_t>>(bin::serialize(exe));
  const uint8_t *lo = bytes->data(), *hi = lo + bytes->size();
  auto inside = [&](std::span<const int64_t> w) {
    auto p = reinterpret_cast<const uint8_t *>(w.data());
    return p >= lo && p < hi;
  };
  bin::Executable kept, copied;
  std::string err;
  ASSERT_TRUE(bin::deserialize(lo, bytes->size(), kept, err, bytes)) << err;
  EXPECT_TRUE(kept.verified);
  EXPECT_TRUE(inside(kept.nodes[0].descs[0]));
  EXPECT_TRUE(kept.nodes[0].descs == exe.nodes[0].descs);
  ASSERT_TRUE(bin::deserialize(lo, bytes->size(), copied, err)) << err;
  EXPECT_TRUE(copied.verified);
  EXPECT_FALSE(inside(copied.nodes[0].descs[0]));
  // The copy outlives the caller's bytes; the view keeps them alive.
  std::weak_ptr<std::vector<uint8_t>> weak = bytes;
  bytes.reset();
  EXPECT_FALSE(weak.expired());
  EXPECT_TRUE(copied.nodes[0].descs == exe.nodes[0].descs);
  kept = bin::Executable();
  EXPECT_TRUE(weak.expired());
}

} // namespace

namespace {

TEST(ParallelFor, VisitsEveryIndexOnceAndRethrows) {
  std::vector<std::atomic<int>> visits(1000);
  bin::detail::parallelFor(visits.size(), [&](size_t i) { ++visits[i]; });
  for (const auto &v : visits)
    EXPECT_EQ(v.load(), 1);
  EXPECT_THROW(bin::detail::parallelFor(100,
                                        [](size_t i) {
                                          if (i == 42)
                                            throw std::bad_alloc();
                                        }),
               std::bad_alloc);
}

} // namespace
