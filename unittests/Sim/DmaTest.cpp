//===- DmaTest.cpp - Local, remote and HBM transfers; NoC accounting ------===//
//
// Mesh-2x2 ids: 0 = (0,0), 1 = (0,1), 2 = (1,0), 3 = (1,1). Default rates:
// links 256 B/cycle, injection 64 B/cycle, latencies inject 4, hop 2,
// eject 4, DMA issue 4, HBM 400 B/cycle after 2000 cycles.
//
//===----------------------------------------------------------------------===//
#include "TestUtil.h"

using namespace dojo;
using namespace dojo::test;

namespace {

using isa::DmaMode;

TEST(SimDma, LocalStridedGatherIsAZeroHopCopy) {
  bin::Executable exe = makeExe();
  exe.routes = {{0}};
  Asm p(exe, 0);
  std::vector<float> src(128);
  for (int i = 0; i < 128; ++i)
    src[size_t(i)] = float(i);
  p.data(4096, src);
  // Every other row of a 8x16 matrix: shape {4, 16}, source row stride 128.
  isa::DmaDesc d = copy1d(DmaMode::SramToSram, 0, 0, 0, 0);
  d.rank = 2;
  d.shape = {4, 16};
  d.srcStrides = {128, 4};
  d.dstStrides = {64, 4};
  p.dma(4096, 8192, d);
  p.emit(Op::SemWait, 0, 0, 0, 1);
  p.toHbm(8192, 0, 64);
  p.halt();
  addOutput(exe, "o", 0, 64);
  RunResult r = simulate(exe);
  ASSERT_TRUE(r.ok) << r.error;
  std::vector<float> o = r.out();
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 16; ++j)
      EXPECT_EQ(o[size_t(i * 16 + j)], float(2 * i * 16 + j));
  EXPECT_EQ(r.stats.nocBytes, 0);
  EXPECT_TRUE(r.stats.linkBytes.empty());
  // Issue ends at cycle 6 and 256 bytes at 64 B/cycle arrive 4 cycles
  // later; the HBM write then takes 2000 + 1 cycles.
  EXPECT_EQ(r.node(0).waitCycles, 4 + 2001);
}

TEST(SimDma, RemoteTransferFollowsRouteAndSignalsDestination) {
  bin::Executable exe = makeExe();
  exe.routes = {{0, 1, 3}};
  Asm p0(exe, 0);
  std::vector<float> v(256);
  for (int i = 0; i < 256; ++i)
    v[size_t(i)] = float(i) * 0.5f;
  p0.data(4096, v);
  p0.dma(4096, 20000, copy1d(DmaMode::SramToSram, 256, 2, 3, 0));
  p0.halt();
  Asm p3(exe, 3);
  p3.emit(Op::SemWait, 2, 0, 0, 1);
  p3.toHbm(20000, 0, 256);
  p3.halt();
  addOutput(exe, "o", 0, 256);
  RunResult r = simulate(exe);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.out(), v);
  // Issued at 6; serialization ceil(1024 / 64) = 16; arrival
  // 6 + 4 (inject) + 2 * 2 (hops) + 4 (eject) + 16 = 34.
  // Then the 1 KiB HBM write takes 2000 + ceil(1024 / 400) cycles.
  EXPECT_EQ(r.node(3).waitCycles, 34 + 2000 + 3);
  EXPECT_EQ(r.stats.nocBytes, 1024);
  EXPECT_EQ(r.stats.nocMaxLinkBytes, 1024);
  using Link = std::pair<int64_t, int64_t>;
  EXPECT_EQ(r.stats.linkBytes,
            (std::vector<Link>{{0 * 4 + 1, 1024}, {1 * 4 + 3, 1024}}));
  EXPECT_EQ(r.stats.dmaTransfers, 2);
  // The JSON form carries the same figures, links with their endpoints.
  std::string json = r.stats.toJson();
  for (const char *part :
       {"\"noc_bytes\": 1024", "\"noc_max_link_bytes\": 1024",
        "{\"from\": 0, \"to\": 1, \"bytes\": 1024}",
        "{\"from\": 1, \"to\": 3, \"bytes\": 1024}",
        "\"node\": 3, \"row\": 1, \"col\": 1, \"cycles\": "})
    EXPECT_NE(json.find(part), std::string::npos) << part << "\n" << json;
}

TEST(SimDma, SharedLinkAndInjectionPortContention) {
  // Node 1 sends 1 KiB to node 3 over link 1->3 while node 0 sends 1 KiB
  // over 0->1->3 and then a second 1 KiB to node 1. Both first transfers
  // issue at cycle 6.
  bin::Executable exe = makeExe();
  exe.routes = {{0, 1, 3}, {1, 3}, {0, 1}};
  Asm p0(exe, 0);
  p0.dma(4096, 20000, copy1d(DmaMode::SramToSram, 256, 0, 3, 0));
  p0.dma(4096, 20000, copy1d(DmaMode::SramToSram, 256, 1, 1, 2));
  p0.halt();
  Asm p1(exe, 1);
  p1.dma(4096, 24096, copy1d(DmaMode::SramToSram, 256, 0, 3, 1));
  p1.emit(Op::SemWait, 1, 0, 0, 1);
  p1.halt();
  Asm p3(exe, 3);
  p3.emit(Op::SemWait, 0, 0, 0, 2);
  p3.halt();
  RunResult r = simulate(exe);
  ASSERT_TRUE(r.ok) << r.error;
  // Both reach their DMA at cycle 2; ties go in event order, so node 0
  // issues first: its transfer holds 0->1 during [10, 14) and 1->3 during
  // [12, 16) and arrives at 6 + 4 + 2 * 2 + 4 + 16 = 34. Node 1's head
  // reaches 1->3 at 10, waits 6 cycles and arrives at 6 + 4 + 2 + 4 + 16 + 6
  // = 38, which is when node 3 has both signals.
  EXPECT_EQ(r.node(3).waitCycles, 38);
  // Node 0's second transfer issues at 12 but its injection port is busy
  // until 6 + 16 = 22: arrival 22 + 4 + 2 + 4 + 16 = 48. Node 1 blocks at 6.
  EXPECT_EQ(r.node(1).waitCycles, 48 - 6);
  EXPECT_EQ(r.stats.nocBytes, 3 * 1024);
  EXPECT_EQ(r.stats.nocMaxLinkBytes, 2048); // 1->3 carried two transfers
  EXPECT_EQ(r.stats.cycles, 50); // node 1: semwait at 48, halt at 49
}

TEST(SimDma, HbmBroadcastReadAndTransposedWrite) {
  bin::Executable exe = makeExe();
  Asm p(exe, 0);
  addInput(exe, "x", 0, 4);
  addOutput(exe, "rep", 256, 12);
  addOutput(exe, "tr", 512, 12);
  // Read x three times (source stride 0) into a 3x4 SRAM matrix.
  isa::DmaDesc rd = copy1d(DmaMode::HbmToSram, 0, 5);
  rd.rank = 2;
  rd.shape = {3, 4};
  rd.srcStrides = {0, 4};
  rd.dstStrides = {16, 4};
  p.dma(0, 4096, rd);
  p.emit(Op::SemWait, 5, 0, 0, 1);
  p.toHbm(4096, 256, 12);
  // Write it transposed (4x3) to the second output.
  isa::DmaDesc wr = copy1d(DmaMode::SramToHbm, 0, 6);
  wr.rank = 2;
  wr.shape = {3, 4};
  wr.srcStrides = {16, 4};
  wr.dstStrides = {4, 12};
  p.dma(4096, 512, wr);
  p.emit(Op::SemWait, 6, 0, 0, 1);
  p.halt();
  RunResult r = simulate(exe, {floatTensor("x", {1, 2, 3, 4})});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.out(0), (std::vector<float>{1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4}));
  EXPECT_EQ(r.out(1), (std::vector<float>{1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4}));
  EXPECT_EQ(r.stats.hbmBytes, 3 * 48);
  EXPECT_EQ(r.stats.nocBytes, 0);
}

TEST(SimDma, HbmChannelIsShared) {
  // Two nodes read 4000 bytes each at cycle 6: ceil(4000 / 400) = 10
  // cycles on the channel, so the second arrives 10 cycles later.
  bin::Executable exe = makeExe();
  for (int node : {0, 1}) {
    Asm p(exe, node);
    p.dma(0, 4096, copy1d(DmaMode::HbmToSram, 1000, 0));
    p.emit(Op::SemWait, 0, 0, 0, 1);
    p.halt();
  }
  RunResult r = simulate(exe);
  ASSERT_TRUE(r.ok) << r.error;
  int64_t w0 = r.node(0).waitCycles, w1 = r.node(1).waitCycles;
  EXPECT_EQ(std::min(w0, w1), 2000 + 10);
  EXPECT_EQ(std::max(w0, w1), 2000 + 20);
  EXPECT_EQ(r.stats.hbmBytes, 8000);
}

TEST(SimDma, SnapshotAtIssueAndTwoByteElements) {
  // The source is overwritten right after issue; the destination must see
  // the old bytes. Elements are 2 bytes, scattered with a 4-byte stride.
  bin::Executable exe = makeExe();
  exe.routes = {{0, 1}};
  Asm p0(exe, 0);
  p0.data(4096, {1.0f, 2.0f});
  isa::DmaDesc d = copy1d(DmaMode::SramToSram, 0, 0, 1, 0);
  d.elemBytes = 2;
  d.shape[0] = 4;
  d.srcStrides[0] = 2;
  d.dstStrides[0] = 4;
  p0.dma(4096, 8192, d);
  p0.emit(Op::VSplat, 1, 0, 0, floatBits(9.0f));
  p0.emit(Op::VSt, 1, 0, 0, 4096);
  p0.halt();
  Asm p1(exe, 1);
  p1.emit(Op::SemWait, 0, 0, 0, 1);
  p1.toHbm(8192, 0, 4);
  p1.halt();
  addOutput(exe, "o", 0, 4);
  RunResult r = simulate(exe);
  ASSERT_TRUE(r.ok) << r.error;
  std::vector<uint16_t> halves(4);
  uint8_t want[16] = {};
  float src[2] = {1.0f, 2.0f};
  std::memcpy(halves.data(), src, 8);
  for (int i = 0; i < 4; ++i)
    std::memcpy(want + 4 * i, &halves[size_t(i)], 2);
  EXPECT_EQ(std::memcmp(r.outputs[0].data.data(), want, 16), 0);
}

TEST(SimDma, OutOfBoundsTransfersAreErrors) {
  {
    bin::Executable exe = makeExe();
    Asm p(exe, 0);
    p.dma(exe.hbmBytes - 8, 4096, copy1d(DmaMode::HbmToSram, 4, 0));
    p.halt();
    RunResult r = simulate(exe);
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.error, "node (0,0) pc 2 `dma [r30] -> [r31], d0`: HBM access "
                       "[65528, 65544) out of bounds");
  }
  {
    bin::Executable exe = makeExe();
    exe.routes = {{0, 2}};
    Asm p(exe, 0);
    p.dma(4096, 256 * 1024 - 8, copy1d(DmaMode::SramToSram, 4, 0, 2, 0));
    p.halt();
    RunResult r = simulate(exe);
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.error, "node (0,0) pc 2 `dma [r30] -> [r31], d0`: SRAM access "
                       "[262136, 262152) out of bounds on node (1,0)");
  }
}

} // namespace
