//===- SerializeTest.cpp - FlatBuffer round trips and corrupt inputs ------===//
#include "TestUtil.h"

#include <cstdio>
#include <fstream>

using namespace dojo;
using namespace dojo::test;

namespace {

/// An executable touching every field of the format.
bin::Executable richExe() {
  bin::Executable exe = makeExe("mesh-2x2", "disabled=1:0,hop_latency=3");
  exe.source = "model.onnx";
  exe.names = {"Conv_0", "Relu_1"};
  exe.routes = {{0, 1}, {1, 3}};
  exe.inputs = {{"x", 1, {1, 3, 4, 4}, 0}};
  exe.outputs = {{"y", 7, {2}, 256}};
  Asm p0(exe, 0);
  p0.data(4096, {1.5f, -2.0f});
  p0.dma(4096, 8192, copy1d(isa::DmaMode::SramToSram, 2, 0, 1, 0));
  p0.emit(Op::VSplat, 31, 0, 0, floatBits(-0.0f));
  p0.halt();
  p0.code().debug = {{0, 3, 0}, {3, 4, 1}};
  p0.code().sramPeak = 8200;
  Asm p3(exe, 3);
  isa::MmaDesc m;
  m.k = 17;
  m.dtype = 1;
  p3.emit(Op::Mma, 3, 1, 2, p3.desc(isa::encode(m)));
  p3.halt();
  return exe;
}

void expectSame(const bin::Executable &a, const bin::Executable &b) {
  EXPECT_EQ(a.version, b.version);
  EXPECT_EQ(a.target.toSpec(), b.target.toSpec());
  EXPECT_EQ(a.source, b.source);
  EXPECT_EQ(a.hbmBytes, b.hbmBytes);
  EXPECT_EQ(a.names, b.names);
  EXPECT_EQ(a.routes, b.routes);
  ASSERT_EQ(a.inputs.size(), b.inputs.size());
  ASSERT_EQ(a.outputs.size(), b.outputs.size());
  for (size_t i = 0; i < a.outputs.size(); ++i) {
    EXPECT_EQ(a.outputs[i].name, b.outputs[i].name);
    EXPECT_EQ(a.outputs[i].dtype, b.outputs[i].dtype);
    EXPECT_EQ(a.outputs[i].shape, b.outputs[i].shape);
    EXPECT_EQ(a.outputs[i].hbmAddr, b.outputs[i].hbmAddr);
  }
  EXPECT_EQ(a.inputs[0].shape, b.inputs[0].shape);
  ASSERT_EQ(a.nodes.size(), b.nodes.size());
  for (size_t n = 0; n < a.nodes.size(); ++n) {
    const bin::NodeCode &x = a.nodes[n], &y = b.nodes[n];
    EXPECT_EQ(x.node, y.node);
    EXPECT_EQ(x.sramPeak, y.sramPeak);
    EXPECT_EQ(x.descs, y.descs);
    ASSERT_EQ(x.code.size(), y.code.size());
    for (size_t i = 0; i < x.code.size(); ++i) {
      const isa::Insn &p = x.code[i], &q = y.code[i];
      EXPECT_TRUE(p.op == q.op && p.a == q.a && p.b == q.b && p.c == q.c &&
                  p.d == q.d && p.imm == q.imm)
          << isa::format(p) << " vs " << isa::format(q);
    }
    ASSERT_EQ(x.sramInit.size(), y.sramInit.size());
    for (size_t i = 0; i < x.sramInit.size(); ++i) {
      EXPECT_EQ(x.sramInit[i].addr, y.sramInit[i].addr);
      EXPECT_EQ(x.sramInit[i].data, y.sramInit[i].data);
    }
    ASSERT_EQ(x.debug.size(), y.debug.size());
    for (size_t i = 0; i < x.debug.size(); ++i) {
      EXPECT_EQ(x.debug[i].beginPc, y.debug[i].beginPc);
      EXPECT_EQ(x.debug[i].endPc, y.debug[i].endPc);
      EXPECT_EQ(x.debug[i].name, y.debug[i].name);
    }
  }
}

TEST(Binary, RoundTripPreservesEveryField) {
  bin::Executable exe = richExe();
  ASSERT_EQ(bin::verify(exe), "");
  std::vector<uint8_t> bytes = bin::serialize(exe);
  ASSERT_GT(bytes.size(), 8u);
  EXPECT_EQ(std::string(bytes.begin() + 4, bytes.begin() + 8), "D1BN");
  bin::Executable back;
  std::string err;
  ASSERT_TRUE(bin::deserialize(bytes.data(), bytes.size(), back, err)) << err;
  expectSame(exe, back);
  // Serialization is deterministic: the same executable gives the same bytes.
  EXPECT_EQ(bin::serialize(back), bytes);
}

TEST(Binary, EveryTruncationIsRejected) {
  std::vector<uint8_t> bytes = bin::serialize(richExe());
  for (size_t n = 0; n < bytes.size(); ++n) {
    std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + long(n));
    bin::Executable out;
    std::string err;
    ASSERT_FALSE(bin::deserialize(cut.data(), n, out, err)) << n;
    EXPECT_EQ(err, "truncated or corrupt (" + std::to_string(n) + " bytes)");
  }
}

TEST(Binary, CorruptBytesNeverCrash) {
  // Flipping any single byte either still verifies or is rejected with a
  // message; it must never crash or accept an inconsistent executable.
  std::vector<uint8_t> bytes = bin::serialize(richExe());
  int rejected = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::vector<uint8_t> bad = bytes;
    bad[i] ^= 0x5a;
    bin::Executable out;
    std::string err;
    if (bin::deserialize(bad.data(), bad.size(), out, err)) {
      EXPECT_EQ(bin::verify(out), "");
    } else {
      EXPECT_FALSE(err.empty());
      EXPECT_EQ(err.find('\n'), std::string::npos);
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 0);
}

TEST(Binary, IdentifierVersionAndTargetAreChecked) {
  std::vector<uint8_t> bytes = bin::serialize(richExe());
  bin::Executable out;
  std::string err;
  std::vector<uint8_t> bad = bytes;
  bad[4] = 'X';
  EXPECT_FALSE(bin::deserialize(bad.data(), bad.size(), out, err));
  EXPECT_EQ(err, "not a dojo binary (missing D1BN identifier)");

  bin::Executable v2 = richExe();
  v2.version = bin::kFormatVersion + 1;
  bad = bin::serialize(v2);
  EXPECT_FALSE(bin::deserialize(bad.data(), bad.size(), out, err));
  EXPECT_EQ(err, "format version 2 is not supported (expected 1); recompile "
                 "the model");

  bin::Executable badTarget = richExe();
  badTarget.target.rows = 0;
  bad = bin::serialize(badTarget);
  EXPECT_FALSE(bin::deserialize(bad.data(), bad.size(), out, err));
  EXPECT_EQ(err.rfind("bad target description: ", 0), 0u) << err;
}

TEST(Binary, DeserializeRunsVerify) {
  bin::Executable exe = richExe();
  exe.routes[0] = {0, 3}; // not neighbours
  std::vector<uint8_t> bytes = bin::serialize(exe);
  bin::Executable out;
  std::string err;
  EXPECT_FALSE(bin::deserialize(bytes.data(), bytes.size(), out, err));
  EXPECT_EQ(err, "route 0 jumps from (0,0) to (1,1), which are not neighbours");
}

TEST(Binary, FilesRoundTripAndErrorsNameTheFile) {
  std::string dir = testing::TempDir();
  std::string path = dir + "/dojo-binary-test.d1";
  bin::Executable exe = richExe(), back;
  std::string err;
  ASSERT_TRUE(bin::writeExecutable(path, exe, err)) << err;
  ASSERT_TRUE(bin::readExecutable(path, back, err)) << err;
  expectSame(exe, back);

  // A truncated copy on disk.
  {
    std::vector<uint8_t> bytes = bin::serialize(exe);
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char *>(bytes.data()), 100);
  }
  EXPECT_FALSE(bin::readExecutable(path, back, err));
  EXPECT_EQ(err, path + ": truncated or corrupt (100 bytes)");
  std::remove(path.c_str());

  EXPECT_FALSE(bin::readExecutable(path, back, err));
  EXPECT_EQ(err, path + ": cannot open: No such file or directory");

  // Writing into a missing directory fails and leaves nothing behind.
  std::string missing = dir + "/no-such-dir-dojo/out.d1";
  EXPECT_FALSE(bin::writeExecutable(missing, exe, err));
  EXPECT_EQ(err.rfind(missing + ": cannot create: ", 0), 0u) << err;
}

} // namespace
