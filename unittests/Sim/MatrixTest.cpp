//===- MatrixTest.cpp - MLd / MZero / Mma / MSt ---------------------------===//
#include "TestUtil.h"

#include <bit>
#include <cmath>
#include <cstring>

using namespace dojo;
using namespace dojo::test;

namespace {

int64_t accDesc(Asm &p, int64_t m, int64_t n, int64_t si, int64_t sj,
                float scale = 1.0f, isa::Act act = isa::Act::None) {
  isa::AccDesc d;
  d.m = m;
  d.n = n;
  d.si = si;
  d.sj = sj;
  d.scale = scale;
  d.act = act;
  return p.desc(isa::encode(d));
}

int64_t mmaDesc(Asm &p, int64_t m, int64_t n, int64_t k, int64_t aSi,
                int64_t aSk, int64_t bSk, int64_t bSj, MatDType t) {
  isa::MmaDesc d;
  d.m = m;
  d.n = n;
  d.k = k;
  d.aSi = aSi;
  d.aSk = aSk;
  d.bSk = bSk;
  d.bSj = bSj;
  d.dtype = int64_t(t);
  return p.desc(isa::encode(d));
}

constexpr int64_t kA = 4096, kB = 8192, kC = 12288;

TEST(SimMatrix, F32TileMatchesHostProduct) {
  bin::Executable exe = makeExe();
  Asm p(exe, 0);
  const int K = 4;
  std::vector<float> a(8 * K), b(K * 8);
  for (int i = 0; i < 8 * K; ++i) {
    a[size_t(i)] = float(i % 7 - 3);
    b[size_t(i)] = float(i % 5 - 2);
  }
  p.data(kA, a);
  p.data(kB, b);
  p.li(1, kA);
  p.li(2, kB);
  p.li(3, kC);
  p.emit(Op::MZero, 2);
  p.emit(Op::Mma, 2, 1, 2, mmaDesc(p, 8, 8, K, 4 * K, 4, 32, 4, MatDType::F32));
  p.emit(Op::MSt, 2, 3, 0, accDesc(p, 8, 8, 32, 4));
  p.toHbm(kC, 0, 64);
  p.halt();
  addOutput(exe, "c", 0, 64);

  RunResult r = simulate(exe);
  ASSERT_TRUE(r.ok) << r.error;
  std::vector<float> c = r.out();
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 8; ++j) {
      float want = 0;
      for (int k = 0; k < K; ++k)
        want += a[size_t(i * K + k)] * b[size_t(k * 8 + j)];
      EXPECT_EQ(c[size_t(i * 8 + j)], want) << i << "," << j;
    }
  EXPECT_EQ(r.stats.macs, 8 * 8 * K);
  // li x3, mzero: 4; mma: ceil(256 / 16) = 16; mst: 256 / 64 = 4;
  // toHbm: 2 li + 4 issue + 1 semwait; halt: 1.
  EXPECT_EQ(r.node(0).busyCycles, 4 + 16 + 4 + 7 + 1);
}

TEST(SimMatrix, StridesPartialTilesAndAccumulation) {
  // C[3x5] = A[3x6] * B[6x5] with B stored transposed (5x6) and the K loop
  // split across two Mma on the same accumulator.
  bin::Executable exe = makeExe();
  Asm p(exe, 0);
  const int M = 3, N = 5, K = 6;
  std::vector<float> a(M * K), bt(N * K), sentinel(64, -9.0f);
  for (int i = 0; i < M * K; ++i)
    a[size_t(i)] = 0.25f * float(i + 1);
  for (int i = 0; i < N * K; ++i)
    bt[size_t(i)] = float(i % 4) - 1.5f;
  p.data(kA, a);
  p.data(kB, bt);
  p.data(kC, sentinel);
  p.li(1, kA);
  p.li(2, kB);
  p.li(3, kC);
  // Garbage in the accumulator must be cleared by MZero.
  p.emit(Op::MLd, 0, 1, 0, accDesc(p, 8, 8, 0, 0));
  p.emit(Op::MZero, 0);
  int64_t half = mmaDesc(p, M, N, K / 2, 4 * K, 4, 4, 4 * K, MatDType::F32);
  p.emit(Op::Mma, 0, 1, 2, half);
  p.li(1, kA + 4 * K / 2);
  p.li(2, kB + 4 * K / 2);
  p.emit(Op::Mma, 0, 1, 2, half);
  p.emit(Op::MSt, 0, 3, 0, accDesc(p, M, N, 4 * 8, 4));
  p.toHbm(kC, 0, 64);
  p.halt();
  addOutput(exe, "c", 0, 64);

  RunResult r = simulate(exe);
  ASSERT_TRUE(r.ok) << r.error;
  std::vector<float> c = r.out();
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 8; ++j) {
      if (i >= M || j >= N) {
        EXPECT_EQ(c[size_t(i * 8 + j)], -9.0f) << "untouched " << i << "," << j;
        continue;
      }
      float want = 0;
      for (int k = 0; k < K; ++k)
        want += a[size_t(i * K + k)] * bt[size_t(j * K + k)];
      EXPECT_FLOAT_EQ(c[size_t(i * 8 + j)], want) << i << "," << j;
    }
  EXPECT_EQ(r.stats.macs, 2 * M * N * (K / 2));
}

TEST(SimMatrix, LoadScaleStoreScaleAndRelu) {
  bin::Executable exe = makeExe();
  Asm p(exe, 0);
  std::vector<float> x(64);
  for (int i = 0; i < 64; ++i)
    x[size_t(i)] = float(i - 32);
  p.data(kA, x);
  p.li(1, kA);
  p.li(2, kC);
  p.li(3, kC + 256);
  // acc = 2 * x; out1 = relu(0.25 * acc); out2 = 3 * acc (no activation).
  p.emit(Op::MLd, 1, 1, 0, accDesc(p, 8, 8, 32, 4, 2.0f));
  p.emit(Op::MSt, 1, 2, 0, accDesc(p, 8, 8, 32, 4, 0.25f, isa::Act::Relu));
  p.emit(Op::MSt, 1, 3, 0, accDesc(p, 8, 8, 32, 4, 3.0f));
  p.toHbm(kC, 0, 128);
  p.halt();
  addOutput(exe, "o", 0, 128);
  RunResult r = simulate(exe);
  ASSERT_TRUE(r.ok) << r.error;
  std::vector<float> o = r.out();
  for (int i = 0; i < 64; ++i) {
    EXPECT_EQ(o[size_t(i)], std::max(0.0f, 0.5f * x[size_t(i)])) << i;
    EXPECT_EQ(o[size_t(64 + i)], 6.0f * x[size_t(i)]) << i;
  }
}

TEST(SimMatrix, Bf16RoundsOperandsToNearestEven) {
  // 1 + 2^-8 is a tie between 1 and 1 + 2^-7 and rounds to the even 1;
  // 1 + 3 * 2^-8 ties to the even 1 + 2^-6; 1 + 2^-10 rounds down; and
  // 1 + 2^-7 + 2^-9 lies below the midpoint, so it rounds to 1 + 2^-7.
  const float vals[4] = {1.0f + std::ldexp(1.0f, -8),
                         1.0f + 3 * std::ldexp(1.0f, -8),
                         1.0f + std::ldexp(1.0f, -10),
                         1.0f + std::ldexp(1.0f, -7) + std::ldexp(1.0f, -9)};
  const float bf16[4] = {1.0f, 1.0f + std::ldexp(1.0f, -6), 1.0f,
                         1.0f + std::ldexp(1.0f, -7)};
  for (MatDType t : {MatDType::F32, MatDType::BF16}) {
    SCOPED_TRACE(int(t));
    bin::Executable exe = makeExe();
    Asm p(exe, 0);
    // A is 4x1, B is 1x1 holding (1 + 2^-8): in BF16 it rounds to 1 too.
    p.data(kA, std::vector<float>(vals, vals + 4));
    p.data(kB, {vals[0]});
    p.li(1, kA);
    p.li(2, kB);
    p.li(3, kC);
    p.emit(Op::MZero, 0);
    p.emit(Op::Mma, 0, 1, 2, mmaDesc(p, 4, 1, 1, 4, 4, 4, 4, t));
    p.emit(Op::MSt, 0, 3, 0, accDesc(p, 4, 1, 4, 4));
    p.toHbm(kC, 0, 4);
    p.halt();
    addOutput(exe, "o", 0, 4);
    RunResult r = simulate(exe);
    ASSERT_TRUE(r.ok) << r.error;
    std::vector<float> o = r.out();
    for (int i = 0; i < 4; ++i) {
      float want = t == MatDType::BF16 ? bf16[i] : vals[i] * vals[0];
      EXPECT_EQ(o[size_t(i)], want) << i;
    }
  }
}

/// Places BF16 values (the high halves of the FP32 values `vals`, which
/// the test picks exactly representable) in SRAM at `addr`.
void bf16Data(Asm &p, int64_t addr, const std::vector<float> &vals) {
  std::vector<uint8_t> raw;
  for (float f : vals) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    raw.push_back(uint8_t(u >> 16));
    raw.push_back(uint8_t(u >> 24));
  }
  p.bytes(addr, std::move(raw));
}

TEST(SimMatrix, Bf16StorageReadsTwoByteElements) {
  // C = A * B with A (8x4) stored as BF16 and B (4x8) as FP32, then A as
  // FP32 and B as BF16, then both BF16: the same small integers give the
  // same product, and the cost is that of any BF16 product.
  const int K = 4;
  std::vector<float> a(8 * K), b(K * 8), want(64, 0.0f);
  for (int i = 0; i < 8 * K; ++i) {
    a[size_t(i)] = float(i % 7 - 3);
    b[size_t(i)] = float(i % 5 - 2);
  }
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 8; ++j)
      for (int k = 0; k < K; ++k)
        want[size_t(i * 8 + j)] += a[size_t(i * K + k)] * b[size_t(k * 8 + j)];
  for (int storage = 1; storage <= 3; ++storage) {
    SCOPED_TRACE(storage);
    const bool aB = storage & 1, bB = storage & 2;
    bin::Executable exe = makeExe();
    Asm p(exe, 0);
    aB ? bf16Data(p, kA, a) : p.data(kA, a);
    bB ? bf16Data(p, kB, b) : p.data(kB, b);
    p.li(1, kA);
    p.li(2, kB);
    p.li(3, kC);
    p.emit(Op::MZero, 0);
    isa::MmaDesc d;
    d.k = K;
    d.aSi = (aB ? 2 : 4) * K;
    d.aSk = aB ? 2 : 4;
    d.bSk = (bB ? 2 : 4) * 8;
    d.bSj = bB ? 2 : 4;
    d.dtype = int64_t(MatDType::BF16);
    d.aStorage = aB;
    d.bStorage = bB;
    p.emit(Op::Mma, 0, 1, 2, p.desc(isa::encode(d)));
    p.emit(Op::MSt, 0, 3, 0, accDesc(p, 8, 8, 32, 4));
    p.toHbm(kC, 0, 64);
    p.halt();
    addOutput(exe, "c", 0, 64);
    RunResult r = simulate(exe);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.out(), want);
    EXPECT_EQ(r.stats.macs, 8 * 8 * K);
  }
}

TEST(SimMatrix, OuterReductionLevelsEqualSuccessiveMmas) {
  // A 3x3 convolution tap walk: B rows of a 6x6x4 window (k = 4 channels
  // innermost), A as [kh][kw][co][ci]. One Mma with k2 = kw and k3 = kh
  // must give, bit for bit, what nine single-level Mmas give, in FP32
  // (rounding order visible) and in BF16, with its outer extents
  // bounds-checked and its cost that of all nine.
  const int64_t C = 4, W = 6;
  std::vector<float> a(3 * 3 * 8 * C), b(W * W * C);
  for (size_t i = 0; i < a.size(); ++i)
    a[i] = std::ldexp(float(int(i * 37 % 23) - 11), -int(i % 9));
  for (size_t i = 0; i < b.size(); ++i)
    b[i] = std::ldexp(float(int(i * 53 % 29) - 14), int(i % 7)) + 0.1f;
  for (MatDType t : {MatDType::F32, MatDType::BF16}) {
    SCOPED_TRACE(int(t));
    std::vector<float> out[2];
    int64_t busy[2];
    for (int fused = 0; fused < 2; ++fused) {
      bin::Executable exe = makeExe();
      Asm p(exe, 0);
      p.data(kA, a);
      p.data(kB, b);
      p.li(3, kC);
      p.emit(Op::MZero, 0);
      isa::MmaDesc d;
      d.m = 8;
      d.n = 4; // four output columns, stride 1 along w
      d.k = C;
      d.aSi = 4 * C;
      d.aSk = 4;
      d.bSk = 4;
      d.bSj = 4 * C;
      d.dtype = int64_t(t);
      const int64_t aKw = 8 * C * 4, aKh = 3 * aKw;
      const int64_t bKw = 4 * C, bKh = W * 4 * C;
      if (fused) {
        d.k2 = 3, d.aSk2 = aKw, d.bSk2 = bKw;
        d.k3 = 3, d.aSk3 = aKh, d.bSk3 = bKh;
        p.li(1, kA);
        p.li(2, kB);
        p.emit(Op::Mma, 0, 1, 2, p.desc(isa::encode(d)));
      } else {
        int64_t desc = p.desc(isa::encode(d));
        for (int kh = 0; kh < 3; ++kh)
          for (int kw = 0; kw < 3; ++kw) {
            p.li(1, kA + kh * aKh + kw * aKw);
            p.li(2, kB + kh * bKh + kw * bKw);
            p.emit(Op::Mma, 0, 1, 2, desc);
          }
      }
      p.emit(Op::MSt, 0, 3, 0, accDesc(p, 8, 4, 16, 4));
      p.toHbm(kC, 0, 32);
      p.halt();
      addOutput(exe, "c", 0, 32);
      RunResult r = simulate(exe);
      ASSERT_TRUE(r.ok) << r.error;
      out[fused] = r.out();
      busy[fused] = r.node(0).busyCycles;
      EXPECT_EQ(r.stats.macs, 8 * 4 * C * 9);
    }
    for (size_t i = 0; i < out[0].size(); ++i)
      EXPECT_EQ(std::bit_cast<uint32_t>(out[0][i]),
                std::bit_cast<uint32_t>(out[1][i]))
          << i;
    // Nine instructions (and their address loads) cost more than one.
    EXPECT_LT(busy[1], busy[0]);
  }
}

TEST(SimMatrix, PackedOperandsSeeStoreRepeatWrites) {
  // acc = A B with B = 5, then vstrep overwrites B with 2 and the same Mma
  // runs again: 5 + 2 = 7 (a stale packed panel would give 10), with one
  // data thread and with more.
  {
    bin::Executable exe = makeExe();
    Asm p(exe, 0);
    p.data(kA, {1.0f});
    p.data(kB, {5.0f});
    p.li(1, kA);
    p.li(2, kB);
    p.li(3, kC);
    p.emit(Op::MZero, 0);
    int64_t d = mmaDesc(p, 1, 1, 1, 4, 4, 4, 4, MatDType::F32);
    p.emit(Op::Mma, 0, 1, 2, d);
    p.emit(Op::VSplat, 4, 0, 0, floatBits(2.0f));
    p.emit(Op::VSetVl, 0, 0, 0, 1);
    p.emit(Op::VStRep, 4, 2, 0, 1);
    p.emit(Op::VSetVl, 0, 0, 0, 16);
    p.emit(Op::Mma, 0, 1, 2, d);
    p.emit(Op::MSt, 0, 3, 0, accDesc(p, 1, 1, 4, 4));
    p.toHbm(kC, 0, 1);
    p.halt();
    addOutput(exe, "c", 0, 1);
    RunResult r = simulateAcrossThreads(exe);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.out()[0], 7.0f);
  }
}

TEST(SimMatrix, OuterReductionLevelsAreBoundsChecked) {
  // The last kernel row of B lies past the end of SRAM.
  bin::Executable exe = makeExe();
  const int64_t sram = exe.target.sramBytes;
  Asm p(exe, 0);
  p.li(1, kA);
  p.li(2, sram - 1024);
  isa::MmaDesc d;
  d.k = 4;
  d.bSk = 4;
  d.bSj = 16;
  d.k3 = 3;
  d.bSk3 = 512;
  p.emit(Op::Mma, 0, 1, 2, p.desc(isa::encode(d)));
  p.halt();
  RunResult r = simulate(exe);
  ASSERT_FALSE(r.ok);
  EXPECT_NE(r.error.find("out of bounds"), std::string::npos) << r.error;
}

TEST(SimMatrix, Bf16StorageBoundsUseTwoByteElements) {
  // A 1 x 16 row of BF16 ending exactly at the end of SRAM is in bounds;
  // read as FP32 from the same address it would overrun by 32 bytes.
  for (int64_t storage : {1, 0}) {
    bin::Executable exe = makeExe();
    const int64_t sram = exe.target.sramBytes;
    Asm p(exe, 0);
    p.li(1, sram - 32);
    p.li(2, kB);
    isa::MmaDesc d;
    d.m = 1;
    d.n = 1;
    d.k = 16;
    d.aSk = storage ? 2 : 4;
    d.bSk = 4;
    d.dtype = int64_t(MatDType::BF16);
    d.aStorage = storage;
    p.emit(Op::Mma, 0, 1, 2, p.desc(isa::encode(d)));
    p.halt();
    RunResult r = simulate(exe);
    if (storage) {
      EXPECT_TRUE(r.ok) << r.error;
      EXPECT_EQ(r.node(0).sramPeak, sram);
    } else {
      ASSERT_FALSE(r.ok);
      EXPECT_NE(r.error.find("SRAM access [" + std::to_string(sram - 32) +
                             ", " + std::to_string(sram + 32) +
                             ") out of bounds"),
                std::string::npos)
          << r.error;
    }
  }
}

TEST(SimMatrix, CostDependsOnDataTypeAndUtilizationIsMeasured) {
  // An 8x8x64 product: BF16 takes 8*8*64 / 256 = 16 cycles, F32 on the
  // vector lanes 8*8*64 / 16 = 256 cycles.
  int64_t busy[2];
  double util[2];
  for (MatDType t : {MatDType::F32, MatDType::BF16}) {
    bin::Executable exe = makeExe();
    Asm p(exe, 0);
    p.li(1, kA);
    p.li(2, kB);
    p.emit(Op::Mma, 0, 1, 2, mmaDesc(p, 8, 8, 64, 4 * 64, 4, 32, 4, t));
    p.halt();
    RunResult r = simulate(exe);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.stats.macs, 8 * 8 * 64);
    busy[int(t)] = r.node(0).busyCycles;
    util[int(t)] = r.stats.utilization;
  }
  EXPECT_EQ(busy[0], 2 + 256 + 1);
  EXPECT_EQ(busy[1], 2 + 16 + 1);
  // One of four nodes works for 256 of 259 (16 of 19) cycles.
  EXPECT_NEAR(util[0], 256.0 / 259 / 4, 1e-12);
  EXPECT_NEAR(util[1], 16.0 / 19 / 4, 1e-12);
}


TEST(SimMatrix, OperandBoundsAreCheckedExactly) {
  // The timing side checks Acc and Mma operands against extents computed
  // once per descriptor; the spans it reports, and which accesses pass,
  // must be what the strided extent at the base register gives, with
  // negative strides, at the end of SRAM, and when the base or the extent
  // itself overflows.
  const int64_t sram = makeExe().target.sramBytes;
  const int64_t reserved = makeExe().target.reservedBytes;
  struct Case {
    const char *what;
    int64_t base;                  ///< of the checked operand
    Op op;                         ///< Mma (A or B operand), MLd or MSt
    bool operandB;                 ///< Mma: the bad operand is B
    int64_t m, n, k, s0, s1;       ///< shape and the operand's strides
    std::string error;             ///< empty: the run succeeds
  };
  const int64_t big = INT64_MAX / 2;
  const Case cases[] = {
      {"A walked backwards", kA + 28, Op::Mma, false, 8, 8, 8, 64, -4, ""},
      {"B ends at SRAM's end", sram - 32, Op::Mma, true, 8, 1, 8, 4, 0, ""},
      {"B past SRAM's end", sram - 28, Op::Mma, true, 8, 1, 8, 4, 0,
       "SRAM access [" + std::to_string(sram - 28) + ", " +
           std::to_string(sram + 4) + ") out of bounds"},
      {"A below the reserved region", reserved + 8, Op::Mma, false, 1, 8, 4,
       4, -4, "SRAM access [" + std::to_string(reserved - 4) + ", " +
                  std::to_string(reserved + 12) + ") out of bounds"},
      {"base plus extent overflows", INT64_MAX - 8, Op::Mma, false, 1, 8, 8,
       4, 4, "SRAM address arithmetic overflows"},
      {"the extent itself overflows", kA, Op::Mma, true, 8, 8, 3, 0, big,
       "SRAM address arithmetic overflows"},
      {"MLd rows walked backwards", kC + 448, Op::MLd, false, 8, 8, 0, -64, 4,
       ""},
      {"MLd below the reserved region", reserved + 64, Op::MLd, false, 8, 8, 0,
       -64, 4,
       "SRAM access [" + std::to_string(reserved - 384) + ", " +
           std::to_string(reserved + 96) + ") out of bounds"},
      {"MSt past SRAM's end", sram - 64, Op::MSt, false, 2, 8, 0, 64, 4,
       "SRAM access [" + std::to_string(sram - 64) + ", " +
           std::to_string(sram + 32) + ") out of bounds"},
      {"MSt extent overflows", kC, Op::MSt, false, 8, 8, 0, big, 4,
       "SRAM address arithmetic overflows"},
  };
  for (const Case &c : cases)
    for (int threads : {1, 2}) {
      SCOPED_TRACE(testing::Message() << c.what << ", threads " << threads);
      bin::Executable exe = makeExe();
      Asm p(exe, 0);
      if (c.op == Op::Mma) {
        p.li(1, c.operandB ? kA : c.base);
        p.li(2, c.operandB ? c.base : kB);
        const int64_t d =
            c.operandB ? mmaDesc(p, c.m, c.n, c.k, 4 * c.k, 4, c.s0, c.s1,
                                 MatDType::F32)
                       : mmaDesc(p, c.m, c.n, c.k, c.s0, c.s1, 32, 4,
                                 MatDType::F32);
        p.emit(Op::Mma, 0, 1, 2, d);
      } else {
        p.li(1, c.base);
        p.emit(c.op, 0, 1, 0, accDesc(p, c.m, c.n, c.s0, c.s1));
      }
      p.halt();
      sim::Options opts;
      opts.threads = threads;
      RunResult r = simulate(exe, {}, opts);
      if (c.error.empty()) {
        EXPECT_TRUE(r.ok) << r.error;
      } else {
        ASSERT_FALSE(r.ok);
        EXPECT_NE(r.error.find(c.error), std::string::npos) << r.error;
      }
    }
}

TEST(SimMatrix, StoreKeepsNegativeZeroAndNaNAndOrder) {
  // MSt's relu turns only x < 0 into 0: -0 and NaN are stored as they are.
  // Rows are stored in order, so where a partial tile's rows overlap
  // (si < 4n) the later row's elements win; strided columns (sj != 4)
  // store the same values.
  bin::Executable exe = makeExe();
  Asm p(exe, 0);
  std::vector<float> x(64);
  for (int i = 0; i < 64; ++i)
    x[size_t(i)] = float(i % 5) - 2.0f;
  x[1] = -0.0f;
  x[2] = NAN;
  p.data(kA, x);
  p.li(1, kA);
  p.li(2, kC);
  p.li(3, kC + 256);
  p.li(4, kC + 512);
  p.emit(Op::MLd, 1, 1, 0, accDesc(p, 8, 8, 32, 4));
  p.emit(Op::MSt, 1, 2, 0, accDesc(p, 8, 8, 32, 4, 1.0f, isa::Act::Relu));
  // Rows 12 bytes apart, five columns: row i ends where row i + 1's third
  // element is stored.
  p.emit(Op::MSt, 1, 3, 0, accDesc(p, 3, 5, 12, 4));
  // Column-strided, transposed: element (i, j) at j * 32 + i * 4.
  p.emit(Op::MSt, 1, 4, 0, accDesc(p, 8, 8, 4, 32, 1.0f, isa::Act::Relu));
  p.toHbm(kC, 0, 192);
  p.halt();
  addOutput(exe, "o", 0, 192);
  RunResult r = simulate(exe);
  ASSERT_TRUE(r.ok) << r.error;
  const std::vector<float> o = r.out();
  auto relu = [](float v) { return v < 0.0f ? 0.0f : v; };
  auto same = [](float a, float b) { return std::memcmp(&a, &b, 4) == 0; };
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 8; ++j) {
      const float want = relu(x[size_t(8 * i + j)]);
      EXPECT_TRUE(same(o[size_t(8 * i + j)], want)) << i << "," << j;
      EXPECT_TRUE(same(o[size_t(128 + 8 * j + i)], want)) << i << "," << j;
    }
  EXPECT_TRUE(std::signbit(o[1]) && o[1] == 0.0f);
  EXPECT_TRUE(std::isnan(o[2]));
  // Overlapping rows: float f of the block holds row f / 3's element f % 3
  // unless a later row wrote it (row i covers floats 3i .. 3i + 4).
  std::vector<float> want(64, 0.0f);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 5; ++j)
      want[size_t(3 * i + j)] = x[size_t(8 * i + j)];
  for (int f = 0; f < 11; ++f)
    EXPECT_TRUE(same(o[size_t(64 + f)], want[size_t(f)])) << f;
}

} // namespace
