//===- KernelDynamic.cpp - Copies at addresses computed at run time -------===//
//
// The "dyngather", "dynslice" and "dynpad" kernels (DistributeDynamic.cpp
// stages their operands). The scalar unit loads the index tensors with
// `ldf` (every tensor is FP32 in SRAM, integer ones included), normalizes
// and clamps them as ONNX specifies, checks them against the static shapes
// the compiler planned for, and then copies with vector loads and stores at
// the addresses they give. A value that ONNX calls an error (a Gather index
// out of range, a zero Slice step) or that contradicts the declared result
// shape branches to a trap: an `ldf` below address 0, which the simulator
// reports as an out-of-bounds access at that pc, naming the ONNX node.
//
//===----------------------------------------------------------------------===//
#include "ProgramBuilder.h"

#include <functional>

using namespace mlir;
using namespace dojo;
using namespace dojo::d1;
using isa::Op;

namespace {

/// Forward branches to one trap placed at the end of the kernel.
struct Traps {
  ProgramBuilder &pb;
  std::vector<size_t> branches;
  /// if r[a] < r[b]: trap.
  void ifLess(int a, int b) {
    branches.push_back(pb.code.size());
    pb.emit(Op::Blt, a, b, 0, 0);
  }
  /// Emits the trap (skipped by normal flow) and points the branches at it.
  void finish() {
    if (branches.empty())
      return;
    size_t jump = pb.code.size();
    pb.emit(Op::Jmp);
    int64_t trap = int64_t(pb.code.size());
    pb.emit(Op::LdF, 0, 0, 0, -4);
    pb.code[jump].imm = int64_t(pb.code.size());
    for (size_t b : branches)
      pb.code[b].imm = trap;
  }
};

/// A pointer a loop advances by `bytes`, or by register `strideReg` when
/// that is not 0.
struct Advance {
  int reg;
  int64_t bytes;
  int strideReg = 0;
};

/// Runs `body` `count` times (or r[countReg] >= 1 times when countReg is not
/// 0), advancing the pointers after each iteration and restoring them after
/// the loop.
void countedLoop(ProgramBuilder &pb, int64_t count, int countReg,
                 ArrayRef<Advance> advances, function_ref<void()> body) {
  if (!countReg && count <= 0)
    return;
  if (!countReg && count == 1) {
    body();
    return;
  }
  int counter = pb.li(0);
  int limit = countReg ? countReg : pb.li(count);
  int64_t top = int64_t(pb.code.size());
  body();
  for (const Advance &a : advances) {
    if (a.strideReg)
      pb.emit(Op::Add, a.reg, a.reg, a.strideReg);
    else if (a.bytes)
      pb.emit(Op::Addi, a.reg, a.reg, 0, a.bytes);
  }
  pb.emit(Op::Addi, counter, counter, 0, 1);
  pb.emit(Op::Blt, counter, limit, 0, top);
  for (const Advance &a : advances) {
    if (!a.strideReg && !a.bytes)
      continue;
    if (!a.strideReg && !countReg) {
      pb.emit(Op::Addi, a.reg, a.reg, 0, -a.bytes * count);
      continue;
    }
    // The pointer moved by (iterations) x (stride); one of them is known
    // only at run time.
    if (a.strideReg)
      pb.emit(Op::Mul, counter, a.strideReg, limit);
    else
      pb.emit(Op::Muli, counter, limit, 0, a.bytes);
    pb.emit(Op::Sub, a.reg, a.reg, counter);
  }
  pb.free(counter);
  if (!countReg)
    pb.free(limit);
}

/// Copies `count` contiguous FP32 values from r[src] to r[dst].
void copyRun(ProgramBuilder &pb, int src, int dst, int64_t count) {
  pb.vectorChunks(count, {src, dst}, [&](int64_t off) {
    pb.emit(Op::VLd, 0, src, 0, off);
    pb.emit(Op::VSt, 0, dst, 0, off);
  });
}

/// Copies one FP32 value (VL must be 1).
void copyOne(ProgramBuilder &pb, int src, int dst) {
  pb.emit(Op::VLd, 0, src);
  pb.emit(Op::VSt, 0, dst);
}

/// r[x] += r[dim] if r[x] < 0 (ONNX's negative indices), with `t` scratch.
void wrapNegative(ProgramBuilder &pb, int x, int64_t dim, int t) {
  pb.emit(Op::Slt, t, x, 0);
  pb.emit(Op::Muli, t, t, 0, dim);
  pb.emit(Op::Add, x, x, t);
}

SmallVector<int64_t, 6> rowMajorBytes(ArrayRef<int64_t> extents) {
  SmallVector<int64_t, 6> s(extents.size(), 4);
  for (int d = int(extents.size()) - 2; d >= 0; --d)
    s[d] = s[d + 1] * extents[d + 1];
  return s;
}

} // namespace

void dojo::d1::emitDynGatherKernel(ProgramBuilder &pb, DictionaryAttr p,
                                   ArrayRef<int64_t> addrs) {
  int64_t outer = paramInt(p, "outer"), count = paramInt(p, "count");
  int64_t inner = paramInt(p, "inner"), dim = paramInt(p, "axis_dim");
  int64_t row = 4 * inner;
  Traps traps{pb, {}};
  int pData = pb.li(addrs[0]), pIdx = pb.li(addrs[1]);
  int pOut = pb.li(addrs.back()), rLast = pb.li(dim - 1);
  pb.loop(count, {{pIdx, 4}, {pOut, row}}, [&] {
    int rI = pb.reg(), t = pb.reg();
    pb.emit(Op::LdF, rI, pIdx);
    wrapNegative(pb, rI, dim, t);
    traps.ifLess(rI, 0);     // below -dim
    traps.ifLess(rLast, rI); // at or past dim
    pb.emit(Op::Muli, rI, rI, 0, row);
    pb.emit(Op::Add, rI, rI, pData);
    pb.loop(outer, {{rI, dim * row}, {pOut, count * row}},
            [&] { copyRun(pb, rI, pOut, inner); });
    pb.free(rI);
    pb.free(t);
  });
  traps.finish();
  for (int r : {pData, pIdx, pOut, rLast})
    pb.free(r);
}

void dojo::d1::emitDynSliceKernel(ProgramBuilder &pb, DictionaryAttr p,
                                  ArrayRef<int64_t> addrs) {
  int64_t entries = paramInt(p, "entries");
  auto dims = paramArr(p, "dims"), declared = paramArr(p, "declared");
  auto sliced = paramArr(p, "sliced"), lo = paramArr(p, "lo");
  auto out = paramArr(p, "out"), inStrides = paramArr(p, "in_strides");
  int rank = int(dims.size());
  const int64_t aStarts = addrs[1], aEnds = addrs[2], aAxes = addrs[3],
                aSteps = addrs[4];
  Traps traps{pb, {}};
  // Per dimension an entry may slice: its start and step (0 and 1 unless
  // an entry names it).
  SmallVector<int, 6> rStart(rank, 0), rStep(rank, 0);
  for (int d = 0; d < rank; ++d)
    if (sliced[d]) {
      rStart[d] = pb.li(0);
      rStep[d] = pb.li(1);
    }
  for (int64_t k = 0; k < entries; ++k) {
    int rA = pb.reg(), rS = pb.reg(), rE = pb.reg(), rP = pb.reg();
    int t = pb.reg(), sign = pb.reg(), hi = pb.reg(), last = pb.reg();
    pb.emit(Op::LdF, rA, 0, 0, aAxes + 4 * k);
    wrapNegative(pb, rA, rank, t);
    pb.emit(Op::Li, t, 0, 0, rank - 1);
    traps.ifLess(rA, 0);
    traps.ifLess(t, rA);
    pb.emit(Op::LdF, rS, 0, 0, aStarts + 4 * k);
    pb.emit(Op::LdF, rE, 0, 0, aEnds + 4 * k);
    pb.emit(Op::LdF, rP, 0, 0, aSteps + 4 * k);
    // A zero step is an error.
    pb.emit(Op::Slt, t, 0, rP);
    pb.emit(Op::Slt, sign, rP, 0);
    pb.emit(Op::Add, t, t, sign);
    pb.emit(Op::Addi, t, t, 0, -1);
    traps.ifLess(t, 0);
    for (int d = 0; d < rank; ++d) {
      if (!sliced[d])
        continue;
      int64_t dim = dims[d], n = declared[d];
      pb.emit(Op::Li, t, 0, 0, d);
      size_t skip = pb.code.size();
      pb.emit(Op::Bne, rA, t);
      // ONNX: negative starts/ends count from the end; then starts clamp
      // to [0, dim] and ends to [0, dim] for positive steps, to
      // [0, dim - 1] and [-1, dim - 1] for negative ones.
      pb.emit(Op::Slt, sign, rP, 0); // 1 for a negative step
      wrapNegative(pb, rS, dim, t);
      wrapNegative(pb, rE, dim, t);
      pb.emit(Op::Li, hi, 0, 0, dim);
      pb.emit(Op::Sub, hi, hi, sign);
      pb.emit(Op::Max, rS, rS, 0);
      pb.emit(Op::Min, rS, rS, hi);
      pb.emit(Op::Sub, t, 0, sign);
      pb.emit(Op::Max, rE, rE, t);
      pb.emit(Op::Min, rE, rE, hi);
      // Steps longer than the dimension take one element whatever their
      // size; bounding them keeps the arithmetic below from overflowing.
      pb.emit(Op::Li, t, 0, 0, -(dim + 1));
      pb.emit(Op::Max, rP, rP, t);
      pb.emit(Op::Li, t, 0, 0, dim + 1);
      pb.emit(Op::Min, rP, rP, t);
      // The run-time count must be the declared one, n >= 1: with s the
      // step's sign, s * (end - last) > 0 and s * (last + step - end) >= 0
      // for last = start + (n - 1) * step.
      pb.emit(Op::Muli, sign, sign, 0, -2);
      pb.emit(Op::Addi, sign, sign, 0, 1);
      pb.emit(Op::Muli, last, rP, 0, n - 1);
      pb.emit(Op::Add, last, last, rS);
      pb.emit(Op::Sub, t, rE, last);
      pb.emit(Op::Mul, t, t, sign);
      pb.emit(Op::Addi, t, t, 0, -1);
      traps.ifLess(t, 0);
      pb.emit(Op::Add, t, last, rP);
      pb.emit(Op::Sub, t, t, rE);
      pb.emit(Op::Mul, t, t, sign);
      traps.ifLess(t, 0);
      pb.emit(Op::Addi, rStart[d], rS, 0, 0);
      pb.emit(Op::Addi, rStep[d], rP, 0, 0);
      pb.code[skip].imm = int64_t(pb.code.size());
    }
    for (int r : {rA, rS, rE, rP, t, sign, hi, last})
      pb.free(r);
  }
  // Source address of the block's first element, and the byte stride of
  // every sliced dimension.
  int src = pb.li(addrs[0]);
  for (int d = 0; d < rank; ++d) {
    if (!sliced[d])
      continue;
    int t = pb.reg();
    pb.emit(Op::Muli, t, rStep[d], 0, lo[d]);
    pb.emit(Op::Add, t, t, rStart[d]);
    pb.emit(Op::Muli, t, t, 0, inStrides[d]);
    pb.emit(Op::Add, src, src, t);
    pb.free(t);
    pb.free(rStart[d]);
    pb.emit(Op::Muli, rStep[d], rStep[d], 0, inStrides[d]);
  }
  int dst = pb.li(addrs.back());
  SmallVector<int64_t, 6> outStrides = rowMajorBytes(out);
  bool elementwise = rank == 0 || sliced[rank - 1];
  if (elementwise)
    pb.emit(Op::VSetVl, 0, 0, 0, 1);
  std::function<void(int)> level = [&](int d) {
    if (d == rank) {
      copyOne(pb, src, dst);
      return;
    }
    if (d == rank - 1 && !sliced[d]) {
      copyRun(pb, src, dst, out[d]); // contiguous in both
      return;
    }
    countedLoop(pb, out[d], 0,
                {{src, inStrides[d], rStep[d]}, {dst, outStrides[d]}},
                [&] { level(d + 1); });
  };
  level(0);
  if (elementwise)
    pb.emit(Op::VSetVl, 0, 0, 0, pb.lanes);
  traps.finish();
  pb.free(src);
  pb.free(dst);
  for (int d = 0; d < rank; ++d)
    if (sliced[d])
      pb.free(rStep[d]);
}

/// Edge and reflect padding: every output position reads an input element,
/// index i = o - pads[d] mapped into [0, n) per dimension (clamped for
/// edge, mirrored for reflect), so the kernel walks the block's positions
/// with one running index and one partial address per dimension.
static void emitMappedPad(ProgramBuilder &pb, DictionaryAttr p,
                          ArrayRef<int64_t> addrs, Traps &traps) {
  bool reflect = cast<StringAttr>(p.get("mode")).getValue() == "reflect";
  auto dims = paramArr(p, "dims"), lo = paramArr(p, "lo");
  auto out = paramArr(p, "out"), inStrides = paramArr(p, "in_strides");
  int rank = int(dims.size());
  const int64_t aPads = addrs[1];
  int dst = pb.li(addrs.back());
  pb.emit(Op::VSetVl, 0, 0, 0, 1);
  // addr[d] = input base + sum over dimensions < d of mapped index x stride.
  SmallVector<int, 7> addr(rank + 1, 0);
  addr[0] = pb.li(addrs[0]);
  std::function<void(int)> level = [&](int d) {
    if (d == rank) {
      copyOne(pb, addr[d], dst);
      pb.emit(Op::Addi, dst, dst, 0, 4); // the block is walked in order
      return;
    }
    int64_t n = dims[d];
    // x runs over o - pads[d] for the block's o in [lo, lo + out).
    int x = pb.reg(), limit = pb.reg(), t = pb.reg();
    pb.emit(Op::LdF, t, 0, 0, aPads + 4 * d);
    pb.emit(Op::Li, x, 0, 0, lo[d]);
    pb.emit(Op::Sub, x, x, t);
    pb.emit(Op::Addi, limit, x, 0, out[d]);
    addr[d + 1] = pb.reg();
    int64_t top = int64_t(pb.code.size());
    if (reflect) {
      // |x|, then 2(n - 1) - x past the end (numpy's reflection); an index
      // still outside [0, n) lies beyond one mirror image: a pad ONNX
      // rejects, so it traps.
      pb.emit(Op::Sub, t, 0, x);
      pb.emit(Op::Max, t, x, t);
      pb.emit(Op::Li, addr[d + 1], 0, 0, 2 * (n - 1));
      pb.emit(Op::Sub, addr[d + 1], addr[d + 1], t);
      pb.emit(Op::Min, t, t, addr[d + 1]);
      traps.ifLess(t, 0);
      pb.emit(Op::Li, addr[d + 1], 0, 0, n - 1);
      traps.ifLess(addr[d + 1], t);
    } else {
      pb.emit(Op::Max, t, x, 0);
      pb.emit(Op::Li, addr[d + 1], 0, 0, n - 1);
      pb.emit(Op::Min, t, t, addr[d + 1]);
    }
    pb.emit(Op::Muli, t, t, 0, inStrides[d]);
    pb.emit(Op::Add, addr[d + 1], addr[d], t);
    pb.free(t); // inner levels may reuse it
    level(d + 1);
    pb.emit(Op::Addi, x, x, 0, 1);
    pb.emit(Op::Blt, x, limit, 0, top);
    for (int r : {x, limit, addr[d + 1]})
      pb.free(r);
  };
  level(0);
  pb.emit(Op::VSetVl, 0, 0, 0, pb.lanes);
  pb.free(addr[0]);
  pb.free(dst);
}

void dojo::d1::emitDynPadKernel(ProgramBuilder &pb, DictionaryAttr p,
                                ArrayRef<int64_t> addrs) {
  auto dims = paramArr(p, "dims"), declared = paramArr(p, "declared");
  auto lo = paramArr(p, "lo"), out = paramArr(p, "out");
  auto inStrides = paramArr(p, "in_strides");
  int rank = int(dims.size());
  const int64_t aPads = addrs[1], aValue = addrs[2];
  Traps traps{pb, {}};
  // The pads must give the declared extent.
  for (int d = 0; d < rank; ++d) {
    int b = pb.reg(), e = pb.reg();
    pb.emit(Op::LdF, b, 0, 0, aPads + 4 * d);
    pb.emit(Op::LdF, e, 0, 0, aPads + 4 * (rank + d));
    pb.emit(Op::Add, b, b, e);
    pb.emit(Op::Addi, b, b, 0, dims[d] - declared[d]);
    traps.ifLess(b, 0);
    traps.ifLess(0, b);
    pb.free(b);
    pb.free(e);
  }
  if (cast<StringAttr>(p.get("mode")).getValue() != "constant") {
    emitMappedPad(pb, p, addrs, traps);
    traps.finish();
    return;
  }
  int64_t total = 1;
  for (int64_t e : out)
    total *= e;
  // Every position first gets the pad value.
  int dst = pb.li(addrs.back());
  pb.emit(Op::VBcast, 1, 0, 0, aValue);
  pb.vectorChunks(total, {dst},
                  [&](int64_t off) { pb.emit(Op::VSt, 1, dst, 0, off); });
  // Then the part of the block that reads the input: per dimension the
  // output range [max(lo, b), min(hi, b + dim)) for begin pad b.
  SmallVector<int64_t, 6> outStrides = rowMajorBytes(out);
  SmallVector<int, 6> rCount(rank, 0);
  std::vector<size_t> skips;
  int src = pb.li(addrs[0]);
  for (int d = 0; d < rank; ++d) {
    int b = pb.reg(), first = pb.reg(), t = pb.reg();
    rCount[d] = pb.reg();
    pb.emit(Op::LdF, b, 0, 0, aPads + 4 * d);
    pb.emit(Op::Li, t, 0, 0, lo[d]);
    pb.emit(Op::Max, first, b, t);
    pb.emit(Op::Addi, t, b, 0, dims[d]);
    pb.emit(Op::Li, rCount[d], 0, 0, lo[d] + out[d]);
    pb.emit(Op::Min, rCount[d], rCount[d], t);
    pb.emit(Op::Sub, rCount[d], rCount[d], first);
    // Nothing of the input lands in the block: keep the fill.
    pb.emit(Op::Li, t, 0, 0, 1);
    skips.push_back(pb.code.size());
    pb.emit(Op::Blt, rCount[d], t);
    // src += (first - b) * inStride, dst += (first - lo) * outStride.
    pb.emit(Op::Sub, t, first, b);
    pb.emit(Op::Muli, t, t, 0, inStrides[d]);
    pb.emit(Op::Add, src, src, t);
    pb.emit(Op::Addi, t, first, 0, -lo[d]);
    pb.emit(Op::Muli, t, t, 0, outStrides[d]);
    pb.emit(Op::Add, dst, dst, t);
    for (int r : {b, first, t})
      pb.free(r);
  }
  pb.emit(Op::VSetVl, 0, 0, 0, 1);
  std::function<void(int)> level = [&](int d) {
    if (d == rank) {
      copyOne(pb, src, dst);
      return;
    }
    countedLoop(pb, 0, rCount[d], {{src, inStrides[d]}, {dst, outStrides[d]}},
                [&] { level(d + 1); });
  };
  level(0);
  pb.emit(Op::VSetVl, 0, 0, 0, pb.lanes);
  for (size_t s : skips)
    pb.code[s].imm = int64_t(pb.code.size()) - 1; // to the VSetVl above
  traps.finish();
  pb.free(src);
  pb.free(dst);
  for (int r : rCount)
    pb.free(r);
}
