//===- RouteTable.h - Every route's links, precomputed --------------------===//
//
// Private to lib/Sim. A DMA between SRAMs occupies each directed link of its
// compiled route (a list of node ids). The timing side looks the links up
// for every transfer, usually with the route out of the host's caches, so
// they are computed once per route into records [hops, link 0, link 1, ...]
// (link = node id * 4 + {north, east, south, west}). Records take a fixed
// stride (the longest route's) unless that would take much memory, so that
// a record's address follows from the route index alone and can be
// prefetched without first loading an offset (r3d_18 on d1: 90k routes of
// up to 36 hops, 13 MB, of which a transfer touches one or two lines);
// otherwise they are packed and found through an offset table.
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_LIB_SIM_ROUTETABLE_H
#define DOJO_LIB_SIM_ROUTETABLE_H

#include "dojo/Target/TargetModel.h"

#include <cstdint>
#include <vector>

namespace dojo::sim::detail {

/// Index of the directed link leaving `from` towards its mesh neighbour
/// `to`: from * 4 + {north, east, south, west} (Dma.cpp).
int linkIndex(const TargetModel &t, int from, int to);

class RouteTable {
public:
  /// Fixed-stride records are used if they take at most this many bytes,
  /// or four times the packed size.
  static constexpr int64_t kFixedBytes = int64_t(64) << 20;

  /// Computes the records of `routes` (verified: consecutive ids are mesh
  /// neighbours) on mesh `t`.
  void build(const TargetModel &t, const std::vector<std::vector<int>> &routes,
             int64_t fixedBytes = kFixedBytes);
  bool built() const { return built_; }
  /// Route `r`'s record: its hop count, then its links.
  const int32_t *record(int64_t r) const {
    return links_.data() + (stride_ ? r * stride_ : start_[size_t(r)]);
  }
  /// The record's stride in int32s; 0 if records are packed.
  int64_t stride() const { return stride_; }

private:
  std::vector<int32_t> links_;
  std::vector<int64_t> start_; ///< packed records only
  int64_t stride_ = 0;
  bool built_ = false;
};

} // namespace dojo::sim::detail

#endif // DOJO_LIB_SIM_ROUTETABLE_H
