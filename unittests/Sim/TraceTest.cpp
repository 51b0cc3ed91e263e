//===- TraceTest.cpp - Timeline spans and their JSON form -----------------===//
#include "TestUtil.h"

using namespace dojo;
using namespace dojo::test;

namespace {

using Kind = sim::TraceEvent::Kind;

TEST(SimTrace, MergesComputeSpansAndRecordsWaitsAndTransfers) {
  // Node 0: three instructions of "a", two of "b", then a DMA to node 3
  // (debug name "b"). Node 3 waits for it (a wait span), then runs "c".
  bin::Executable exe = makeExe();
  exe.routes = {{0, 1, 3}};
  exe.names = {"a", "b", "c"};
  Asm p0(exe, 0);
  p0.emit(Op::Nop);
  p0.emit(Op::Nop);
  p0.emit(Op::Nop);
  p0.emit(Op::VSplat, 1, 0, 0, floatBits(1.0f));
  p0.li(1, 4096);
  p0.li(2, 8192);
  p0.emit(Op::Dma, 1, 2, 0, p0.desc(isa::encode(copy1d(isa::DmaMode::SramToSram, 16, 0, 3, 0))));
  p0.halt();
  p0.code().debug = {{0, 3, 0}, {3, 7, 1}};
  Asm p3(exe, 3);
  p3.emit(Op::SemWait, 0, 0, 0, 1);
  p3.emit(Op::Nop);
  p3.halt();
  p3.code().debug = {{0, 3, 2}};

  sim::Trace trace;
  sim::Options opts;
  opts.trace = &trace;
  RunResult r = simulate(exe, {}, opts);
  ASSERT_TRUE(r.ok) << r.error;
  std::vector<sim::TraceEvent> node0, node3, dma, waits;
  for (const sim::TraceEvent &e : trace.events) {
    if (e.kind == Kind::Dma)
      dma.push_back(e);
    else if (e.kind == Kind::Wait)
      waits.push_back(e);
    else
      (e.node == 0 ? node0 : node3).push_back(e);
  }
  // "a" covers cycles [0, 3); "b" runs on to the DMA issue (2 li, vsplat,
  // 4 issue cycles) = [3, 10); the halt has no debug name.
  ASSERT_EQ(node0.size(), 3u);
  EXPECT_EQ(node0[0].name, 0);
  EXPECT_EQ(node0[0].begin, 0);
  EXPECT_EQ(node0[0].end, 3);
  EXPECT_EQ(node0[1].name, 1);
  EXPECT_EQ(node0[1].begin, 3);
  EXPECT_EQ(node0[1].end, 10);
  EXPECT_EQ(node0[2].name, -1);
  ASSERT_EQ(dma.size(), 1u);
  EXPECT_EQ(dma[0].node, 0);
  EXPECT_EQ(dma[0].dstNode, 3);
  EXPECT_EQ(dma[0].bytes, 64);
  EXPECT_EQ(dma[0].hops, 2);
  EXPECT_EQ(dma[0].name, 1);
  EXPECT_EQ(dma[0].begin, 10);
  // inject 4 + 2 hops * 2 + eject 4 + ceil(64 / 64) = 13 cycles.
  EXPECT_EQ(dma[0].end, 23);
  // Node 3 blocks on s0 from cycle 0 until the arrival, then runs "c".
  ASSERT_EQ(waits.size(), 1u);
  EXPECT_EQ(waits[0].node, 3);
  EXPECT_EQ(waits[0].begin, 0);
  EXPECT_EQ(waits[0].end, 23);
  EXPECT_EQ(waits[0].semaphore, 0);
  EXPECT_FALSE(waits[0].barrier);
  ASSERT_EQ(node3.size(), 1u);
  EXPECT_EQ(node3[0].name, 2);
  EXPECT_EQ(node3[0].begin, 23);
  EXPECT_EQ(node3[0].end, 26);

  std::string json = trace.toJson(exe);
  for (const char *part :
       {"\"traceEvents\": [",
        "\"tid\": 3, \"name\": \"thread_name\", \"args\": {\"name\": \"node (1,1)\"}",
        "{\"ph\": \"X\", \"cat\": \"compute\", \"name\": \"b\", \"pid\": 0, "
        "\"tid\": 0, \"ts\": 3, \"dur\": 7",
        "{\"ph\": \"X\", \"cat\": \"wait\", \"name\": \"wait\", \"pid\": 0, "
        "\"tid\": 3, \"ts\": 0, \"dur\": 23, \"args\": {\"onnx\": \"c\", \"on\": \"s0\"",
        "{\"ph\": \"X\", \"cat\": \"dma\", \"name\": \"b\", \"pid\": 0, "
        "\"tid\": 100000, \"ts\": 10, \"dur\": 13, \"args\": {\"onnx\": \"b\", "
        "\"bytes\": 64, \"src\": \"node (0,0)\", \"dst\": \"node (1,1)\", \"hops\": 2"})
    EXPECT_NE(json.find(part), std::string::npos) << part << "\n" << json;
}

TEST(SimTrace, OverlappingTransfersTakeSeparateLanes) {
  bin::Executable exe = makeExe();
  exe.outputs = {{"o", 1, {16}, 0}};
  Asm p(exe, 0);
  isa::DmaDesc d = copy1d(isa::DmaMode::SramToHbm, 16, 0);
  p.dma(4096, 0, d);
  p.dma(4096, 0, d);
  p.emit(Op::SemWait, 0, 0, 0, 2);
  p.halt();
  sim::Trace trace;
  sim::Options opts;
  opts.trace = &trace;
  RunResult r = simulate(exe, {}, opts);
  ASSERT_TRUE(r.ok) << r.error;
  std::string json = trace.toJson(exe);
  EXPECT_NE(json.find("\"tid\": 100000, \"ts\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"tid\": 100004, \"ts\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"name\": \"node (0,0) dma 1\""), std::string::npos);
  EXPECT_NE(json.find("\"on\": \"s0\""), std::string::npos);
}

TEST(SimTrace, BarrierWaitsAreNamedAfterTheBarrier) {
  bin::Executable exe = makeExe();
  exe.names = {"x"};
  Asm p0(exe, 0);
  p0.emit(Op::Barrier);
  p0.halt();
  p0.code().debug = {{0, 1, 0}};
  Asm p1(exe, 1);
  for (int i = 0; i < 10; ++i)
    p1.emit(Op::Nop);
  p1.emit(Op::Barrier);
  p1.halt();
  sim::Trace trace;
  sim::Options opts;
  opts.trace = &trace;
  RunResult r = simulate(exe, {}, opts);
  ASSERT_TRUE(r.ok) << r.error;
  bool found = false;
  for (const sim::TraceEvent &e : trace.events)
    if (e.kind == Kind::Wait && e.node == 0) {
      found = true;
      EXPECT_TRUE(e.barrier);
      EXPECT_EQ(e.name, 0);
      EXPECT_EQ(e.begin, 1);
      EXPECT_EQ(e.end, 11 + exe.target.effectiveBarrierLatency());
    }
  EXPECT_TRUE(found);
}

} // namespace
