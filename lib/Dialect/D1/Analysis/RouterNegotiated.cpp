//===- RouterNegotiated.cpp - PathFinder-style congestion negotiation -----===//
//
// PathFinder (McMurchie and Ebeling, 1995) routes every net, then repeatedly
// rips up and reroutes the nets that use overused resources, with a cost
// that grows with present congestion and with the history of congestion on
// each resource, until no resource is overused. Here a "net" is one unique
// (src, dst) pair with its total bytes, a resource is a directed link, and
// its capacity is a target load T that is lowered each time it is met, so
// the loop drives the maximum link load down.
//
// Paths are restricted to minimal west-first paths: pairs whose destination
// lies strictly east (and on another row) choose any monotone staircase of
// east and vertical hops; all others keep their XY or detour path. Every
// reroute also goes through the channel dependency graph, so the path set is
// deadlock free at every step. The best set seen (lowest maximum load, then
// lowest total) is kept, and the XY set is the first candidate, so the
// result is never worse than XY.
//
//===----------------------------------------------------------------------===//

#include "RouterInternal.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace dojo;
using namespace dojo::d1;
using namespace dojo::d1::detail;

namespace {

/// Present-congestion factor schedule and history increment, the usual
/// PathFinder shape: cheap at first so nets spread, then firm.
constexpr double kPresentStart = 0.5, kPresentGrowth = 1.5;
constexpr double kHistoryStep = 0.3;
/// Each met target is lowered to this fraction of the achieved maximum.
constexpr double kTargetShrink = 0.9;
/// Stop after this many iterations without a better maximum.
constexpr int kPatience = 10;

class Negotiator {
public:
  Negotiator(const Mesh &mesh, PairSet &pairs, ChannelGraph &graph)
      : mesh(mesh), pairs(pairs), graph(graph), load(mesh.numLinks(), 0),
        history(mesh.numLinks(), 0.0) {
    for (size_t p = 0; p < pairs.size(); ++p) {
      for (int link : pathLinks(mesh, pairs.path[p]))
        load[link] += pairs.bytes[p];
      int sr = mesh.row(pairs.src[p]), dr = mesh.row(pairs.dst[p]);
      if (mesh.col(pairs.dst[p]) > mesh.col(pairs.src[p]) && sr != dr &&
          pairs.bytes[p] > 0)
        adaptive.push_back(int(p));
    }
    // Heavy pairs first: they are the hardest to fit.
    std::stable_sort(adaptive.begin(), adaptive.end(), [&](int a, int b) {
      return pairs.bytes[a] > pairs.bytes[b];
    });
  }

  void run(int maxIterations) {
    int64_t lower = lowerBound();
    int64_t bestMax = maxLoad(), bestTotal = totalLoad();
    std::vector<std::vector<int>> best = snapshot();
    int64_t target = std::max(lower, int64_t(kTargetShrink * double(bestMax)));
    double present = kPresentStart;
    int sinceBest = 0;
    for (int it = 0; it < maxIterations && bestMax > lower; ++it) {
      for (int p : adaptive)
        if (touchesOverused(p, target))
          reroute(p, target, present);
      for (size_t l = 0; l < load.size(); ++l)
        if (load[l] > target)
          history[l] +=
              kHistoryStep * double(load[l] - target) / double(target);
      present *= kPresentGrowth;

      int64_t now = maxLoad(), total = totalLoad();
      if (now < bestMax || (now == bestMax && total < bestTotal)) {
        sinceBest = now < bestMax ? 0 : sinceBest + 1;
        bestMax = now;
        bestTotal = total;
        best = snapshot();
      } else if (++sinceBest >= kPatience) {
        break;
      }
      // A met target is replaced by a tighter one, and the congestion
      // pressure restarts so that nets can move freely towards it.
      if (now <= target) {
        target = std::max(
            lower, std::min(target - 1, int64_t(kTargetShrink * double(now))));
        present = kPresentStart;
      }
    }
    for (size_t k = 0; k < adaptive.size(); ++k)
      pairs.path[adaptive[k]] = std::move(best[k]);
  }

private:
  /// No routing can beat the heaviest single pair, nor the traffic a node
  /// injects or ejects spread evenly over its enabled neighbours.
  int64_t lowerBound() const {
    std::vector<int64_t> out(mesh.numNodes, 0), in(mesh.numNodes, 0);
    int64_t bound = 1;
    for (size_t p = 0; p < pairs.size(); ++p) {
      if (pairs.src[p] == pairs.dst[p])
        continue;
      out[pairs.src[p]] += pairs.bytes[p];
      in[pairs.dst[p]] += pairs.bytes[p];
      bound = std::max(bound, pairs.bytes[p]);
    }
    for (int n = 0; n < mesh.numNodes; ++n) {
      int degree = 0;
      for (int d = 0; d < 4; ++d) {
        int m = mesh.neighbor(n, d);
        degree += m >= 0 && mesh.enabled[m];
      }
      if (degree > 0)
        bound = std::max({bound, (out[n] + degree - 1) / degree,
                          (in[n] + degree - 1) / degree});
    }
    return bound;
  }

  int64_t maxLoad() const {
    return *std::max_element(load.begin(), load.end());
  }
  int64_t totalLoad() const {
    int64_t total = 0;
    for (int64_t b : load)
      total += b;
    return total;
  }

  std::vector<std::vector<int>> snapshot() const {
    std::vector<std::vector<int>> out;
    out.reserve(adaptive.size());
    for (int p : adaptive)
      out.push_back(pairs.path[p]);
    return out;
  }

  bool touchesOverused(int p, int64_t target) const {
    for (int link : pathLinks(mesh, pairs.path[p]))
      if (load[link] > target)
        return true;
    return false;
  }

  void addLoad(const std::vector<int> &path, int64_t bytes) {
    for (int link : pathLinks(mesh, path))
      load[link] += bytes;
  }

  double linkCost(int link, int64_t bytes, double target,
                  double present) const {
    double after = double(load[link] + bytes);
    double over = std::max(0.0, after - target) / target;
    // A small load term breaks ties between uncongested staircases towards
    // emptier links.
    return (1.0 + history[link]) * (1.0 + present * over) +
           0.01 * after / target;
  }

  /// Rips up pair p and reroutes it on the cheapest minimal west-first path;
  /// keeps the old path if the new one would close a dependency cycle.
  void reroute(int p, int64_t target, double present) {
    std::vector<int> old = pairs.path[p];
    addLoad(old, -pairs.bytes[p]);
    graph.remove(old);
    std::vector<int> fresh = cheapestStaircase(p, double(target), present);
    if (fresh.empty() || fresh == old || !graph.tryAdd(fresh)) {
      graph.tryAdd(old); // Cannot fail: it was in the graph a moment ago.
      fresh = std::move(old);
    }
    addLoad(fresh, pairs.bytes[p]);
    pairs.path[p] = std::move(fresh);
  }

  /// Dynamic programming over the bounding box (a DAG, so this is Dijkstra
  /// without a heap): cell (i, j) is i rows towards the destination and j
  /// columns east of the source.
  std::vector<int> cheapestStaircase(int p, double target, double present) {
    int src = pairs.src[p], dst = pairs.dst[p];
    int sr = mesh.row(src), sc = mesh.col(src);
    int vdir = mesh.row(dst) > sr ? South : North;
    int step = vdir == South ? 1 : -1;
    int h = std::abs(mesh.row(dst) - sr) + 1, w = mesh.col(dst) - sc + 1;
    const double inf = std::numeric_limits<double>::infinity();
    cost.assign(size_t(h) * w, inf);
    fromWest.assign(size_t(h) * w, 0);
    auto node = [&](int i, int j) {
      return (sr + step * i) * mesh.cols + sc + j;
    };
    int64_t bytes = pairs.bytes[p];
    cost[0] = 0;
    for (int i = 0; i < h; ++i)
      for (int j = 0; j < w; ++j) {
        if ((i == 0 && j == 0) || !mesh.enabled[node(i, j)])
          continue;
        double best = inf;
        if (j > 0 && cost[i * w + j - 1] < inf) {
          best = cost[i * w + j - 1] +
                 linkCost(node(i, j - 1) * 4 + East, bytes, target, present);
          fromWest[i * w + j] = 1;
        }
        if (i > 0 && cost[(i - 1) * w + j] < inf) {
          double c = cost[(i - 1) * w + j] + linkCost(node(i - 1, j) * 4 + vdir,
                                                      bytes, target, present);
          if (c < best) {
            best = c;
            fromWest[i * w + j] = 0;
          }
        }
        cost[i * w + j] = best;
      }
    if (cost[size_t(h) * w - 1] == inf)
      return {};
    std::vector<int> path;
    for (int i = h - 1, j = w - 1;;) {
      path.push_back(node(i, j));
      if (i == 0 && j == 0)
        break;
      if (fromWest[i * w + j])
        --j;
      else
        --i;
    }
    return {path.rbegin(), path.rend()};
  }

  const Mesh &mesh;
  PairSet &pairs;
  ChannelGraph &graph;
  std::vector<int64_t> load;
  std::vector<double> history;
  std::vector<int> adaptive;
  std::vector<double> cost;
  std::vector<char> fromWest;
};

} // namespace

void detail::negotiateCongestion(const Mesh &mesh, PairSet &pairs,
                                 ChannelGraph &graph, int maxIterations) {
  Negotiator(mesh, pairs, graph).run(maxIterations);
}
