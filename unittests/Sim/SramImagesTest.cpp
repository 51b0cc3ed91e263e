//===- SramImagesTest.cpp - Initial SRAM images land byte for byte --------===//
#include "Machine.h"
#include "SramImages.h"
#include "TestUtil.h"

#include <thread>
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

TEST(SramImages, PlacedOnTwoThreadsByteForByte) {
  bin::Executable exe = test::makeExe();
  // Weights of eight pages and a bit, placed off page boundaries on all
  // four nodes, on two of them also elsewhere; a small segment across a
  // page boundary; and an empty one.
  uint32_t weights = exe.addBlob(pattern(8 * kPage + 100, 1));
  uint32_t small = exe.addBlob(pattern(kPage, 3));
  const int64_t at = 4096 + 40, other = 32 * kPage + 8;
  for (int node = 0; node < 4; ++node) {
    exe.nodes.emplace_back();
    bin::NodeCode &nc = exe.nodes.back();
    nc.node = node;
    nc.sramInit.push_back({at, weights, 0, 8 * kPage + 100});
    if (node < 2)
      nc.sramInit.push_back({other, weights, 64, 8 * kPage});
    nc.sramInit.push_back({60 * kPage + 3, small, 0, kPage});
    nc.sramInit.push_back({70 * kPage, small, 0, 0});
  }
  int64_t stride = (exe.target.sramBytes + 63) / 64 * 64;
  ZeroedBytes arena = allocateMapped(stride * exe.target.numNodes());
  // Nodes 0 and 2 on another thread, 1 and 3 on this one.
  std::thread other_thread([&] {
    placeSramImages(exe, 0, arena.get(), stride);
    placeSramImages(exe, 2, arena.get(), stride);
  });
  placeSramImages(exe, 1, arena.get(), stride);
  placeSramImages(exe, 3, arena.get(), stride);
  other_thread.join();
  expectImages(exe, arena.get(), stride);
}

} // namespace
