//===- ConvPlanTest.cpp - The convolution split planner -------------------===//
#include "ConvPlan.h"

#include <gtest/gtest.h>

using namespace dojo;
using namespace dojo::d1;

namespace {

TargetModel d1Target() {
  std::optional<TargetModel> t = TargetModel::byName("d1");
  EXPECT_TRUE(t.has_value());
  return *t;
}

/// A 3x3x3 convolution of r3d_18's shapes: `c` channels in and out on a
/// t x h x w output, BF16.
ConvProblem conv3d(int64_t c, int64_t t, int64_t h, int64_t w) {
  ConvProblem p;
  p.cout = p.cin = c;
  p.out = {t, h, w};
  p.kernel = {3, 3, 3};
  p.strides = {1, 1, 1};
  p.dilations = {1, 1, 1};
  p.weightElemBytes = 2;
  p.macsPerCycle = 256;
  return p;
}

int64_t pieces(const ConvPlanChoice &c) {
  int64_t n = c.parts;
  for (int64_t s : c.split)
    n *= s;
  return n;
}

TEST(ConvPlan, CandidatesFitTheSramBudgetAndTheMesh) {
  TargetModel t = d1Target();
  int64_t budget = 256 * 1024;
  std::vector<ConvPlanChoice> c =
      convPlanCandidates(conv3d(128, 4, 28, 28), t, 354, budget, 354);
  ASSERT_FALSE(c.empty());
  int withinMesh = 0;
  for (const ConvPlanChoice &x : c) {
    EXPECT_LE(x.workingSet, budget);
    EXPECT_GT(x.cycles, 0);
    // More pieces than nodes only as rounds for pieces that must shrink to
    // fit the SRAM; those cost at least two rounds of compute.
    withinMesh += pieces(x) <= 354;
  }
  EXPECT_GT(withinMesh, 0);
}

TEST(ConvPlan, DeepLayerSplitsInputChannelsUnderATightBudget) {
  // layer4 of r3d_18: 49 output positions, 7 M weights. Replicating the
  // weights over spatial blocks is unaffordable; splitting the reduction
  // keeps every weight once and still uses most of the mesh.
  TargetModel t = d1Target();
  std::vector<std::vector<ConvPlanChoice>> layers = {
      convPlanCandidates(conv3d(512, 1, 7, 7), t, 354, 512 * 1024, 354)};
  int64_t unique = 512 * 512 * 27 * 2;
  // A node may hold twice its even share of the unique weights.
  int64_t budget = 2 * unique / 354;
  std::vector<size_t> pick = choosePlans(layers, budget);
  ASSERT_NE(pick[0], SIZE_MAX);
  const ConvPlanChoice &tight = layers[0][pick[0]];
  EXPECT_LE(tight.nodeWeightBytes, budget);
  EXPECT_LE(tight.weightBytes, 2 * unique);
  EXPECT_GT(tight.parts, 1);
  EXPECT_GT(pieces(tight), 128);
  // With room to spare the planner is at least as fast.
  std::vector<size_t> loose = choosePlans(layers, int64_t(1) << 40);
  EXPECT_LE(layers[0][loose[0]].cycles, tight.cycles);
}

TEST(ConvPlan, BudgetGoesWhereItBuysMostCycles) {
  // Two layers, each with a cheap-memory slow plan and a fast plan; only
  // one fast plan fits. The one saving more cycles per byte gets it.
  ConvPlanChoice slowA{{1}, 1, 1000, 10, 10, 0}, fastA{{1}, 1, 100, 110, 110, 0};
  ConvPlanChoice slowB{{1}, 1, 1000, 10, 10, 0}, fastB{{1}, 1, 800, 110, 110, 0};
  std::vector<std::vector<ConvPlanChoice>> layers = {{slowA, fastA},
                                                     {slowB, fastB}};
  std::vector<size_t> pick = choosePlans(layers, 130);
  EXPECT_EQ(pick[0], 1u);
  EXPECT_EQ(pick[1], 0u);
  // Everything fits: both fast.
  pick = choosePlans(layers, 1000);
  EXPECT_EQ(pick[0], 1u);
  EXPECT_EQ(pick[1], 1u);
  // Nothing fits: the smallest footprints.
  pick = choosePlans(layers, 5);
  EXPECT_EQ(pick[0], 0u);
  EXPECT_EQ(pick[1], 0u);
}

TEST(ConvPlan, SmallLayersStayOnFewNodes) {
  // A layer worth only four pieces is not spread over the mesh when a
  // single piece fits.
  std::vector<ConvPlanChoice> c =
      convPlanCandidates(conv3d(16, 2, 8, 8), d1Target(), 354, 1 << 20, 4);
  ASSERT_FALSE(c.empty());
  for (const ConvPlanChoice &x : c)
    EXPECT_LE(pieces(x), 4);
}

TEST(ConvPlan, LayerWithoutCandidatesIsReported) {
  std::vector<std::vector<ConvPlanChoice>> layers = {{}};
  EXPECT_EQ(choosePlans(layers, 100)[0], SIZE_MAX);
  // A working set that can never fit yields no candidate.
  EXPECT_TRUE(
      convPlanCandidates(conv3d(64, 8, 56, 56), d1Target(), 354, 16, 354).empty());
}

/// A (1 x 3 x 3) or (3 x 1 x 1) convolution of r2plus1d_18's first stage,
/// with pads and input extents for its windows.
ConvProblem factored(bool spatialKernel) {
  ConvProblem p = conv3d(64, 8, 56, 56);
  p.kernel = spatialKernel ? llvm::SmallVector<int64_t, 3>{1, 3, 3}
                           : llvm::SmallVector<int64_t, 3>{3, 1, 1};
  p.pads = spatialKernel ? llvm::SmallVector<int64_t, 3>{0, 1, 1}
                         : llvm::SmallVector<int64_t, 3>{1, 0, 0};
  p.in = {8, 56, 56};
  return p;
}

ConvPlanChoice plan(llvm::ArrayRef<int64_t> split, const ConvProblem &p) {
  std::vector<ConvPlanChoice> all =
      convPlanCandidates(p, d1Target(), 354, int64_t(1) << 30, 354);
  for (ConvPlanChoice &c : all)
    if (llvm::ArrayRef<int64_t>(c.split) == split && c.parts == 1)
      return c;
  ADD_FAILURE() << "split not among the candidates";
  return {};
}

TEST(ConvPlan, RedistributionChargesBlockingsThatScatterTheInput) {
  // The temporal convolution reads all 8 frames. After a producer that
  // cut the frames apart, each piece gathers from many nodes; after one
  // with the same spatial blocks, from a few.
  TargetModel t = d1Target();
  ConvProblem spatialConv = factored(true), temporalConv = factored(false);
  ConvPlanChoice byFrames = plan({1, 4, 8, 1, 7}, spatialConv);
  ConvPlanChoice byRows = plan({1, 4, 1, 12, 7}, spatialConv);
  ConvPlanChoice consumer = plan({1, 4, 1, 12, 7}, temporalConv);
  double scattered = redistributionCycles(spatialConv, byFrames, temporalConv,
                                          consumer, t, 354);
  double aligned = redistributionCycles(spatialConv, byRows, temporalConv,
                                        consumer, t, 354);
  EXPECT_GT(scattered, 0.0);
  EXPECT_LT(aligned, scattered / 2);
}

TEST(ConvPlan, ForestPlanningTradesALayersSpeedForItsConsumer) {
  // Layer 0 alone prefers candidate 0, but its consumer pays 500 cycles
  // more after it than after candidate 1, which is only 100 slower.
  ConvPlanChoice fast{{1}, 1, 1000, 0, 0, 0}, slow{{1}, 1, 1100, 0, 0, 0};
  ConvPlanChoice child{{1}, 1, 1000, 0, 0, 0};
  std::vector<std::vector<ConvPlanChoice>> layers = {{fast, slow}, {child}};
  std::vector<int> parent = {-1, 0};
  std::vector<std::vector<std::vector<double>>> edge(2);
  edge[1] = {{500.0}, {0.0}};
  std::vector<size_t> pick = choosePlans(layers, parent, edge, 1 << 20);
  EXPECT_EQ(pick[0], 1u);
  EXPECT_EQ(pick[1], 0u);
  // Without the edge, the faster one.
  edge[1] = {{0.0}, {0.0}};
  EXPECT_EQ(choosePlans(layers, parent, edge, 1 << 20)[0], 0u);
}

} // namespace
