//===- Verify.cpp - Cross-checks of an Executable against its target ------===//
//
// The FlatBuffer verifier only proves that offsets stay inside the buffer.
// This file proves what the simulator relies on: every index (node,
// descriptor, route, register, branch target) is in range, every referenced
// descriptor decodes, routes are walkable mesh paths, initial SRAM contents
// lie in the data region, every segment takes existing bytes of an existing
// blob, segments do not overlap (they leave zeros out, so their order must
// not matter) and every program stops at a reachable Halt.
//
//===----------------------------------------------------------------------===//
#include "Parallel.h"
#include "dojo/Binary/Executable.h"
#include "dojo/Sim/DType.h"

#include <algorithm>
#include <cstdlib>
#include <set>

namespace dojo::bin {

using isa::Op;

namespace {

std::string coordText(const TargetModel &t, int id) {
  Coord c = t.coord(id);
  // Appended piecewise: `"(" + std::to_string(..)` trips a GCC 12 -Wrestrict
  // false positive.
  std::string s = "(";
  s += std::to_string(c.row);
  s += ",";
  s += std::to_string(c.col);
  s += ")";
  return s;
}

/// Checks that each consecutive pair of a route is a pair of mesh neighbours
/// and that every node on it exists and is enabled.
std::string verifyRoute(const TargetModel &t, const std::vector<int> &route,
                        size_t index) {
  std::string where = "route " + std::to_string(index);
  if (route.empty())
    return where + " is empty";
  for (size_t i = 0; i < route.size(); ++i) {
    int id = route[i];
    if (id < 0 || id >= t.numNodes())
      return where + " visits node id " + std::to_string(id) +
             " outside the mesh";
    if (!t.isEnabled(id))
      return where + " visits disabled node " + coordText(t, id);
    if (i == 0)
      continue;
    Coord a = t.coord(route[i - 1]), b = t.coord(id);
    if (std::abs(a.row - b.row) + std::abs(a.col - b.col) != 1)
      return where + " jumps from " + coordText(t, route[i - 1]) + " to " +
             coordText(t, id) + ", which are not neighbours";
  }
  return "";
}

std::string verifyIO(const Executable &exe, const std::vector<TensorIO> &ios,
                     const char *kind) {
  for (size_t i = 0; i < ios.size(); ++i) {
    const TensorIO &io = ios[i];
    std::string where = std::string(kind) + " " + std::to_string(i) + " '" +
                        io.name + "'";
    int64_t elem = sim::onnxDTypeBytes(io.dtype);
    if (elem == 0)
      return where + " has unsupported data type " + std::to_string(io.dtype);
    int64_t bytes = elem;
    for (int64_t d : io.shape) {
      if (d < 0)
        return where + " has a negative dimension";
      if (d != 0 && bytes > (int64_t(1) << 50) / d)
        return where + " is too large";
      bytes *= d;
    }
    if (io.hbmAddr < 0 || io.hbmAddr > exe.hbmBytes - bytes)
      return where + " at HBM [" + std::to_string(io.hbmAddr) + ", +" +
             std::to_string(bytes) + ") lies outside the " +
             std::to_string(exe.hbmBytes) + "-byte HBM image";
  }
  return "";
}

/// Checks that segment `s` (the `index`th of `kind`) takes existing bytes of
/// an existing blob and fits in [lo, hi) of its destination memory.
std::string verifySegment(const Executable &exe, const Segment &s,
                          size_t index, const char *kind, int64_t lo,
                          int64_t hi) {
  std::string where = std::string(kind) + " segment " + std::to_string(index) +
                      " [" + std::to_string(s.addr) + ", +" +
                      std::to_string(s.length) + ")";
  if (s.blob >= exe.blobs.size())
    return where + " references missing blob " + std::to_string(s.blob) +
           " (the binary has " + std::to_string(exe.blobs.size()) + ")";
  const Blob &b = exe.blobs[s.blob];
  if (s.offset < 0 || s.length < 0 || s.offset > b.size ||
      s.length > b.size - s.offset || (s.length > 0 && !b.data)) {
    std::string at = b.fileOffset >= 0 ? " at file offset " +
                                             std::to_string(b.fileOffset)
                                       : std::string();
    return where + " takes [" + std::to_string(s.offset) + ", +" +
           std::to_string(s.length) + ") of blob " + std::to_string(s.blob) +
           at + ", which has " + std::to_string(b.size) + " bytes";
  }
  if (s.addr < lo || s.addr > hi || s.length > hi - s.addr)
    return where + " lies outside [" + std::to_string(lo) + ", " +
           std::to_string(hi) + ")";
  return "";
}

/// Segments leave zeros out and are copied in any order, so two may not
/// write the same byte.
std::string verifyDisjoint(const std::vector<Segment> &segs, const char *kind) {
  std::vector<size_t> order(segs.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return segs[a].addr < segs[b].addr; });
  for (size_t i = 1; i < order.size(); ++i) {
    const Segment &a = segs[order[i - 1]], &b = segs[order[i]];
    if (a.length > 0 && b.length > 0 && b.addr < a.addr + a.length)
      return std::string(kind) + " segments " + std::to_string(order[i - 1]) +
             " and " + std::to_string(order[i]) + " overlap at address " +
             std::to_string(b.addr);
  }
  return "";
}

/// Register-class limits of one instruction's fields.
std::string verifyFields(const isa::Insn &in, int lanes) {
  auto sreg = [](int r) { return r < isa::kNumScalarRegs; };
  auto vreg = [](int r) { return r < isa::kNumVectorRegs; };
  auto acc = [](int r) { return r < isa::kNumAccumulators; };
  bool ok = true;
  switch (in.op) {
  case Op::Nop: case Op::Halt: case Op::Jmp: case Op::Barrier:
    break;
  case Op::Li: ok = sreg(in.a); break;
  case Op::Addi: case Op::Muli: case Op::Blt: case Op::Bne:
    ok = sreg(in.a) && sreg(in.b);
    break;
  case Op::Add: case Op::Sub: ok = sreg(in.a) && sreg(in.b) && sreg(in.c); break;
  case Op::Mul: case Op::Slt: case Op::Min: case Op::Max:
    ok = sreg(in.a) && sreg(in.b) && sreg(in.c);
    break;
  case Op::LdF: ok = sreg(in.a) && sreg(in.b); break;
  case Op::VSetVl:
    if (in.imm < 1 || in.imm > lanes)
      return "vector length " + std::to_string(in.imm) + " outside 1.." +
             std::to_string(lanes);
    break;
  case Op::VLd: case Op::VSt: case Op::VBcast: ok = vreg(in.a) && sreg(in.b); break;
  case Op::VSplat: ok = vreg(in.a); break;
  case Op::VStRep:
    // The bound keeps the stored span's arithmetic far from overflow.
    if (in.imm < 1 || in.imm > (int64_t(1) << 32))
      return "vstrep count " + std::to_string(in.imm) + " outside 1..2^32";
    ok = vreg(in.a) && sreg(in.b);
    break;
  case Op::VAdd: case Op::VSub: case Op::VMul: case Op::VMax: case Op::VMin:
  case Op::VFma: case Op::VDiv: case Op::VPow: case Op::VSel:
    ok = vreg(in.a) && vreg(in.b) && vreg(in.c);
    break;
  case Op::VFunc:
    if (in.imm < 0 || in.imm >= int64_t(isa::VFn::NumFns))
      return "unknown vector function " + std::to_string(in.imm);
    ok = vreg(in.a) && vreg(in.b);
    break;
  case Op::VCmp:
    if (in.imm < 0 || in.imm >= int64_t(isa::CmpPred::NumPreds))
      return "unknown comparison predicate " + std::to_string(in.imm);
    ok = vreg(in.a) && vreg(in.b) && vreg(in.c);
    break;
  case Op::VRed:
    if (in.imm < 0 || in.imm >= int64_t(isa::RedKind::NumKinds))
      return "unknown reduction " + std::to_string(in.imm);
    ok = vreg(in.a) && vreg(in.b);
    break;
  case Op::MZero: ok = acc(in.a); break;
  case Op::MLd: case Op::MSt: ok = acc(in.a) && sreg(in.b); break;
  case Op::Mma: ok = acc(in.a) && sreg(in.b) && sreg(in.c); break;
  case Op::Dma: ok = sreg(in.a) && sreg(in.b); break;
  case Op::SemWait: case Op::SemSignal:
    if (in.a >= isa::kNumSemaphores)
      return "semaphore s" + std::to_string(in.a) + " does not exist";
    if (in.imm < 0)
      return "negative semaphore count";
    break;
  case Op::NumOps:
    return "invalid opcode";
  }
  if (!ok)
    return "register field out of range";
  return "";
}

/// Checks the descriptor an instruction names: it exists, has the kind the
/// opcode needs, decodes, and (for DMA) its route fits the issuing node.
std::string verifyDescRef(const Executable &exe, const NodeCode &nc,
                          const isa::Insn &in) {
  if (in.imm < 0 || in.imm >= int64_t(nc.descs.size()))
    return "descriptor d" + std::to_string(in.imm) + " does not exist";
  std::span<const int64_t> w = nc.descs[size_t(in.imm)];
  std::string err;
  if (in.op == Op::MLd || in.op == Op::MSt) {
    isa::AccDesc d;
    err = isa::decode(w, d);
  } else if (in.op == Op::Mma) {
    isa::MmaDesc d;
    err = isa::decode(w, d);
  } else {
    isa::DmaDesc d;
    err = isa::decode(w, d);
    if (err.empty()) {
      // A converting transfer reads whole source elements; a plain copy
      // moves `elemBytes` raw bytes whatever the (equal) types say.
      if (d.srcType != d.dstType &&
          d.elemBytes != sim::onnxDTypeBytes(int(d.srcType)))
        return "DMA descriptor d" + std::to_string(in.imm) +
               " converts from " + sim::onnxDTypeName(int(d.srcType)) +
               " but has " + std::to_string(d.elemBytes) + "-byte elements";
      for (int i = 0; i < d.rank; ++i)
        if (d.shape[i] > 1 && d.dstStrides[i] == 0)
          return "DMA descriptor d" + std::to_string(in.imm) +
                 " has a zero destination stride";
      if (d.mode == isa::DmaMode::SramToSram) {
        if (d.route < 0 || d.route >= int64_t(exe.routes.size()))
          return "DMA descriptor d" + std::to_string(in.imm) +
                 " names missing route " + std::to_string(d.route);
        const std::vector<int> &r = exe.routes[size_t(d.route)];
        if (r.front() != nc.node)
          return "DMA descriptor d" + std::to_string(in.imm) + " uses route " +
                 std::to_string(d.route) + ", which starts at another node";
        if (r.back() != d.dstNode)
          return "DMA descriptor d" + std::to_string(in.imm) + " uses route " +
                 std::to_string(d.route) + ", which does not end at node " +
                 std::to_string(d.dstNode);
      }
    }
  }
  if (!err.empty()) {
    std::string s = "d";
    s += std::to_string(in.imm);
    return s + ": " + err;
  }
  return "";
}

/// Walks the control-flow graph from pc 0: a Halt must be reachable and no
/// reachable instruction may fall through past the last one.
std::string verifyTermination(const NodeCode &nc) {
  size_t n = nc.code.size();
  if (n == 0)
    return "program is empty";
  std::vector<bool> seen(n, false);
  std::vector<size_t> work = {0};
  seen[0] = true;
  bool halts = false;
  while (!work.empty()) {
    size_t pc = work.back();
    work.pop_back();
    const isa::Insn &in = nc.code[pc];
    // At most two successors: a branch target and the next instruction.
    int64_t next[2];
    int count = 0;
    if (in.op == Op::Halt) {
      halts = true;
    } else if (in.op == Op::Jmp) {
      next[count++] = in.imm;
    } else {
      if (in.op == Op::Blt || in.op == Op::Bne)
        next[count++] = in.imm;
      if (pc + 1 == n)
        return "pc " + std::to_string(pc) + " runs past the end of the program";
      next[count++] = int64_t(pc) + 1;
    }
    for (int64_t t : std::span(next, size_t(count)))
      if (!seen[size_t(t)]) {
        seen[size_t(t)] = true;
        work.push_back(size_t(t));
      }
  }
  if (!halts)
    return "program has no reachable halt";
  return "";
}

std::string verifyNode(const Executable &exe, const NodeCode &nc) {
  const TargetModel &t = exe.target;
  int lanes = t.vectorLanesF32();
  // Descriptors already proved valid as an Acc (bit 0), Mma (bit 1) or Dma
  // (bit 2) descriptor: most are referenced by several instructions (or by
  // one in a loop body that codegen unrolled), and the result depends only
  // on the descriptor and the opcode's class.
  std::vector<uint8_t> proved(nc.descs.size(), 0);
  for (size_t pc = 0; pc < nc.code.size(); ++pc) {
    const isa::Insn &in = nc.code[pc];
    std::string err;
    if (uint16_t(in.op) >= uint16_t(Op::NumOps)) {
      err = "invalid opcode " + std::to_string(unsigned(in.op));
    } else {
      err = verifyFields(in, lanes);
      if (err.empty() && (in.op == Op::Blt || in.op == Op::Bne ||
                          in.op == Op::Jmp) &&
          (in.imm < 0 || in.imm >= int64_t(nc.code.size())))
        err = "branch target " + std::to_string(in.imm) + " out of range";
      if (err.empty() && (in.op == Op::Dma || in.op == Op::Mma ||
                          in.op == Op::MLd || in.op == Op::MSt)) {
        uint8_t bit = in.op == Op::Dma   ? 4
                      : in.op == Op::Mma ? 2
                                         : 1;
        bool known = in.imm >= 0 && in.imm < int64_t(proved.size()) &&
                     (proved[size_t(in.imm)] & bit);
        if (!known) {
          err = verifyDescRef(exe, nc, in);
          if (err.empty())
            proved[size_t(in.imm)] |= bit;
        }
      }
    }
    if (!err.empty())
      return "pc " + std::to_string(pc) + " `" + isa::format(in) + "`: " + err;
  }
  for (size_t i = 0; i < nc.sramInit.size(); ++i)
    if (std::string err = verifySegment(exe, nc.sramInit[i], i, "SRAM",
                                        t.reservedBytes, t.sramBytes);
        !err.empty())
      return err;
  if (std::string err = verifyDisjoint(nc.sramInit, "SRAM"); !err.empty())
    return err;
  if (nc.sramInitEnd < 0 || nc.sramInitEnd > t.sramBytes)
    return "initialised SRAM end " + std::to_string(nc.sramInitEnd) +
           " lies outside [0, " + std::to_string(t.sramBytes) + "]";
  for (const DebugRange &d : nc.debug)
    if (d.beginPc < 0 || d.endPc < d.beginPc ||
        d.endPc > int64_t(nc.code.size()) || d.name < 0 ||
        d.name >= int64_t(exe.names.size()))
      return "debug range [" + std::to_string(d.beginPc) + ", " +
             std::to_string(d.endPc) + ") is invalid";
  return verifyTermination(nc);
}

} // namespace

std::string verify(const Executable &exe) {
  const TargetModel &t = exe.target;
  if (exe.version != kFormatVersion)
    return "format version " + std::to_string(exe.version) +
           " is not supported";
  if (std::string err = t.validate(); !err.empty())
    return "bad target: " + err;
  if (exe.hbmBytes < 0 || exe.hbmBytes > t.hbmBytes)
    return "HBM image of " + std::to_string(exe.hbmBytes) +
           " bytes exceeds the target's " + std::to_string(t.hbmBytes);
  for (size_t i = 0; i < exe.hbmInit.size(); ++i)
    if (std::string err = verifySegment(exe, exe.hbmInit[i], i, "HBM", 0,
                                        exe.hbmBytes);
        !err.empty())
      return err;
  if (std::string err = verifyDisjoint(exe.hbmInit, "HBM"); !err.empty())
    return err;
  if (std::string err = verifyIO(exe, exe.inputs, "input"); !err.empty())
    return err;
  if (std::string err = verifyIO(exe, exe.outputs, "output"); !err.empty())
    return err;
  for (size_t i = 0; i < exe.routes.size(); ++i)
    if (std::string err = verifyRoute(t, exe.routes[i], i); !err.empty())
      return err;
  // Nodes are checked on two threads (verifyNode reads only its node and
  // the shared tables); the first problem in node order is reported, as a
  // sequential check would.
  std::vector<std::string> nodeErrors(exe.nodes.size());
  detail::parallelFor(exe.nodes.size(), [&](size_t i) {
    nodeErrors[i] = verifyNode(exe, exe.nodes[i]);
  });
  std::set<int> seen;
  for (size_t i = 0; i < exe.nodes.size(); ++i) {
    const NodeCode &nc = exe.nodes[i];
    if (nc.node < 0 || nc.node >= t.numNodes())
      return "program for node id " + std::to_string(nc.node) +
             " outside the " + std::to_string(t.rows) + "x" +
             std::to_string(t.cols) + " mesh";
    std::string where = "node " + coordText(t, nc.node);
    if (!t.isEnabled(nc.node))
      return where + " is disabled but has a program";
    if (!seen.insert(nc.node).second)
      return where + " has two programs";
    if (!nodeErrors[i].empty())
      return where + " " + nodeErrors[i];
  }
  return "";
}

} // namespace dojo::bin
