//===- SyncTest.cpp - Semaphores, barriers and runtime errors -------------===//
#include "TestUtil.h"

using namespace dojo;
using namespace dojo::test;

namespace {

using isa::DmaMode;

TEST(SimSync, PingPongOrdersThroughSemaphores) {
  // Node 0 sends x to node 1, node 1 adds 1 and sends it back, node 0 adds
  // 1 again and writes the result. Without the waits node 0 would read 0.
  bin::Executable exe = makeExe();
  exe.routes = {{0, 1}, {1, 0}};
  Asm p0(exe, 0);
  p0.data(4096, std::vector<float>(16, 5.0f));
  p0.dma(4096, 8192, copy1d(DmaMode::SramToSram, 16, 3, 1, 0));
  p0.emit(Op::SemWait, 4, 0, 0, 1);
  p0.emit(Op::VLd, 1, 0, 0, 12288);
  p0.emit(Op::VSplat, 2, 0, 0, floatBits(1.0f));
  p0.emit(Op::VAdd, 1, 1, 2);
  p0.emit(Op::VSt, 1, 0, 0, 12288);
  p0.toHbm(12288, 0, 16);
  p0.halt();
  Asm p1(exe, 1);
  p1.emit(Op::SemWait, 3, 0, 0, 1);
  p1.emit(Op::VLd, 1, 0, 0, 8192);
  p1.emit(Op::VSplat, 2, 0, 0, floatBits(1.0f));
  p1.emit(Op::VAdd, 1, 1, 2);
  p1.emit(Op::VSt, 1, 0, 0, 8192);
  p1.dma(8192, 12288, copy1d(DmaMode::SramToSram, 16, 4, 0, 1));
  p1.halt();
  addOutput(exe, "o", 0, 16);
  RunResult r = simulate(exe);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.out(), std::vector<float>(16, 7.0f));
  // 64 bytes: serialization 1, one hop: arrival = issue + 4 + 2 + 4 + 1.
  // Node 1 waits from 0 until 6 + 11 = 17.
  EXPECT_EQ(r.node(1).waitCycles, 17);
}

TEST(SimSync, SemaphoreCountsAndLocalSignal) {
  // Two transfers signal s1 once each; a wait for 2 consumes both. A local
  // signal of 3 satisfies waits of 2 and then 1 without blocking.
  bin::Executable exe = makeExe();
  exe.routes = {{0, 1}};
  Asm p0(exe, 0);
  p0.data(4096, {1, 2, 3, 4});
  p0.dma(4096, 8192, copy1d(DmaMode::SramToSram, 2, 1, 1, 0));
  p0.dma(4104, 8200, copy1d(DmaMode::SramToSram, 2, 1, 1, 0));
  p0.emit(Op::SemSignal, 7, 0, 0, 3);
  p0.emit(Op::SemWait, 7, 0, 0, 2);
  p0.emit(Op::SemWait, 7, 0, 0, 1);
  p0.halt();
  Asm p1(exe, 1);
  p1.emit(Op::SemWait, 1, 0, 0, 2);
  p1.toHbm(8192, 0, 4);
  p1.halt();
  addOutput(exe, "o", 0, 4);
  RunResult r = simulate(exe);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.out(), (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(r.node(0).waitCycles, 0);
}

TEST(SimSync, BarrierReleasesAllAtLatestArrivalPlusLatency) {
  bin::Executable exe = makeExe();
  for (int node = 0; node < 4; ++node) {
    Asm p(exe, node);
    for (int i = 0; i < 10 * node; ++i)
      p.emit(Op::Nop);
    p.emit(Op::Barrier);
    p.halt();
  }
  RunResult r = simulate(exe);
  ASSERT_TRUE(r.ok) << r.error;
  // Node k reaches the barrier at 10k + 1; the last at 31. The derived
  // barrier latency is 2 * hopLatency * (rows + cols) = 16.
  for (int node = 0; node < 4; ++node) {
    EXPECT_EQ(r.node(node).cycles, 31 + 16 + 1) << node;
    EXPECT_EQ(r.node(node).waitCycles, 47 - (10 * node + 1)) << node;
  }
}

TEST(SimSync, HaltedNodesDoNotHoldBarriers) {
  bin::Executable exe = makeExe();
  Asm(exe, 0).halt();
  for (int node = 1; node < 3; ++node) {
    Asm p(exe, node);
    p.emit(Op::Barrier);
    p.emit(Op::Barrier);
    p.halt();
  }
  RunResult r = simulate(exe);
  ASSERT_TRUE(r.ok) << r.error;
  // Two barriers: each costs 1 and releases 16 cycles later.
  EXPECT_EQ(r.node(1).cycles, 1 + 16 + 1 + 16 + 1);
}

TEST(SimSync, DeadlockListsEveryStuckNode) {
  bin::Executable exe = makeExe();
  Asm p0(exe, 0);
  p0.emit(Op::SemSignal, 3, 0, 0, 1);
  p0.emit(Op::SemWait, 3, 0, 0, 2);
  p0.halt();
  Asm p1(exe, 1);
  p1.emit(Op::Nop);
  p1.emit(Op::Barrier);
  p1.halt();
  RunResult r = simulate(exe);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.error, "deadlock: (0,0) pc 1 waits on s3 >= 2 (has 1); "
                     "(0,1) pc 1 at barrier");
}

TEST(SimErrors, OutOfBoundsNamesNodePcInstructionAndOnnxNode) {
  bin::Executable exe = makeExe();
  exe.names = {"conv1", "relu1"};
  Asm p(exe, 3);
  p.emit(Op::Nop);
  p.li(4, 2000);
  p.emit(Op::VLd, 2, 4, 0, 64);
  p.halt();
  p.code().debug = {{0, 2, 0}, {2, 3, 1}};
  RunResult r = simulate(exe);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.error, "node (1,1) pc 2 `vld v2, [r4 + 64]` [onnx: relu1]: "
                     "SRAM access [2064, 2128) out of bounds");
}

TEST(SimErrors, MatrixAccessPastSramEnd) {
  bin::Executable exe = makeExe();
  Asm p(exe, 0);
  isa::AccDesc d;
  d.si = 32;
  d.sj = 4;
  p.li(1, 256 * 1024 - 128);
  p.emit(Op::MSt, 0, 1, 0, p.desc(isa::encode(d)));
  p.halt();
  RunResult r = simulate(exe);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.error, "node (0,0) pc 1 `mst a0, [r1], d0`: SRAM access "
                     "[262016, 262272) out of bounds");
}

TEST(SimErrors, InstructionLimit) {
  // The halt is reachable on paper, but r1 never differs from r0.
  bin::Executable exe = makeExe();
  Asm p(exe, 0);
  p.emit(Op::Bne, 1, 0, 0, 2);
  p.emit(Op::Jmp, 0, 0, 0, 0);
  p.halt();
  sim::Options opts;
  opts.maxInstructions = 1000;
  RunResult r = simulate(exe, {}, opts);
  ASSERT_FALSE(r.ok);
  EXPECT_NE(r.error.find("instruction limit of 1000 reached"),
            std::string::npos)
      << r.error;
  EXPECT_EQ(r.error.rfind("node (0,0) pc ", 0), 0u) << r.error;
}

TEST(SimErrors, InputsMustMatchTheExecutable) {
  bin::Executable exe = makeExe();
  addInput(exe, "x", 0, 4);
  Asm(exe, 0).halt();
  RunResult r = simulate(exe);
  EXPECT_EQ(r.error, "the model takes 1 inputs but 0 were given");
  r = simulate(exe, {floatTensor("x", {1, 2, 3})});
  EXPECT_EQ(r.error, "input 0 'x' must have shape [4], got [3]");
  sim::HostTensor t = floatTensor("x", {1, 2, 3, 4});
  t.dtype = 7;
  r = simulate(exe, {t});
  EXPECT_EQ(r.error, "input 0 'x' must be float32, got int64");
  t = floatTensor("x", {1, 2, 3, 4});
  t.data.pop_back();
  r = simulate(exe, {t});
  EXPECT_EQ(r.error, "input 0 'x' has 15 data bytes, expected 16");
  EXPECT_TRUE(simulate(exe, {floatTensor("x", {1, 2, 3, 4})}).ok);
}

TEST(SimErrors, UnverifiableExecutableIsRejected) {
  bin::Executable exe = makeExe();
  Asm p(exe, 0);
  p.emit(Op::Jmp, 0, 0, 0, 7);
  p.halt();
  RunResult r = simulate(exe);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.error, "invalid executable: node (0,0) pc 0 `jmp @7`: branch "
                     "target 7 out of range");
}

} // namespace
