//===- ImageMap.h - Where a node's initial SRAM bytes came from -----------===//
//
// Private to lib/Sim. A node's SRAM starts as copies of blob bytes in the
// binary (bin::NodeCode::sramInit, placed by SramImages.cpp). Weights are
// replicated over many nodes (r3d_18: 289 MB of SRAM images from 67 MB of
// blobs), so while a node has not written an SRAM range since loading, the
// range's bytes are those at a known address of the binary's mapping, which
// other nodes holding the same weights share. The Mma panel cache keys
// such ranges by that address so that nodes share their packed panels
// (MmaCache.h).
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_LIB_SIM_IMAGEMAP_H
#define DOJO_LIB_SIM_IMAGEMAP_H

#include "dojo/Binary/Executable.h"

#include <cstdint>
#include <vector>

namespace dojo::sim::detail {

/// A node's SRAM image segments, sorted by address, for finding the one
/// that holds a range.
class ImageMap {
public:
  /// Records the segments of `nc` (whose bytes `exe` holds).
  void build(const bin::Executable &exe, const bin::NodeCode &nc);
  /// Adds a segment of `length` bytes at SRAM address `addr`, loaded from
  /// `image`. Segments must not overlap; call finish() after the last.
  void add(int64_t addr, int64_t length, const uint8_t *image);
  /// Sorts the segments by address.
  void finish();

  /// The image bytes that SRAM bytes [lo, hi) were loaded from, or null if
  /// no single segment holds the whole range (it straddles segments or
  /// includes bytes that were zero at load, which segments leave out).
  /// Whether the node wrote the range since is the caller's question.
  const uint8_t *source(int64_t lo, int64_t hi) const {
    if (starts_.empty() || lo < starts_.front() || hi <= lo)
      return nullptr;
    // The last segment starting at or before lo, by binary search.
    size_t a = 0, b = starts_.size();
    while (b - a > 1) {
      const size_t mid = (a + b) / 2;
      if (starts_[mid] <= lo)
        a = mid;
      else
        b = mid;
    }
    const Seg &s = segs_[a];
    if (hi > starts_[a] + s.length)
      return nullptr;
    return s.image + (lo - starts_[a]);
  }

private:
  struct Seg {
    int64_t length;
    const uint8_t *image;
  };
  std::vector<int64_t> starts_; ///< by segment (kept apart: searched alone)
  std::vector<Seg> segs_;
};

} // namespace dojo::sim::detail

#endif // DOJO_LIB_SIM_IMAGEMAP_H
