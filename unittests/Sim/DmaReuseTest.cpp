//===- DmaReuseTest.cpp - Transfers that share an earlier gather ----------===//
//
// A node that sends the same source region again, with nothing written to
// it in between, reuses the payload of its last gather instead of
// gathering again (LastGather in lib/Sim/Machine.h). Reuse must never be
// visible: a store into the region or an arrival into it (from another
// node or from HBM) between two sends forces a fresh gather, and every
// thread count gives the same results. Stats::gathersSaved tells how many
// gathers were shared.
//
// Mesh-2x2 ids: 0 = (0,0), 1 = (0,1), 2 = (1,0), 3 = (1,1).
//
//===----------------------------------------------------------------------===//
#include "TestUtil.h"

using namespace dojo;
using namespace dojo::test;

namespace {

using isa::DmaMode;

constexpr int64_t kSrc = 4096, kRecvA = 8192, kRecvB = 12288;
constexpr int64_t kFloats = 64;

std::vector<float> ramp(float base) {
  std::vector<float> v(kFloats);
  for (int64_t i = 0; i < kFloats; ++i)
    v[size_t(i)] = base + float(i);
  return v;
}

/// Runs `exe` with 1, 2 and 3 threads (simulateAcrossThreads), also
/// expecting the same number of shared gathers from each.
RunResult runAll(const bin::Executable &exe,
                 const std::vector<sim::HostTensor> &inputs = {}) {
  RunResult ref = simulateAcrossThreads(exe, inputs);
  for (int threads : {2, 3}) {
    sim::Options o;
    o.threads = threads;
    RunResult r = simulate(exe, inputs, o);
    EXPECT_EQ(r.stats.gathersSaved, ref.stats.gathersSaved)
        << "threads " << threads;
  }
  return ref;
}

/// Node 1 receives two transfers (semaphores 0 and 1) at kRecvA and kRecvB
/// and stores them to HBM at 0 and 256: outputs "a" and "b".
void receiveTwo(bin::Executable &exe) {
  Asm p1(exe, 1);
  p1.emit(Op::SemWait, 0, 0, 0, 1);
  p1.emit(Op::SemWait, 1, 0, 0, 1);
  p1.toHbm(kRecvA, 0, kFloats, 14);
  p1.toHbm(kRecvB, 256, kFloats, 15);
  p1.halt();
  addOutput(exe, "a", 0, kFloats);
  addOutput(exe, "b", 256, kFloats);
}

TEST(SimDmaReuse, RepeatedSendsShareOneGather) {
  // Node 0 sends one region, converted to BF16 and back on the way, to
  // nodes 1, 2 and 3 and a second time to node 1: one gather, three reuses
  // (with different descriptors, destinations and semaphores).
  bin::Executable exe = makeExe();
  exe.routes = {{0, 1}, {0, 2}, {0, 1, 3}};
  Asm p0(exe, 0);
  p0.data(kSrc, ramp(0.5f));
  isa::DmaDesc d = copy1d(DmaMode::SramToSram, kFloats, 0, 1, 0);
  p0.dma(kSrc, kRecvA, d);
  d.sem = 1;
  p0.dma(kSrc, kRecvB, d);
  p0.dma(kSrc, kRecvA, copy1d(DmaMode::SramToSram, kFloats, 0, 2, 1));
  p0.dma(kSrc, kRecvA, copy1d(DmaMode::SramToSram, kFloats, 0, 3, 2));
  p0.halt();
  receiveTwo(exe);
  for (int node : {2, 3}) {
    Asm p(exe, node);
    p.emit(Op::SemWait, 0, 0, 0, 1);
    p.toHbm(kRecvA, 256 * (node + 1), kFloats);
    p.halt();
    addOutput(exe, node == 2 ? "c" : "d", 256 * (node + 1), kFloats);
  }
  RunResult r = runAll(exe);
  ASSERT_TRUE(r.ok) << r.error;
  for (size_t k = 0; k < 4; ++k)
    EXPECT_EQ(r.out(k), ramp(0.5f)) << "output " << k;
  EXPECT_EQ(r.stats.gathersSaved, 3);
  EXPECT_EQ(r.stats.dmaTransfers, 4 + 4);
}

TEST(SimDmaReuse, DifferentGathersAreNotShared) {
  // The same source address with another shape, source stride, element
  // type or destination stride gathers again: each of them alternates with
  // the plain copy, which only its final repetition reuses.
  bin::Executable exe = makeExe();
  exe.routes = {{0, 1}};
  Asm p0(exe, 0);
  p0.data(kSrc, ramp(1.0f));
  p0.data(kSrc + 4 * kFloats, ramp(100.0f));
  const isa::DmaDesc d = copy1d(DmaMode::SramToSram, kFloats, 0, 1, 0);
  p0.dma(kSrc, kRecvA, d);
  isa::DmaDesc shorter = d;
  shorter.shape[0] = kFloats / 2;
  isa::DmaDesc strided = d;
  strided.srcStrides[0] = 8;
  isa::DmaDesc spread = d;
  spread.dstStrides[0] = 8;
  isa::DmaDesc bf16 = d;
  bf16.dstType = 16;
  for (const isa::DmaDesc &other : {shorter, strided, spread, bf16}) {
    isa::DmaDesc x = other;
    x.sem = 1;
    p0.dma(kSrc, kRecvB, x);
    p0.dma(kSrc, kRecvA, d);
  }
  p0.dma(kSrc, kRecvA, d);
  p0.halt();
  Asm p1(exe, 1);
  p1.emit(Op::SemWait, 0, 0, 0, 6);
  p1.emit(Op::SemWait, 1, 0, 0, 4);
  p1.toHbm(kRecvA, 0, kFloats, 14);
  p1.halt();
  addOutput(exe, "a", 0, kFloats);
  RunResult r = runAll(exe);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.out(), ramp(1.0f));
  EXPECT_EQ(r.stats.gathersSaved, 1);
}

/// Node 0 sends its region to node 1 (kRecvA), then `between` runs on
/// node 0, then it sends the region again (kRecvB).
template <typename F> bin::Executable sendTwice(F between) {
  bin::Executable exe = makeExe();
  exe.routes = {{0, 1}, {2, 0}};
  Asm p0(exe, 0);
  p0.data(kSrc, ramp(1.0f));
  p0.dma(kSrc, kRecvA, copy1d(DmaMode::SramToSram, kFloats, 0, 1, 0));
  between(exe, p0);
  p0.dma(kSrc, kRecvB, copy1d(DmaMode::SramToSram, kFloats, 1, 1, 0));
  p0.halt();
  receiveTwo(exe);
  return exe;
}

/// Stores 4 floats of `value` at SRAM byte `addr` with a vector store.
void storeFour(Asm &p, int64_t addr, float value) {
  p.emit(Op::VSetVl, 0, 0, 0, 4);
  p.emit(Op::VSplat, 1, 0, 0, floatBits(value));
  p.li(1, addr);
  p.emit(Op::VSt, 1, 1, 0, 0);
}

TEST(SimDmaReuse, VectorStoreIntoTheSourceForcesAFreshGather) {
  for (int64_t at : {kSrc + 16, kSrc + 4 * kFloats}) {
    const bool inside = at < kSrc + 4 * kFloats;
    SCOPED_TRACE(inside ? "inside" : "after");
    bin::Executable exe = sendTwice(
        [&](bin::Executable &, Asm &p0) { storeFour(p0, at, -7.0f); });
    RunResult r = runAll(exe);
    ASSERT_TRUE(r.ok) << r.error;
    std::vector<float> changed = ramp(1.0f);
    if (inside)
      std::fill(changed.begin() + 4, changed.begin() + 8, -7.0f);
    EXPECT_EQ(r.out(0), ramp(1.0f));
    EXPECT_EQ(r.out(1), changed);
    // A store next to the region leaves the gather reusable.
    EXPECT_EQ(r.stats.gathersSaved, inside ? 0 : 1);
  }
}

TEST(SimDmaReuse, StoreRepeatIntoTheSourceForcesAFreshGather) {
  // vstrep writes 2 x 4 floats of -5 from 16 bytes into the region.
  bin::Executable exe = sendTwice([](bin::Executable &, Asm &p0) {
    p0.emit(Op::VSetVl, 0, 0, 0, 4);
    p0.emit(Op::VSplat, 1, 0, 0, floatBits(-5.0f));
    p0.li(1, kSrc + 16);
    p0.emit(Op::VStRep, 1, 1, 0, 2);
  });
  RunResult r = runAll(exe);
  ASSERT_TRUE(r.ok) << r.error;
  std::vector<float> changed = ramp(1.0f);
  std::fill(changed.begin() + 4, changed.begin() + 12, -5.0f);
  EXPECT_EQ(r.out(0), ramp(1.0f));
  EXPECT_EQ(r.out(1), changed);
  EXPECT_EQ(r.stats.gathersSaved, 0);
}

TEST(SimDmaReuse, MatrixStoreIntoTheSourceForcesAFreshGather) {
  bin::Executable exe = sendTwice([](bin::Executable &, Asm &p0) {
    // Zeroes a 2x2 tile at rows 0 and 1 of a 16-float row pitch.
    isa::AccDesc st;
    st.m = 2;
    st.n = 2;
    st.si = 64;
    st.sj = 4;
    p0.emit(Op::MZero, 0);
    p0.li(1, kSrc);
    p0.emit(Op::MSt, 0, 1, 0, p0.desc(isa::encode(st)));
  });
  RunResult r = runAll(exe);
  ASSERT_TRUE(r.ok) << r.error;
  std::vector<float> changed = ramp(1.0f);
  for (int i : {0, 1, 16, 17})
    changed[size_t(i)] = 0.0f;
  EXPECT_EQ(r.out(0), ramp(1.0f));
  EXPECT_EQ(r.out(1), changed);
  EXPECT_EQ(r.stats.gathersSaved, 0);
}

TEST(SimDmaReuse, ArrivalIntoTheSourceForcesAFreshGather) {
  // Between the sends, node 2 writes 8 floats into node 0 at `at`: inside
  // the region (fresh gather) or just past it (shared).
  for (int64_t at : {kSrc + 32, kSrc + 4 * kFloats}) {
    const bool inside = at < kSrc + 4 * kFloats;
    SCOPED_TRACE(inside ? "inside" : "after");
    bin::Executable exe = sendTwice([&](bin::Executable &e, Asm &p0) {
      p0.emit(Op::SemWait, 2, 0, 0, 1);
      Asm p2(e, 2);
      p2.data(kSrc, std::vector<float>(8, 42.0f));
      p2.dma(kSrc, at, copy1d(DmaMode::SramToSram, 8, 2, 0, 1));
      p2.halt();
    });
    RunResult r = runAll(exe);
    ASSERT_TRUE(r.ok) << r.error;
    std::vector<float> changed = ramp(1.0f);
    if (inside)
      std::fill(changed.begin() + 8, changed.begin() + 16, 42.0f);
    EXPECT_EQ(r.out(0), ramp(1.0f));
    EXPECT_EQ(r.out(1), changed);
    EXPECT_EQ(r.stats.gathersSaved, inside ? 0 : 1);
  }
}

TEST(SimDmaReuse, HbmLoadIntoTheSourceForcesAFreshGather) {
  bin::Executable exe = sendTwice([](bin::Executable &e, Asm &p0) {
    addInput(e, "x", 1024, kFloats);
    p0.dma(1024, kSrc, copy1d(DmaMode::HbmToSram, kFloats, 2));
    p0.emit(Op::SemWait, 2, 0, 0, 1);
  });
  sim::HostTensor x = floatTensor("x", ramp(-50.0f));
  RunResult r = runAll(exe, {x});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.out(0), ramp(1.0f));
  EXPECT_EQ(r.out(1), ramp(-50.0f));
  EXPECT_EQ(r.stats.gathersSaved, 0);
}

TEST(SimDmaReuse, BroadcastRoundsAgreeAcrossThreads) {
  // Node 0 changes its region every round and broadcasts it to the other
  // three nodes (one gather, two reuses per round), which accumulate what
  // they receive; the rounds race, so payloads are shared by arrivals on
  // different workers while the timing side drops its own references.
  constexpr int kRounds = 12;
  bin::Executable exe = makeExe();
  exe.routes = {{0, 1}, {0, 2}, {0, 1, 3}};
  Asm p0(exe, 0);
  p0.data(kSrc, ramp(0.25f));
  p0.emit(Op::VSetVl, 0, 0, 0, 16);
  p0.emit(Op::VSplat, 2, 0, 0, floatBits(1.5f));
  p0.li(1, kSrc);
  p0.li(5, 0);
  p0.li(6, kRounds);
  const int loop0 = p0.pc();
  p0.emit(Op::VLd, 1, 1, 0, 0);
  p0.emit(Op::VFma, 1, 1, 2);
  p0.emit(Op::VSt, 1, 1, 0, 0);
  for (int dst = 1; dst < 4; ++dst)
    p0.dma(kSrc, kRecvA, copy1d(DmaMode::SramToSram, kFloats, 0, dst, dst - 1));
  p0.emit(Op::Addi, 5, 5, 0, 1);
  p0.emit(Op::Blt, 5, 6, 0, loop0);
  p0.halt();
  for (int node = 1; node < 4; ++node) {
    Asm p(exe, node);
    p.emit(Op::VSetVl, 0, 0, 0, 16);
    p.li(1, kRecvA);
    p.li(2, kRecvB);
    p.li(5, 0);
    p.li(6, kRounds);
    const int loop = p.pc();
    p.emit(Op::SemWait, 0, 0, 0, 1);
    p.emit(Op::VLd, 1, 1, 0, 0);
    p.emit(Op::VLd, 3, 2, 0, 0);
    p.emit(Op::VAdd, 3, 3, 1);
    p.emit(Op::VSt, 3, 2, 0, 0);
    p.emit(Op::Addi, 5, 5, 0, 1);
    p.emit(Op::Blt, 5, 6, 0, loop);
    p.toHbm(kRecvB, 256 * node, kFloats);
    p.halt();
    addOutput(exe, "o" + std::to_string(node), 256 * node, kFloats);
  }
  RunResult r = runAll(exe);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.stats.gathersSaved, 2 * kRounds);
  EXPECT_NE(r.out(0), std::vector<float>(kFloats, 0.0f));
}

} // namespace
