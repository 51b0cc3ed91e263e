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

namespace {

/// The extents an Mma reads, as stridedSpan shapes: A over its rows, the
/// contiguous run and both outer reduction levels, B over the run, its
/// columns and the outer levels.
void mmaOperandShapes(const isa::MmaDesc &d, int64_t aShape[4],
                      int64_t aStr[4], int64_t bShape[4], int64_t bStr[4]) {
  const int64_t as[4] = {d.m, d.k, d.k2, d.k3},
                at[4] = {d.aSi, d.aSk, d.aSk2, d.aSk3},
                bs[4] = {d.k, d.n, d.k2, d.k3},
                bt[4] = {d.bSk, d.bSj, d.bSk2, d.bSk3};
  std::copy(as, as + 4, aShape);
  std::copy(at, at + 4, aStr);
  std::copy(bs, bs + 4, bShape);
  std::copy(bt, bt + 4, bStr);
}


} // namespace

void prepareTiming(NodeState &n) {
  TimingTable &table = n.timing;
  table.index.assign(n.descs.size(), -1);
  table.entries.clear();
  for (size_t i = 0; i < n.descs.size(); ++i) {
    const Decoded &dd = n.descs[i];
    if (dd.kind != isa::DescKind::Acc && dd.kind != isa::DescKind::Mma)
      continue;
    table.index[i] = int32_t(table.entries.size());
    DescTiming &t = table.entries.emplace_back();
    t.cycles = dd.cycles;
    if (dd.kind == isa::DescKind::Acc) {
      const isa::AccDesc &d = dd.acc;
      const int64_t shape[2] = {d.m, d.n}, strides[2] = {d.si, d.sj};
      t.spans = stridedSpan(0, 2, shape, strides, 4, t.lo[0], t.hi[0]);
    } else {
      const isa::MmaDesc &d = dd.mma;
      int64_t aShape[4], aStr[4], bShape[4], bStr[4];
      mmaOperandShapes(d, aShape, aStr, bShape, bStr);
      // BF16-stored operands have 2-byte elements.
      t.spans = stridedSpan(0, 4, aShape, aStr, d.aStorage ? 2 : 4, t.lo[0],
                            t.hi[0]) &&
                stridedSpan(0, 4, bShape, bStr, d.bStorage ? 2 : 4, t.lo[1],
                            t.hi[1]);
      t.macs = d.m * d.n * d.kTotal();
      t.unitWork = dd.unitWork;
    }
  }
}


template <bool Data>
RunResult Machine::runNode(NodeState &n, std::string &error) {
  const isa::Insn *code = n.prog->code.data();
  const Decoded *descs = n.descs.data();
  // verify() proved that every MLd, MSt and Mma names a valid descriptor
  // of its kind, so each has a DescTiming.
  const int32_t *timingIndex = n.timing.index.data();
  const DescTiming *timing = n.timing.entries.data();
  int64_t *regs = n.regs;
  const bool trace = options_.trace;
  const int64_t limit =
      options_.maxInstructions > 0 ? options_.maxInstructions : INT64_MAX;
  const int64_t reserved = target_.reservedBytes, sramEnd = target_.sramBytes;
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
  // The source bytes of the node's last gather (LastGather), which a store
  // into them makes unusable; kept here since only issueDma and stores
  // change them while the node runs.
  int64_t gatherLo = n.lastGather.lo, gatherHi = n.lastGather.hi;
  auto stored = [&](int64_t lo, int64_t hi) __attribute__((always_inline)) {
    if (lo < gatherHi && gatherLo < hi) [[unlikely]] {
      forgetGather(n);
      gatherLo = INT64_MAX;
      gatherHi = INT64_MIN;
    }
  };
  auto flush = [&] {
    if constexpr (!Data) {
      if (segCount > 0)
        logRun(n, segPc, segCount);
      segCount = 0;
    }
  };
  // Whether SRAM bytes [lo, hi) may be accessed (`ok`: their arithmetic did
  // not overflow), recording the peak; checkSpan, out of line, reports an
  // access that may not.
  auto inSram = [&](const isa::Insn &in, bool ok, int64_t lo,
                    int64_t hi) __attribute__((always_inline)) {
    if (ok && lo >= reserved && hi <= sramEnd && lo < hi) [[likely]] {
      n.sramPeak = std::max(n.sramPeak, hi);
      return true;
    }
    return checkSpan(n, in, ok, lo, hi, error);
  };
  // The extent of operand `o` of descriptor `t` at `base`: precomputed
  // offsets, or stridedSpan again where they overflowed (which only the
  // error message distinguishes).
  auto span = [&](const DescTiming &t, int o, int64_t base, int64_t &lo,
                  int64_t &hi) __attribute__((always_inline)) {
    return !__builtin_add_overflow(base, t.lo[o], &lo) &&
           !__builtin_add_overflow(base, t.hi[o], &hi);
  };
  auto set = [&](int r, int64_t v) __attribute__((always_inline)) {
    regs[r] = v;
    regs[0] = 0; // r0 is hard-wired to zero
  };

  while (true) {
    if (totalInstructions_ >= limit) [[unlikely]] {
      error = where(n) + ": instruction limit of " +
              std::to_string(options_.maxInstructions) + " reached";
      return RunResult::Error;
    }
    const isa::Insn &in = code[size_t(n.pc)];
    const int64_t begin = n.time;
    int64_t cost = 1;
    int64_t next = n.pc + 1;
    // Timing part: the cost, bounds checks, statistics and the scalar and
    // control effects (which have no data part). The data part of the
    // other instructions follows (DataOps.h).
    switch (in.op) {
    case Op::Li: set(in.a, in.imm); goto retire;
    case Op::Addi:
      set(in.a, int64_t(uint64_t(regs[in.b]) + uint64_t(in.imm)));
      goto retire;
    case Op::Add:
      set(in.a, int64_t(uint64_t(regs[in.b]) + uint64_t(regs[in.c])));
      goto retire;
    case Op::Sub:
      set(in.a, int64_t(uint64_t(regs[in.b]) - uint64_t(regs[in.c])));
      goto retire;
    case Op::Muli:
      set(in.a, int64_t(uint64_t(regs[in.b]) * uint64_t(in.imm)));
      goto retire;
    case Op::Mul:
      set(in.a, int64_t(uint64_t(regs[in.b]) * uint64_t(regs[in.c])));
      goto retire;
    case Op::Slt: set(in.a, regs[in.b] < regs[in.c] ? 1 : 0); goto retire;
    case Op::Min: set(in.a, std::min(regs[in.b], regs[in.c])); goto retire;
    case Op::Max: set(in.a, std::max(regs[in.b], regs[in.c])); goto retire;
    case Op::Blt:
      if (regs[in.a] < regs[in.b])
        next = in.imm;
      goto retire;
    case Op::Bne:
      if (regs[in.a] != regs[in.b])
        next = in.imm;
      goto retire;
    case Op::Jmp: next = in.imm; goto retire;
    case Op::Nop: goto retire;
    case Op::Halt:
      n.status = NodeStatus::Halted;
      break;
    case Op::VSetVl: n.vl = in.imm; break;
    case Op::VLd: case Op::VSt: case Op::VBcast: {
      int64_t lo = 0, hi = 0;
      bool ok = !__builtin_add_overflow(regs[in.b], in.imm, &lo) &&
                !__builtin_add_overflow(lo, in.op == Op::VBcast ? 4 : 4 * n.vl, &hi);
      if (!inSram(in, ok, lo, hi))
        return flush(), RunResult::Error;
      if (in.op == Op::VSt) {
        stored(lo, hi);
        if constexpr (!Data) {
          storeLo = std::min(storeLo, lo);
          storeHi = std::max(storeHi, hi);
        }
      }
      break;
    }
    case Op::VStRep: {
      // verify() bounds the count, so the product cannot overflow.
      int64_t lo = regs[in.b], hi = 0;
      bool ok = !__builtin_add_overflow(lo, 4 * n.vl * in.imm, &hi);
      if (!inSram(in, ok, lo, hi))
        return flush(), RunResult::Error;
      stored(lo, hi);
      if constexpr (!Data) {
        storeLo = std::min(storeLo, lo);
        storeHi = std::max(storeHi, hi);
      }
      cost = in.imm;
      break;
    }
    case Op::LdF: {
      int64_t lo = 0, hi = 0;
      bool ok = !__builtin_add_overflow(regs[in.b], in.imm, &lo) &&
                !__builtin_add_overflow(lo, 4, &hi);
      if (!inSram(in, ok, lo, hi))
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
      loadScalar(in, regs, n.sram);
      break;
    }
    case Op::VDiv: case Op::VPow: case Op::VFunc:
      cost = target_.specialFunctionCycles;
      break;
    case Op::VRed:
      cost = reduceCycles_;
      break;
    case Op::MLd: case Op::MSt: {
      const DescTiming &t = timing[timingIndex[in.imm]];
      int64_t lo = 0, hi = 0;
      bool ok;
      if (t.spans) [[likely]] {
        ok = span(t, 0, regs[in.b], lo, hi);
      } else {
        const isa::AccDesc &d = descs[size_t(in.imm)].acc;
        const int64_t shape[2] = {d.m, d.n}, strides[2] = {d.si, d.sj};
        ok = stridedSpan(regs[in.b], 2, shape, strides, 4, lo, hi);
      }
      if (!inSram(in, ok, lo, hi))
        return flush(), RunResult::Error;
      if (in.op == Op::MSt) {
        stored(lo, hi);
        if constexpr (!Data) {
          storeLo = std::min(storeLo, lo);
          storeHi = std::max(storeHi, hi);
        }
      }
      cost = t.cycles;
      break;
    }
    case Op::Mma: {
      const DescTiming &t = timing[timingIndex[in.imm]];
      int64_t lo = 0, hi = 0;
      if (t.spans) [[likely]] {
        bool ok = span(t, 0, regs[in.b], lo, hi);
        if (!inSram(in, ok, lo, hi))
          return flush(), RunResult::Error;
        ok = span(t, 1, regs[in.c], lo, hi);
        if (!inSram(in, ok, lo, hi))
          return flush(), RunResult::Error;
      } else {
        const isa::MmaDesc &d = descs[size_t(in.imm)].mma;
        int64_t aShape[4], aStr[4], bShape[4], bStr[4];
        mmaOperandShapes(d, aShape, aStr, bShape, bStr);
        bool ok = stridedSpan(regs[in.b], 4, aShape, aStr,
                              d.aStorage ? 2 : 4, lo, hi);
        if (!inSram(in, ok, lo, hi))
          return flush(), RunResult::Error;
        ok = stridedSpan(regs[in.c], 4, bShape, bStr, d.bStorage ? 2 : 4, lo,
                         hi);
        if (!inSram(in, ok, lo, hi))
          return flush(), RunResult::Error;
      }
      n.macs += t.macs;
      n.unitWork += t.unitWork;
      cost = t.cycles;
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
      gatherLo = n.lastGather.lo;
      gatherHi = n.lastGather.hi;
      n.instructions += 1;
      ++totalInstructions_;
      if (trace)
        traceInsn(n, n.pc, begin);
      n.pc += 1;
      segPc = n.pc;
      continue; // issueDma charged dmaIssueCycles
    }
    case Op::SemWait:
      if (n.sem[in.a] < in.imm) {
        n.status = NodeStatus::WaitSem;
        n.waitSem = in.a;
        n.waitCount = in.imm;
        return flush(), RunResult::Blocked; // re-executed when woken
      }
      n.sem[in.a] -= in.imm;
      goto retire;
    case Op::SemSignal: n.sem[in.a] += in.imm; goto retire;
    case Op::Barrier:
      n.time += 1;
      n.busy += 1;
      n.instructions += 1;
      ++totalInstructions_;
      if (trace)
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
      break; // plain vector ops: cost 1, no checks
    }
    if constexpr (Data) {
      DataState &ds = *n.data;
      dataEffect(in, regs, n.vl, ds.vregs.data(), ds.acc, n.sram, descs,
                 lanes_, ds.writes, panelCache_);
    }
  retire:
    // Scalar, control and synchronization instructions have no data
    // effect, but the data side replays them all the same (for its own
    // registers), so every instruction counts into the Run entry.
    if constexpr (!Data)
      ++segCount;
    n.time += cost;
    n.busy += cost;
    n.instructions += 1;
    ++totalInstructions_;
    if (trace)
      traceInsn(n, n.pc, begin);
    if (n.status == NodeStatus::Halted) [[unlikely]]
      return flush(), RunResult::Halted;
    n.pc = next;
  }
}

template RunResult Machine::runNode<true>(NodeState &, std::string &);
template RunResult Machine::runNode<false>(NodeState &, std::string &);

} // namespace dojo::sim::detail
