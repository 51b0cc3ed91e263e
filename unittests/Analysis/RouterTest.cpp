//===- RouterTest.cpp - Tests for the NoC router --------------------------===//

#include "dojo/Dialect/D1/Analysis/Router.h"

#include <gtest/gtest.h>

#include <random>

using namespace dojo;
using namespace dojo::d1;

namespace {

TargetModel mesh(int rows, int cols, const std::string &overrides = "") {
  TargetModel t = *TargetModel::byName("mesh-" + std::to_string(rows) + "x" +
                                       std::to_string(cols));
  EXPECT_EQ(t.applyOverrides(overrides), "");
  return t;
}

TargetModel d1() { return *TargetModel::byName("d1"); }

int id(const TargetModel &t, int r, int c) { return t.nodeId({r, c}); }

int manhattan(const TargetModel &t, int a, int b) {
  Coord x = t.coord(a), y = t.coord(b);
  return std::abs(x.row - y.row) + std::abs(x.col - y.col);
}

/// Random transfers between enabled nodes.
std::vector<RouteRequest> randomRequests(const TargetModel &t, int n,
                                         unsigned seed) {
  std::vector<int> nodes = t.enabledNodesSnake();
  std::mt19937 rng(seed);
  std::vector<RouteRequest> reqs;
  for (int i = 0; i < n; ++i)
    reqs.push_back({nodes[rng() % nodes.size()], nodes[rng() % nodes.size()],
                    int64_t(1 + rng() % 5000)});
  return reqs;
}

/// Every enabled node sends to every enabled node: ~125k transfers on a D1.
std::vector<RouteRequest> allPairs(const TargetModel &t) {
  std::vector<RouteRequest> reqs;
  std::vector<int> nodes = t.enabledNodesSnake();
  for (int a : nodes)
    for (int b : nodes)
      if (a != b)
        reqs.push_back({a, b, 64 + (a * 7 + b * 13) % 512});
  return reqs;
}

TEST(Router, LinkIndexNumbersDirectedLinks) {
  TargetModel t = mesh(3, 4);
  int c = id(t, 1, 1);
  EXPECT_EQ(linkIndex(t, c, id(t, 0, 1)), c * 4 + North);
  EXPECT_EQ(linkIndex(t, c, id(t, 1, 2)), c * 4 + East);
  EXPECT_EQ(linkIndex(t, c, id(t, 2, 1)), c * 4 + South);
  EXPECT_EQ(linkIndex(t, c, id(t, 1, 0)), c * 4 + West);
  EXPECT_EQ(linkIndex(t, c, id(t, 2, 2)), -1);
  EXPECT_EQ(linkIndex(t, c, c), -1);
  // Row ends must not wrap around: (0,3) and (1,0) have adjacent ids.
  EXPECT_EQ(linkIndex(t, id(t, 0, 3), id(t, 1, 0)), -1);
  EXPECT_EQ(linkIndex(t, c, 99), -1);
}

TEST(Router, XYGoesAlongColumnsFirst) {
  TargetModel t = mesh(4, 4);
  std::vector<RouteRequest> reqs = {{id(t, 0, 0), id(t, 2, 3), 100},
                                    {id(t, 3, 2), id(t, 1, 0), 50},
                                    {id(t, 2, 2), id(t, 2, 2), 10}};
  RoutingResult r = routeTransfers(t, reqs);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.paths[0],
            (std::vector<int>{id(t, 0, 0), id(t, 0, 1), id(t, 0, 2),
                              id(t, 0, 3), id(t, 1, 3), id(t, 2, 3)}));
  EXPECT_EQ(r.paths[1], (std::vector<int>{id(t, 3, 2), id(t, 3, 1), id(t, 3, 0),
                                          id(t, 2, 0), id(t, 1, 0)}));
  EXPECT_EQ(r.paths[2], (std::vector<int>{id(t, 2, 2)}));
  EXPECT_EQ(r.linkBytes[linkIndex(t, id(t, 0, 0), id(t, 0, 1))], 100);
  EXPECT_EQ(r.maxLinkBytes, 100);
  EXPECT_EQ(verifyRoutes(t, reqs, r), "");
}

TEST(Router, LinkBytesSumToBytesTimesHops) {
  TargetModel t = d1();
  std::vector<RouteRequest> reqs = randomRequests(t, 3000, 7);
  for (RoutingAlgorithm alg :
       {RoutingAlgorithm::XY, RoutingAlgorithm::Negotiated}) {
    RoutingResult r = routeTransfers(t, reqs, {alg, 30});
    ASSERT_TRUE(r.ok) << r.error;
    int64_t expected = 0, sum = 0;
    for (size_t i = 0; i < reqs.size(); ++i)
      expected += reqs[i].bytes * int64_t(r.paths[i].size() - 1);
    for (int64_t b : r.linkBytes)
      sum += b;
    EXPECT_EQ(sum, expected);
    ASSERT_EQ(r.linkBytes.size(), size_t(4 * t.numNodes()));
  }
}

TEST(Router, AvoidsTheD1DisabledNodes) {
  TargetModel t = d1();
  ASSERT_EQ(t.disabled.size(), 6u);
  // Transfers that run straight through each disabled node in both axes and
  // both directions, plus ones whose XY path only grazes it.
  std::vector<RouteRequest> reqs;
  for (int dead : t.disabled) {
    Coord c = t.coord(dead);
    reqs.push_back({id(t, c.row, c.col - 1), id(t, c.row, c.col + 1), 100});
    reqs.push_back({id(t, c.row, c.col + 1), id(t, c.row, c.col - 1), 100});
    reqs.push_back({id(t, c.row - 1, c.col), id(t, c.row + 1, c.col), 100});
    reqs.push_back({id(t, c.row + 1, c.col), id(t, c.row - 1, c.col), 100});
    reqs.push_back({id(t, c.row, 0), id(t, 17 - c.row, 19), 100});
    reqs.push_back({id(t, c.row, 19), id(t, 0, 0), 100});
  }
  RoutingResult r = routeTransfers(t, reqs);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(verifyRoutes(t, reqs, r), "");
  for (size_t i = 0; i < reqs.size(); ++i) {
    // Each disabled node is isolated, so going around costs two extra hops.
    EXPECT_LE(int(r.paths[i].size()) - 1,
              manhattan(t, reqs[i].src, reqs[i].dst) + 2)
        << "request " << i;
    for (int node : r.paths[i])
      EXPECT_TRUE(t.isEnabled(node)) << "request " << i;
  }
  EXPECT_TRUE(isDeadlockFree(t, r.paths));
}

TEST(Router, KeepsXYWhereverItIsClearWhenATurnModelSuffices) {
  // One hole at (3,3). West-first cannot serve a source in row 3 east of the
  // hole with a destination at or west of its column, so leave those out: then
  // XY stays wherever it is clear and only the blocked pairs detour.
  TargetModel t = mesh(8, 8, "disabled=3:3");
  TargetModel full = mesh(8, 8);
  std::vector<RouteRequest> reqs;
  for (const RouteRequest &r : randomRequests(t, 600, 5)) {
    Coord s = t.coord(r.src), d = t.coord(r.dst);
    if (!(s.row == 3 && s.col > 3 && d.col <= 3))
      reqs.push_back(r);
  }
  RoutingResult r = routeTransfers(t, reqs);
  RoutingResult plain = routeTransfers(full, reqs);
  ASSERT_TRUE(r.ok && plain.ok) << r.error << plain.error;
  EXPECT_EQ(verifyRoutes(t, reqs, r), "");
  EXPECT_TRUE(isDeadlockFree(t, r.paths));
  int detours = 0;
  for (size_t i = 0; i < reqs.size(); ++i) {
    bool clear = true;
    for (int node : plain.paths[i])
      clear &= t.isEnabled(node);
    if (clear) {
      EXPECT_EQ(r.paths[i], plain.paths[i]) << "request " << i;
    } else {
      ++detours;
      EXPECT_LE(r.paths[i].size(), plain.paths[i].size() + 2)
          << "request " << i;
    }
  }
  EXPECT_GT(detours, 0) << "the sample should include detours";
}

TEST(Router, AllToAllAroundAHoleFallsBackToUpDown) {
  // No turn model containing XY serves every pair around a hole, so all
  // pairs take up*/down* paths; they must stay short and deadlock free.
  TargetModel t = mesh(6, 6, "disabled=2:3");
  std::vector<RouteRequest> reqs = allPairs(t);
  RoutingResult r = routeTransfers(t, reqs);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(verifyRoutes(t, reqs, r), "");
  EXPECT_TRUE(isDeadlockFree(t, r.paths));
  for (size_t i = 0; i < reqs.size(); ++i)
    EXPECT_LE(int(r.paths[i].size()) - 1,
              manhattan(t, reqs[i].src, reqs[i].dst) + 4)
        << "request " << i;
}

TEST(Router, ReportsUnreachableAndDisabledEndpoints) {
  // (0,0) is walled in by its two disabled neighbours.
  TargetModel t = mesh(3, 3, "disabled=0:1;1:0");
  RoutingResult r = routeTransfers(t, {{id(t, 0, 0), id(t, 2, 2), 64}});
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("(0,0)"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("(2,2)"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("no path"), std::string::npos) << r.error;

  r = routeTransfers(t, {{id(t, 2, 2), id(t, 0, 1), 64}},
                     {RoutingAlgorithm::Negotiated, 5});
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("destination node (0,1) is disabled"),
            std::string::npos)
      << r.error;

  r = routeTransfers(t, {{id(t, 2, 2), 42, 64}});
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("outside the 3x3 mesh"), std::string::npos) << r.error;

  r = routeTransfers(t, {{id(t, 2, 2), id(t, 1, 1), -1}});
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("negative"), std::string::npos) << r.error;
}

TEST(Router, RandomRoutesVerifyOnBothAlgorithms) {
  for (const char *overrides : {"", "disabled=1:1;2:5;4:2;5:6;6:1"}) {
    TargetModel t = mesh(8, 8, overrides);
    for (unsigned seed = 0; seed < 5; ++seed) {
      std::vector<RouteRequest> reqs = randomRequests(t, 400, seed);
      for (RoutingAlgorithm alg :
           {RoutingAlgorithm::XY, RoutingAlgorithm::Negotiated}) {
        RoutingResult r = routeTransfers(t, reqs, {alg, 20});
        ASSERT_TRUE(r.ok) << r.error;
        EXPECT_EQ(verifyRoutes(t, reqs, r), "");
        EXPECT_TRUE(isDeadlockFree(t, r.paths));
      }
    }
  }
}

TEST(Router, VerifierRejectsBrokenRoutes) {
  TargetModel t = mesh(4, 4, "disabled=1:1");
  std::vector<RouteRequest> reqs = {{id(t, 0, 0), id(t, 0, 2), 10}};
  RoutingResult r = routeTransfers(t, reqs);
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(verifyRoutes(t, reqs, r), "");
  RoutingResult bad = r;
  bad.paths[0] = {id(t, 0, 0), id(t, 0, 2)};
  EXPECT_NE(verifyRoutes(t, reqs, bad).find("not neighbours"),
            std::string::npos);
  bad.paths[0] = {id(t, 0, 0), id(t, 1, 0), id(t, 1, 1), id(t, 1, 2),
                  id(t, 0, 2)};
  EXPECT_NE(verifyRoutes(t, reqs, bad).find("disabled node (1,1)"),
            std::string::npos);
  bad.paths[0] = {id(t, 0, 0), id(t, 0, 1)};
  EXPECT_NE(verifyRoutes(t, reqs, bad).find("instead of"), std::string::npos);
  bad = r;
  bad.linkBytes[linkIndex(t, id(t, 0, 0), id(t, 0, 1))] += 1;
  EXPECT_NE(verifyRoutes(t, reqs, bad).find("linkBytes"), std::string::npos);
}

TEST(Router, DeadlockCheckFindsACycle) {
  TargetModel t = mesh(2, 2);
  int a = id(t, 0, 0), b = id(t, 0, 1), c = id(t, 1, 1), d = id(t, 1, 0);
  // Four transfers chasing each other around the square.
  std::vector<std::vector<int>> ring = {
      {a, b, c}, {b, c, d}, {c, d, a}, {d, a, b}};
  EXPECT_FALSE(isDeadlockFree(t, ring));
  ring.pop_back();
  EXPECT_TRUE(isDeadlockFree(t, ring));
  // A single path that uses the same link twice depends on itself.
  EXPECT_FALSE(isDeadlockFree(t, {{a, b, c, d, a, b, c}}));
}

/// Four transfers whose XY paths all come down column 4 on their last hops;
/// minimal staircases can turn south in different columns instead.
std::vector<RouteRequest> hotspot(const TargetModel &t) {
  std::vector<RouteRequest> reqs;
  for (int r = 0; r < 4; ++r)
    reqs.push_back({id(t, r, 0), id(t, r + 4, 4), 1000});
  return reqs;
}

TEST(Router, NegotiationSpreadsAHotspot) {
  for (const char *overrides : {"", "disabled=2:2;5:1"}) {
    TargetModel t = mesh(8, 8, overrides);
    std::vector<RouteRequest> reqs = hotspot(t);
    RoutingResult xy = routeTransfers(t, reqs);
    RoutingResult neg =
        routeTransfers(t, reqs, {RoutingAlgorithm::Negotiated, 30});
    ASSERT_TRUE(xy.ok) << xy.error;
    ASSERT_TRUE(neg.ok) << neg.error;
    EXPECT_EQ(verifyRoutes(t, reqs, neg), "");
    EXPECT_TRUE(isDeadlockFree(t, neg.paths));
    EXPECT_GE(xy.maxLinkBytes, 3000) << overrides;
    EXPECT_LT(neg.maxLinkBytes, xy.maxLinkBytes) << overrides;
    EXPECT_LE(neg.maxLinkBytes, 2000) << overrides;
    // Negotiation only picks among minimal paths.
    for (size_t i = 0; i < reqs.size(); ++i)
      EXPECT_EQ(int(neg.paths[i].size()) - 1,
                manhattan(t, reqs[i].src, reqs[i].dst));
  }
}

TEST(Router, NegotiationNeverEndsWorseThanXY) {
  TargetModel t = d1();
  for (unsigned seed = 10; seed < 14; ++seed) {
    std::vector<RouteRequest> reqs = randomRequests(t, 1500, seed);
    // Concentrate a share of the traffic on a few destinations.
    for (size_t i = 0; i < reqs.size(); i += 3)
      reqs[i].dst = id(t, 9, 10 + int(i % 2));
    RoutingResult xy = routeTransfers(t, reqs);
    RoutingResult neg =
        routeTransfers(t, reqs, {RoutingAlgorithm::Negotiated, 30});
    ASSERT_TRUE(xy.ok && neg.ok) << xy.error << neg.error;
    EXPECT_LE(neg.maxLinkBytes, xy.maxLinkBytes);
    EXPECT_EQ(verifyRoutes(t, reqs, neg), "");
    EXPECT_TRUE(isDeadlockFree(t, neg.paths));
  }
}

TEST(Router, AllPairsOnTheD1StayDeadlockFree) {
  // ~125k transfers: the scale of a real model's traffic, on both routers.
  TargetModel t = d1();
  std::vector<RouteRequest> reqs = allPairs(t);
  ASSERT_GT(reqs.size(), 100000u);
  RoutingResult xy = routeTransfers(t, reqs);
  ASSERT_TRUE(xy.ok) << xy.error;
  EXPECT_EQ(verifyRoutes(t, reqs, xy), "");
  EXPECT_TRUE(isDeadlockFree(t, xy.paths));
  RoutingResult neg =
      routeTransfers(t, reqs, {RoutingAlgorithm::Negotiated, 30});
  ASSERT_TRUE(neg.ok) << neg.error;
  EXPECT_EQ(verifyRoutes(t, reqs, neg), "");
  EXPECT_TRUE(isDeadlockFree(t, neg.paths));
  EXPECT_LE(neg.maxLinkBytes, xy.maxLinkBytes);
}

TEST(Router, DuplicatePairsShareOnePath) {
  TargetModel t = d1();
  std::vector<RouteRequest> reqs;
  for (int k = 0; k < 50000; ++k)
    reqs.push_back({id(t, 2, 0), id(t, 2, 19), 10});
  RoutingResult r = routeTransfers(t, reqs, {RoutingAlgorithm::Negotiated, 30});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.paths.front(), r.paths.back());
  EXPECT_EQ(r.maxLinkBytes, 500000);
  EXPECT_EQ(verifyRoutes(t, reqs, r), "");
}

} // namespace
