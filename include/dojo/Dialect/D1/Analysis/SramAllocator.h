//===- SramAllocator.h - Static SRAM planning for one D1 node ---*- C++ -*-===//
//
// A pass-free planner that assigns SRAM addresses to the buffers of one node.
// Each buffer is live over an inclusive range of program steps; two buffers
// may share addresses only if their live ranges are disjoint, which is where
// the memory saving comes from. The planner is plain C++ (no MLIR) so that it
// can be tested and reused on its own; the D1 passes translate their IR into
// BufferRequests and write the offsets back. See docs/algorithms.md.
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_DIALECT_D1_ANALYSIS_SRAMALLOCATOR_H
#define DOJO_DIALECT_D1_ANALYSIS_SRAMALLOCATOR_H

#include <cstdint>
#include <string>
#include <vector>

namespace dojo::d1 {

/// One buffer to place.
struct BufferRequest {
  /// Used only in reports.
  std::string name;
  /// Size in bytes; zero-sized buffers get an aligned address but occupy
  /// nothing. Negative sizes are rejected (the request is reported failed).
  int64_t size = 0;
  /// Required alignment of the absolute address; a positive power of two.
  int64_t align = 64;
  /// Live steps, inclusive: the buffer is in use from `first` to `last`.
  int first = 0, last = 0;
  /// A pinned buffer stays resident for the whole program (for example
  /// weights kept in SRAM across iterations): it is treated as live at every
  /// step, whatever `first` and `last` say.
  bool pinned = false;
  /// If >= 0, the buffer must be at exactly this absolute address.
  int64_t fixedOffset = -1;
};

/// The result of planSram.
struct AllocationPlan {
  /// True if every request got an address.
  bool ok = false;
  /// Absolute address of each request (same order as the requests), or -1
  /// for a request that could not be placed.
  std::vector<int64_t> offsets;
  /// Highest end address (offset + size) over placed buffers; `base` if
  /// nothing was placed.
  int64_t peak = 0;
  /// Index of a request that did not fit (the first one met in placement
  /// order, i.e. the largest), or -1.
  int failed = -1;
};

/// Places every request in [base, limit). Fixed-offset buffers are placed
/// first; the rest go largest first (ties: earlier first step, then lower
/// index) at the best-fitting aligned gap among the buffers already placed
/// whose live ranges intersect theirs. A request that does not fit is
/// reported in `failed` and the others are still placed when possible.
AllocationPlan planSram(const std::vector<BufferRequest> &requests,
                        int64_t base, int64_t limit);

/// A human-readable memory map: one row per buffer (name, address range,
/// size, live range) sorted by address, unplaced buffers marked UNPLACED,
/// followed by the step where the requested bytes peak and the buffers live
/// at that step. Meant for compiler diagnostics on allocation failure.
std::string formatMemoryMap(const std::vector<BufferRequest> &requests,
                            const AllocationPlan &plan, int64_t base,
                            int64_t limit);

/// Checks a plan independently of how it was built. Returns "" if it is
/// valid, else a one-line description of the first violation found: two
/// buffers live at the same step with overlapping addresses, a misaligned or
/// out-of-bounds address, a fixed offset not honoured, or a missing address
/// in a plan that claims success.
std::string verifyPlan(const std::vector<BufferRequest> &requests,
                       const AllocationPlan &plan, int64_t base, int64_t limit);

} // namespace dojo::d1

#endif // DOJO_DIALECT_D1_ANALYSIS_SRAMALLOCATOR_H
