//===- ParallelTest.cpp - Worker threads change nothing observable --------===//
//
// The same multi-node program runs with 1, 2 and 3 threads; outputs,
// cycles and every statistic must agree bit for bit. The program mixes what
// the parallel mode has to order across workers: HBM loads, a ring of
// SRAM-to-SRAM transfers between nodes owned by different workers (racing
// on purpose: a node may receive the next round before it consumed the
// last, which the simulator still defines by its event order), local
// copies, vector and matrix work, HBM stores read back by another node
// after a barrier, and converting transfers.
//
//===----------------------------------------------------------------------===//
#include "TestUtil.h"

using namespace dojo;
using namespace dojo::test;

namespace {

using isa::DmaMode;

constexpr int64_t kIn = 0, kOut = 4096, kOut2 = 8192, kOut3 = 12288;

bin::Executable ringProgram(int rounds) {
  bin::Executable exe = makeExe();
  // Ring 0 -> 1 -> 3 -> 2 -> 0 over neighbour links, and a local route for
  // every node.
  const int next[4] = {1, 3, 0, 2};
  exe.routes = {{0, 1}, {1, 3}, {2, 0}, {3, 2}, {0}, {1}, {2}, {3}};
  exe.inputs = {{"x", 1, {4, 64}, kIn}};
  exe.outputs = {{"y", 1, {4, 64}, kOut},
                 {"z", 1, {4, 64}, kOut2},
                 {"w", 7, {4, 64}, kOut3}};
  for (int i = 0; i < 4; ++i) {
    Asm p(exe, i);
    p.dma(kIn + 256 * i, 4096, copy1d(DmaMode::HbmToSram, 64, 0));
    p.emit(Op::SemWait, 0, 0, 0, 1);
    p.li(1, 4096);
    p.li(2, 8192);
    p.li(3, 12288);
    p.li(5, 0);
    p.li(6, rounds);
    isa::MmaDesc mma;
    mma.k = 8;
    mma.aSi = 32;
    mma.bSk = 32;
    isa::AccDesc st;
    st.si = 32;
    st.sj = 4;
    st.scale = 0.125f;
    const int64_t mmaD = p.desc(isa::encode(mma));
    const int64_t stD = p.desc(isa::encode(st));
    const int loop = p.pc();
    p.emit(Op::VLd, 1, 1, 0, 0);
    p.emit(Op::VFma, 2, 1, 1);
    p.emit(Op::VSt, 2, 1, 0, 64);
    p.emit(Op::MZero, 0);
    p.emit(Op::Mma, 0, 1, 1, mmaD);
    p.emit(Op::MSt, 0, 2, 0, stD);
    p.dma(8192, 12288, copy1d(DmaMode::SramToSram, 64, 1, next[i], i));
    p.emit(Op::SemWait, 1, 0, 0, 1);
    p.dma(12288, 4096, copy1d(DmaMode::SramToSram, 64, 2, i, 4 + i));
    p.emit(Op::SemWait, 2, 0, 0, 1);
    p.emit(Op::Addi, 5, 5, 0, 1);
    p.emit(Op::Blt, 5, 6, 0, loop);
    p.toHbm(4096, kOut + 256 * i, 64, 3);
    p.emit(Op::Barrier);
    // Read back what another node stored, and store it again converted.
    p.dma(kOut + 256 * next[i], 16384, copy1d(DmaMode::HbmToSram, 64, 4));
    p.emit(Op::SemWait, 4, 0, 0, 1);
    p.toHbm(16384, kOut2 + 256 * i, 64, 5);
    isa::DmaDesc cv = copy1d(DmaMode::SramToHbm, 64, 6);
    cv.dstStrides[0] = 8;
    cv.dstType = 7; // INT64
    p.dma(16384, kOut3 + 512 * i, cv);
    p.emit(Op::SemWait, 6, 0, 0, 1);
    p.halt();
  }
  exe.hbmBytes = kOut3 + 4 * 512;
  return exe;
}

TEST(SimParallel, ThreadsChangeNoResultOrStatistic) {
  bin::Executable exe = ringProgram(6);
  std::vector<float> x(256);
  for (size_t k = 0; k < x.size(); ++k)
    x[k] = float(int(k % 13) - 6) * 0.25f;
  sim::HostTensor in = floatTensor("x", x);
  in.shape = {4, 64};
  RunResult r = simulateAcrossThreads(exe, {in});
  ASSERT_TRUE(r.ok) << r.error;
  // The program did real work: non-trivial outputs and transfers.
  EXPECT_GT(r.stats.dmaTransfers, 4 * 6 * 2);
  EXPECT_NE(r.out(0), std::vector<float>(256, 0.0f));
}

TEST(SimParallel, ErrorsAreTheSameWithThreads) {
  // An out-of-bounds access after some parallel work reports the same
  // first error whatever the thread count.
  bin::Executable exe = ringProgram(2);
  Asm p(exe, 3);
  p.code().code.pop_back(); // halt
  p.li(1, exe.target.sramBytes - 8);
  p.emit(Op::VLd, 1, 1, 0, 0);
  p.halt();
  std::vector<float> x(256, 1.0f);
  sim::HostTensor in = floatTensor("x", x);
  in.shape = {4, 64};
  std::string first;
  for (int threads : {1, 2}) {
    sim::Options o;
    o.threads = threads;
    RunResult r = simulate(exe, {in}, o);
    ASSERT_FALSE(r.ok);
    EXPECT_NE(r.error.find("out of bounds"), std::string::npos) << r.error;
    if (threads == 1)
      first = r.error;
    else
      EXPECT_EQ(r.error, first);
  }
}

} // namespace
