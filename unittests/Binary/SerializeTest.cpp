//===- SerializeTest.cpp - FlatBuffer round trips and corrupt inputs ------===//
#include "TestUtil.h"
#include "dojo/Binary/dojo_binary_generated.h"

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
    EXPECT_EQ(x.sramInitEnd, y.sramInitEnd);
    ASSERT_EQ(x.sramInit.size(), y.sramInit.size());
    for (size_t i = 0; i < x.sramInit.size(); ++i) {
      const bin::Segment &s = x.sramInit[i], &t = y.sramInit[i];
      EXPECT_EQ(s.addr, t.addr);
      ASSERT_EQ(s.length, t.length);
      EXPECT_EQ(std::memcmp(a.bytesOf(s), b.bytesOf(t), size_t(s.length)), 0);
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
  EXPECT_EQ(std::string(bytes.begin() + 8, bytes.begin() + 12), "D1BN");
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
    EXPECT_EQ(err.rfind("truncated or corrupt (" + std::to_string(n) + " bytes)",
                        0),
              0u)
        << err;
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
  bad[8] = 'X';
  EXPECT_FALSE(bin::deserialize(bad.data(), bad.size(), out, err));
  EXPECT_EQ(err, "not a dojo binary (missing D1BN identifier)");

  bin::Executable v3 = richExe();
  v3.version = bin::kFormatVersion + 1;
  bad = bin::serialize(v3);
  EXPECT_FALSE(bin::deserialize(bad.data(), bad.size(), out, err));
  EXPECT_EQ(err, "format version 3 is not supported (expected 2); recompile "
                 "the model");

  // Version 1 files were an unprefixed FlatBuffer (identifier at bytes
  // 4..7) whose root table began with the version.
  flatbuffers::FlatBufferBuilder fbb;
  auto start = fbb.StartTable();
  fbb.AddElement<uint32_t>(4, 1, 0);
  fbb.Finish(flatbuffers::Offset<flatbuffers::Table>(fbb.EndTable(start)),
             "D1BN");
  EXPECT_FALSE(bin::deserialize(fbb.GetBufferPointer(), fbb.GetSize(), out, err));
  EXPECT_EQ(err, "format version 1 is not supported (expected 2); recompile "
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
  EXPECT_EQ(err.rfind(path + ": truncated or corrupt (100 bytes)", 0), 0u)
      << err;
  std::remove(path.c_str());

  EXPECT_FALSE(bin::readExecutable(path, back, err));
  EXPECT_EQ(err, path + ": cannot open: No such file or directory");

  // Writing into a missing directory fails and leaves nothing behind.
  std::string missing = dir + "/no-such-dir-dojo/out.d1";
  EXPECT_FALSE(bin::writeExecutable(missing, exe, err));
  EXPECT_EQ(err.rfind(missing + ": cannot create: ", 0), 0u) << err;
}

/// The position of blob `i`'s struct in a serialized file.
size_t blobEntry(const std::vector<uint8_t> &bytes, size_t i) {
  const auto *root = fb::GetSizePrefixedBinary(bytes.data());
  return size_t(reinterpret_cast<const uint8_t *>(root->blobs()->Get(
                    flatbuffers::uoffset_t(i))) -
                bytes.data());
}

TEST(Binary, EqualBlobsAndProgramsAreStoredOnce) {
  // Four nodes with the same 4 KiB of weights and the same program: the
  // file holds the weights once.
  bin::Executable exe = makeExe();
  exe.inputs = {{"x", 1, {4}, 0}};
  std::vector<float> weights(1024);
  for (size_t i = 0; i < weights.size(); ++i)
    weights[i] = float(i) + 0.5f;
  for (int n = 0; n < 4; ++n) {
    Asm p(exe, n);
    p.data(4096, weights);
    p.halt();
  }
  std::vector<uint8_t> bytes = bin::serialize(exe);
  EXPECT_LT(bytes.size(), 2 * weights.size() * 4);
  const auto *root = fb::GetSizePrefixedBinary(bytes.data());
  ASSERT_EQ(root->blobs()->size(), 1u);
  EXPECT_EQ(root->data_bytes(), 4096);
  bin::Executable back;
  std::string err;
  ASSERT_TRUE(bin::deserialize(bytes.data(), bytes.size(), back, err)) << err;
  expectSame(exe, back);
}

TEST(Binary, ZeroRunsAreLeftOut) {
  std::vector<uint8_t> b(300, 0);
  b[10] = 1;
  b[20] = 2;  // a short zero run stays inside a range
  b[200] = 3; // a long one splits
  using R = std::vector<std::pair<int64_t, int64_t>>;
  EXPECT_EQ(bin::nonZeroRanges(b.data(), int64_t(b.size())),
            (R{{10, 21}, {200, 201}}));
  EXPECT_EQ(bin::nonZeroRanges(b.data(), 5), R{});
  EXPECT_EQ(bin::nonZeroRanges(b.data() + 10, 1), (R{{0, 1}}));
}

TEST(Binary, CorruptBlobTablesAreRejectedWithFileOffsets) {
  bin::Executable exe = richExe();
  std::vector<uint8_t> bytes = bin::serialize(exe);
  const auto *root = fb::GetSizePrefixedBinary(bytes.data());
  int64_t dataStart = int64_t(bytes.size()) - root->data_bytes();
  bin::Executable out;
  std::string err;

  std::vector<uint8_t> bad = bytes;
  int64_t huge = int64_t(1) << 40;
  std::memcpy(bad.data() + blobEntry(bad, 0) + 8, &huge, 8);
  EXPECT_FALSE(bin::deserialize(bad.data(), bad.size(), out, err));
  EXPECT_EQ(err, "blob 0 [0, +1099511627776) lies outside the 64-byte data "
                 "region at file offset " +
                     std::to_string(dataStart));

  // A cut inside the data region.
  EXPECT_FALSE(bin::deserialize(bytes.data(), bytes.size() - 8, out, err));
  EXPECT_EQ(err, "truncated or corrupt (" + std::to_string(bytes.size() - 8) +
                     " bytes): the header promises a 64-byte data region at "
                     "file offset " +
                     std::to_string(dataStart));

  // Segments read from a file quote where their blob lies.
  bin::Executable wide = richExe();
  wide.nodes[0].sramInit[0].length = 9;
  wide.nodes[0].sramInit[0].offset = 0;
  bad = bin::serialize(wide);
  EXPECT_FALSE(bin::deserialize(bad.data(), bad.size(), out, err));
  EXPECT_EQ(err, "node (0,0) SRAM segment 0 [4096, +9) takes [0, +9) of blob "
                 "0 at file offset " +
                     std::to_string(dataStart) + ", which has 8 bytes");
}

} // namespace
