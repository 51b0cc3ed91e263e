//===- Trace.cpp - Timeline recording and its Chrome trace JSON form ------===//
//
// With Options::trace set, runNode reports every executed instruction, wake
// reports blocked intervals and issueDma every transfer. Instructions are
// merged into compute spans while they keep the same debug name and follow
// each other without a gap, so a trace has one span per stretch of an ONNX
// node's work rather than one per instruction.
//
//===----------------------------------------------------------------------===//
#include "Machine.h"

#include <algorithm>
#include <cstdio>

namespace dojo::sim {

namespace detail {

void Machine::traceInit(NodeState &n) {
  // The first matching debug range names a pc, as in error messages.
  n.pcName.assign(n.prog->code.size(), -1);
  for (auto it = n.prog->debug.rbegin(); it != n.prog->debug.rend(); ++it)
    std::fill(n.pcName.begin() + it->beginPc, n.pcName.begin() + it->endPc,
              it->name);
}

void Machine::traceFlush(NodeState &n) {
  if (!n.spanOpen)
    return;
  n.spanOpen = false;
  if (n.spanEnd <= n.spanBegin)
    return;
  TraceEvent e;
  e.kind = TraceEvent::Kind::Compute;
  e.node = n.id;
  e.begin = n.spanBegin;
  e.end = n.spanEnd;
  e.name = n.spanName;
  options_.trace->events.push_back(e);
}

void Machine::traceInsn(NodeState &n, int64_t pc, int64_t begin) {
  int32_t name = n.pcName[size_t(pc)];
  if (n.spanOpen && n.spanName == name && n.spanEnd == begin) {
    n.spanEnd = n.time;
    return;
  }
  traceFlush(n);
  n.spanOpen = true;
  n.spanName = name;
  n.spanBegin = begin;
  n.spanEnd = n.time;
}

void Machine::traceWait(NodeState &n, int64_t until) {
  traceFlush(n);
  TraceEvent e;
  e.kind = TraceEvent::Kind::Wait;
  e.node = n.id;
  e.begin = n.time;
  e.end = until;
  e.barrier = n.status == NodeStatus::AtBarrier;
  // A barrier release has already moved the pc past the barrier.
  e.name = n.pcName[size_t(e.barrier ? n.pc - 1 : n.pc)];
  e.semaphore = e.barrier ? -1 : n.waitSem;
  options_.trace->events.push_back(e);
}

void Machine::traceDma(NodeState &n, const isa::DmaDesc &d, int dstNode,
                       int64_t begin, int64_t end, int hops) {
  TraceEvent e;
  e.kind = TraceEvent::Kind::Dma;
  e.node = n.id;
  e.begin = begin;
  e.end = end;
  e.name = n.pcName[size_t(n.pc)];
  e.bytes = d.bytes();
  e.dstNode = dstNode;
  e.fromHbm = d.mode == isa::DmaMode::HbmToSram;
  e.hops = hops;
  options_.trace->events.push_back(e);
}

} // namespace detail

namespace {

/// JSON string literal of `s` (names come from ONNX graphs: escape all).
std::string quote(const std::string &s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out += char(c);
    }
  }
  return out + "\"";
}

std::string nodeText(const TargetModel &t, int id) {
  Coord c = t.coord(id);
  return "node (" + std::to_string(c.row) + "," + std::to_string(c.col) + ")";
}

constexpr int kDmaTid = 100000;

} // namespace

std::string Trace::toJson(const bin::Executable &exe) const {
  const TargetModel &t = exe.target;
  auto nameOf = [&](int32_t i) -> std::string {
    return i >= 0 && size_t(i) < exe.names.size() ? exe.names[size_t(i)]
                                                  : "(no onnx node)";
  };
  std::string out = "{\"displayTimeUnit\": \"ns\", \"otherData\": {\"note\": "
                    "\"timestamps are cycles shown as microseconds\", "
                    "\"clock_ghz\": " +
                    std::to_string(t.clockGHz) + "},\n\"traceEvents\": [\n";
  out += "{\"ph\": \"M\", \"pid\": 0, \"name\": \"process_name\", \"args\": "
         "{\"name\": \"" + t.name + " mesh\"}}";
  auto meta = [&](int tid, const std::string &name) {
    out += ",\n{\"ph\": \"M\", \"pid\": 0, \"tid\": " + std::to_string(tid) +
           ", \"name\": \"thread_name\", \"args\": {\"name\": " + quote(name) +
           "}},\n{\"ph\": \"M\", \"pid\": 0, \"tid\": " + std::to_string(tid) +
           ", \"name\": \"thread_sort_index\", \"args\": {\"sort_index\": " +
           std::to_string(tid) + "}}";
  };
  for (const bin::NodeCode &nc : exe.nodes)
    meta(nc.node, nodeText(t, nc.node));

  // Transfers of one node may overlap (HBM latency is long); each goes to
  // the first of the node's lanes that is free at its start, so that every
  // track holds properly nested (here: disjoint) complete events.
  std::vector<const TraceEvent *> order;
  for (const TraceEvent &e : events)
    order.push_back(&e);
  std::stable_sort(order.begin(), order.end(),
                   [](const TraceEvent *a, const TraceEvent *b) {
                     return a->begin < b->begin;
                   });
  std::vector<std::vector<int64_t>> laneFree(size_t(t.numNodes()));
  std::vector<std::vector<bool>> laneNamed(size_t(t.numNodes()));
  for (const TraceEvent *e : order) {
    const char *cat = e->kind == TraceEvent::Kind::Compute ? "compute"
                      : e->kind == TraceEvent::Kind::Wait  ? "wait"
                                                           : "dma";
    int tid = e->node;
    std::string name, args = "\"onnx\": " + quote(nameOf(e->name));
    if (e->kind == TraceEvent::Kind::Compute) {
      name = nameOf(e->name);
    } else if (e->kind == TraceEvent::Kind::Wait) {
      name = "wait";
      args += ", \"on\": " +
              quote(e->barrier ? std::string("barrier")
                               : "s" + std::to_string(e->semaphore));
    } else {
      name = nameOf(e->name);
      std::vector<int64_t> &free = laneFree[size_t(e->node)];
      size_t lane = 0;
      while (lane < free.size() && free[lane] > e->begin)
        ++lane;
      if (lane == free.size())
        free.push_back(0);
      free[lane] = e->end;
      tid = kDmaTid + int(lane) * t.numNodes() + e->node;
      std::vector<bool> &named = laneNamed[size_t(e->node)];
      if (named.size() <= lane)
        named.resize(lane + 1, false);
      if (!named[lane]) {
        named[lane] = true;
        meta(tid, nodeText(t, e->node) + " dma " + std::to_string(lane));
      }
      std::string src = e->fromHbm ? "hbm" : nodeText(t, e->node);
      std::string dst = e->dstNode < 0 ? "hbm" : nodeText(t, e->dstNode);
      args += ", \"bytes\": " + std::to_string(e->bytes) +
              ", \"src\": " + quote(src) + ", \"dst\": " + quote(dst) +
              ", \"hops\": " + std::to_string(e->hops);
    }
    out += ",\n{\"ph\": \"X\", \"cat\": \"";
    out += cat;
    out += "\", \"name\": " + quote(name) + ", \"pid\": 0, \"tid\": " +
           std::to_string(tid) + ", \"ts\": " + std::to_string(e->begin) +
           ", \"dur\": " + std::to_string(e->end - e->begin) +
           ", \"args\": {" + args + ", \"cycles\": " +
           std::to_string(e->end - e->begin) + "}}";
  }
  out += "\n]}\n";
  return out;
}

} // namespace dojo::sim
