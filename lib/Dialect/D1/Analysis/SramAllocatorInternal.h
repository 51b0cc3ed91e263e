//===- SramAllocatorInternal.h - Helpers shared by the planner files ------===//
//
// Private to lib/Dialect/D1/Analysis: the planner, the memory map and the
// verifier must agree on what a pinned buffer's lifetime is and on which
// requests are malformed, so both rules live here once.
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_LIB_DIALECT_D1_ANALYSIS_SRAMALLOCATORINTERNAL_H
#define DOJO_LIB_DIALECT_D1_ANALYSIS_SRAMALLOCATORINTERNAL_H

#include "dojo/Dialect/D1/Analysis/SramAllocator.h"

namespace dojo::d1::detail {

/// Effective live ranges: a pinned buffer spans every step used by any
/// non-pinned request ([lo, hi]).
struct Lifetimes {
  explicit Lifetimes(const std::vector<BufferRequest> &reqs);
  bool spansAll(int i) const { return first[i] <= lo && last[i] >= hi; }
  int lo = 0, hi = 0;
  std::vector<int> first, last;
};

/// Returns "" for a well-formed request, else why it is malformed (the
/// caller prefixes the buffer name).
std::string checkRequest(const BufferRequest &r);

} // namespace dojo::d1::detail

#endif // DOJO_LIB_DIALECT_D1_ANALYSIS_SRAMALLOCATORINTERNAL_H
