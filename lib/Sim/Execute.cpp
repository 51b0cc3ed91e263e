//===- Execute.cpp - Instruction interpreter of one node ------------------===//
//
// runNode executes a node's instructions from its current pc until it blocks
// (semaphore, barrier), halts, or reaches a DMA while another event is due
// earlier (it then yields so that transfers enter the network in time
// order). Every memory access is bounds-checked once per instruction, before
// the inner loops, which then run as plain host code.
//
//===----------------------------------------------------------------------===//
#include "Machine.h"
#include "VectorOps.h"

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

inline float loadF32(const uint8_t *p) {
  float f;
  std::memcpy(&f, p, 4);
  return f;
}
inline void storeF32(uint8_t *p, float f) { std::memcpy(p, &f, 4); }

} // namespace

RunResult Machine::runNode(NodeState &n, std::string &error) {
  const std::vector<isa::Insn> &code = n.prog->code;
  const int64_t L = lanes_;
  float *vr = n.vregs.data();
  uint8_t *sram = n.sram.get();
  auto vec = [&](int r) { return vr + r * L; };
  auto setReg = [&](int r, int64_t v) {
    n.regs[r] = v;
    n.regs[0] = 0; // r0 is hard-wired to zero
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
    int64_t next = n.pc + 1;
    switch (in.op) {
    case Op::Nop:
      break;
    case Op::Halt:
      n.status = NodeStatus::Halted;
      break;
    case Op::Li: setReg(in.a, in.imm); break;
    case Op::Addi: setReg(in.a, int64_t(uint64_t(n.regs[in.b]) + uint64_t(in.imm))); break;
    case Op::Add: setReg(in.a, int64_t(uint64_t(n.regs[in.b]) + uint64_t(n.regs[in.c]))); break;
    case Op::Sub: setReg(in.a, int64_t(uint64_t(n.regs[in.b]) - uint64_t(n.regs[in.c]))); break;
    case Op::Muli: setReg(in.a, int64_t(uint64_t(n.regs[in.b]) * uint64_t(in.imm))); break;
    case Op::Blt:
      if (n.regs[in.a] < n.regs[in.b])
        next = in.imm;
      break;
    case Op::Bne:
      if (n.regs[in.a] != n.regs[in.b])
        next = in.imm;
      break;
    case Op::Jmp: next = in.imm; break;
    case Op::VSetVl: n.vl = in.imm; break;
    case Op::VLd: case Op::VSt: case Op::VBcast: {
      int64_t lo = 0, hi = 0;
      bool ok = !__builtin_add_overflow(n.regs[in.b], in.imm, &lo) &&
                !__builtin_add_overflow(lo, in.op == Op::VBcast ? 4 : 4 * n.vl, &hi);
      if (!checkSpan(n, in, ok, lo, hi, error))
        return RunResult::Error;
      float *v = vec(in.a);
      if (in.op == Op::VLd) {
        std::memcpy(v, sram + lo, size_t(4 * n.vl));
        std::fill(v + n.vl, v + L, 0.0f);
      } else if (in.op == Op::VSt) {
        std::memcpy(sram + lo, v, size_t(4 * n.vl));
      } else {
        std::fill(v, v + L, loadF32(sram + lo));
      }
      break;
    }
    case Op::VSplat: {
      uint32_t bits = uint32_t(uint64_t(in.imm));
      float f;
      std::memcpy(&f, &bits, 4);
      std::fill(vec(in.a), vec(in.a) + L, f);
      break;
    }
    case Op::VAdd: case Op::VSub: case Op::VMul: case Op::VMax: case Op::VMin:
    case Op::VFma: {
      float *d = vec(in.a);
      const float *x = vec(in.b), *y = vec(in.c);
      for (int64_t l = 0; l < L; ++l) {
        switch (in.op) {
        case Op::VAdd: d[l] = x[l] + y[l]; break;
        case Op::VSub: d[l] = x[l] - y[l]; break;
        case Op::VMul: d[l] = x[l] * y[l]; break;
        case Op::VMax: d[l] = maxProp(x[l], y[l]); break;
        case Op::VMin: d[l] = minProp(x[l], y[l]); break;
        default: d[l] = std::fma(x[l], y[l], d[l]); break;
        }
      }
      break;
    }
    case Op::VDiv: case Op::VPow: {
      float *d = vec(in.a);
      const float *x = vec(in.b), *y = vec(in.c);
      if (in.op == Op::VDiv)
        for (int64_t l = 0; l < L; ++l)
          d[l] = x[l] / y[l];
      else
        for (int64_t l = 0; l < L; ++l)
          d[l] = std::pow(x[l], y[l]);
      cost = target_.specialFunctionCycles;
      break;
    }
    case Op::VFunc:
      vfunc(isa::VFn(in.imm), vec(in.a), vec(in.b), L);
      cost = target_.specialFunctionCycles;
      break;
    case Op::VCmp:
      vcmp(isa::CmpPred(in.imm), vec(in.a), vec(in.b), vec(in.c), L);
      break;
    case Op::VSel: {
      float *d = vec(in.a);
      const float *x = vec(in.b), *y = vec(in.c);
      for (int64_t l = 0; l < L; ++l)
        d[l] = x[l] != 0.0f ? y[l] : d[l];
      break;
    }
    case Op::VRed:
      vred(isa::RedKind(in.imm), vec(in.a), vec(in.b), n.vl, L);
      cost = reduceCycles_;
      break;
    case Op::MZero:
      std::fill(n.acc[in.a], n.acc[in.a] + isa::kTile * isa::kTile, 0.0f);
      break;
    case Op::MLd: case Op::MSt: {
      const Decoded &dd = n.descs[size_t(in.imm)];
      const isa::AccDesc &d = dd.acc;
      int64_t shape[2] = {d.m, d.n}, strides[2] = {d.si, d.sj}, lo = 0, hi = 0;
      bool ok = stridedSpan(n.regs[in.b], 2, shape, strides, 4, lo, hi);
      if (!checkSpan(n, in, ok, lo, hi, error))
        return RunResult::Error;
      float *acc = n.acc[in.a];
      uint8_t *base = sram + n.regs[in.b];
      if (in.op == Op::MLd) {
        std::fill(acc, acc + isa::kTile * isa::kTile, 0.0f);
        for (int64_t i = 0; i < d.m; ++i)
          for (int64_t j = 0; j < d.n; ++j)
            acc[i * isa::kTile + j] = d.scale * loadF32(base + i * d.si + j * d.sj);
      } else {
        for (int64_t i = 0; i < d.m; ++i)
          for (int64_t j = 0; j < d.n; ++j) {
            float x = d.scale * acc[i * isa::kTile + j];
            if (d.act == isa::Act::Relu && x < 0.0f)
              x = 0.0f;
            storeF32(base + i * d.si + j * d.sj, x);
          }
      }
      cost = dd.cycles;
      break;
    }
    case Op::Mma: {
      const Decoded &dd = n.descs[size_t(in.imm)];
      const isa::MmaDesc &d = dd.mma;
      int64_t aShape[2] = {d.m, d.k}, aStr[2] = {d.aSi, d.aSk};
      int64_t bShape[2] = {d.k, d.n}, bStr[2] = {d.bSk, d.bSj}, lo = 0, hi = 0;
      // BF16-stored operands have 2-byte elements.
      bool ok = stridedSpan(n.regs[in.b], 2, aShape, aStr, d.aStorage ? 2 : 4,
                            lo, hi);
      if (!checkSpan(n, in, ok, lo, hi, error))
        return RunResult::Error;
      ok = stridedSpan(n.regs[in.c], 2, bShape, bStr, d.bStorage ? 2 : 4, lo,
                       hi);
      if (!checkSpan(n, in, ok, lo, hi, error))
        return RunResult::Error;
      const uint8_t *a = sram + n.regs[in.b], *b = sram + n.regs[in.c];
      dd.mmaKernel(n.acc[in.a], a, b, d);
      n.macs += d.m * d.n * d.k;
      n.unitWork += dd.unitWork;
      cost = dd.cycles;
      break;
    }
    case Op::Dma: {
      // Let every event due before this node's clock happen first, so that
      // network and HBM contention is resolved in time order.
      if (!events_.empty() && events_.top().time < n.time)
        return RunResult::Yield;
      if (!issueDma(n, in, n.descs[size_t(in.imm)], error))
        return RunResult::Error;
      cost = 0; // issueDma charged dmaIssueCycles
      break;
    }
    case Op::SemWait:
      if (n.sem[in.a] < in.imm) {
        n.status = NodeStatus::WaitSem;
        n.waitSem = in.a;
        n.waitCount = in.imm;
        return RunResult::Blocked; // re-executed when woken
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
      // moves every waiting node past it.
      n.status = NodeStatus::AtBarrier;
      return RunResult::Blocked;
    case Op::NumOps:
      error = where(n) + ": invalid opcode";
      return RunResult::Error;
    }
    n.time += cost;
    n.busy += cost;
    n.instructions += 1;
    ++totalInstructions_;
    if (options_.trace)
      traceInsn(n, n.pc, begin);
    if (n.status == NodeStatus::Halted)
      return RunResult::Halted;
    n.pc = next;
  }
}

} // namespace dojo::sim::detail
