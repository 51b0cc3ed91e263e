//===- PayloadPoolTest.cpp - Reuse of DMA payload buffers ------------------===//
//
// The pool must hand back retained buffers of the requested size class or
// of up to kStretch classes larger, never smaller ones, keep its
// accounting of retained bytes exact, and release what exceeds its cap.
//
//===----------------------------------------------------------------------===//
#include "Replay.h"

#include <cstring>
#include <gtest/gtest.h>

namespace {

TEST(PayloadPool, ReusesBuffersOfItsClassAndUpToKStretchLarger) {
  dojo::sim::detail::PayloadPool pool;
  uint8_t *a = pool.get(300); // class 512
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a) % 64, 0u);
  std::memset(a, 0xab, 300);
  pool.put(a);
  EXPECT_EQ(pool.retainedBytes(), 512);
  // Same class: the same buffer.
  EXPECT_EQ(pool.get(400), a);
  EXPECT_EQ(pool.retainedBytes(), 0);
  pool.put(a);
  // A smaller request within kStretch classes takes it as well...
  EXPECT_EQ(pool.get(200), a); // class 256, one below
  pool.put(a);
  uint8_t *big = pool.get(4096); // class 4096
  pool.put(big);
  // ...but not one more than kStretch classes below (256 vs 4096 is 4).
  uint8_t *small = pool.get(100);
  EXPECT_EQ(small, a); // the 512 buffer is the nearest
  uint8_t *other = pool.get(100);
  EXPECT_NE(other, big);
  EXPECT_NE(other, a);
  EXPECT_EQ(pool.retainedBytes(), 4096);
  pool.put(small);
  pool.put(other);
  pool.put(nullptr); // ignored
  EXPECT_EQ(pool.retainedBytes(), 4096 + 512 + 256);
}

TEST(PayloadPool, FreesWhatExceedsTheRetainCap) {
  dojo::sim::detail::PayloadPool pool;
  const int64_t cap = dojo::sim::detail::PayloadPool::kRetainBytes;
  uint8_t *a = pool.get(cap);
  uint8_t *b = pool.get(cap / 2);
  pool.put(a);
  EXPECT_EQ(pool.retainedBytes(), cap);
  pool.put(b); // over the cap: released to the system
  EXPECT_EQ(pool.retainedBytes(), cap);
}

} // namespace
