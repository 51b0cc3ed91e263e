//===- TargetModelTest.cpp - Named targets, overrides, spec round trip ----===//
#include "dojo/Target/TargetModel.h"

#include <gtest/gtest.h>

using namespace dojo;

TEST(TargetModel, D1MatchesPublishedFigures) {
  auto t = TargetModel::byName("d1");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->rows, 18);
  EXPECT_EQ(t->cols, 20);
  EXPECT_EQ(t->numEnabled(), 354);
  EXPECT_EQ(t->sramBytes, 1310720);
  // 354 x 256 MAC x 2 FLOP x 2 GHz = 362.5 TFLOPS BF16.
  EXPECT_NEAR(t->peakMacsPerCycle(MatDType::BF16) * 2 * t->clockGHz * 1e9,
              362.5e12, 0.1e12);
  // 354 x 16 FMA x 2 x 2 GHz = 22.7 TFLOPS FP32.
  EXPECT_NEAR(t->peakMacsPerCycle(MatDType::F32) * 2 * t->clockGHz * 1e9,
              22.66e12, 0.01e12);
  EXPECT_EQ(t->vectorLanesF32(), 16);
  EXPECT_EQ(t->validate(), "");
}

TEST(TargetModel, TestMeshes) {
  for (auto [name, rows, cols] :
       {std::tuple{"mesh-1x1", 1, 1}, {"mesh-2x2", 2, 2}, {"mesh-4x4", 4, 4},
        {"mesh-3x7", 3, 7}}) {
    auto t = TargetModel::byName(name);
    ASSERT_TRUE(t) << name;
    EXPECT_EQ(t->rows, rows);
    EXPECT_EQ(t->cols, cols);
    EXPECT_EQ(t->numEnabled(), rows * cols);
  }
  EXPECT_FALSE(TargetModel::byName("mesh-0x4"));
  EXPECT_FALSE(TargetModel::byName("tpu"));
  EXPECT_FALSE(TargetModel::byName("mesh-4"));
}

TEST(TargetModel, OverridesEveryField) {
  auto t = *TargetModel::byName("mesh-2x2");
  EXPECT_EQ(t.applyOverrides("sram_bytes=65536,reserved_bytes=1024,"
                             "link_bytes=64,hop_latency=9,disabled=1:1,"
                             "clock_ghz=1.5"),
            "");
  EXPECT_EQ(t.sramBytes, 65536);
  EXPECT_EQ(t.reservedBytes, 1024);
  EXPECT_EQ(t.linkBytesPerCycle, 64);
  EXPECT_EQ(t.hopLatency, 9);
  EXPECT_DOUBLE_EQ(t.clockGHz, 1.5);
  EXPECT_FALSE(t.isEnabled(Coord{1, 1}));
  EXPECT_EQ(t.numEnabled(), 3);
}

TEST(TargetModel, DisabledNodesFollowColumnOverride) {
  // `disabled` is given as coordinates; a `cols` override in the same list
  // must not move them.
  auto t = *TargetModel::byName("mesh-2x2");
  EXPECT_EQ(t.applyOverrides("disabled=1:2,cols=3"), "");
  EXPECT_FALSE(t.isEnabled(Coord{1, 2}));
  EXPECT_TRUE(t.isEnabled(Coord{1, 1}));
  // Existing disabled nodes keep their coordinates when only cols changes.
  EXPECT_EQ(t.applyOverrides("cols=4"), "");
  EXPECT_FALSE(t.isEnabled(Coord{1, 2}));
  EXPECT_EQ(t.numEnabled(), 7);
}

TEST(TargetModel, RejectsBadOverrides) {
  auto t = *TargetModel::byName("mesh-2x2");
  EXPECT_NE(t.applyOverrides("nonsense=1").find("unknown target field"),
            std::string::npos);
  EXPECT_NE(t.applyOverrides("rows=abc").find("not an integer"),
            std::string::npos);
  EXPECT_NE(t.applyOverrides("sram_bytes").find("key=value"), std::string::npos);
  EXPECT_NE(t.applyOverrides("disabled=5:5").find("outside"), std::string::npos);
  auto u = *TargetModel::byName("mesh-1x1");
  EXPECT_NE(u.applyOverrides("disabled=0:0").find("no enabled node"),
            std::string::npos);
  auto v = *TargetModel::byName("mesh-1x1");
  EXPECT_NE(v.applyOverrides("reserved_bytes=999999999").find("reserved"),
            std::string::npos);
}

TEST(TargetModel, SpecRoundTrip) {
  auto t = *TargetModel::byName("d1");
  ASSERT_EQ(t.applyOverrides("link_bytes=64,hbm_latency=1234"), "");
  TargetModel u;
  ASSERT_EQ(TargetModel::fromSpec(t.toSpec(), u), "");
  EXPECT_EQ(u.toSpec(), t.toSpec());
  EXPECT_EQ(u.disabled, t.disabled);
  EXPECT_EQ(u.linkBytesPerCycle, 64);
  EXPECT_EQ(u.hbmLatency, 1234);
  EXPECT_EQ(u.numEnabled(), 354);
}

TEST(TargetModel, SnakeOrderVisitsEveryEnabledNodeOnce) {
  auto t = *TargetModel::byName("d1");
  std::vector<int> order = t.enabledNodesSnake();
  ASSERT_EQ(order.size(), 354u);
  std::vector<bool> seen(t.numNodes());
  for (int id : order) {
    EXPECT_TRUE(t.isEnabled(id));
    EXPECT_FALSE(seen[id]);
    seen[id] = true;
  }
  // Consecutive nodes in the same row are neighbours.
  Coord a = t.coord(order[0]), b = t.coord(order[1]);
  EXPECT_EQ(std::abs(a.col - b.col) + std::abs(a.row - b.row), 1);
}

/// Hops between two node ids.
static int hops(const TargetModel &t, int a, int b) {
  Coord x = t.coord(a), y = t.coord(b);
  return std::abs(x.row - y.row) + std::abs(x.col - y.col);
}

TEST(TargetModel, CurveOrderIsAHamiltonianPathOfAnyRectangle) {
  // Every shape, including odd sides and thin strips: each node once, each
  // step to a neighbour, except one diagonal step where one side is odd
  // and the other even (no such path between the corners exists then).
  for (int rows = 1; rows <= 9; ++rows)
    for (int cols = 1; cols <= 9; ++cols) {
      auto t = *TargetModel::byName("mesh-" + std::to_string(rows) + "x" +
                                    std::to_string(cols));
      std::vector<int> order = t.enabledNodesCurve();
      ASSERT_EQ(order.size(), size_t(rows * cols)) << rows << "x" << cols;
      std::vector<bool> seen(t.numNodes());
      int diagonal = 0;
      for (size_t i = 0; i < order.size(); ++i) {
        EXPECT_FALSE(seen[order[i]]);
        seen[order[i]] = true;
        if (i == 0)
          continue;
        int h = hops(t, order[i - 1], order[i]);
        EXPECT_LE(h, 2) << rows << "x" << cols << " step " << i;
        diagonal += h == 2;
      }
      bool mixedParity = rows > 1 && cols > 1 && (rows + cols) % 2 == 1;
      EXPECT_LE(diagonal, mixedParity ? 1 : 0) << rows << "x" << cols;
    }
  // On 2x2 it is the snake order.
  auto t = *TargetModel::byName("mesh-2x2");
  EXPECT_EQ(t.enabledNodesCurve(), t.enabledNodesSnake());
}

TEST(TargetModel, CurveOrderKeepsNearbyPiecesClose) {
  // Pieces 4 to 24 apart in the order (a block's neighbours along its
  // channel and innermost dimensions) are far fewer hops apart than on the
  // snake, whose rows put them up to a row's length away.
  auto t = *TargetModel::byName("d1");
  std::vector<int> curve = t.enabledNodesCurve(), snake = t.enabledNodesSnake();
  ASSERT_EQ(curve.size(), 354u);
  for (int gap : {4, 8, 16, 24}) {
    double c = 0, s = 0;
    for (size_t i = 0; i + gap < curve.size(); ++i) {
      c += hops(t, curve[i], curve[i + gap]);
      s += hops(t, snake[i], snake[i + gap]);
    }
    EXPECT_LT(c, 0.75 * s) << "gap " << gap;
  }
}

TEST(TargetModel, BarrierLatencyDerivedUnlessSet) {
  auto t = *TargetModel::byName("mesh-4x4");
  EXPECT_EQ(t.effectiveBarrierLatency(), 2 * t.hopLatency * 8);
  t.barrierLatency = 7;
  EXPECT_EQ(t.effectiveBarrierLatency(), 7);
}
