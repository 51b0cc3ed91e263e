//===- SramPlanReport.cpp - Memory map and independent plan checker -------===//
//
// The verifier deliberately shares no placement code with the planner: it
// re-derives every constraint from the requests so that a planner bug cannot
// hide itself. Both run in O(n log n) so they can be used on every node of a
// real model, not only in tests.
//
//===----------------------------------------------------------------------===//

#include "SramAllocatorInternal.h"
#include "dojo/Dialect/D1/Analysis/SramAllocator.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <queue>
#include <set>

using namespace dojo::d1;
using namespace dojo::d1::detail;

namespace {

/// Beyond this many buffers the map lists only the unplaced ones, because a
/// diagnostic with tens of thousands of rows helps nobody.
constexpr size_t kMaxRows = 256;
/// Longest live set printed at the pressure peak.
constexpr size_t kMaxLiveRows = 24;

std::string quoted(const BufferRequest &r) { return "'" + r.name + "'"; }

std::string liveText(const BufferRequest &r) {
  if (r.pinned)
    return "pinned";
  return std::to_string(r.first) + ".." + std::to_string(r.last);
}

std::string rangeText(int64_t start, int64_t end) {
  // Appending avoids GCC 12's false -Wrestrict on "literal" + std::string.
  std::string text = "[";
  text += std::to_string(start);
  text += ", ";
  text += std::to_string(end);
  return text += ")";
}

std::string row(const BufferRequest &r, int64_t offset) {
  char buf[512];
  std::string where =
      offset < 0 ? "UNPLACED" : rangeText(offset, offset + r.size);
  std::snprintf(buf, sizeof(buf), "  %-24s %-24s %10" PRId64 "  %s\n",
                r.name.c_str(), where.c_str(), r.size, liveText(r).c_str());
  return buf;
}

/// The step at which the requested bytes of well-formed buffers peak, and
/// that many bytes. Returns {lo, 0} when nothing is live.
std::pair<int64_t, int64_t> pressurePeak(const std::vector<BufferRequest> &reqs,
                                         const Lifetimes &life) {
  std::vector<std::pair<int64_t, int64_t>> events;
  for (size_t i = 0; i < reqs.size(); ++i) {
    if (!checkRequest(reqs[i]).empty() || reqs[i].size == 0)
      continue;
    events.emplace_back(life.first[i], reqs[i].size);
    events.emplace_back(int64_t(life.last[i]) + 1, -reqs[i].size);
  }
  std::sort(events.begin(), events.end());
  int64_t live = 0, best = 0, bestStep = life.lo;
  for (size_t e = 0; e < events.size();) {
    int64_t step = events[e].first;
    for (; e < events.size() && events[e].first == step; ++e)
      live += events[e].second;
    if (live > best) {
      best = live;
      bestStep = step;
    }
  }
  return {bestStep, best};
}

} // namespace

std::string dojo::d1::formatMemoryMap(const std::vector<BufferRequest> &reqs,
                                      const AllocationPlan &plan, int64_t base,
                                      int64_t limit) {
  size_t n = reqs.size();
  auto offsetOf = [&](size_t i) {
    return i < plan.offsets.size() ? plan.offsets[i] : int64_t(-1);
  };
  std::string out = std::string("SRAM plan ") + (plan.ok ? "OK" : "FAILED") +
                    ": region " + rangeText(base, limit) + " (" +
                    std::to_string(limit - base) + " bytes), peak address " +
                    std::to_string(plan.peak) + ", " + std::to_string(n) +
                    " buffers\n";
  if (plan.failed >= 0 && size_t(plan.failed) < n) {
    const BufferRequest &f = reqs[plan.failed];
    std::string why = checkRequest(f);
    out += "  failed: " + quoted(f) + " (" + std::to_string(f.size) +
           " bytes, live " + liveText(f) + ") " +
           (why.empty() ? "does not fit" : why) + "\n";
  }

  // Rows sorted by address; unplaced buffers last, in request order.
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    int64_t oa = offsetOf(a), ob = offsetOf(b);
    if ((oa < 0) != (ob < 0))
      return ob < 0;
    return oa < ob;
  });
  bool brief = n > kMaxRows;
  out +=
      "  name                     address range                  size  live\n";
  size_t omitted = 0;
  for (size_t i : order) {
    if (brief && offsetOf(i) >= 0) {
      ++omitted;
      continue;
    }
    out += row(reqs[i], offsetOf(i));
  }
  if (omitted)
    out += "  (" + std::to_string(omitted) + " placed buffers not listed)\n";

  Lifetimes life(reqs);
  auto [step, bytes] = pressurePeak(reqs, life);
  std::vector<size_t> liveSet;
  for (size_t i = 0; i < n; ++i)
    if (checkRequest(reqs[i]).empty() && reqs[i].size > 0 &&
        life.first[i] <= step && step <= life.last[i])
      liveSet.push_back(i);
  std::stable_sort(liveSet.begin(), liveSet.end(), [&](size_t a, size_t b) {
    return reqs[a].size > reqs[b].size;
  });
  out += "peak pressure: " + std::to_string(bytes) + " bytes live at step " +
         std::to_string(step) + " in " + std::to_string(liveSet.size()) +
         " buffers:\n";
  for (size_t k = 0; k < liveSet.size() && k < kMaxLiveRows; ++k)
    out += row(reqs[liveSet[k]], offsetOf(liveSet[k]));
  if (liveSet.size() > kMaxLiveRows)
    out += "  ... and " + std::to_string(liveSet.size() - kMaxLiveRows) +
           " smaller buffers\n";
  return out;
}

std::string dojo::d1::verifyPlan(const std::vector<BufferRequest> &reqs,
                                 const AllocationPlan &plan, int64_t base,
                                 int64_t limit) {
  size_t n = reqs.size();
  if (plan.offsets.size() != n)
    return "plan has " + std::to_string(plan.offsets.size()) + " offsets for " +
           std::to_string(n) + " buffers";
  if (plan.ok && plan.failed >= 0)
    return "plan claims success but names failed buffer " +
           std::to_string(plan.failed);
  if (!plan.ok && (plan.failed < 0 || size_t(plan.failed) >= n))
    return "plan reports failure without naming a valid failed buffer";

  Lifetimes life(reqs);
  int64_t maxEnd = base;
  std::vector<size_t> placed;
  for (size_t i = 0; i < n; ++i) {
    const BufferRequest &r = reqs[i];
    int64_t off = plan.offsets[i];
    std::string why = checkRequest(r);
    if (off < 0) {
      if (plan.ok)
        return "buffer " + quoted(r) + " has no address in a successful plan";
      continue;
    }
    if (!why.empty())
      return "buffer " + quoted(r) + " was placed although it " + why;
    if (off % r.align != 0)
      return "buffer " + quoted(r) + " at " + std::to_string(off) +
             " is not aligned to " + std::to_string(r.align);
    if (off < base || off > limit || limit - off < r.size)
      return "buffer " + quoted(r) + " at " + rangeText(off, off + r.size) +
             " lies outside " + rangeText(base, limit);
    if (r.fixedOffset >= 0 && off != r.fixedOffset)
      return "buffer " + quoted(r) + " is at " + std::to_string(off) +
             " instead of its fixed offset " + std::to_string(r.fixedOffset);
    maxEnd = std::max(maxEnd, off + r.size);
    if (r.size > 0)
      placed.push_back(i);
  }
  if (plan.peak < maxEnd)
    return "plan peak " + std::to_string(plan.peak) +
           " is below the highest buffer end " + std::to_string(maxEnd);

  // Sweep over steps. The active set holds the buffers live at the current
  // step ordered by address; it never contains an overlap (we stop at the
  // first one), so checking the new buffer's two neighbours suffices. Any
  // two buffers with intersecting lifetimes are both live at the later first
  // step, when the later one is inserted.
  std::stable_sort(placed.begin(), placed.end(), [&](size_t a, size_t b) {
    return life.first[a] < life.first[b];
  });
  std::set<std::pair<int64_t, size_t>> active;
  using Expiry = std::pair<int, size_t>;
  std::priority_queue<Expiry, std::vector<Expiry>, std::greater<Expiry>> ends;
  auto overlap = [&](size_t a, size_t b) {
    int step = std::max(life.first[a], life.first[b]);
    return "buffers " + quoted(reqs[a]) + " " +
           rangeText(plan.offsets[a], plan.offsets[a] + reqs[a].size) +
           " and " + quoted(reqs[b]) + " " +
           rangeText(plan.offsets[b], plan.offsets[b] + reqs[b].size) +
           " overlap while both live at step " + std::to_string(step);
  };
  for (size_t i : placed) {
    while (!ends.empty() && ends.top().first < life.first[i]) {
      size_t j = ends.top().second;
      active.erase({plan.offsets[j], j});
      ends.pop();
    }
    int64_t off = plan.offsets[i], end = off + reqs[i].size;
    auto next = active.lower_bound({off, 0});
    if (next != active.end() && next->first < end)
      return overlap(next->second, i);
    if (next != active.begin()) {
      size_t prev = std::prev(next)->second;
      if (plan.offsets[prev] + reqs[prev].size > off)
        return overlap(prev, i);
    }
    active.insert({off, i});
    ends.push({life.last[i], i});
  }
  return "";
}
