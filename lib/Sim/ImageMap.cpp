//===- ImageMap.cpp - Where a node's initial SRAM bytes came from ---------===//
#include "ImageMap.h"

#include <algorithm>
#include <numeric>

namespace dojo::sim::detail {

void ImageMap::build(const bin::Executable &exe, const bin::NodeCode &nc) {
  for (const bin::Segment &s : nc.sramInit)
    if (s.length > 0)
      add(s.addr, s.length, exe.bytesOf(s));
  finish();
}

void ImageMap::add(int64_t addr, int64_t length, const uint8_t *image) {
  starts_.push_back(addr);
  segs_.push_back(Seg{length, image});
}

void ImageMap::finish() {
  std::vector<size_t> order(starts_.size());
  std::iota(order.begin(), order.end(), size_t(0));
  std::sort(order.begin(), order.end(),
            [&](size_t x, size_t y) { return starts_[x] < starts_[y]; });
  std::vector<int64_t> starts;
  std::vector<Seg> segs;
  starts.reserve(order.size());
  segs.reserve(order.size());
  for (size_t i : order) {
    starts.push_back(starts_[i]);
    segs.push_back(segs_[i]);
  }
  starts_ = std::move(starts);
  segs_ = std::move(segs);
}

} // namespace dojo::sim::detail
