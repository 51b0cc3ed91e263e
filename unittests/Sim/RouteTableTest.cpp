//===- RouteTableTest.cpp - Precomputed links of compiled routes ----------===//
//
// Both layouts of the route table (fixed stride, and packed when fixed
// records would take too much memory) must give every route's hop count
// and the directed link of each hop, as linkIndex computes it.
//
//===----------------------------------------------------------------------===//
#include "RouteTable.h"

#include <gtest/gtest.h>

using namespace dojo;
using namespace dojo::sim::detail;

namespace {

void expectRecords(const RouteTable &table, const TargetModel &t,
                   const std::vector<std::vector<int>> &routes) {
  for (size_t r = 0; r < routes.size(); ++r) {
    const int32_t *rec = table.record(int64_t(r));
    ASSERT_EQ(rec[0], int32_t(routes[r].size() - 1)) << "route " << r;
    for (size_t h = 0; h + 1 < routes[r].size(); ++h)
      EXPECT_EQ(rec[1 + h], linkIndex(t, routes[r][h], routes[r][h + 1]))
          << "route " << r << " hop " << h;
  }
}

TEST(RouteTable, RecordsGiveEveryHopsLink) {
  TargetModel t;
  t.rows = 3;
  t.cols = 4;
  // Ids: row * 4 + col. East, south, west, north steps, a local route (one
  // node) and a long detour.
  const std::vector<std::vector<int>> routes = {
      {0, 1, 2, 3}, {1, 5, 9}, {7, 6}, {9, 5, 1}, {6},
      {0, 4, 8, 9, 10, 11, 7, 3, 2, 1, 5, 6}};
  RouteTable table;
  EXPECT_FALSE(table.built());
  table.build(t, routes);
  EXPECT_TRUE(table.built());
  EXPECT_EQ(table.stride(), 12);
  expectRecords(table, t, routes);
  // The directions themselves: north 0, east 1, south 2, west 3.
  EXPECT_EQ(linkIndex(t, 5, 1), 5 * 4 + 0);
  EXPECT_EQ(linkIndex(t, 5, 6), 5 * 4 + 1);
  EXPECT_EQ(linkIndex(t, 5, 9), 5 * 4 + 2);
  EXPECT_EQ(linkIndex(t, 5, 4), 5 * 4 + 3);
}

TEST(RouteTable, PacksRecordsWhenFixedOnesWouldWasteMemory) {
  TargetModel t;
  t.rows = 1;
  t.cols = 64;
  // One long route and many short ones: fixed records would take about
  // 60 times the packed size.
  std::vector<std::vector<int>> routes(200, std::vector<int>{0, 1});
  std::vector<int> longRoute;
  for (int i = 0; i < 64; ++i)
    longRoute.push_back(i);
  routes.push_back(longRoute);
  RouteTable packed;
  packed.build(t, routes, 0);
  EXPECT_EQ(packed.stride(), 0);
  RouteTable fixed;
  fixed.build(t, routes); // within kFixedBytes
  EXPECT_EQ(fixed.stride(), 64);
  expectRecords(packed, t, routes);
  expectRecords(fixed, t, routes);
}

} // namespace
