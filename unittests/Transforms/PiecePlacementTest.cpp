//===- PiecePlacementTest.cpp - Unit tests of the piece placement solver --===//
#include "PiecePlacement.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

using namespace dojo;
using namespace dojo::d1;

namespace {

using Demand = std::vector<llvm::SmallVector<PieceSource, 8>>;

bool isPermutation(std::vector<int> v) {
  std::sort(v.begin(), v.end());
  for (size_t i = 0; i < v.size(); ++i)
    if (v[i] != int(i))
      return false;
  return true;
}

TEST(PiecePlacement, PutsEachPieceOnTheNodeHoldingItsData) {
  // Piece p reads everything from slot (p * 7) % n's node: a shuffled
  // identity that costs nothing once undone.
  auto t = *TargetModel::byName("mesh-4x4");
  std::vector<int> slots = t.enabledNodesCurve();
  size_t n = slots.size();
  Demand demand(n);
  for (size_t p = 0; p < n; ++p)
    demand[p].push_back({slots[(p * 7) % n], 1000.0});
  std::vector<int> a = placePieces(demand, slots, t);
  ASSERT_TRUE(isPermutation(a));
  EXPECT_EQ(placementCost(demand, slots, a, t), 0.0);
  for (size_t p = 0; p < n; ++p)
    EXPECT_EQ(a[p], int((p * 7) % n));
}

TEST(PiecePlacement, BeatsTheGivenOrderOnScatteredDemand) {
  // Each piece reads from a few random nodes; the solver must not be worse
  // than leaving piece i on slot i, and should be clearly better.
  auto t = *TargetModel::byName("d1");
  std::vector<int> slots = t.enabledNodesCurve();
  slots.resize(300);
  std::mt19937 rng(3);
  std::uniform_int_distribution<size_t> pick(0, slots.size() - 1);
  Demand demand(slots.size());
  for (auto &d : demand)
    for (int k = 0; k < 3; ++k)
      d.push_back({slots[pick(rng)], double(1 + k)});
  std::vector<int> identity(slots.size());
  for (size_t i = 0; i < identity.size(); ++i)
    identity[i] = int(i);
  std::vector<int> a = placePieces(demand, slots, t);
  ASSERT_TRUE(isPermutation(a));
  EXPECT_LT(placementCost(demand, slots, a, t),
            0.7 * placementCost(demand, slots, identity, t));
}

TEST(PiecePlacement, PiecesWithoutSourcesKeepTheirOrder) {
  auto t = *TargetModel::byName("mesh-2x2");
  std::vector<int> slots = t.enabledNodesCurve();
  Demand demand(slots.size());
  std::vector<int> a = placePieces(demand, slots, t);
  for (size_t i = 0; i < a.size(); ++i)
    EXPECT_EQ(a[i], int(i));
}

} // namespace
