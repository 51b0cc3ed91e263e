//===- InsnTableTest.cpp - Programs used in place, copied on change -------===//
#include "TestUtil.h"

using namespace dojo;
using namespace dojo::test;

namespace {

/// A four-instruction program on node 0.
bin::Executable smallExe() {
  bin::Executable exe = makeExe();
  Asm p0(exe, 0);
  p0.li(1, 7);
  p0.emit(Op::Addi, 2, 1, 0, 5);
  p0.emit(Op::Nop);
  p0.halt();
  return exe;
}

bool sameInsn(const isa::Insn &x, const isa::Insn &y) {
  return x.op == y.op && x.a == y.a && x.b == y.b && x.c == y.c &&
         x.d == y.d && x.imm == y.imm;
}

TEST(InsnTable, DeserializeViewsProgramsOnlyWhenTheBufferIsKeptAlive) {
  bin::Executable exe = smallExe();
  auto bytes = std::make_shared<std::vector<uint8_t>>(bin::serialize(exe));
  const uint8_t *lo = bytes->data(), *hi = lo + bytes->size();
  auto inside = [&](const bin::InsnTable &t) {
    auto p = reinterpret_cast<const uint8_t *>(t.data());
    return p >= lo && p < hi;
  };
  bin::Executable kept, copied;
  std::string err;
  ASSERT_TRUE(bin::deserialize(lo, bytes->size(), kept, err, bytes)) << err;
  ASSERT_TRUE(bin::deserialize(lo, bytes->size(), copied, err)) << err;
  EXPECT_TRUE(inside(kept.nodes[0].code));
  EXPECT_FALSE(inside(copied.nodes[0].code));
  const bin::InsnTable &want = exe.nodes[0].code;
  for (const bin::Executable *e : {&kept, &copied}) {
    const bin::InsnTable &got = e->nodes[0].code;
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i)
      EXPECT_TRUE(sameInsn(got[i], want[i])) << i;
  }
}

TEST(InsnTable, ChangingAViewCopiesAndLeavesTheViewedBytes) {
  std::vector<isa::Insn> outside(3);
  outside[0].op = Op::Li;
  outside[0].imm = 11;
  outside[2].op = Op::Halt;
  bin::InsnTable t;
  t.setView(outside.data(), outside.size());
  EXPECT_EQ(t.data(), outside.data());
  bin::InsnTable copy = t; // shares the view
  EXPECT_EQ(copy.data(), outside.data());
  t[0].imm = 12;
  EXPECT_NE(t.data(), outside.data());
  EXPECT_EQ(outside[0].imm, 11);
  EXPECT_EQ(t[0].imm, 12);
  EXPECT_EQ(t.back().op, Op::Halt);
  copy.pop_back();
  EXPECT_EQ(copy.size(), 2u);
  EXPECT_EQ(outside.size(), 3u);
  EXPECT_EQ(outside[2].op, Op::Halt);
  copy.push_back(outside[0]);
  EXPECT_EQ(copy.size(), 3u);
  EXPECT_EQ(copy[2].imm, 11);
  copy.clear();
  EXPECT_TRUE(copy.empty());
  EXPECT_EQ(t.size(), 3u);
}

} // namespace
