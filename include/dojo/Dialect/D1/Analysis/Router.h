//===- Router.h - Static NoC routing on the D1 mesh -------------*- C++ -*-===//
//
// A pass-free router for node-to-node transfers over the 2-D mesh described
// by dojo::TargetModel. Every route avoids disabled nodes, and the set of all
// routes returned together is deadlock free: its channel dependency graph
// (each directed link -> the next link of every path using it) is acyclic.
// Plain C++ (no MLIR); the D1 passes call it and attach the paths to the IR.
// See docs/algorithms.md for the algorithms and what they guarantee.
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_DIALECT_D1_ANALYSIS_ROUTER_H
#define DOJO_DIALECT_D1_ANALYSIS_ROUTER_H

#include "dojo/Target/TargetModel.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dojo::d1 {

/// One transfer between two node ids (TargetModel::nodeId).
struct RouteRequest {
  int src = 0, dst = 0;
  int64_t bytes = 0;
};

enum class RoutingAlgorithm {
  /// Dimension-ordered: columns first, then rows. If some XY path crosses a
  /// disabled node, the blocked pairs take the shortest path of one turn
  /// model that contains XY; if no such model serves them all, every pair
  /// takes an up*/down* shortest path instead (docs/algorithms.md).
  XY,
  /// PathFinder-style negotiated congestion over minimal west-first paths,
  /// starting from the XY routes and never ending worse than them.
  Negotiated,
};

struct RouterOptions {
  RoutingAlgorithm algorithm = RoutingAlgorithm::XY;
  /// Rip-up-and-reroute iterations of the negotiated router.
  int maxIterations = 30;
};

struct RoutingResult {
  bool ok = false;
  /// One line naming the first request that could not be routed.
  std::string error;
  /// One path per request: node ids, src first, dst last; {src} if
  /// src == dst. Identical (src, dst) pairs share the same path.
  std::vector<std::vector<int>> paths;
  /// Bytes carried by each directed link, indexed by linkIndex
  /// (size 4 * numNodes).
  std::vector<int64_t> linkBytes;
  int64_t maxLinkBytes = 0;
};

/// Link directions, in the order used by linkIndex.
enum LinkDir : int { North = 0, East = 1, South = 2, West = 3 };

/// The directed link from node `from` to its neighbour `to`:
/// from * 4 + direction (N, E, S, W). Returns -1 if they are not neighbours
/// on the mesh or either id is out of range.
int linkIndex(const TargetModel &target, int from, int to);

/// Routes every request; see RoutingAlgorithm. Fails (ok = false) on an
/// out-of-range or disabled endpoint, an unreachable destination, a negative
/// byte count, or a detour that cannot be made deadlock free.
RoutingResult routeTransfers(const TargetModel &target,
                             const std::vector<RouteRequest> &requests,
                             const RouterOptions &options = {});

/// Returns "" if every path joins its request's endpoints through
/// neighbouring enabled nodes and linkBytes/maxLinkBytes match the paths;
/// else a one-line description of the first problem.
std::string verifyRoutes(const TargetModel &target,
                         const std::vector<RouteRequest> &requests,
                         const RoutingResult &result);

/// True if the channel dependency graph of `paths` is acyclic. Steps between
/// non-neighbours are not links and are ignored (verifyRoutes rejects them).
bool isDeadlockFree(const TargetModel &target,
                    const std::vector<std::vector<int>> &paths);

} // namespace dojo::d1

#endif // DOJO_DIALECT_D1_ANALYSIS_ROUTER_H
