//===- Stats.cpp - JSON form of the simulation statistics -----------------===//
//
// Written by hand (the simulator has no JSON dependency). Every field of
// Stats appears under its snake_case name (the keys the interface
// fixes: cycles, instructions, macs, sram_peak_bytes, noc_bytes,
// noc_max_link_bytes), node and link arrays included, with
// coordinates derived from the mesh shape so that plots need no knowledge of
// id layouts.
//
//===----------------------------------------------------------------------===//
#include "dojo/Sim/Simulator.h"

#include <cstdio>
#include <string>

namespace dojo::sim {

namespace {

std::string number(double x) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.17g", x);
  return buf;
}

void field(std::string &out, const char *name, int64_t v, bool comma = true) {
  out += "\"";
  out += name;
  out += "\": " + std::to_string(v) + (comma ? ", " : "");
}

} // namespace

std::string Stats::toJson() const {
  int cols = meshCols > 0 ? meshCols : 1;
  int64_t numNodes = int64_t(meshRows > 0 ? meshRows : 1) * cols;
  std::string out = "{\n  ";
  field(out, "cycles", cycles);
  out += "\"seconds\": " + number(seconds) + ", ";
  field(out, "instructions", instructions);
  field(out, "macs", macs);
  out += "\"utilization\": " + number(utilization) + ",\n  ";
  field(out, "sram_peak_bytes", sramPeakBytes);
  field(out, "noc_bytes", nocBytes);
  field(out, "noc_max_link_bytes", nocMaxLinkBytes);
  field(out, "hbm_bytes", hbmBytes);
  field(out, "dma_transfers", dmaTransfers);
  out += "\n  ";
  field(out, "mesh_rows", meshRows);
  field(out, "mesh_cols", meshCols);
  out += "\n  \"nodes\": [";
  for (size_t i = 0; i < nodes.size(); ++i) {
    const NodeStats &n = nodes[i];
    out += i ? ",\n    {" : "\n    {";
    field(out, "node", n.node);
    field(out, "row", n.node / cols);
    field(out, "col", n.node % cols);
    field(out, "cycles", n.cycles);
    field(out, "busy_cycles", n.busyCycles);
    field(out, "wait_cycles", n.waitCycles);
    field(out, "instructions", n.instructions);
    field(out, "macs", n.macs);
    field(out, "sram_peak", n.sramPeak, false);
    out += "}";
  }
  out += nodes.empty() ? "],\n" : "\n  ],\n";
  out += "  \"links\": [";
  for (size_t i = 0; i < linkBytes.size(); ++i) {
    auto [key, bytes] = linkBytes[i];
    out += i ? ",\n    {" : "\n    {";
    field(out, "from", key / numNodes);
    field(out, "to", key % numNodes);
    field(out, "bytes", bytes, false);
    out += "}";
  }
  out += linkBytes.empty() ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

} // namespace dojo::sim
