//===- SramAllocator.cpp - Greedy-by-size SRAM planner --------------------===//
//
// The planner follows the greedy-by-size strategy of the TFLite arena planner
// and tt-mlir's allocation planner: place the largest buffers first, each at
// the best-fitting gap left by the already placed buffers whose lifetimes
// intersect its own. Two data structures keep it fast on tens of thousands of
// buffers:
//  - a max-segment tree over the requests sorted by first step, holding the
//    last step of every placed buffer, enumerates exactly the placed buffers
//    whose lifetime intersects a query in O((k + 1) log n);
//  - buffers live over the whole program (pinned or spanning every step)
//    intersect everything, so they are kept as merged address ranges rather
//    than one by one; contiguous ones collapse into a single range.
//
//===----------------------------------------------------------------------===//

#include "dojo/Dialect/D1/Analysis/SramAllocator.h"
#include "SramAllocatorInternal.h"

#include <algorithm>
#include <climits>
#include <map>
#include <numeric>

using namespace dojo::d1;
using namespace dojo::d1::detail;

namespace {

constexpr int kNone = INT_MIN;

/// Max-segment tree over positions; each leaf holds the last live step of
/// the placed buffer at that position (or kNone while unplaced).
class LastStepTree {
public:
  explicit LastStepTree(int n)
      : n(std::max(n, 1)), maxLast(4 * this->n, kNone) {}

  void set(int pos, int last) { set(1, 0, n - 1, pos, last); }

  /// Appends to `out` the payloads of all positions in [0, prefix) whose
  /// stored last step is >= `minLast`.
  void collect(int prefix, int minLast, std::vector<int> &out) const {
    if (prefix > 0)
      collect(1, 0, n - 1, prefix - 1, minLast, out);
  }

private:
  void set(int node, int lo, int hi, int pos, int last) {
    if (lo == hi) {
      maxLast[node] = last;
      return;
    }
    int mid = (lo + hi) / 2;
    if (pos <= mid)
      set(2 * node, lo, mid, pos, last);
    else
      set(2 * node + 1, mid + 1, hi, pos, last);
    maxLast[node] = std::max(maxLast[2 * node], maxLast[2 * node + 1]);
  }

  void collect(int node, int lo, int hi, int right, int minLast,
               std::vector<int> &out) const {
    // Pruning on the subtree maximum makes the walk output-sensitive.
    if (lo > right || maxLast[node] < minLast)
      return;
    if (lo == hi) {
      out.push_back(lo);
      return;
    }
    int mid = (lo + hi) / 2;
    collect(2 * node, lo, mid, right, minLast, out);
    collect(2 * node + 1, mid + 1, hi, right, minLast, out);
  }

  int n;
  std::vector<int> maxLast;
};

/// Address ranges [start, end) occupied for the whole program, merged.
class MergedRanges {
public:
  void add(int64_t start, int64_t end) {
    if (start >= end)
      return;
    auto it = ranges.upper_bound(start);
    if (it != ranges.begin() && std::prev(it)->second >= start) {
      --it;
      start = it->first;
      end = std::max(end, it->second);
      it = ranges.erase(it);
    }
    while (it != ranges.end() && it->first <= end) {
      end = std::max(end, it->second);
      it = ranges.erase(it);
    }
    ranges.emplace(start, end);
  }
  const std::map<int64_t, int64_t> &get() const { return ranges; }

private:
  std::map<int64_t, int64_t> ranges;
};

int64_t alignUp(int64_t x, int64_t align) {
  return (x + align - 1) / align * align;
}

/// State shared by the placement of fixed and free buffers.
class Planner {
public:
  Planner(const std::vector<BufferRequest> &reqs, const Lifetimes &life,
          int64_t base, int64_t limit)
      : reqs(reqs), life(life), base(base), limit(limit),
        tree(int(reqs.size())), posOf(reqs.size()) {
    // Positions sorted by first live step make "first <= q.last" a prefix.
    byFirst.resize(reqs.size());
    std::iota(byFirst.begin(), byFirst.end(), 0);
    std::stable_sort(byFirst.begin(), byFirst.end(), [&](int a, int b) {
      return life.first[a] < life.first[b];
    });
    for (int p = 0; p < int(byFirst.size()); ++p)
      posOf[byFirst[p]] = p;
    firstSorted.reserve(byFirst.size());
    for (int idx : byFirst)
      firstSorted.push_back(life.first[idx]);
  }

  /// Fills `busy` with the sorted, possibly overlapping address ranges of
  /// placed buffers whose lifetime intersects that of request `i`.
  void busyRanges(int i, const std::vector<int64_t> &offsets,
                  std::vector<std::pair<int64_t, int64_t>> &busy) {
    busy.clear();
    hits.clear();
    int prefix = int(
        std::upper_bound(firstSorted.begin(), firstSorted.end(), life.last[i]) -
        firstSorted.begin());
    tree.collect(prefix, life.first[i], hits);
    for (int pos : hits) {
      int j = byFirst[pos];
      busy.emplace_back(offsets[j], offsets[j] + reqs[j].size);
    }
    for (auto &r : global.get())
      busy.emplace_back(r.first, r.second);
    std::sort(busy.begin(), busy.end());
  }

  void markPlaced(int i, int64_t offset) {
    if (reqs[i].size == 0)
      return;
    if (life.spansAll(i))
      global.add(offset, offset + reqs[i].size);
    else
      tree.set(posOf[i], life.last[i]);
  }

  /// Best fit: the smallest gap that holds the aligned buffer, lowest
  /// address on ties. Returns -1 if no gap holds it.
  int64_t findGap(int i, const std::vector<int64_t> &offsets) {
    const BufferRequest &r = reqs[i];
    busyRanges(i, offsets, busy);
    int64_t bestStart = -1, bestGap = INT64_MAX;
    int64_t cursor = base;
    auto consider = [&](int64_t gapStart, int64_t gapEnd) {
      int64_t start = alignUp(gapStart, r.align);
      if (start <= gapEnd && gapEnd - start >= r.size &&
          gapEnd - gapStart < bestGap) {
        bestGap = gapEnd - gapStart;
        bestStart = start;
      }
    };
    for (auto &b : busy) {
      if (b.first > cursor)
        consider(cursor, b.first);
      cursor = std::max(cursor, b.second);
    }
    consider(cursor, limit);
    return bestStart;
  }

  /// True if [offset, offset + size) is free over request i's lifetime.
  bool isFree(int i, int64_t offset, const std::vector<int64_t> &offsets) {
    busyRanges(i, offsets, busy);
    int64_t end = offset + reqs[i].size;
    for (auto &b : busy)
      if (b.first < end && offset < b.second)
        return false;
    return true;
  }

private:
  const std::vector<BufferRequest> &reqs;
  const Lifetimes &life;
  int64_t base, limit;
  LastStepTree tree;
  MergedRanges global;
  std::vector<int> byFirst, posOf, firstSorted, hits;
  std::vector<std::pair<int64_t, int64_t>> busy;
};

} // namespace

Lifetimes::Lifetimes(const std::vector<BufferRequest> &reqs) {
  bool any = false;
  for (const BufferRequest &r : reqs) {
    if (r.pinned || r.first > r.last)
      continue;
    lo = any ? std::min(lo, r.first) : r.first;
    hi = any ? std::max(hi, r.last) : r.last;
    any = true;
  }
  for (const BufferRequest &r : reqs) {
    first.push_back(r.pinned ? lo : r.first);
    last.push_back(r.pinned ? hi : r.last);
  }
}

std::string detail::checkRequest(const BufferRequest &r) {
  if (r.size < 0)
    return "has negative size " + std::to_string(r.size);
  if (r.align <= 0 || (r.align & (r.align - 1)) != 0)
    return "has alignment " + std::to_string(r.align) +
           ", which is not a positive power of two";
  if (!r.pinned && r.first > r.last)
    return "has an empty live range " + std::to_string(r.first) + ".." +
           std::to_string(r.last);
  return "";
}

AllocationPlan dojo::d1::planSram(const std::vector<BufferRequest> &requests,
                                  int64_t base, int64_t limit) {
  AllocationPlan plan;
  int n = int(requests.size());
  plan.offsets.assign(n, -1);
  plan.peak = base;
  auto fail = [&](int i) {
    if (plan.failed < 0)
      plan.failed = i;
  };
  if (base < 0 || limit < base) {
    if (n > 0)
      fail(0);
    plan.ok = n == 0 && base >= 0 && limit >= base;
    return plan;
  }

  Lifetimes life(requests);
  Planner planner(requests, life, base, limit);
  std::vector<int> fixed, free;
  for (int i = 0; i < n; ++i) {
    if (!checkRequest(requests[i]).empty())
      fail(i);
    else if (requests[i].fixedOffset >= 0)
      fixed.push_back(i);
    else
      free.push_back(i);
  }

  auto place = [&](int i, int64_t offset) {
    plan.offsets[i] = offset;
    plan.peak = std::max(plan.peak, offset + requests[i].size);
    planner.markPlaced(i, offset);
  };

  // Fixed buffers first, so that free ones flow around them.
  for (int i : fixed) {
    const BufferRequest &r = requests[i];
    int64_t off = r.fixedOffset;
    if (off % r.align != 0 || off < base || off > limit ||
        limit - off < r.size || !planner.isFree(i, off, plan.offsets)) {
      fail(i);
      continue;
    }
    place(i, off);
  }

  // Largest first: small buffers fill the holes that large ones leave.
  std::stable_sort(free.begin(), free.end(), [&](int a, int b) {
    if (requests[a].size != requests[b].size)
      return requests[a].size > requests[b].size;
    return life.first[a] < life.first[b];
  });
  for (int i : free) {
    int64_t off = planner.findGap(i, plan.offsets);
    if (off < 0) {
      fail(i);
      continue;
    }
    place(i, off);
  }
  plan.ok = plan.failed < 0;
  return plan;
}
