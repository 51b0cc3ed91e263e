//===- Execute.cpp - Instruction interpreter of one node ------------------===//
//
// runNode executes a node's instructions from its current pc until it blocks
// (semaphore, barrier), halts, or reaches a DMA while another event is due
// earlier (it then yields so that transfers enter the network in time
// order). Every memory access is bounds-checked once per instruction, before
// the inner loops, which then run as plain host code.
//
//===----------------------------------------------------------------------===//
#include "DataOps.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace dojo::sim::detail {

using isa::Op;

bool stridedSpan(int64_t base, int rank, const int64_t *shape,
                 const int64_t *strides, int64_t elemBytes, int64_t &lo,
                 int64_t &hi) {
  lo = base;
  hi = base;
  for (int i = 0; i < rank; ++i) {
    int64_t ext;
    if (__builtin_mul_overflow(shape[i] - 1, strides[i], &ext))
      return false;
    if (ext < 0 ? __builtin_add_overflow(lo, ext, &lo)
                : __builtin_add_overflow(hi, ext, &hi))
      return false;
  }
  return !__builtin_add_overflow(hi, elemBytes, &hi);
}

std::string Machine::where(const NodeState &n) const {
  const isa::Insn &in = n.prog->code[size_t(n.pc)];
  std::string s = "node (" + std::to_string(n.coord.row) + "," +
                  std::to_string(n.coord.col) + ") pc " +
                  std::to_string(n.pc) + " `" + isa::format(in) + "`";
  for (const bin::DebugRange &d : n.prog->debug)
    if (n.pc >= d.beginPc && n.pc < d.endPc) {
      s += " [onnx: " + exe_.names[size_t(d.name)] + "]";
      break;
    }
  return s;
}

bool Machine::checkSram(NodeState &n, const isa::Insn &in, int64_t lo,
                        int64_t hi, std::string &error, NodeState *owner) {
  (void)in;
  if (lo >= target_.reservedBytes && hi <= target_.sramBytes && lo < hi) {
    NodeState &o = owner ? *owner : n;
    o.sramPeak = std::max(o.sramPeak, hi);
    return true;
  }
  error = where(n) + ": SRAM access [" + std::to_string(lo) + ", " +
          std::to_string(hi) + ") out of bounds";
  if (owner && owner != &n)
    error += " on node (" + std::to_string(owner->coord.row) + "," +
             std::to_string(owner->coord.col) + ")";
  return false;
}

bool Machine::checkSpan(NodeState &n, const isa::Insn &in, bool ok, int64_t lo,
                        int64_t hi, std::string &error) {
  if (!ok) {
    error = where(n) + ": SRAM address arithmetic overflows";
    return false;
  }
  return checkSram(n, in, lo, hi, error);
}

template <bool Data>
RunResult Machine::runNode(NodeState &n, std::string &error) {
  const std::vector<isa::Insn> &code = n.prog->code;
  const Decoded *descs = n.descs.data();
  // Parallel mode: the instructions executed since `segPc` form one Run
  // entry of the log, cut at each DMA (logged as its own Issue entry) and
  // when the node stops.
  int64_t segPc = n.pc, segCount = 0;
  // Parallel mode: SRAM bytes this node stored since the timing side last
  // caught up with its worker ([storeLo, storeHi)), so that an `ldf` that
  // reads none of them can read the SRAM without waiting. Every call starts
  // behind: arrivals may have been logged since the last one.
  bool caughtUp = false;
  int64_t storeLo = INT64_MAX, storeHi = INT64_MIN;
  auto flush = [&] {
    if constexpr (!Data) {
      if (segCount > 0)
        logRun(n, segPc, segCount);
      segCount = 0;
    }
  };

  while (true) {
    if (options_.maxInstructions > 0 &&
        totalInstructions_ >= options_.maxInstructions) {
      error = where(n) + ": instruction limit of " +
              std::to_string(options_.maxInstructions) + " reached";
      return RunResult::Error;
    }
    const isa::Insn &in = code[size_t(n.pc)];
    const int64_t begin = n.time;
    int64_t cost = 1;
    // Timing part: the cost, bounds checks and statistics. The data part
    // follows (DataOps.h).
    switch (in.op) {
    case Op::Halt:
      n.status = NodeStatus::Halted;
      break;
    case Op::VSetVl: n.vl = in.imm; break;
    case Op::VLd: case Op::VSt: case Op::VBcast: {
      int64_t lo = 0, hi = 0;
      bool ok = !__builtin_add_overflow(n.regs[in.b], in.imm, &lo) &&
                !__builtin_add_overflow(lo, in.op == Op::VBcast ? 4 : 4 * n.vl, &hi);
      if (!checkSpan(n, in, ok, lo, hi, error))
        return flush(), RunResult::Error;
      if (!Data && in.op == Op::VSt) {
        storeLo = std::min(storeLo, lo);
        storeHi = std::max(storeHi, hi);
      }
      break;
    }
    case Op::LdF: {
      int64_t lo = 0, hi = 0;
      bool ok = !__builtin_add_overflow(n.regs[in.b], in.imm, &lo) &&
                !__builtin_add_overflow(lo, 4, &hi);
      if (!checkSpan(n, in, ok, lo, hi, error))
        return flush(), RunResult::Error;
      if constexpr (!Data) {
        // The address came from the timing side's registers; the value
        // needs the data side to have reached this point.
        if (!caughtUp || (lo < storeHi && storeLo < hi)) {
          flush();
          segPc = n.pc;
          catchUp(n);
          caughtUp = true;
          storeLo = INT64_MAX;
          storeHi = INT64_MIN;
        }
      }
      // Both sides load: the timing side for control flow and addresses,
      // the data side (its own registers, when the log is replayed) for
      // its copy of the register file.
      loadScalar(in, n.regs, n.sram);
      break;
    }
    case Op::VDiv: case Op::VPow: case Op::VFunc:
      cost = target_.specialFunctionCycles;
      break;
    case Op::VRed:
      cost = reduceCycles_;
      break;
    case Op::MLd: case Op::MSt: {
      const Decoded &dd = descs[size_t(in.imm)];
      const isa::AccDesc &d = dd.acc;
      int64_t shape[2] = {d.m, d.n}, strides[2] = {d.si, d.sj}, lo = 0, hi = 0;
      bool ok = stridedSpan(n.regs[in.b], 2, shape, strides, 4, lo, hi);
      if (!checkSpan(n, in, ok, lo, hi, error))
        return flush(), RunResult::Error;
      if (!Data && in.op == Op::MSt) {
        storeLo = std::min(storeLo, lo);
        storeHi = std::max(storeHi, hi);
      }
      cost = dd.cycles;
      break;
    }
    case Op::Mma: {
      const Decoded &dd = descs[size_t(in.imm)];
      const isa::MmaDesc &d = dd.mma;
      // Operand extents over the rows or columns and all reduction levels.
      int64_t aShape[4] = {d.m, d.k, d.k2, d.k3},
              aStr[4] = {d.aSi, d.aSk, d.aSk2, d.aSk3};
      int64_t bShape[4] = {d.k, d.n, d.k2, d.k3},
              bStr[4] = {d.bSk, d.bSj, d.bSk2, d.bSk3}, lo = 0, hi = 0;
      // BF16-stored operands have 2-byte elements.
      bool ok = stridedSpan(n.regs[in.b], 4, aShape, aStr, d.aStorage ? 2 : 4,
                            lo, hi);
      if (!checkSpan(n, in, ok, lo, hi, error))
        return flush(), RunResult::Error;
      ok = stridedSpan(n.regs[in.c], 4, bShape, bStr, d.bStorage ? 2 : 4, lo,
                       hi);
      if (!checkSpan(n, in, ok, lo, hi, error))
        return flush(), RunResult::Error;
      n.macs += d.m * d.n * d.kTotal();
      n.unitWork += dd.unitWork;
      cost = dd.cycles;
      break;
    }
    case Op::Dma: {
      // Let every event due before this node's clock happen first, so that
      // network and HBM contention is resolved in time order.
      if (!events_.empty() && events_.top().time < n.time)
        return flush(), RunResult::Yield;
      flush();
      if (!issueDma(n, in, descs[size_t(in.imm)], error))
        return RunResult::Error;
      cost = 0; // issueDma charged dmaIssueCycles
      n.instructions += 1;
      ++totalInstructions_;
      if (options_.trace)
        traceInsn(n, n.pc, begin);
      n.pc += 1;
      segPc = n.pc;
      continue;
    }
    case Op::SemWait:
      if (n.sem[in.a] < in.imm) {
        n.status = NodeStatus::WaitSem;
        n.waitSem = in.a;
        n.waitCount = in.imm;
        return flush(), RunResult::Blocked; // re-executed when woken
      }
      n.sem[in.a] -= in.imm;
      break;
    case Op::SemSignal: n.sem[in.a] += in.imm; break;
    case Op::Barrier:
      n.time += 1;
      n.busy += 1;
      n.instructions += 1;
      ++totalInstructions_;
      if (options_.trace)
        traceInsn(n, n.pc, begin);
      // The pc stays on the barrier (for deadlock reports); the release
      // moves every waiting node past it. It has no data effect, so it
      // need not be logged.
      n.status = NodeStatus::AtBarrier;
      return flush(), RunResult::Blocked;
    case Op::NumOps:
      error = where(n) + ": invalid opcode";
      return flush(), RunResult::Error;
    default:
      break; // scalar, control and plain vector ops: cost 1, no checks
    }
    if constexpr (Data) {
      DataState &ds = *n.data;
      dataEffect(in, n.regs, n.vl, ds.vregs.data(), ds.acc, n.sram,
                 descs, lanes_, ds.writes, panelCache_);
    } else {
      ++segCount;
    }
    n.time += cost;
    n.busy += cost;
    n.instructions += 1;
    ++totalInstructions_;
    if (options_.trace)
      traceInsn(n, n.pc, begin);
    if (n.status == NodeStatus::Halted)
      return flush(), RunResult::Halted;
    n.pc = scalarStep(in, n.regs, n.pc);
  }
}

template RunResult Machine::runNode<true>(NodeState &, std::string &);
template RunResult Machine::runNode<false>(NodeState &, std::string &);

} // namespace dojo::sim::detail
