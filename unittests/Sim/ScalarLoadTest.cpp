//===- ScalarLoadTest.cpp - ldf and the scalar ops for run-time indices ---===//
//
// `ldf` is the one instruction whose result depends on memory, so besides
// its conversion rules these tests check that the parallel mode (whose
// timing side otherwise never looks at data) sees the same values as the
// sequential mode: values stored by the node itself just before, and values
// that arrived by DMA.
//
//===----------------------------------------------------------------------===//
#include "TestUtil.h"

#include <cmath>
#include <limits>

using namespace dojo;
using namespace dojo::test;

namespace {

using isa::DmaMode;

/// Emits "if r[reg] != value: jump to the failure path" (patched later).
struct Checks {
  Asm &p;
  std::vector<int> branches;
  void expect(int reg, int64_t value) {
    p.li(29, value);
    branches.push_back(p.emit(Op::Bne, reg, 29, 0, 0));
  }
  /// Stores 1.0 at `addr` if every check passed, else 0.0, and copies it
  /// to HBM `hbm`.
  void finish(int64_t addr, int64_t hbm) {
    p.emit(Op::VSetVl, 0, 0, 0, 1);
    p.emit(Op::VSplat, 1, 0, 0, floatBits(1.0f));
    p.emit(Op::VSt, 1, 0, 0, addr);
    int skip = p.emit(Op::Jmp, 0, 0, 0, 0);
    int fail = p.pc();
    p.emit(Op::VSplat, 1, 0, 0, floatBits(0.0f));
    p.emit(Op::VSt, 1, 0, 0, addr);
    p.code().code[size_t(skip)].imm = p.pc();
    for (int b : branches)
      p.code().code[size_t(b)].imm = fail;
    p.toHbm(addr, hbm, 1);
  }
};

/// Ends node 0's program `p` with the result of `c`, runs it and expects
/// every check to have passed.
void expectChecksPass(bin::Executable &exe, Asm &p, Checks &c) {
  c.finish(8192, 0);
  p.halt();
  addOutput(exe, "ok", 0, 1);
  RunResult r = simulate(exe);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.out(0)[0], 1.0f);
}

TEST(SimScalarLoad, ConvertsTruncatingAndSaturating) {
  bin::Executable exe = makeExe();
  Asm p(exe, 0);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  p.data(4096, {2.9f, -2.9f, 1e30f, -1e30f, nan, 16777216.0f,
                -9223372036854775808.0f});
  p.li(1, 4096);
  for (int i = 0; i < 7; ++i)
    p.emit(Op::LdF, 2 + i, 1, 0, 4 * i);
  // r0 discards the load.
  p.emit(Op::LdF, 0, 1, 0, 0);
  Checks c{p, {}};
  c.expect(2, 2);
  c.expect(3, -2);
  c.expect(4, INT64_MAX);
  c.expect(5, INT64_MIN);
  c.expect(6, 0);
  c.expect(7, 16777216);
  c.expect(8, INT64_MIN);
  c.expect(0, 0);
  expectChecksPass(exe, p, c);
}

TEST(SimScalarLoad, MulSltMinMax) {
  bin::Executable exe = makeExe();
  Asm p(exe, 0);
  p.li(1, 7);
  p.li(2, -3);
  p.emit(Op::Mul, 3, 1, 2);  // -21
  p.emit(Op::Slt, 4, 2, 1);  // 1
  p.emit(Op::Slt, 5, 1, 2);  // 0
  p.emit(Op::Slt, 6, 1, 1);  // 0
  p.emit(Op::Min, 7, 1, 2);  // -3
  p.emit(Op::Max, 8, 1, 2);  // 7
  p.li(9, INT64_MAX);
  p.emit(Op::Mul, 10, 9, 9); // wraps to 1
  p.emit(Op::Max, 0, 1, 1);  // r0 stays 0
  Checks c{p, {}};
  c.expect(3, -21);
  c.expect(4, 1);
  c.expect(5, 0);
  c.expect(6, 0);
  c.expect(7, -3);
  c.expect(8, 7);
  c.expect(10, 1);
  c.expect(0, 0);
  expectChecksPass(exe, p, c);
  EXPECT_EQ(isa::format(isa::Insn{Op::LdF, 3, 4, 0, 0, -8}),
            "ldf r3, [r4 + -8]");
  EXPECT_EQ(isa::format(isa::Insn{Op::Slt, 1, 2, 3, 0, 0}), "slt r1, r2, r3");
}

/// Node 0 loads indices from HBM, and node 1 receives a row index from
/// node 0 by DMA; both gather rows of a table at run-time addresses. Node 0
/// also overwrites an index with a vector store right before loading it
/// again, which the parallel mode must see.
bin::Executable gatherProgram() {
  bin::Executable exe = makeExe();
  exe.routes = {{0, 1}};
  exe.inputs = {{"idx", 1, {4}, 0}};
  exe.outputs = {{"y", 1, {4, 16}, 256}, {"z", 1, {16}, 512},
                 {"w", 1, {16}, 768}};
  exe.hbmBytes = 1024;
  for (int node : {0, 1}) {
    Asm p(exe, node);
    std::vector<float> table(8 * 16);
    for (int i = 0; i < 8 * 16; ++i)
      table[size_t(i)] = float(node * 1000 + i);
    p.data(16384, table);
  }
  Asm p(exe, 0);
  p.dma(0, 4096, copy1d(DmaMode::HbmToSram, 4, 0));
  p.emit(Op::SemWait, 0, 0, 0, 1);
  // Matrix work the data side needs far longer for than the timing side,
  // so that a timing side that did not wait would read stale SRAM below.
  isa::MmaDesc mma;
  mma.k = 256;
  mma.aSk = 0;
  mma.bSk = 0;
  const int64_t mmaD = p.desc(isa::encode(mma));
  p.li(4, 16384);
  for (int i = 0; i < 400; ++i)
    p.emit(Op::Mma, 0, 4, 4, mmaD);
  // Overwrite index 2 with 7 (a vector store of VL 1), then gather.
  p.emit(Op::VSetVl, 0, 0, 0, 1);
  p.emit(Op::VSplat, 1, 0, 0, floatBits(7.0f));
  p.li(1, 4096);
  p.emit(Op::VSt, 1, 1, 0, 8);
  p.emit(Op::VSetVl, 0, 0, 0, 16);
  p.li(3, 8192);
  // The loaded value decides control flow, which the timing side runs: a
  // loop adding 1.0 r[2] times (7, not the stale 5).
  p.emit(Op::LdF, 2, 1, 0, 8);
  p.emit(Op::VSplat, 3, 0, 0, floatBits(0.0f));
  p.emit(Op::VSplat, 4, 0, 0, floatBits(1.0f));
  p.li(5, 0);
  const int count = p.emit(Op::VAdd, 3, 3, 4);
  p.emit(Op::Addi, 5, 5, 0, 1);
  p.emit(Op::Blt, 5, 2, 0, count);
  p.emit(Op::VSt, 3, 0, 0, 12288);
  p.toHbm(12288, 768, 16);
  p.emit(Op::VSetVl, 0, 0, 0, 16);
  // Index 2 first, right after the store that changed it.
  for (int i : {2, 0, 1, 3}) {
    p.emit(Op::LdF, 2, 1, 0, 4 * i);
    p.emit(Op::Muli, 2, 2, 0, 64);
    p.emit(Op::VLd, 2, 2, 0, 16384);
    p.emit(Op::VSt, 2, 3, 0, 64 * i);
  }
  p.toHbm(8192, 256, 64);
  // Send index 3 to node 1.
  p.dma(4096 + 12, 4096, copy1d(DmaMode::SramToSram, 1, 0, 1, 0));
  p.halt();
  Asm q(exe, 1);
  q.emit(Op::SemWait, 0, 0, 0, 1);
  q.li(1, 4096);
  q.emit(Op::LdF, 2, 1, 0, 0);
  q.emit(Op::Muli, 2, 2, 0, 64);
  q.emit(Op::VLd, 2, 2, 0, 16384);
  q.emit(Op::VSt, 2, 0, 0, 8192);
  q.toHbm(8192, 512, 16);
  q.halt();
  return exe;
}

TEST(SimScalarLoad, RunTimeAddressesAgreeAcrossThreads) {
  bin::Executable exe = gatherProgram();
  sim::HostTensor idx = floatTensor("idx", {3, 0, 5, 6});
  // The parallel runs must match this sequential one exactly.
  RunResult r = simulateAcrossThreads(exe, {idx});
  ASSERT_TRUE(r.ok) << r.error;
  std::vector<float> y = r.out(0), z = r.out(1);
  const int rows[4] = {3, 0, 7, 6};
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 16; ++j)
      EXPECT_EQ(y[size_t(16 * i + j)], float(16 * rows[i] + j))
          << i << "," << j;
  for (int j = 0; j < 16; ++j)
    EXPECT_EQ(z[size_t(j)], float(1000 + 16 * 6 + j)) << j;
  EXPECT_EQ(r.out(2), std::vector<float>(16, 7.0f));
}

TEST(SimScalarLoad, OutOfBoundsLoadIsReported) {
  bin::Executable exe = makeExe();
  Asm p(exe, 0);
  p.li(1, exe.target.sramBytes - 2);
  p.emit(Op::LdF, 2, 1, 0, 0);
  p.halt();
  for (int threads : {1, 2}) {
    sim::Options o;
    o.threads = threads;
    RunResult r = simulate(exe, {}, o);
    ASSERT_FALSE(r.ok);
    EXPECT_NE(r.error.find("pc 1 `ldf r2, [r1 + 0]`"), std::string::npos)
        << r.error;
    EXPECT_NE(r.error.find("out of bounds"), std::string::npos) << r.error;
  }
}

} // namespace
