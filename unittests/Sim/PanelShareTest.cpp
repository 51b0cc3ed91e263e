//===- PanelShareTest.cpp - Weight panels shared by their load image ------===//
//
// Nodes that hold copies of the same image bytes share one packed A panel
// per cache while their copies are unwritten; a node that wrote its copy
// must see its own bytes, and the others must keep seeing the image's.
//
//===----------------------------------------------------------------------===//
#include "DataOps.h"
#include "FloatFormats.h"

#include <cstring>
#include <gtest/gtest.h>
#include <random>

using namespace dojo;
using namespace dojo::sim::detail;

namespace {

constexpr int64_t kK = 40;

/// A BF16 Mma over k-contiguous BF16 operands, the convolution layout.
isa::MmaDesc convDesc() {
  isa::MmaDesc d;
  d.m = 8;
  d.n = 8;
  d.k = kK;
  d.aSi = 2 * kK;
  d.aSk = 2;
  d.bSk = 2;
  d.bSj = 2 * 16;
  d.dtype = 1;
  d.aStorage = 1;
  d.bStorage = 1;
  return d;
}

/// Random BF16 values.
std::vector<uint8_t> randomBF16(size_t bytes, unsigned seed) {
  std::vector<uint8_t> v(bytes);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
  for (size_t i = 0; i + 2 <= bytes; i += 2) {
    const uint16_t h = floatToBF16Bits(dist(rng));
    std::memcpy(v.data() + i, &h, 2);
  }
  return v;
}

/// One node: an SRAM holding `image` at `at` (as one segment, or split in
/// two at `at + split` when `split` is not 0) and a B window at kB.
struct Node {
  static constexpr int64_t kB = 32 * 1024;
  std::vector<uint8_t> sram = std::vector<uint8_t>(64 * 1024, 0);
  SramWrites writes;
  Decoded dd;
  Node(const std::vector<uint8_t> &image, int64_t at, int64_t split = 0) {
    writes.init(int64_t(sram.size()));
    std::memcpy(sram.data() + at, image.data(), image.size());
    const int64_t len = int64_t(image.size());
    if (split) {
      writes.image.add(at, split, image.data());
      writes.image.add(at + split, len - split, image.data() + split);
    } else {
      writes.image.add(at, len, image.data());
    }
    writes.image.finish();
    std::vector<uint8_t> window = randomBF16(4096, 11);
    std::memcpy(sram.data() + kB, window.data(), window.size());
    dd.kind = isa::DescKind::Mma;
    dd.mma = convDesc();
    dd.mmaKernel = selectMmaKernel(dd.mma);
    dd.panels = selectMmaPanelKernels(dd.mma);
  }
  std::vector<float> run(int64_t a, PanelCache *cache) {
    std::vector<float> acc(64, 0.0f);
    runMma(dd, acc.data(), sram.data(), a, kB, writes, cache);
    return acc;
  }
};

} // namespace

TEST(SimImageMap, FindsTheOneSegmentHoldingARange) {
  std::vector<uint8_t> img(1000);
  ImageMap m;
  // Out of order, as nothing promises the binary sorts them.
  m.add(400, 100, img.data() + 600);
  m.add(100, 100, img.data());
  m.add(200, 100, img.data() + 300);
  m.finish();
  EXPECT_EQ(m.source(150, 200), img.data() + 50);
  EXPECT_EQ(m.source(100, 101), img.data());
  EXPECT_EQ(m.source(200, 300), img.data() + 300);
  EXPECT_EQ(m.source(450, 500), img.data() + 650);
  // Straddling adjacent segments, in a gap of zeros, before, after.
  EXPECT_EQ(m.source(150, 201), nullptr);
  EXPECT_EQ(m.source(300, 350), nullptr);
  EXPECT_EQ(m.source(250, 450), nullptr);
  EXPECT_EQ(m.source(50, 60), nullptr);
  EXPECT_EQ(m.source(450, 501), nullptr);
  EXPECT_EQ(m.source(600, 700), nullptr);
  EXPECT_EQ(ImageMap().source(0, 10), nullptr);
}

TEST(SimPanelShare, NodesWithTheSameImageShareWeightPanels) {
  const std::vector<uint8_t> image = randomBF16(8192, 5);
  // The same image at different SRAM addresses: keyed by the image bytes.
  Node x(image, 4096), y(image, 12288);
  PanelCache cache;
  EXPECT_EQ(x.run(4096 + 512, &cache), x.run(4096 + 512, nullptr));
  EXPECT_EQ(cache.packs(), 2); // A and B
  EXPECT_EQ(y.run(12288 + 512, &cache), y.run(12288 + 512, nullptr));
  EXPECT_EQ(cache.packs(), 3); // only y's B
  // Another offset into the image is another panel.
  EXPECT_EQ(y.run(12288 + 514, &cache), y.run(12288 + 514, nullptr));
  EXPECT_EQ(cache.packs(), 4);
  // A panel straddling two segments is not shared, whatever the bytes.
  Node z(image, 4096, 600);
  EXPECT_EQ(z.run(4096 + 512, &cache), z.run(4096 + 512, nullptr));
  EXPECT_EQ(cache.packs(), 6);
}

TEST(SimPanelShare, AWrittenCopyIsNotShared) {
  const std::vector<uint8_t> image = randomBF16(8192, 5);
  Node x(image, 4096), y(image, 4096);
  const int64_t a = 4096 + 512;
  PanelCache cache;
  const std::vector<float> orig = x.run(a, &cache);
  // y overwrites one weight of its copy: its next Mma must see the new
  // value, not the panel x packed from the image.
  const uint16_t big = floatToBF16Bits(100.0f);
  std::memcpy(y.sram.data() + a + 2 * 3, &big, 2);
  y.writes.mark(a + 6, a + 8);
  const std::vector<float> fresh = y.run(a, nullptr);
  EXPECT_NE(fresh, orig);
  EXPECT_EQ(y.run(a, &cache), fresh);
  // x's copy is still the image, and so is the shared panel.
  const int64_t packs = cache.packs();
  EXPECT_EQ(x.run(a, &cache), orig);
  EXPECT_EQ(cache.packs(), packs);
  // Now x, which packed the shared panel, writes its copy (recorded):
  // x repacks, while a third node with the image still gets the image's.
  std::memcpy(x.sram.data() + a, &big, 2);
  x.writes.mark(a, a + 2);
  EXPECT_EQ(x.run(a, &cache), x.run(a, nullptr));
  EXPECT_NE(x.run(a, nullptr), orig);
  Node w(image, 4096);
  EXPECT_EQ(w.run(a, &cache), orig);
}
