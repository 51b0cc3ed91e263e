//===- RouterInternal.h - Mesh, channel graph and path searches -----------===//
//
// Private to lib/Dialect/D1/Analysis. The XY router and the negotiated
// router share the mesh view, the incremental channel dependency graph that
// keeps every accepted path set deadlock free, and the per-pair bookkeeping.
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_LIB_DIALECT_D1_ANALYSIS_ROUTERINTERNAL_H
#define DOJO_LIB_DIALECT_D1_ANALYSIS_ROUTERINTERNAL_H

#include "dojo/Dialect/D1/Analysis/Router.h"

#include <array>

namespace dojo::d1::detail {

/// A dense view of the mesh: enabled flags and neighbour lookups by
/// direction (N, E, S, W as in LinkDir).
class Mesh {
public:
  explicit Mesh(const TargetModel &target);
  int rows, cols, numNodes;
  std::vector<char> enabled;
  int row(int id) const { return id / cols; }
  int col(int id) const { return id % cols; }
  /// The neighbour of `id` in direction `dir`, or -1 off the mesh.
  int neighbor(int id, int dir) const;
  /// "(row,col)" for messages.
  std::string coordText(int id) const;
  int numLinks() const { return 4 * numNodes; }
  /// The node a link leads to.
  int linkTarget(int link) const { return neighbor(link / 4, link % 4); }
};

/// Directed links of a path (empty for a one-node path); -1 entries mark
/// steps between non-neighbours.
std::vector<int> pathLinks(const Mesh &mesh, const std::vector<int> &path);

/// The dimension-ordered path, or an empty vector if it crosses a disabled
/// node.
std::vector<int> xyPath(const Mesh &mesh, int src, int dst);

/// Turn models, as bit masks of forbidden turns: bit (in * 4 + out) forbids
/// turning from travelling in direction `in` to direction `out`. Each of
/// these four contains every turn XY routing makes (Glass and Ni, 1992).
unsigned turnBit(int in, int out);
extern const unsigned kWestFirstForbidden, kEastFirstForbidden,
    kNorthLastForbidden, kSouthLastForbidden;

/// Breadth-first search from one source over (node, incoming direction)
/// states, so that every destination's shortest legal path comes from one
/// search. Legality is either a turn model or up*/down* routing.
class SourceSearch {
public:
  /// Paths whose turns avoid `forbiddenTurns`.
  static SourceSearch turnModel(const Mesh &mesh, int src,
                                unsigned forbiddenTurns);
  /// Up*/down* paths (Autonet): a link is "up" if it leads to a node closer
  /// to `ranks`' root; a legal path never takes an up link after a down link.
  static SourceSearch upDown(const Mesh &mesh, int src,
                             const std::vector<int64_t> &ranks);
  /// The shortest legal path to dst, or an empty vector.
  std::vector<int> pathTo(int dst) const;

private:
  SourceSearch(const Mesh &mesh, int src) : mesh(mesh), src(src) {}
  template <typename Forbid> void run(Forbid forbid);
  const Mesh &mesh;
  int src;
  std::vector<int> parent;
};

/// Up*/down* ranks: (BFS level from the first enabled node, node id), so
/// that a link u -> v is "up" iff rank[v] < rank[u]. Disabled or unreachable
/// nodes get rank -1.
std::vector<int64_t> upDownRanks(const Mesh &mesh);

/// The channel dependency graph of the accepted paths, with a reference
/// count per dependency so paths can be ripped up. It stays acyclic: tryAdd
/// refuses a path that would close a cycle.
class ChannelGraph {
public:
  explicit ChannelGraph(const Mesh &mesh);
  /// Adds the dependencies of `path` unless one would close a cycle; then
  /// nothing is added and false is returned, with the offending dependency
  /// (link, next link) in `*conflict` if given.
  bool tryAdd(const std::vector<int> &path,
              std::pair<int, int> *conflict = nullptr);
  void remove(const std::vector<int> &path);

private:
  /// True if `to` can be reached from `from` along dependencies.
  bool reaches(int from, int to);
  const Mesh &mesh;
  /// count[link][d]: paths that go from `link` onto the link leaving its
  /// target node in direction d.
  std::vector<std::array<int, 4>> count;
  std::vector<int> seen, stack;
  int stamp = 0;
};

/// Unique (src, dst) pairs with their total bytes and current path.
struct PairSet {
  std::vector<int> src, dst;
  std::vector<int64_t> bytes;
  std::vector<std::vector<int>> path;
  size_t size() const { return src.size(); }
};

/// PathFinder-style rip-up and reroute of the pairs that have a choice of
/// minimal west-first paths. Leaves the best path set found (never worse in
/// maximum link load than the input) in `pairs`; `graph` must hold the
/// dependencies of exactly the input paths.
void negotiateCongestion(const Mesh &mesh, PairSet &pairs, ChannelGraph &graph,
                         int maxIterations);

} // namespace dojo::d1::detail

#endif // DOJO_LIB_DIALECT_D1_ANALYSIS_ROUTERINTERNAL_H
