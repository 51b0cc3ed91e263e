//===- SramImagesTest.cpp - Shared initial SRAM pages stay private --------===//
#include "Machine.h"
#include "SramImages.h"
#include "TestUtil.h"

#include <unistd.h>

using namespace dojo;
using namespace dojo::sim::detail;

namespace {

const int64_t kPage = int64_t(::sysconf(_SC_PAGESIZE));

std::vector<uint8_t> pattern(int64_t size, uint8_t seed) {
  std::vector<uint8_t> v(static_cast<size_t>(size));
  for (int64_t i = 0; i < size; ++i)
    v[size_t(i)] = uint8_t(seed + i * 7 + (i >> 9));
  return v;
}

/// Every byte of every node's SRAM is what copying the segments into zeroed
/// memory gives.
void expectImages(const bin::Executable &exe, const uint8_t *arena,
                  int64_t stride) {
  for (const bin::NodeCode &nc : exe.nodes) {
    std::vector<uint8_t> want(size_t(exe.target.sramBytes), 0);
    for (const bin::Segment &s : nc.sramInit)
      std::memcpy(want.data() + s.addr, exe.bytesOf(s), size_t(s.length));
    const uint8_t *sram = arena + int64_t(nc.node) * stride;
    EXPECT_EQ(std::memcmp(sram, want.data(), want.size()), 0)
        << "node " << nc.node;
  }
}

TEST(SramImages, ReplicatedRunsAreSharedCopyOnWrite) {
  bin::Executable exe = test::makeExe();
  // Weights of eight pages and a bit, placed off page boundaries on all
  // four nodes at the same address, on two of them also elsewhere; and a
  // run only one node uses.
  uint32_t weights = exe.addBlob(pattern(8 * kPage + 100, 1));
  uint32_t single = exe.addBlob(pattern(6 * kPage, 2));
  uint32_t small = exe.addBlob(pattern(kPage, 3));
  const int64_t at = 4096 + 40, other = 32 * kPage + 8;
  for (int node = 0; node < 4; ++node) {
    exe.nodes.emplace_back();
    bin::NodeCode &nc = exe.nodes.back();
    nc.node = node;
    nc.sramInit.push_back({at, weights, 0, 8 * kPage + 100});
    if (node < 2)
      nc.sramInit.push_back({other, weights, 64, 8 * kPage});
    if (node == 3)
      nc.sramInit.push_back({other, single, 0, 6 * kPage});
    nc.sramInit.push_back({60 * kPage + 3, small, 0, kPage});
  }
  int64_t stride = (exe.target.sramBytes + 63) / 64 * 64;
  ZeroedBytes arena = allocateMapped(stride * exe.target.numNodes());
  SramImages images(exe, arena.get(), stride);
  images.prepare();
  // Four segments at `at` share one run, two at `other` another; the
  // single-use and the small segments are copied.
  EXPECT_EQ(images.mappedSegments(), 6);
  EXPECT_EQ(images.fileBytes(), (7 + 7) * kPage);
  for (size_t i = 0; i < exe.nodes.size(); ++i)
    images.fill(i);
  expectImages(exe, arena.get(), stride);
  // Writing a shared page changes only the writer's SRAM.
  uint8_t *node2 = arena.get() + 2 * stride, *node3 = arena.get() + 3 * stride;
  const uint8_t want = node3[3 * kPage];
  node2[3 * kPage] = uint8_t(~want);
  EXPECT_EQ(node3[3 * kPage], want);
  EXPECT_EQ(arena.get()[3 * kPage], want);
  node2[3 * kPage] = want;
  expectImages(exe, arena.get(), stride);
}

} // namespace
