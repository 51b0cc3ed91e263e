//===- EventQueueTest.cpp - The event heap and calendar queue -------------===//
//
// Both must pop events in exactly the (time, seq) order of a
// std::priority_queue, on random streams of pushes and pops: with many
// ties, with times beyond the calendar's window and, for the calendar,
// before the last popped time (which it must still order correctly). The
// packed event must round-trip its fields, and renumbering must keep the
// order of queued and later events.
//
//===----------------------------------------------------------------------===//
#include "EventQueue.h"

#include <gtest/gtest.h>

#include <functional>
#include <queue>
#include <random>
#include <tuple>

using namespace dojo::sim::detail;

namespace {

struct Ref {
  int64_t time;
  uint64_t seq;
  bool arrival;
  int index;
  bool operator>(const Ref &o) const {
    return std::tie(time, seq) > std::tie(o.time, o.seq);
  }
};
using RefQueue = std::priority_queue<Ref, std::vector<Ref>, std::greater<Ref>>;

void expectSame(const Event &e, const Ref &r) {
  EXPECT_EQ(e.time, r.time);
  EXPECT_EQ(e.seq(), r.seq);
  EXPECT_EQ(e.arrival(), r.arrival);
  EXPECT_EQ(e.index(), r.index);
}

/// Random pushes (due `spread` cycles or less after the last popped event,
/// `early` of them up to 100 cycles before it) and pops, then a drain,
/// checking every top against the reference.
template <typename Queue>
void checkAgainstReference(uint32_t seed, int64_t spread, double early,
                           bool checkSecond) {
  std::mt19937_64 rng(seed);
  Queue q;
  RefQueue ref;
  uint64_t seq = 0;
  int64_t now = 0;
  auto popBoth = [&] {
    ASSERT_FALSE(q.empty());
    ASSERT_EQ(q.size(), ref.size());
    if (checkSecond && ref.size() > 1) {
      Ref first = ref.top();
      ref.pop();
      const auto second = q.second();
      ASSERT_TRUE(second);
      expectSame(*second, ref.top());
      ref.push(first);
    }
    expectSame(q.top(), ref.top());
    now = ref.top().time;
    q.pop();
    ref.pop();
  };
  for (int step = 0; step < 200000; ++step) {
    if (!ref.empty() && rng() % 100 < 48) {
      popBoth();
      continue;
    }
    int64_t time = now + int64_t(rng() % uint64_t(spread));
    if (std::uniform_real_distribution<double>(0, 1)(rng) < early)
      time = now - int64_t(rng() % 100);
    // Few distinct small offsets make ties common.
    if (rng() % 4 == 0)
      time = now + int64_t(rng() % 3);
    const Ref r{time, seq++, rng() % 2 == 0,
                int(rng() % uint64_t(Event::kMaxIndex))};
    q.push(Event(r.time, r.seq, r.arrival, r.index));
    ref.push(r);
  }
  while (!ref.empty())
    popBoth();
  EXPECT_TRUE(q.empty());
}

TEST(EventQueue, EventPacksItsFields) {
  const Event e(123, Event::kMaxSeq - 1, true, int(Event::kMaxIndex - 1));
  EXPECT_EQ(e.time, 123);
  EXPECT_EQ(e.seq(), Event::kMaxSeq - 1);
  EXPECT_TRUE(e.arrival());
  EXPECT_EQ(e.index(), Event::kMaxIndex - 1);
  const Event f(123, 5, false, 7);
  EXPECT_FALSE(f.arrival());
  EXPECT_EQ(f.index(), 7);
  EXPECT_LT(f.order(), e.order());
  EXPECT_LT(Event(-1, 9, true, 0).order(), Event(0, 0, false, 0).order());
}

TEST(EventQueue, HeapMatchesPriorityQueue) {
  checkAgainstReference<EventHeap>(1, 50, 0, false);
  checkAgainstReference<EventHeap>(2, 100000, 0.05, false);
}

TEST(EventQueue, CalendarMatchesPriorityQueue) {
  // Within the window, mostly beyond it, and with early events.
  checkAgainstReference<EventQueue>(3, 50, 0, true);
  checkAgainstReference<EventQueue>(4, 20000, 0, true);
  checkAgainstReference<EventQueue>(5, 4 * EventQueue::kWindow, 0.05, true);
  checkAgainstReference<EventQueue>(6, 3 * EventQueue::kWindow / 2, 0.01,
                                    true);
}

TEST(EventQueue, HeapSecondIsTheNextTop) {
  std::mt19937_64 rng(7);
  EventHeap h;
  for (uint64_t s = 0; s < 1000; ++s)
    h.push(Event(int64_t(rng() % 50), s, false, 0));
  while (h.size() > 1) {
    const Event next = *h.second();
    h.pop();
    EXPECT_EQ(h.top().order(), next.order());
  }
  h.pop();
  EXPECT_EQ(h.second(), nullptr);
}

TEST(EventQueue, RenumberKeepsTheOrder) {
  std::mt19937_64 rng(8);
  EventQueue q;
  RefQueue ref;
  uint64_t seq = 1000;
  for (int i = 0; i < 5000; ++i) {
    const Ref r{int64_t(rng() % 300000), seq, false, i};
    seq += 1 + rng() % 1000;
    q.push(Event(r.time, r.seq, r.arrival, r.index));
    ref.push(r);
  }
  for (int i = 0; i < 1000; ++i) {
    q.pop();
    ref.pop();
  }
  const uint64_t next = q.renumber();
  EXPECT_EQ(next, q.size());
  // Later pushes come after every queued event of their time.
  for (int i = 0; i < 1000; ++i) {
    const Ref r{ref.top().time + int64_t(rng() % 200000), 0, true, 5000 + i};
    q.push(Event(r.time, next + uint64_t(i), true, r.index));
    ref.push(Ref{r.time, seq + uint64_t(i), true, r.index});
  }
  while (!ref.empty()) {
    EXPECT_EQ(q.top().time, ref.top().time);
    EXPECT_EQ(q.top().index(), ref.top().index);
    EXPECT_EQ(q.top().arrival(), ref.top().arrival);
    q.pop();
    ref.pop();
  }
}

} // namespace
