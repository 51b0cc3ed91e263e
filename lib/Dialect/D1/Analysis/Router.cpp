//===- Router.cpp - Deadlock-free static routing on the D1 mesh -----------===//
//
// Routing works on unique (src, dst) pairs: a model with ~100k transfers has
// far fewer distinct pairs on a 360-node mesh, and identical pairs must take
// the same path anyway so that their order on the wire is preserved.
//
// The route set always follows one legality rule whose channel dependency
// graph is acyclic, picked as the first that serves every pair:
//  1. XY for every pair, when no XY path crosses a disabled node;
//  2. XY where it is clear, and for the blocked pairs the shortest path of
//     one turn model that contains all XY turns (west-first, east-first,
//     north-last, south-last, tried in that order);
//  3. up*/down* shortest paths for every pair, which exist between any two
//     connected nodes.
// The channel graph then re-checks the result, and the negotiated router
// starts from it.
//
//===----------------------------------------------------------------------===//

#include "dojo/Dialect/D1/Analysis/Router.h"
#include "RouterInternal.h"

#include <algorithm>
#include <unordered_map>

using namespace dojo;
using namespace dojo::d1;
using namespace dojo::d1::detail;

namespace {

/// Checks the request's endpoints and size; returns "" or the problem.
std::string checkRequest(const Mesh &mesh, const RouteRequest &r) {
  for (int id : {r.src, r.dst})
    if (id < 0 || id >= mesh.numNodes)
      return "node id " + std::to_string(id) + " is outside the " +
             std::to_string(mesh.rows) + "x" + std::to_string(mesh.cols) +
             " mesh";
  if (!mesh.enabled[r.src])
    return "source node " + mesh.coordText(r.src) + " is disabled";
  if (!mesh.enabled[r.dst])
    return "destination node " + mesh.coordText(r.dst) + " is disabled";
  if (r.bytes < 0)
    return "byte count " + std::to_string(r.bytes) + " is negative";
  return "";
}

std::string describe(const Mesh &mesh, size_t index, const RouteRequest &r) {
  bool inRange = r.src >= 0 && r.src < mesh.numNodes && r.dst >= 0 &&
                 r.dst < mesh.numNodes;
  std::string text = "cannot route transfer " + std::to_string(index);
  if (inRange)
    text += " from " + mesh.coordText(r.src) + " to " + mesh.coordText(r.dst);
  return text + ": ";
}

/// Groups the given pairs by source so that one search per source serves
/// all its destinations.
template <typename MakeSearch>
bool routeBySource(const PairSet &pairs, std::vector<int> ids,
                   std::vector<std::vector<int>> &out, MakeSearch makeSearch,
                   int *unroutable) {
  std::stable_sort(ids.begin(), ids.end(),
                   [&](int a, int b) { return pairs.src[a] < pairs.src[b]; });
  for (size_t k = 0; k < ids.size();) {
    auto search = makeSearch(pairs.src[ids[k]]);
    for (int src = pairs.src[ids[k]];
         k < ids.size() && pairs.src[ids[k]] == src; ++k) {
      out[ids[k]] = search.pathTo(pairs.dst[ids[k]]);
      if (out[ids[k]].empty()) {
        *unroutable = ids[k];
        return false;
      }
    }
  }
  return true;
}

/// Fills pairs.path following the tiers above; returns "" or the reason the
/// pair `*failedPair` cannot be routed.
std::string routePairs(const Mesh &mesh, PairSet &pairs, int *failedPair) {
  std::vector<int> blocked;
  for (size_t p = 0; p < pairs.size(); ++p) {
    pairs.path[p] = xyPath(mesh, pairs.src[p], pairs.dst[p]);
    if (pairs.path[p].empty())
      blocked.push_back(int(p));
  }
  if (blocked.empty())
    return "";
  for (unsigned forbidden : {kWestFirstForbidden, kEastFirstForbidden,
                             kNorthLastForbidden, kSouthLastForbidden}) {
    std::vector<std::vector<int>> detours(pairs.size());
    int unroutable = -1;
    if (!routeBySource(
            pairs, blocked, detours,
            [&](int src) {
              return SourceSearch::turnModel(mesh, src, forbidden);
            },
            &unroutable))
      continue;
    for (int p : blocked)
      pairs.path[p] = std::move(detours[p]);
    return "";
  }
  std::vector<int64_t> ranks = upDownRanks(mesh);
  std::vector<int> all(pairs.size());
  for (size_t p = 0; p < pairs.size(); ++p)
    all[p] = int(p);
  if (routeBySource(
          pairs, all, pairs.path,
          [&](int src) { return SourceSearch::upDown(mesh, src, ranks); },
          failedPair))
    return "";
  return "no path from " + mesh.coordText(pairs.src[*failedPair]) + " to " +
         mesh.coordText(pairs.dst[*failedPair]) + " over enabled nodes";
}

} // namespace

int dojo::d1::linkIndex(const TargetModel &target, int from, int to) {
  int n = target.numNodes();
  if (from < 0 || from >= n || to < 0 || to >= n)
    return -1;
  Coord a = target.coord(from), b = target.coord(to);
  if (b.row == a.row - 1 && b.col == a.col)
    return from * 4 + North;
  if (b.row == a.row && b.col == a.col + 1)
    return from * 4 + East;
  if (b.row == a.row + 1 && b.col == a.col)
    return from * 4 + South;
  if (b.row == a.row && b.col == a.col - 1)
    return from * 4 + West;
  return -1;
}

RoutingResult dojo::d1::routeTransfers(const TargetModel &target,
                                       const std::vector<RouteRequest> &reqs,
                                       const RouterOptions &options) {
  RoutingResult result;
  std::string bad = target.validate();
  if (!bad.empty()) {
    result.error = "cannot route on an invalid target: " + bad;
    return result;
  }
  Mesh mesh(target);
  for (size_t i = 0; i < reqs.size(); ++i) {
    std::string why = checkRequest(mesh, reqs[i]);
    if (!why.empty()) {
      result.error = describe(mesh, i, reqs[i]) + why;
      return result;
    }
  }

  // Deduplicate: pairOf[i] is the pair of request i.
  PairSet pairs;
  std::vector<int> pairOf(reqs.size());
  std::unordered_map<int64_t, int> pairIds;
  pairIds.reserve(reqs.size());
  for (size_t i = 0; i < reqs.size(); ++i) {
    int64_t key = int64_t(reqs[i].src) * mesh.numNodes + reqs[i].dst;
    auto [it, inserted] = pairIds.try_emplace(key, int(pairs.size()));
    if (inserted) {
      pairs.src.push_back(reqs[i].src);
      pairs.dst.push_back(reqs[i].dst);
      pairs.bytes.push_back(0);
      pairs.path.emplace_back();
    }
    pairOf[i] = it->second;
    pairs.bytes[it->second] += reqs[i].bytes;
  }

  int failedPair = -1;
  std::string why = routePairs(mesh, pairs, &failedPair);
  if (!why.empty()) {
    for (size_t i = 0; i < reqs.size(); ++i)
      if (pairOf[i] == failedPair) {
        result.error = describe(mesh, i, reqs[i]) + why;
        break;
      }
    return result;
  }
  // Every tier is deadlock free by construction; the graph re-checks it and
  // is the starting state of the negotiated router.
  ChannelGraph graph(mesh);
  for (size_t p = 0; p < pairs.size(); ++p)
    if (!graph.tryAdd(pairs.path[p])) {
      result.error = "internal error: routes from " +
                     mesh.coordText(pairs.src[p]) + " to " +
                     mesh.coordText(pairs.dst[p]) +
                     " close a channel dependency cycle";
      return result;
    }
  if (options.algorithm == RoutingAlgorithm::Negotiated)
    negotiateCongestion(mesh, pairs, graph, options.maxIterations);

  result.ok = true;
  result.linkBytes.assign(mesh.numLinks(), 0);
  result.paths.resize(reqs.size());
  for (size_t i = 0; i < reqs.size(); ++i) {
    result.paths[i] = pairs.path[pairOf[i]];
    for (int link : pathLinks(mesh, result.paths[i]))
      result.linkBytes[link] += reqs[i].bytes;
  }
  result.maxLinkBytes =
      *std::max_element(result.linkBytes.begin(), result.linkBytes.end());
  return result;
}

std::string dojo::d1::verifyRoutes(const TargetModel &target,
                                   const std::vector<RouteRequest> &reqs,
                                   const RoutingResult &result) {
  Mesh mesh(target);
  if (result.paths.size() != reqs.size())
    return "result has " + std::to_string(result.paths.size()) + " paths for " +
           std::to_string(reqs.size()) + " requests";
  std::vector<int64_t> linkBytes(mesh.numLinks(), 0);
  for (size_t i = 0; i < reqs.size(); ++i) {
    const std::vector<int> &path = result.paths[i];
    const RouteRequest &r = reqs[i];
    std::string where = "path " + std::to_string(i);
    if (path.empty())
      return where + " is empty";
    for (int id : path) {
      if (id < 0 || id >= mesh.numNodes)
        return where + " visits node id " + std::to_string(id) +
               ", outside the mesh";
      if (!mesh.enabled[id])
        return where + " crosses disabled node " + mesh.coordText(id);
    }
    if (path.front() != r.src || path.back() != r.dst)
      return where + " runs from " + mesh.coordText(path.front()) + " to " +
             mesh.coordText(path.back()) + " instead of " +
             mesh.coordText(r.src) + " to " + mesh.coordText(r.dst);
    std::vector<int> links = pathLinks(mesh, path);
    for (size_t k = 0; k < links.size(); ++k) {
      if (links[k] < 0)
        return where + " steps from " + mesh.coordText(path[k]) + " to " +
               mesh.coordText(path[k + 1]) + ", which are not neighbours";
      linkBytes[links[k]] += r.bytes;
    }
  }
  if (result.linkBytes != linkBytes)
    return "linkBytes does not match the bytes carried by the paths";
  int64_t maxBytes = 0;
  for (int64_t b : linkBytes)
    maxBytes = std::max(maxBytes, b);
  if (result.maxLinkBytes != maxBytes)
    return "maxLinkBytes is " + std::to_string(result.maxLinkBytes) +
           " but the busiest link carries " + std::to_string(maxBytes);
  return "";
}

bool dojo::d1::isDeadlockFree(const TargetModel &target,
                              const std::vector<std::vector<int>> &paths) {
  Mesh mesh(target);
  int numLinks = mesh.numLinks();
  // deps[a] has bit d set if some path goes from link a onto the link that
  // leaves a's target node in direction d.
  std::vector<unsigned char> deps(numLinks, 0);
  for (const std::vector<int> &path : paths) {
    std::vector<int> links = pathLinks(mesh, path);
    for (size_t k = 1; k < links.size(); ++k)
      if (links[k - 1] >= 0 && links[k] >= 0)
        deps[links[k - 1]] |= 1u << (links[k] % 4);
  }
  // Kahn's algorithm: the graph is acyclic iff every link gets removed.
  std::vector<int> indegree(numLinks, 0), ready;
  auto forEachSucc = [&](int link, auto fn) {
    int node = mesh.linkTarget(link);
    for (int d = 0; d < 4; ++d)
      if (deps[link] & (1u << d))
        fn(node * 4 + d);
  };
  for (int a = 0; a < numLinks; ++a)
    forEachSucc(a, [&](int b) { ++indegree[b]; });
  for (int a = 0; a < numLinks; ++a)
    if (indegree[a] == 0)
      ready.push_back(a);
  int removed = 0;
  while (!ready.empty()) {
    int a = ready.back();
    ready.pop_back();
    ++removed;
    forEachSucc(a, [&](int b) {
      if (--indegree[b] == 0)
        ready.push_back(b);
    });
  }
  return removed == numLinks;
}
