//===- ReplayTest.cpp - The parallel mode's log recycles its chunks -------===//
//
// The log is consumed in order, so ReplayState reuses a chunk once every
// worker has passed it and its gathers' payloads are released, and the
// timing side waits rather than run more than liveChunks chunks ahead.
// The first test drives a ReplayState the way Machine does (a timing
// thread appending Issue, Run and Arrive entries, two worker threads
// walking the log and dropping payload references), long enough for many
// chunks, and checks that few are allocated and none is reused while an
// entry in it can still be read. The second runs a long simulation over
// many chunks with two and three workers and compares it with the
// sequential run.
//
//===----------------------------------------------------------------------===//
#include "Replay.h"
#include "TestUtil.h"

#include <thread>

using namespace dojo;
using namespace dojo::test;
using dojo::sim::detail::LogEntry;
using dojo::sim::detail::ReplayState;

namespace {

TEST(SimReplay, ChunksAreRecycledBehindTwoWorkers) {
  constexpr int64_t kChunks = 40;
  constexpr int64_t kEntries = kChunks * ReplayState::kChunk;
  // An arrival refers back to its Issue entry this far (spanning chunk
  // boundaries); some Issue entries are held until the end of the run, as
  // a node's last gather may be, pinning their chunks.
  constexpr int64_t kLag = 3000, kPinEvery = 200000; // both multiples of 4
  ReplayState r(2, 4096);
  // A bound well below the run's 40 chunks, so that recycling must happen.
  r.liveChunks = 4;
  std::atomic<int> bad{0};
  auto worker = [&](int me) {
    int64_t i = 0;
    while (true) {
      const int64_t pub = r.published.load();
      const int64_t end = pub & ~ReplayState::kDone;
      if (i >= end) {
        r.publishProgress(me, i);
        if (pub & ReplayState::kDone)
          return;
        r.publishWaiters.fetch_add(1);
        if (r.published.load() == pub)
          r.published.wait(pub);
        r.publishWaiters.fetch_sub(1);
        continue;
      }
      for (; i < end; ++i) {
        if ((i & (ReplayState::kChunk - 1)) == 0)
          r.publishProgress(me, i);
        LogEntry &e = r.at(i);
        // Issue and Run entries carry their own index in `a`, arrivals
        // their Issue entry's index, whose `a` must still say so when the
        // arrival's worker drops its reference (only it may look).
        const bool arrive = e.kind == LogEntry::Kind::Arrive;
        if (arrive && e.owner != me)
          continue;
        const int64_t self = arrive ? e.a : i;
        LogEntry &target = r.at(self);
        if (target.a != self || target.node != int32_t(self % 1000))
          bad.fetch_add(1);
        if (arrive)
          std::atomic_ref<int64_t>(target.b).fetch_sub(1);
      }
    }
  };
  std::thread w0(worker, 0), w1(worker, 1);
  std::vector<int64_t> pinned;
  int64_t excess = 0;
  for (int64_t i = 0; i < kEntries; ++i) {
    const int64_t issue = i - 2 - kLag;
    LogEntry &e = r.reserve();
    if (i % 4 == 2 && issue >= 0) {
      e.kind = LogEntry::Kind::Arrive;
      e.a = issue;
      e.owner = uint8_t((i / 4) % 2);
    } else {
      e.kind = i % 4 == 0 ? LogEntry::Kind::Issue : LogEntry::Kind::Run;
      e.a = i;
      e.node = int32_t(i % 1000);
      e.b = i % 4 == 0 ? 1 + (i % kPinEvery == 0) : 0;
      if (i % kPinEvery == 0)
        pinned.push_back(i);
    }
    r.commit();
    // No more chunks than the bound, the one being filled, one whose
    // arrivals are still to come and those pinned are ever allocated.
    excess = std::max(excess, r.chunksAllocated - r.liveChunks -
                                  2 - int64_t(pinned.size()));
  }
  r.publish(true);
  w0.join();
  w1.join();
  EXPECT_LE(excess, 0);
  EXPECT_EQ(bad.load(), 0);
  EXPECT_LT(r.chunksAllocated, kChunks / 4);
  // Issue entries whose references remain stay readable.
  for (int64_t i : pinned) {
    EXPECT_EQ(r.at(i).a, i);
    EXPECT_EQ(r.at(i).b, 1);
  }
}

TEST(SimReplay, LongRunOverManyChunksMatchesSequential) {
  // Four nodes pass a buffer around a ring many times: each round logs a
  // run, an issue and an arrival per node, some 20 chunks in all.
  bin::Executable exe = makeExe();
  const int next[4] = {1, 3, 0, 2};
  exe.routes = {{0, 1}, {1, 3}, {2, 0}, {3, 2}};
  exe.inputs = {{"x", 1, {4, 64}, 0}};
  exe.outputs = {{"y", 1, {4, 64}, 4096}};
  constexpr int kRounds = 30000;
  for (int i = 0; i < 4; ++i) {
    Asm p(exe, i);
    p.dma(256 * i, 4096, copy1d(isa::DmaMode::HbmToSram, 64, 0));
    p.emit(Op::SemWait, 0, 0, 0, 1);
    p.li(1, 4096);
    p.li(5, 0);
    p.li(6, kRounds);
    const int loop = p.pc();
    p.emit(Op::VLd, 1, 1, 0, 0);
    p.emit(Op::VSt, 1, 1, 0, 4096);
    p.dma(8192, 4096, copy1d(isa::DmaMode::SramToSram, 64, 1, next[i], i));
    p.emit(Op::SemWait, 1, 0, 0, 1);
    p.emit(Op::Addi, 5, 5, 0, 1);
    p.emit(Op::Blt, 5, 6, 0, loop);
    p.emit(Op::Barrier);
    p.toHbm(4096, 4096 + 256 * i, 64, 3);
    p.halt();
  }
  exe.hbmBytes = 8192;
  std::vector<float> x(256);
  for (size_t k = 0; k < x.size(); ++k)
    x[k] = float(int(k % 7) - 3) * 0.5f;
  sim::HostTensor in = floatTensor("x", x);
  in.shape = {4, 64};
  RunResult r = simulateAcrossThreads(exe, {in}, {2, 3});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_GE(r.stats.dmaTransfers, 4 * kRounds);
}

} // namespace
