//===- KernelCodegen.cpp - Loop nests for the per-node kernels ------------===//
//
// Each kernel is a loop nest around one matrix or vector instruction. The
// matrix unit computes one accumulator tile (at most 8 x 8) per instruction
// over a run of K read from SRAM; nothing here stands for a whole layer.
// Tiles at the edges (fewer than 8 rows or columns) get their own
// descriptors and an unrolled copy of the innermost body.
//
//===----------------------------------------------------------------------===//
#include "ProgramBuilder.h"

#include <cstring>

using namespace mlir;
using namespace dojo;
using namespace dojo::d1;


static isa::Act getAct(DictionaryAttr d) {
  return cast<StringAttr>(d.get("act")).getValue() == "relu" ? isa::Act::Relu
                                                             : isa::Act::None;
}

/// Splits `extent` into full tiles of `tile` and a remainder, calling
/// `body(size, offsetIndex)` for the loop of full tiles (advancing `ptrs` by
/// their per-tile strides) and once more for the remainder at the offset of
/// the first leftover element.
static void tiled(ProgramBuilder &pb, int64_t extent, int64_t tile,
                  ProgramBuilder::Ptrs ptrs,
                  llvm::function_ref<void(int64_t size, int64_t first)> body) {
  int64_t full = extent / tile, rem = extent % tile;
  pb.loop(full, ptrs, [&] { body(tile, 0); });
  if (rem)
    body(rem, full * tile);
}

void dojo::d1::emitConvKernel(ProgramBuilder &pb, DictionaryAttr p,
                              ArrayRef<int64_t> addrs, int64_t dtype) {
  int64_t n = paramInt(p, "n"), groups = paramInt(p, "groups");
  int64_t cin = paramInt(p, "cin"), ci = paramInt(p, "ci"), cg = paramInt(p, "cg");
  int64_t cp = paramInt(p, "cp");
  auto out = paramArr(p, "out"), win = paramArr(p, "win"), k = paramArr(p, "kernel");
  // A sub-block (optional "rows" = [dim, lo, hi]) computes output positions
  // [lo, hi) of dimension `dim` of the block; the buffers keep the whole
  // block's layout, so only the loop counts and the start addresses change.
  SmallVector<int64_t, 3> todo(out.begin(), out.end());
  int64_t subDim = -1, subLo = 0;
  if (auto rows = p.getAs<DenseI64ArrayAttr>("rows")) {
    subDim = rows[0];
    subLo = rows[1];
    todo[subDim] = rows[2] - rows[1];
  }
  auto s = paramArr(p, "strides"), dl = paramArr(p, "dilations");
  bool bias = paramBool(p, "bias");
  isa::Act act = getAct(p);

  int pIn = pb.li(addrs[0]), pW = pb.li(addrs[1]);
  int pB = bias ? pb.li(addrs[2]) : 0;
  int pOut = pb.li(addrs.back());
  // Strides of the staged input [n][d][h][w][ci] and output [n][d][h][w][cp].
  // The input may be stored as BF16 (2-byte elements).
  int64_t xStorage = p.get("xstorage") ? paramInt(p, "xstorage") : 0;
  int64_t xe = xStorage ? 2 : 4;
  int64_t inW = ci * xe, inH = win[2] * inW, inD = win[1] * inH,
          inN = win[0] * inD;
  int64_t outW = cp * 4, outH = out[2] * outW, outD = out[1] * outH,
          outN = out[0] * outD;
  if (subLo > 0) {
    int64_t inStride[3] = {inD, inH, inW}, outStride[3] = {outD, outH, outW};
    pb.emit(isa::Op::Addi, pIn, pIn, 0, subLo * s[subDim] * inStride[subDim]);
    pb.emit(isa::Op::Addi, pOut, pOut, 0, subLo * outStride[subDim]);
  }
  // Weights [g][kd][kh][co][kw][ci].
  // Weights may be stored as BF16 (2 bytes) when the matrix unit runs BF16.
  int64_t wStorage = p.get("wstorage") ? paramInt(p, "wstorage") : 0;
  int64_t ew = wStorage ? 2 : 4;
  int64_t wCo = k[2] * cin * ew, wKh = cg * wCo, wKd = k[1] * wKh,
          wG = k[0] * wKd;
  // The kw taps of one output channel are contiguous in the weights; they
  // are contiguous in the staged input too when it holds a single group and
  // the kernel is not dilated along w: then one instruction covers them.
  bool mergeKw = dl[2] == 1 && ci == cin;
  int64_t kRun = mergeKw ? k[2] * cin : cin;
  int64_t kwLoop = mergeKw ? 1 : k[2];

  auto tile = [&](int64_t m, int64_t nw, int64_t inOff, int64_t outOff,
                  int64_t coFirst) {
    // Tiles inside the loops address their operands through the loops'
    // own pointers (the loops restore what they step), so most need no
    // pointer copies: four fewer instructions per tile.
    if (bias) {
      int r = pb.at(pB, coFirst * 4);
      isa::AccDesc d;
      d.m = m;
      d.n = nw;
      d.si = 4;
      d.sj = 0;
      pb.emit(isa::Op::MLd, 0, r, 0, pb.desc(isa::encode(d)));
      pb.release(r, pB);
    } else {
      pb.emit(isa::Op::MZero, 0);
    }
    int rA = pb.at(pW, coFirst * wCo), rB = pb.at(pIn, inOff);
    isa::MmaDesc md;
    md.m = m;
    md.n = nw;
    md.k = kRun;
    md.aSi = wCo;
    md.aSk = ew;
    md.aStorage = wStorage;
    md.bSk = xe;
    md.bStorage = xStorage;
    md.bSj = s[2] * inW;
    md.dtype = dtype;
    // The matrix unit's outer reduction levels walk the kernel rows (and
    // the kernel columns when they are not merged into the run); the
    // remaining taps, if any, are a loop. Same accumulation order as one
    // instruction per tap.
    if (kwLoop == 1) {
      md.k2 = k[1], md.aSk2 = wKh, md.bSk2 = dl[1] * inH;
      md.k3 = k[0], md.aSk3 = wKd, md.bSk3 = dl[0] * inD;
    } else {
      md.k2 = kwLoop, md.aSk2 = cin * ew, md.bSk2 = dl[2] * inW;
      md.k3 = k[1], md.aSk3 = wKh, md.bSk3 = dl[1] * inH;
    }
    int mmaDesc = pb.desc(isa::encode(md));
    pb.loop(kwLoop == 1 ? 1 : k[0], {{rA, wKd}, {rB, dl[0] * inD}},
            [&] { pb.emit(isa::Op::Mma, 0, rA, rB, mmaDesc); });
    pb.release(rA, pW);
    pb.release(rB, pIn);
    int rO = pb.at(pOut, outOff + coFirst * 4);
    isa::AccDesc sd;
    sd.m = m;
    sd.n = nw;
    sd.si = 4;
    sd.sj = outW;
    sd.act = act;
    pb.emit(isa::Op::MSt, 0, rO, 0, pb.desc(isa::encode(sd)));
    pb.release(rO, pOut);
  };

  pb.loop(groups, {{pIn, cin * xe}, {pW, wG}, {pOut, cg * 4}, {pB, cg * 4}}, [&] {
    pb.loop(n, {{pIn, inN}, {pOut, outN}}, [&] {
      pb.loop(todo[0], {{pIn, s[0] * inD}, {pOut, outD}}, [&] {
        pb.loop(todo[1], {{pIn, s[1] * inH}, {pOut, outH}}, [&] {
          tiled(pb, todo[2], 8, {{pIn, 8 * s[2] * inW}, {pOut, 8 * outW}},
                [&](int64_t nw, int64_t w0) {
                  int64_t inOff = w0 * s[2] * inW, outOff = w0 * outW;
                  tiled(pb, cg, 8, {{pW, 8 * wCo}, {pOut, 32}, {pB, 32}},
                        [&](int64_t m, int64_t c0) {
                          tile(m, nw, inOff, outOff, c0);
                        });
                });
        });
      });
    });
  });
  for (int r : {pIn, pW, pOut})
    pb.free(r);
  if (bias)
    pb.free(pB);
}

void dojo::d1::emitMatmulKernel(ProgramBuilder &pb, DictionaryAttr p,
                                ArrayRef<int64_t> addrs, int64_t dtype) {
  int64_t batch = paramInt(p, "batch"), m = paramInt(p, "m"), n = paramInt(p, "n"),
          k = paramInt(p, "k");
  float alpha = paramF32(p, "alpha"), beta = paramF32(p, "beta");
  bool bias = paramBool(p, "bias");
  isa::Act act = getAct(p);
  int pA = pb.li(addrs[0]), pB = pb.li(addrs[1]);
  int pC = bias ? pb.li(addrs[2]) : 0;
  int pOut = pb.li(addrs.back());
  // y = alpha * (A B + (beta / alpha) C): the accumulator starts from the
  // scaled bias and the store applies alpha.
  float storeScale = alpha != 0.0f ? alpha : 1.0f;
  float loadScale = alpha != 0.0f ? beta / alpha : beta;

  auto tile = [&](int64_t mt, int64_t nt, int64_t row0, int64_t col0) {
    if (bias) {
      int r = pb.at(pC, (row0 * n + col0) * 4);
      isa::AccDesc d;
      d.m = mt;
      d.n = nt;
      d.si = n * 4;
      d.sj = 4;
      d.scale = loadScale;
      pb.emit(isa::Op::MLd, 0, r, 0, pb.desc(isa::encode(d)));
      pb.release(r, pC);
    } else {
      pb.emit(isa::Op::MZero, 0);
    }
    if (alpha != 0.0f) {
      int rA = pb.at(pA, row0 * k * 4), rB = pb.at(pB, col0 * 4);
      isa::MmaDesc md;
      md.m = mt;
      md.n = nt;
      md.k = k;
      md.aSi = k * 4;
      md.aSk = 4;
      md.bSk = n * 4;
      md.bSj = 4;
      md.dtype = dtype;
      pb.emit(isa::Op::Mma, 0, rA, rB, pb.desc(isa::encode(md)));
      pb.release(rA, pA);
      pb.release(rB, pB);
    }
    int rO = pb.at(pOut, (row0 * n + col0) * 4);
    isa::AccDesc sd;
    sd.m = mt;
    sd.n = nt;
    sd.si = n * 4;
    sd.sj = 4;
    sd.scale = storeScale;
    sd.act = act;
    pb.emit(isa::Op::MSt, 0, rO, 0, pb.desc(isa::encode(sd)));
    pb.release(rO, pOut);
  };
  pb.loop(batch, {{pA, m * k * 4}, {pB, k * n * 4}, {pOut, m * n * 4}}, [&] {
    tiled(pb, m, 8, {{pA, 8 * k * 4}, {pOut, 8 * n * 4}, {pC, 8 * n * 4}},
          [&](int64_t mt, int64_t row0) {
            tiled(pb, n, 8, {{pB, 32}, {pOut, 32}, {pC, 32}},
                  [&](int64_t nt, int64_t col0) { tile(mt, nt, row0, col0); });
          });
  });
  for (int r : {pA, pB, pOut})
    pb.free(r);
  if (bias)
    pb.free(pC);
}

void dojo::d1::emitAvgPoolKernel(ProgramBuilder &pb, DictionaryAttr p,
                                 ArrayRef<int64_t> addrs) {
  int64_t n = paramInt(p, "n"), positions = paramInt(p, "positions"),
          c = paramInt(p, "c");
  int pIn = pb.li(addrs[0]), pOut = pb.li(addrs[1]);
  pb.emit(isa::Op::VSetVl, 0, 0, 0, pb.lanes);
  pb.emit(isa::Op::VSplat, 4, 0, 0, floatBits(1.0f / float(positions)));
  auto body = [&](int64_t off) {
    pb.emit(isa::Op::VSplat, 0, 0, 0, 0);
    int rP = pb.offset(pIn, off);
    pb.loop(positions, {{rP, c * 4}}, [&] {
      pb.emit(isa::Op::VLd, 1, rP, 0, 0);
      pb.emit(isa::Op::VAdd, 0, 0, 1);
    });
    pb.free(rP);
    pb.emit(isa::Op::VMul, 0, 0, 4);
    pb.emit(isa::Op::VSt, 0, pOut, 0, off);
  };
  pb.loop(n, {{pIn, positions * c * 4}, {pOut, c * 4}},
          [&] { pb.vectorChunks(c, {pIn, pOut}, body); });
  pb.free(pIn);
  pb.free(pOut);
}

/// Stores v0 (VL = all lanes) over `bytes` bytes from the address in
/// register `p` (left unchanged): the whole vectors with one `vstrep`, the
/// tail with VL shortened.
static void fillFrom(ProgramBuilder &pb, int p, int64_t bytes) {
  int64_t vec = pb.lanes * 4, whole = bytes / vec;
  if (whole == 1)
    pb.emit(isa::Op::VSt, 0, p, 0, 0);
  else if (whole > 1)
    pb.emit(isa::Op::VStRep, 0, p, 0, whole);
  int64_t done = whole * vec;
  if (done < bytes) {
    pb.emit(isa::Op::VSetVl, 0, 0, 0, (bytes - done) / 4);
    pb.emit(isa::Op::VSt, 0, p, 0, done);
    pb.emit(isa::Op::VSetVl, 0, 0, 0, pb.lanes);
  }
}

void dojo::d1::emitFillRegions(ProgramBuilder &pb, int64_t addr,
                               ArrayRef<int64_t> regions, float value) {
  pb.emit(isa::Op::VSetVl, 0, 0, 0, pb.lanes);
  pb.emit(isa::Op::VSplat, 0, 0, 0, floatBits(value));
  for (size_t i = 0; i + 6 <= regions.size(); i += 6) {
    int p = pb.li(addr + regions[i]);
    pb.loop(regions[i + 1], {{p, regions[i + 2]}}, [&] {
      pb.loop(regions[i + 3], {{p, regions[i + 4]}},
              [&] { fillFrom(pb, p, regions[i + 5]); });
    });
    pb.free(p);
  }
}

void dojo::d1::emitFill(ProgramBuilder &pb, int64_t addr, int64_t bytes,
                        float value) {
  int p = pb.li(addr);
  pb.emit(isa::Op::VSetVl, 0, 0, 0, pb.lanes);
  pb.emit(isa::Op::VSplat, 0, 0, 0, floatBits(value));
  fillFrom(pb, p, bytes);
  pb.free(p);
}
