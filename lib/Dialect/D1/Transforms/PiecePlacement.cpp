//===- PiecePlacement.cpp - Which node computes which piece of a layer ----===//
#include "PiecePlacement.h"

#include <algorithm>
#include <cassert>
#include <cstdlib>
#include <numeric>

using namespace dojo;
using namespace dojo::d1;

namespace {

/// The cost of every piece on every slot, row-major by piece.
std::vector<double> costMatrix(llvm::ArrayRef<llvm::SmallVector<PieceSource, 8>> demand,
                               llvm::ArrayRef<int> slotNodes,
                               const TargetModel &t) {
  size_t n = slotNodes.size();
  std::vector<Coord> at(n);
  for (size_t s = 0; s < n; ++s)
    at[s] = t.coord(slotNodes[s]);
  std::vector<double> cost(n * n, 0.0);
  for (size_t p = 0; p < demand.size(); ++p)
    for (const PieceSource &src : demand[p]) {
      Coord c = t.coord(src.node);
      double *row = &cost[p * n];
      for (size_t s = 0; s < n; ++s)
        row[s] += src.bytes *
                  double(std::abs(c.row - at[s].row) + std::abs(c.col - at[s].col));
    }
  return cost;
}

} // namespace

std::vector<int>
dojo::d1::placePieces(llvm::ArrayRef<llvm::SmallVector<PieceSource, 8>> demand,
                      llvm::ArrayRef<int> slotNodes, const TargetModel &target) {
  size_t n = slotNodes.size();
  assert(demand.size() == n && "one slot per piece");
  std::vector<double> cost = costMatrix(demand, slotNodes, target);
  // Greedy: the pieces that read the most bytes choose first. Ties keep the
  // given order, so pieces with no sources fill the remaining slots in
  // order.
  std::vector<double> weight(n, 0.0);
  for (size_t p = 0; p < n; ++p)
    for (const PieceSource &s : demand[p])
      weight[p] += s.bytes;
  std::vector<int> byWeight(n);
  std::iota(byWeight.begin(), byWeight.end(), 0);
  std::stable_sort(byWeight.begin(), byWeight.end(),
                   [&](int a, int b) { return weight[a] > weight[b]; });
  std::vector<int> slotOf(n, -1);
  std::vector<bool> taken(n, false);
  for (int p : byWeight) {
    int best = -1;
    for (size_t s = 0; s < n; ++s)
      if (!taken[s] && (best < 0 || cost[p * n + s] < cost[p * n + best]))
        best = int(s);
    slotOf[p] = best;
    taken[size_t(best)] = true;
  }
  // Pairwise swaps while one pays (bounded: each pass is O(n^2) lookups).
  for (int pass = 0; pass < 4; ++pass) {
    bool improved = false;
    for (size_t a = 0; a < n; ++a)
      for (size_t b = a + 1; b < n; ++b) {
        size_t sa = size_t(slotOf[a]), sb = size_t(slotOf[b]);
        double delta = cost[a * n + sb] + cost[b * n + sa] -
                       cost[a * n + sa] - cost[b * n + sb];
        if (delta < -1e-9) {
          std::swap(slotOf[a], slotOf[b]);
          improved = true;
        }
      }
    if (!improved)
      break;
  }
  return slotOf;
}

double dojo::d1::placementCost(
    llvm::ArrayRef<llvm::SmallVector<PieceSource, 8>> demand,
    llvm::ArrayRef<int> slotNodes, llvm::ArrayRef<int> assignment,
    const TargetModel &target) {
  double total = 0;
  for (size_t p = 0; p < demand.size(); ++p) {
    Coord to = target.coord(slotNodes[size_t(assignment[p])]);
    for (const PieceSource &s : demand[p]) {
      Coord from = target.coord(s.node);
      total += s.bytes * double(std::abs(from.row - to.row) +
                                std::abs(from.col - to.col));
    }
  }
  return total;
}
