//===- RouterSearch.cpp - Path searches and the channel dependency graph --===//
//
// XY routing never turns from a vertical into a horizontal direction, so XY
// paths alone cannot close a cycle of channel dependencies. Detours around
// disabled nodes need some of those turns, and adding them one by one is not
// safe: no single detour creates a cycle, several together do. So every
// route set is drawn from one legality rule known to be acyclic: a turn model
// containing the XY turns (west-first, east-first, north-last, south-last;
// Glass and Ni, 1992), or, where none of them reaches every destination,
// up*/down* routing (Schroeder et al., Autonet, 1991), which reaches every
// node of a connected mesh. The searches run over (node, incoming
// direction) states so that the rule can be enforced exactly.
//
//===----------------------------------------------------------------------===//

#include "RouterInternal.h"

using namespace dojo;
using namespace dojo::d1;
using namespace dojo::d1::detail;

namespace {
constexpr int kDRow[4] = {-1, 0, 1, 0};
constexpr int kDCol[4] = {0, 1, 0, -1};
/// The search expands horizontal moves before vertical ones so that, among
/// equally short paths, it prefers XY-like shapes.
constexpr int kSearchOrder[4] = {East, West, North, South};
/// The source state has no incoming direction.
constexpr int kNoDir = 4;
} // namespace

Mesh::Mesh(const TargetModel &target)
    : rows(target.rows), cols(target.cols), numNodes(target.numNodes()),
      enabled(numNodes, 1) {
  for (int id : target.disabled)
    if (id >= 0 && id < numNodes)
      enabled[id] = 0;
}

int Mesh::neighbor(int id, int dir) const {
  int r = row(id) + kDRow[dir], c = col(id) + kDCol[dir];
  if (r < 0 || r >= rows || c < 0 || c >= cols)
    return -1;
  return r * cols + c;
}

std::string Mesh::coordText(int id) const {
  // Appending avoids GCC 12's false -Wrestrict on "literal" + std::string.
  std::string text = "(";
  text += std::to_string(row(id));
  text += ",";
  text += std::to_string(col(id));
  return text += ")";
}

std::vector<int> detail::pathLinks(const Mesh &mesh,
                                   const std::vector<int> &path) {
  std::vector<int> links;
  for (size_t i = 1; i < path.size(); ++i) {
    int link = -1;
    for (int d = 0; d < 4 && path[i - 1] >= 0 && path[i - 1] < mesh.numNodes;
         ++d)
      if (mesh.neighbor(path[i - 1], d) == path[i] && path[i] >= 0)
        link = path[i - 1] * 4 + d;
    links.push_back(link);
  }
  return links;
}

std::vector<int> detail::xyPath(const Mesh &mesh, int src, int dst) {
  std::vector<int> path{src};
  int r = mesh.row(src), c = mesh.col(src);
  int dr = mesh.row(dst), dc = mesh.col(dst);
  while (c != dc) {
    c += c < dc ? 1 : -1;
    path.push_back(r * mesh.cols + c);
  }
  while (r != dr) {
    r += r < dr ? 1 : -1;
    path.push_back(r * mesh.cols + c);
  }
  for (int id : path)
    if (!mesh.enabled[id])
      return {};
  return path;
}

unsigned detail::turnBit(int in, int out) { return 1u << (in * 4 + out); }

const unsigned detail::kWestFirstForbidden =
    turnBit(North, West) | turnBit(South, West);
const unsigned detail::kEastFirstForbidden =
    turnBit(North, East) | turnBit(South, East);
const unsigned detail::kNorthLastForbidden =
    turnBit(North, East) | turnBit(North, West);
const unsigned detail::kSouthLastForbidden =
    turnBit(South, East) | turnBit(South, West);

template <typename Forbid> void SourceSearch::run(Forbid forbid) {
  // State = node * 5 + incoming direction (kNoDir at the source).
  parent.assign(size_t(mesh.numNodes) * 5, -1);
  if (!mesh.enabled[src])
    return;
  int start = src * 5 + kNoDir;
  parent[start] = start;
  std::vector<int> frontier{start}, next;
  while (!frontier.empty()) {
    next.clear();
    for (int state : frontier) {
      int node = state / 5, in = state % 5;
      for (int out : kSearchOrder) {
        if (in != kNoDir && (out == (in + 2) % 4 || forbid(node, in, out)))
          continue;
        int to = mesh.neighbor(node, out);
        if (to < 0 || !mesh.enabled[to] || parent[to * 5 + out] >= 0)
          continue;
        parent[to * 5 + out] = state;
        next.push_back(to * 5 + out);
      }
    }
    frontier.swap(next);
  }
}

SourceSearch SourceSearch::turnModel(const Mesh &mesh, int src,
                                     unsigned forbiddenTurns) {
  SourceSearch search(mesh, src);
  search.run([&](int, int in, int out) {
    return in != out && (forbiddenTurns & turnBit(in, out)) != 0;
  });
  return search;
}

SourceSearch SourceSearch::upDown(const Mesh &mesh, int src,
                                  const std::vector<int64_t> &ranks) {
  SourceSearch search(mesh, src);
  search.run([&](int node, int in, int out) {
    // The incoming link came from the opposite side; it was "down" if it
    // led away from the root. A down link may not be followed by an up one.
    int from = mesh.neighbor(node, (in + 2) % 4);
    int to = mesh.neighbor(node, out);
    bool inDown = ranks[node] > ranks[from];
    bool outUp = to >= 0 && ranks[to] >= 0 && ranks[to] < ranks[node];
    return inDown && outUp;
  });
  return search;
}

std::vector<int> SourceSearch::pathTo(int dst) const {
  if (dst == src)
    return mesh.enabled[src] ? std::vector<int>{src} : std::vector<int>{};
  // BFS levels are path lengths, so the shortest is the first state of dst
  // found level by level; compare depths of the (at most four) candidates.
  int best = -1;
  size_t bestLen = 0;
  std::vector<int> path;
  for (int in = 0; in < 4; ++in) {
    int state = dst * 5 + in;
    if (parent[state] < 0)
      continue;
    size_t len = 0;
    for (int s = state; parent[s] != s; s = parent[s])
      ++len;
    if (best < 0 || len < bestLen) {
      best = state;
      bestLen = len;
    }
  }
  if (best < 0)
    return {};
  for (int s = best;; s = parent[s]) {
    path.push_back(s / 5);
    if (parent[s] == s)
      break;
  }
  return {path.rbegin(), path.rend()};
}

std::vector<int64_t> detail::upDownRanks(const Mesh &mesh) {
  std::vector<int64_t> ranks(mesh.numNodes, -1);
  int root = -1;
  for (int id = 0; id < mesh.numNodes && root < 0; ++id)
    if (mesh.enabled[id])
      root = id;
  if (root < 0)
    return ranks;
  std::vector<int> level(mesh.numNodes, -1), queue{root};
  level[root] = 0;
  for (size_t head = 0; head < queue.size(); ++head) {
    int node = queue[head];
    for (int d = 0; d < 4; ++d) {
      int next = mesh.neighbor(node, d);
      if (next >= 0 && mesh.enabled[next] && level[next] < 0) {
        level[next] = level[node] + 1;
        queue.push_back(next);
      }
    }
  }
  for (int id = 0; id < mesh.numNodes; ++id)
    if (level[id] >= 0)
      ranks[id] = int64_t(level[id]) * mesh.numNodes + id;
  return ranks;
}

ChannelGraph::ChannelGraph(const Mesh &mesh)
    : mesh(mesh), count(mesh.numLinks(), std::array<int, 4>{0, 0, 0, 0}),
      seen(mesh.numLinks(), 0) {}

bool ChannelGraph::reaches(int from, int to) {
  ++stamp;
  stack.assign(1, from);
  seen[from] = stamp;
  while (!stack.empty()) {
    int link = stack.back();
    stack.pop_back();
    if (link == to)
      return true;
    int node = mesh.linkTarget(link);
    for (int d = 0; d < 4; ++d) {
      if (count[link][d] == 0)
        continue;
      int next = node * 4 + d;
      if (seen[next] != stamp) {
        seen[next] = stamp;
        stack.push_back(next);
      }
    }
  }
  return false;
}

bool ChannelGraph::tryAdd(const std::vector<int> &path,
                          std::pair<int, int> *conflict) {
  std::vector<int> links = pathLinks(mesh, path);
  for (size_t i = 1; i < links.size(); ++i) {
    int a = links[i - 1], b = links[i];
    // A new dependency a -> b closes a cycle iff a is reachable from b.
    if (count[a][b % 4] == 0 && reaches(b, a)) {
      if (conflict)
        *conflict = {a, b};
      for (size_t j = 1; j < i; ++j)
        --count[links[j - 1]][links[j] % 4];
      return false;
    }
    ++count[a][b % 4];
  }
  return true;
}

void ChannelGraph::remove(const std::vector<int> &path) {
  std::vector<int> links = pathLinks(mesh, path);
  for (size_t i = 1; i < links.size(); ++i)
    --count[links[i - 1]][links[i] % 4];
}
