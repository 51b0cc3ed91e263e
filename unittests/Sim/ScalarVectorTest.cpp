//===- ScalarVectorTest.cpp - Scalar control flow and the vector unit -----===//
#include "TestUtil.h"

#include <cmath>

using namespace dojo;
using namespace dojo::test;

namespace {

TEST(SimScalar, LoopWritesBlocksAndCountsCycles) {
  bin::Executable exe = makeExe();
  Asm p(exe, 0);
  p.li(1, 0);
  p.li(2, 5);
  p.li(3, 4096);
  p.emit(Op::VSplat, 1, 0, 0, floatBits(1.0f));
  int loop = p.emit(Op::VSt, 1, 3, 0, 0);
  p.emit(Op::Addi, 3, 3, 0, 64);
  p.emit(Op::Addi, 1, 1, 0, 1);
  p.emit(Op::Blt, 1, 2, 0, loop);
  // r0 ignores writes: the store below must land at 8192, not 8292.
  p.li(0, 100);
  p.emit(Op::VSplat, 2, 0, 0, floatBits(2.0f));
  p.emit(Op::VSt, 2, 0, 0, 8192);
  p.toHbm(4096, 0, 96);
  p.toHbm(8192, 1024, 32);
  p.halt();
  addOutput(exe, "blocks", 0, 96);
  addOutput(exe, "r0", 1024, 32);

  RunResult r = simulate(exe);
  ASSERT_TRUE(r.ok) << r.error;
  std::vector<float> blocks = r.out(0), r0 = r.out(1);
  for (int i = 0; i < 96; ++i)
    EXPECT_EQ(blocks[i], i < 80 ? 1.0f : 0.0f) << i;
  for (int i = 0; i < 32; ++i)
    EXPECT_EQ(r0[i], i < 16 ? 2.0f : 0.0f) << i;

  // 36 instructions; every one costs a cycle except the two DMAs (4 each).
  // Each HBM write arrives hbmLatency + ceil(bytes / 400) after issue.
  EXPECT_EQ(r.stats.instructions, 36);
  const sim::NodeStats &n = r.node(0);
  EXPECT_EQ(n.busyCycles, 34 + 2 * 4);
  EXPECT_EQ(n.waitCycles, 2 * (2000 + 1));
  EXPECT_EQ(n.cycles, n.busyCycles + n.waitCycles);
  EXPECT_EQ(r.stats.cycles, 4044);
  EXPECT_EQ(r.stats.hbmBytes, 384 + 128);
  EXPECT_EQ(r.stats.dmaTransfers, 2);
  EXPECT_EQ(r.stats.macs, 0);
}

TEST(SimVector, StoreRepeatFillsBackToBackAndCostsOneCyclePerStore) {
  // VL = 5: vstrep writes 3 copies of five lanes (60 bytes) from 4100; the
  // bytes around them stay zero. Then a store of 1000 copies past the end
  // of SRAM is refused whole, before any byte is written.
  bin::Executable exe = makeExe();
  const int64_t sram = exe.target.sramBytes;
  Asm p(exe, 0);
  p.li(1, 4100);
  p.emit(Op::VSplat, 2, 0, 0, floatBits(-3.5f));
  p.emit(Op::VSetVl, 0, 0, 0, 5);
  p.emit(Op::VStRep, 2, 1, 0, 3);
  p.emit(Op::VSetVl, 0, 0, 0, 16);
  p.toHbm(4096, 0, 32);
  p.halt();
  addOutput(exe, "fill", 0, 32);
  RunResult r = simulate(exe);
  ASSERT_TRUE(r.ok) << r.error;
  std::vector<float> fill = r.out();
  for (int i = 0; i < 32; ++i)
    EXPECT_EQ(fill[size_t(i)], i >= 1 && i < 16 ? -3.5f : 0.0f) << i;
  // li, vsplat, vsetvl, vstrep (3), vsetvl, toHbm (2 li + 4 issue +
  // 1 semwait), halt.
  EXPECT_EQ(r.node(0).busyCycles, 1 + 1 + 1 + 3 + 1 + 7 + 1);

  bin::Executable bad = makeExe();
  Asm q(bad, 0);
  q.li(1, sram - 64 * 999);
  q.emit(Op::VStRep, 0, 1, 0, 1000);
  q.halt();
  RunResult e = simulate(bad);
  ASSERT_FALSE(e.ok);
  EXPECT_NE(e.error.find("SRAM access [" + std::to_string(sram - 64 * 999) +
                         ", " + std::to_string(sram + 64) + ") out of bounds"),
            std::string::npos)
      << e.error;
}

TEST(SimScalar, ArithmeticAndBranches) {
  // Computes an address from add/sub/muli and takes bne/jmp; the store
  // lands at 4096 + 64 * ((3 + 4) * 2 - 10 - 1) = 4096 + 192 only if every
  // instruction did its job.
  bin::Executable exe = makeExe();
  Asm p(exe, 0);
  p.li(1, 3);
  p.li(2, 4);
  p.emit(Op::Add, 3, 1, 2);     // 7
  p.emit(Op::Muli, 3, 3, 0, 2); // 14
  p.li(4, 10);
  p.emit(Op::Sub, 3, 3, 4);     // 4
  p.emit(Op::Addi, 3, 3, 0, -1); // 3
  p.li(5, 3);
  int bne = p.emit(Op::Bne, 3, 5, 0, 0); // not taken; target patched below
  int jmp = p.emit(Op::Jmp, 0, 0, 0, 0);
  int bad = p.emit(Op::VSplat, 1, 0, 0, floatBits(-1.0f));
  int good = p.emit(Op::VSplat, 1, 0, 0, floatBits(5.0f));
  p.emit(Op::Muli, 6, 3, 0, 64);
  p.emit(Op::VSt, 1, 6, 0, 4096);
  p.toHbm(4096, 0, 64);
  p.halt();
  p.code().code[size_t(bne)].imm = bad;
  p.code().code[size_t(jmp)].imm = good;
  addOutput(exe, "o", 0, 64);
  RunResult r = simulate(exe);
  ASSERT_TRUE(r.ok) << r.error;
  std::vector<float> o = r.out();
  for (int i = 0; i < 64; ++i)
    EXPECT_EQ(o[i], i >= 48 ? 5.0f : 0.0f) << i;
}

TEST(SimVector, OpsAndVectorLengthMasking) {
  bin::Executable exe = makeExe();
  Asm p(exe, 0);
  std::vector<float> a(16), b(16), sentinel(8 * 16, -7.0f);
  for (int i = 0; i < 16; ++i) {
    a[size_t(i)] = float(i + 1);
    b[size_t(i)] = float(10 - i);
  }
  a[3] = NAN;
  p.data(4096, a);
  p.data(4160, b);
  p.data(8192, sentinel);
  p.emit(Op::VSetVl, 0, 0, 0, 5);
  p.emit(Op::VLd, 1, 0, 0, 4096);
  p.emit(Op::VLd, 2, 0, 0, 4160);
  Op ops[] = {Op::VAdd, Op::VSub, Op::VMul, Op::VMax, Op::VMin};
  for (int i = 0; i < 5; ++i) {
    p.emit(ops[i], 3, 1, 2);
    p.emit(Op::VSt, 3, 0, 0, 8192 + 64 * i);
  }
  p.emit(Op::VSplat, 4, 0, 0, floatBits(0.5f));
  p.emit(Op::VFma, 4, 1, 2);
  p.emit(Op::VSt, 4, 0, 0, 8192 + 64 * 5);
  // Full length again: the tail lanes of v1 were zeroed by the short load,
  // and vbcast fills every lane.
  p.emit(Op::VSetVl, 0, 0, 0, 16);
  p.emit(Op::VSt, 1, 0, 0, 8192 + 64 * 6);
  p.li(7, 4096);
  p.emit(Op::VBcast, 5, 7, 0, 8);
  p.emit(Op::VSt, 5, 0, 0, 8192 + 64 * 7);
  p.toHbm(8192, 0, 8 * 16);
  p.halt();
  addOutput(exe, "o", 0, 8 * 16);

  RunResult r = simulate(exe);
  ASSERT_TRUE(r.ok) << r.error;
  std::vector<float> o = r.out();
  auto at = [&](int row, int lane) { return o[size_t(row * 16 + lane)]; };
  for (int l = 0; l < 16; ++l) {
    SCOPED_TRACE(l);
    if (l >= 5) {
      for (int row = 0; row < 6; ++row)
        EXPECT_EQ(at(row, l), -7.0f); // masked lanes are not stored
      EXPECT_EQ(at(6, l), 0.0f);
    } else if (l == 3) {
      for (int row = 0; row < 6; ++row)
        EXPECT_TRUE(std::isnan(at(row, l))); // NaN propagates, max/min too
    } else {
      float x = a[size_t(l)], y = b[size_t(l)];
      EXPECT_EQ(at(0, l), x + y);
      EXPECT_EQ(at(1, l), x - y);
      EXPECT_EQ(at(2, l), x * y);
      EXPECT_EQ(at(3, l), std::max(x, y));
      EXPECT_EQ(at(4, l), std::min(x, y));
      EXPECT_EQ(at(5, l), std::fma(x, y, 0.5f));
      EXPECT_EQ(at(6, l), x);
    }
    EXPECT_EQ(at(7, l), 3.0f);
  }
}

} // namespace
