//===- DataOps.h - Data effects of instructions and transfers -------------===//
//
// Private to lib/Sim. The interpreter splits every instruction into its
// timing part (cost, bounds checks, statistics; Execute.cpp) and its data
// part (what it does to registers, accumulators and SRAM; here). Control
// flow and addresses depend only on scalar registers, which only `ldf`
// loads from memory, so the timing part needs data only there (it then
// waits for the node's worker to catch up; Execute.cpp); the parallel
// mode (Replay.cpp) therefore runs the data parts on worker threads, in an
// order that gives every memory location the same sequence of accesses as
// the sequential simulator. Nothing here checks bounds: callers run the
// timing part, which does, first.
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_LIB_SIM_DATAOPS_H
#define DOJO_LIB_SIM_DATAOPS_H

#include "DmaCopy.h"
#include "Machine.h"
#include "VectorOps.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace dojo::sim::detail {

/// Executes the scalar / control part of `in` at `pc` on `regs` and returns
/// the next pc (pc + 1 unless a branch is taken). Other instructions only
/// advance the pc.
inline int64_t scalarStep(const isa::Insn &in, int64_t *regs, int64_t pc) {
  using isa::Op;
  auto set = [&](int r, int64_t v) {
    regs[r] = v;
    regs[0] = 0; // r0 is hard-wired to zero
  };
  switch (in.op) {
  case Op::Li: set(in.a, in.imm); break;
  case Op::Addi: set(in.a, int64_t(uint64_t(regs[in.b]) + uint64_t(in.imm))); break;
  case Op::Add: set(in.a, int64_t(uint64_t(regs[in.b]) + uint64_t(regs[in.c]))); break;
  case Op::Sub: set(in.a, int64_t(uint64_t(regs[in.b]) - uint64_t(regs[in.c]))); break;
  case Op::Muli: set(in.a, int64_t(uint64_t(regs[in.b]) * uint64_t(in.imm))); break;
  case Op::Mul: set(in.a, int64_t(uint64_t(regs[in.b]) * uint64_t(regs[in.c]))); break;
  case Op::Slt: set(in.a, regs[in.b] < regs[in.c] ? 1 : 0); break;
  case Op::Min: set(in.a, std::min(regs[in.b], regs[in.c])); break;
  case Op::Max: set(in.a, std::max(regs[in.b], regs[in.c])); break;
  case Op::Blt: return regs[in.a] < regs[in.b] ? in.imm : pc + 1;
  case Op::Bne: return regs[in.a] != regs[in.b] ? in.imm : pc + 1;
  case Op::Jmp: return in.imm;
  default: break;
  }
  return pc + 1;
}

inline float loadF32(const uint8_t *p) {
  float f;
  std::memcpy(&f, p, 4);
  return f;
}

/// The integer `ldf` makes of an FP32 value: truncated toward zero,
/// saturated at the int64 range, NaN -> 0 (the DMA engine's float-to-integer
/// rule), so that sentinels like INT64_MAX stored as FP32 stay huge.
inline int64_t truncToInt64(float f) {
  if (std::isnan(f))
    return 0;
  // 2^63 is exactly representable; anything at or beyond it saturates.
  if (f >= 9223372036854775808.0f)
    return INT64_MAX;
  if (f <= -9223372036854775808.0f)
    return INT64_MIN;
  return int64_t(f);
}

/// Executes `ldf` (the one instruction that moves data into a scalar
/// register) on `regs` with `sram`; the caller checked the address.
inline void loadScalar(const isa::Insn &in, int64_t *regs,
                       const uint8_t *sram) {
  regs[in.a] = truncToInt64(loadF32(sram + regs[in.b] + in.imm));
  regs[0] = 0; // r0 is hard-wired to zero
}
inline void storeF32(uint8_t *p, float f) { std::memcpy(p, &f, 4); }

/// The data effect of VLd, VSt or VBcast on vector register `v` (`lanes`
/// lanes), with the address from `regs` and the active length `vl`.
inline void vectorMemory(const isa::Insn &in, const int64_t *regs, int64_t vl,
                         float *v, int64_t lanes, uint8_t *sram,
                         SramWrites &writes) {
  using isa::Op;
  const int64_t lo = regs[in.b] + in.imm;
  // A full 16-lane vector (the usual length) is copied inline rather than
  // through a call into the C library.
  if (in.op == Op::VLd) {
    if (vl == 16)
      std::memcpy(v, sram + lo, 64);
    else
      std::memcpy(v, sram + lo, size_t(4 * vl));
    std::fill(v + vl, v + lanes, 0.0f);
  } else if (in.op == Op::VSt) {
    if (vl == 16)
      std::memcpy(sram + lo, v, 64);
    else
      std::memcpy(sram + lo, v, size_t(4 * vl));
    writes.mark(lo, lo + 4 * vl);
  } else {
    std::fill(v, v + lanes, loadF32(sram + lo));
  }
}

/// Performs what a vector or matrix instruction does to the vector
/// registers `vr` (`lanes` lanes each), the accumulators and `sram`, with
/// addresses from `regs` and the active length `vl`, recording SRAM writes
/// in `writes` (Mma reuses packed panels from `cache`). Scalar, control and
/// synchronization instructions have no data effect.
inline void dataEffect(const isa::Insn &in, const int64_t *regs, int64_t vl,
                       float *vr, float (*accs)[isa::kTile * isa::kTile],
                       uint8_t *sram, const Decoded *descs, int64_t lanes,
                       SramWrites &writes, PanelCache &cache) {
  using isa::Op;
  const int64_t L = lanes;
  auto vec = [&](int r) { return vr + r * L; };
  switch (in.op) {
  case Op::VLd: case Op::VSt: case Op::VBcast:
    vectorMemory(in, regs, vl, vec(in.a), L, sram, writes);
    break;
  case Op::VStRep: {
    const int64_t lo = regs[in.b], bytes = 4 * vl;
    const float *v = vec(in.a);
    for (int64_t t = 0; t < in.imm; ++t)
      std::memcpy(sram + lo + t * bytes, v, size_t(bytes));
    writes.mark(lo, lo + bytes * in.imm);
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
    break;
  }
  case Op::VFunc: vfunc(isa::VFn(in.imm), vec(in.a), vec(in.b), L); break;
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
  case Op::VRed: vred(isa::RedKind(in.imm), vec(in.a), vec(in.b), vl, L); break;
  case Op::MZero:
    std::fill(accs[in.a], accs[in.a] + isa::kTile * isa::kTile, 0.0f);
    break;
  case Op::MLd: case Op::MSt: {
    const isa::AccDesc &d = descs[size_t(in.imm)].acc;
    // The descriptor's fields in locals: SRAM stores could alias it for all
    // the compiler knows, which would make it reload them per element.
    const int64_t m = d.m, n = d.n, si = d.si, sj = d.sj;
    const float scale = d.scale;
    float *acc = accs[in.a];
    uint8_t *base = sram + regs[in.b];
    if (in.op == Op::MLd) {
      std::fill(acc, acc + isa::kTile * isa::kTile, 0.0f);
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j)
          acc[i * isa::kTile + j] = scale * loadF32(base + i * si + j * sj);
    } else {
      const bool relu = d.act == isa::Act::Relu;
      for (int64_t i = 0; i < m; ++i) {
        // A row of the tile, scaled and activated (x < 0 is false for NaN
        // and -0, which stay as they are), then stored.
        float row[isa::kTile];
        for (int64_t j = 0; j < isa::kTile; ++j) {
          const float x = scale * acc[i * isa::kTile + j];
          row[j] = relu && x < 0.0f ? 0.0f : x;
        }
        uint8_t *p = base + i * si;
        if (sj == 4)
          std::memcpy(p, row, size_t(4 * n));
        else
          for (int64_t j = 0; j < n; ++j)
            storeF32(p + j * sj, row[j]);
      }
      const int64_t shape[2] = {m, n}, strides[2] = {si, sj};
      int64_t lo = 0, hi = 0;
      stridedSpan(regs[in.b], 2, shape, strides, 4, lo, hi);
      writes.mark(lo, hi);
    }
    break;
  }
  case Op::Mma: {
    runMma(descs[size_t(in.imm)], accs[in.a], sram, regs[in.b], regs[in.c],
           writes, &cache);
    break;
  }
  default:
    break;
  }
}

} // namespace dojo::sim::detail

#endif // DOJO_LIB_SIM_DATAOPS_H
