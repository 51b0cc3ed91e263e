//===- ISATest.cpp - Descriptor encodings and instruction text ------------===//
#include "dojo/Target/ISA.h"

#include <gtest/gtest.h>

using namespace dojo::isa;

TEST(ISA, AccDescriptorRoundTrip) {
  AccDesc d;
  d.m = 5;
  d.n = 3;
  d.si = 4;
  d.sj = 128;
  d.scale = 0.25f;
  d.act = Act::Relu;
  AccDesc e;
  ASSERT_EQ(decode(encode(d), e), "");
  EXPECT_EQ(e.m, 5);
  EXPECT_EQ(e.n, 3);
  EXPECT_EQ(e.sj, 128);
  EXPECT_FLOAT_EQ(e.scale, 0.25f);
  EXPECT_EQ(e.act, Act::Relu);
}

TEST(ISA, MmaDescriptorRejectsBadShapes) {
  MmaDesc d;
  d.k = 64;
  MmaDesc e;
  ASSERT_EQ(decode(encode(d), e), "");
  EXPECT_EQ(e.k, 64);
  d.m = 9;
  EXPECT_NE(decode(encode(d), e), "");
  d.m = 8;
  d.k = 0;
  EXPECT_NE(decode(encode(d), e), "");
  d.k = 1;
  d.dtype = 7;
  EXPECT_NE(decode(encode(d), e), "");
  // A descriptor of another kind is refused.
  AccDesc a;
  EXPECT_NE(decode(encode(a), e), "");
}

TEST(ISA, MmaDescriptorOuterReductionLevels) {
  MmaDesc d;
  d.k = 24;
  d.k2 = 3;
  d.aSk2 = 96;
  d.bSk2 = -640;
  d.k3 = 2;
  d.aSk3 = 288;
  d.bSk3 = 4096;
  MmaDesc e;
  ASSERT_EQ(decode(encode(d), e), "");
  EXPECT_EQ(e.k2, 3);
  EXPECT_EQ(e.aSk2, 96);
  EXPECT_EQ(e.bSk2, -640);
  EXPECT_EQ(e.k3, 2);
  EXPECT_EQ(e.aSk3, 288);
  EXPECT_EQ(e.bSk3, 4096);
  EXPECT_EQ(e.kTotal(), 24 * 3 * 2);
  // The eleven-word form has no outer levels.
  std::vector<int64_t> w = encode(d);
  w.resize(11);
  ASSERT_EQ(decode(w, e), "");
  EXPECT_EQ(e.k2, 1);
  EXPECT_EQ(e.k3, 1);
  EXPECT_EQ(e.kTotal(), 24);
  // Any other length, empty levels and overflowing totals are refused.
  w.resize(14);
  EXPECT_NE(decode(w, e), "");
  d.k2 = 0;
  EXPECT_NE(decode(encode(d), e), "");
  d.k2 = int64_t(1) << 31;
  d.k3 = int64_t(1) << 31;
  EXPECT_NE(decode(encode(d), e), "");
}

TEST(ISA, DmaDescriptorRoundTripAndBytes) {
  DmaDesc d;
  d.mode = DmaMode::HbmToSram;
  d.rank = 3;
  d.shape = {2, 3, 4};
  d.srcStrides = {48, 16, 4};
  d.dstStrides = {96, 32, 8};
  d.sem = 2;
  DmaDesc e;
  ASSERT_EQ(decode(encode(d), e), "");
  EXPECT_EQ(e.mode, DmaMode::HbmToSram);
  EXPECT_EQ(e.bytes(), 2 * 3 * 4 * 4);
  EXPECT_EQ(e.dstStrides[2], 8);
  d.rank = 7;
  EXPECT_NE(decode(encode(d), e), "");
  d.rank = 3;
  d.shape[1] = 0;
  EXPECT_NE(decode(encode(d), e), "");
  d.shape[1] = 3;
  d.sem = 16;
  EXPECT_NE(decode(encode(d), e), "");
}

TEST(ISA, FormatReadsLikeAssembly) {
  Insn mma{Op::Mma, 0, 3, 4, 0, 2};
  EXPECT_EQ(format(mma), "mma a0, [r3], [r4], d2");
  Insn li{Op::Li, 5, 0, 0, 0, -7};
  EXPECT_EQ(format(li), "li r5, #-7");
  Insn vld{Op::VLd, 1, 2, 0, 0, 64};
  EXPECT_EQ(format(vld), "vld v1, [r2 + 64]");
  EXPECT_EQ(format(Insn{Op::SemWait, 0, 0, 0, 0, 3}), "semwait s0, #3");
  EXPECT_EQ(format(Insn{Op::VStRep, 0, 7, 0, 0, 12}), "vstrep v0, [r7], #12");
  for (int op = 0; op < int(Op::NumOps); ++op)
    EXPECT_STRNE(opName(Op(op)), "<invalid>");
}
