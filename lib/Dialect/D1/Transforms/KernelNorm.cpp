//===- KernelNorm.cpp - Pooling, reductions, softmax, layer norm -----------===//
//
// Pooling vectorizes across channels (16 per instruction) of a channels-last
// window. Row kernels (reduce, softmax, layer norm) walk rows stored
// innermost: full chunks of 16 accumulate lane-wise and reduce once with
// `vred`; the last partial chunk reduces on its own, over its VL lanes only.
//
//===----------------------------------------------------------------------===//
#include "ProgramBuilder.h"

#include <cstring>
#include <limits>

using namespace mlir;
using namespace dojo;
using namespace dojo::d1;
using dojo::isa::RedKind;
using dojo::isa::VFn;
using Op = dojo::isa::Op;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

/// v[acc] = reduce(row) with `combine` (lane-wise op) and `kind`.
void reduceRow(ProgramBuilder &pb, int ptr, int64_t len, Op combine,
               RedKind kind, float init, int acc, int tmp,
               llvm::function_ref<void(int v)> transform = nullptr) {
  pb.emit(Op::VSplat, acc, 0, 0, floatBits(init));
  pb.vectorChunks(
      len, {ptr},
      [&] {
        pb.emit(Op::VLd, tmp, ptr, 0, 0);
        if (transform)
          transform(tmp);
        pb.emit(combine, acc, acc, tmp);
      },
      [&](int64_t) {});
  pb.emit(Op::VRed, acc, acc, 0, int64_t(kind));
  int64_t rem = len % pb.lanes;
  if (rem) {
    pb.emit(Op::VSetVl, 0, 0, 0, rem);
    pb.emit(Op::VLd, tmp, ptr, 0, (len / pb.lanes) * pb.lanes * 4);
    if (transform)
      transform(tmp);
    pb.emit(Op::VRed, tmp, tmp, 0, int64_t(kind));
    pb.emit(Op::VSetVl, 0, 0, 0, pb.lanes);
    pb.emit(combine, acc, acc, tmp);
  }
}

} // namespace

void dojo::d1::emitPoolKernel(ProgramBuilder &pb, DictionaryAttr p,
                              ArrayRef<int64_t> addrs) {
  int64_t n = paramInt(p, "n"), c = paramInt(p, "c");
  auto out = paramArr(p, "out"), win = paramArr(p, "win"), k = paramArr(p, "kernel");
  auto s = paramArr(p, "strides"), dl = paramArr(p, "dilations");
  bool isMax = cast<BoolAttr>(p.get("max")).getValue();
  bool table = cast<BoolAttr>(p.get("table")).getValue();
  float scale = float(cast<FloatAttr>(p.get("scale")).getValueAsDouble());
  int pIn = pb.li(addrs[0]);
  int pT = table ? pb.li(addrs[1]) : 0;
  int pOut = pb.li(addrs.back());
  int64_t inW = c * 4, inH = win[2] * inW, inD = win[1] * inH, inN = win[0] * inD;
  int64_t outW = c * 4, outH = out[2] * outW, outD = out[1] * outH,
          outN = out[0] * outD;
  pb.emit(Op::VSetVl, 0, 0, 0, pb.lanes);
  if (!isMax && !table)
    pb.emit(Op::VSplat, 20, 0, 0, floatBits(scale));
  auto body = [&](int64_t off) {
    pb.emit(Op::VSplat, 0, 0, 0, floatBits(isMax ? -kInf : 0.0f));
    int rT = pb.offset(pIn, off);
    pb.loop(k[0], {{rT, dl[0] * inD}}, [&] {
      pb.loop(k[1], {{rT, dl[1] * inH}}, [&] {
        pb.loop(k[2], {{rT, dl[2] * inW}}, [&] {
          pb.emit(Op::VLd, 1, rT, 0, 0);
          pb.emit(isMax ? Op::VMax : Op::VAdd, 0, 0, 1);
        });
      });
    });
    pb.free(rT);
    if (!isMax)
      pb.emit(Op::VMul, 0, 0, 20);
    pb.emit(Op::VSt, 0, pOut, 0, off);
  };
  pb.loop(n, {{pIn, inN}, {pOut, outN}}, [&] {
    pb.loop(out[0], {{pIn, s[0] * inD}, {pOut, outD}, {pT, out[1] * out[2] * 4}},
            [&] {
      pb.loop(out[1], {{pIn, s[1] * inH}, {pOut, outH}, {pT, out[2] * 4}}, [&] {
        pb.loop(out[2], {{pIn, s[2] * inW}, {pOut, outW}, {pT, 4}}, [&] {
          if (table)
            pb.emit(Op::VBcast, 20, pT, 0, 0);
          pb.vectorChunks(c, {pIn, pOut}, body);
        });
      });
    });
  });
  pb.free(pIn);
  pb.free(pOut);
  if (table)
    pb.free(pT);
}

void dojo::d1::emitReduceKernel(ProgramBuilder &pb, DictionaryAttr p,
                                ArrayRef<int64_t> addrs) {
  int64_t rows = paramInt(p, "rows"), len = paramInt(p, "len");
  StringRef kind = cast<StringAttr>(p.get("op")).getValue();
  int pIn = pb.li(addrs[0]), pOut = pb.li(addrs[1]);
  pb.emit(Op::VSetVl, 0, 0, 0, pb.lanes);
  Op combine = kind == "max" ? Op::VMax : kind == "min" ? Op::VMin : Op::VAdd;
  RedKind red = kind == "max"   ? RedKind::Max
                : kind == "min" ? RedKind::Min
                                : RedKind::Sum;
  float init = kind == "max" ? -kInf : kind == "min" ? kInf : 0.0f;
  if (kind == "mean")
    pb.emit(Op::VSplat, 3, 0, 0, floatBits(1.0f / float(len)));
  pb.loop(rows, {{pIn, len * 4}, {pOut, 4}}, [&] {
    reduceRow(pb, pIn, len, combine, red, init, 0, 1);
    if (kind == "mean")
      pb.emit(Op::VMul, 0, 0, 3);
    pb.emit(Op::VSetVl, 0, 0, 0, 1);
    pb.emit(Op::VSt, 0, pOut, 0, 0);
    pb.emit(Op::VSetVl, 0, 0, 0, pb.lanes);
  });
  pb.free(pIn);
  pb.free(pOut);
}

void dojo::d1::emitSoftmaxKernel(ProgramBuilder &pb, DictionaryAttr p,
                                 ArrayRef<int64_t> addrs) {
  int64_t rows = paramInt(p, "rows"), len = paramInt(p, "len");
  bool log = cast<BoolAttr>(p.get("log")).getValue();
  int pIn = pb.li(addrs[0]), pOut = pb.li(addrs[1]);
  pb.emit(Op::VSetVl, 0, 0, 0, pb.lanes);
  pb.loop(rows, {{pIn, len * 4}, {pOut, len * 4}}, [&] {
    // v0 = max of the row; v3 = sum of exp(x - max), exp stored to out.
    reduceRow(pb, pIn, len, Op::VMax, RedKind::Max, -kInf, 0, 1);
    pb.emit(Op::VSplat, 3, 0, 0, 0);
    auto expChunk = [&](int64_t off, bool partial) {
      pb.emit(Op::VLd, 1, pIn, 0, off);
      pb.emit(Op::VSub, 1, 1, 0);
      pb.emit(Op::VFunc, 1, 1, 0, int64_t(VFn::Exp));
      if (!log)
        pb.emit(Op::VSt, 1, pOut, 0, off);
      if (partial) {
        pb.emit(Op::VRed, 2, 1, 0, int64_t(RedKind::Sum));
        pb.emit(Op::VAdd, 4, 4, 2);
      } else {
        pb.emit(Op::VAdd, 3, 3, 1);
      }
    };
    pb.emit(Op::VSplat, 4, 0, 0, 0);
    pb.vectorChunks(len, {pIn, pOut}, [&] { expChunk(0, false); },
              [&](int64_t off) { expChunk(off, true); });
    pb.emit(Op::VRed, 3, 3, 0, int64_t(RedKind::Sum));
    pb.emit(Op::VAdd, 3, 3, 4);
    if (log) {
      // out = x - max - log(sum)
      pb.emit(Op::VFunc, 4, 3, 0, int64_t(VFn::Log));
      pb.emit(Op::VAdd, 4, 4, 0);
      auto sub = [&](int64_t off) {
        pb.emit(Op::VLd, 1, pIn, 0, off);
        pb.emit(Op::VSub, 1, 1, 4);
        pb.emit(Op::VSt, 1, pOut, 0, off);
      };
      pb.vectorChunks(len, {pIn, pOut}, [&] { sub(0); }, sub);
    } else {
      pb.emit(Op::VFunc, 4, 3, 0, int64_t(VFn::Recip));
      auto scale = [&](int64_t off) {
        pb.emit(Op::VLd, 1, pOut, 0, off);
        pb.emit(Op::VMul, 1, 1, 4);
        pb.emit(Op::VSt, 1, pOut, 0, off);
      };
      pb.vectorChunks(len, {pOut}, [&] { scale(0); }, scale);
    }
  });
  pb.free(pIn);
  pb.free(pOut);
}

void dojo::d1::emitLayerNormKernel(ProgramBuilder &pb, DictionaryAttr p,
                                   ArrayRef<int64_t> addrs) {
  int64_t rows = paramInt(p, "rows"), len = paramInt(p, "len");
  bool bias = cast<BoolAttr>(p.get("bias")).getValue();
  float eps = float(cast<FloatAttr>(p.get("epsilon")).getValueAsDouble());
  int pIn = pb.li(addrs[0]), pS = pb.li(addrs[1]);
  int pB = bias ? pb.li(addrs[2]) : 0;
  int pOut = pb.li(addrs.back());
  pb.emit(Op::VSetVl, 0, 0, 0, pb.lanes);
  pb.emit(Op::VSplat, 5, 0, 0, floatBits(1.0f / float(len)));
  pb.emit(Op::VSplat, 6, 0, 0, floatBits(eps));
  pb.loop(rows, {{pIn, len * 4}, {pOut, len * 4}}, [&] {
    reduceRow(pb, pIn, len, Op::VAdd, RedKind::Sum, 0.0f, 0, 1);
    pb.emit(Op::VMul, 0, 0, 5); // mean
    reduceRow(pb, pIn, len, Op::VAdd, RedKind::Sum, 0.0f, 3, 1, [&](int v) {
      pb.emit(Op::VSub, v, v, 0);
      pb.emit(Op::VMul, v, v, v);
    });
    pb.emit(Op::VMul, 3, 3, 5);
    pb.emit(Op::VAdd, 3, 3, 6);
    pb.emit(Op::VFunc, 3, 3, 0, int64_t(VFn::Rsqrt));
    auto norm = [&](int64_t off) {
      pb.emit(Op::VLd, 1, pIn, 0, off);
      pb.emit(Op::VSub, 1, 1, 0);
      pb.emit(Op::VMul, 1, 1, 3);
      pb.emit(Op::VLd, 2, pS, 0, off);
      pb.emit(Op::VMul, 1, 1, 2);
      if (bias) {
        pb.emit(Op::VLd, 2, pB, 0, off);
        pb.emit(Op::VAdd, 1, 1, 2);
      }
      pb.emit(Op::VSt, 1, pOut, 0, off);
    };
    SmallVector<int, 4> ptrs = {pIn, pS, pOut};
    if (bias)
      ptrs.push_back(pB);
    pb.vectorChunks(len, ptrs, [&] { norm(0); }, norm);
  });
  for (int r : {pIn, pS, pOut})
    pb.free(r);
  if (bias)
    pb.free(pB);
}

void dojo::d1::emitLerpKernel(ProgramBuilder &pb, DictionaryAttr p,
                              ArrayRef<int64_t> addrs) {
  // out[n][pos][c] = bias[pos] + sum over taps t of w[pos][t] *
  // taps[t][n][pos][c], the taps one `tap_bytes` apart in one buffer so
  // that any number of them needs a single pointer register.
  int64_t n = paramInt(p, "n"), positions = paramInt(p, "positions"),
          c = paramInt(p, "c"), taps = paramInt(p, "taps"),
          tapBytes = paramInt(p, "tap_bytes");
  bool bias = paramInt(p, "bias") != 0;
  int64_t rowWeights = taps + (bias ? 1 : 0);
  // Up to 16 weights stay in vector registers 8..23 for a whole position;
  // more (cubic over three dimensions) are broadcast at each use.
  bool cached = taps <= 16;
  int pTaps = pb.li(addrs[0]);
  int pW = pb.li(addrs[1]);
  int pOut = pb.li(addrs[2]);
  pb.emit(Op::VSetVl, 0, 0, 0, pb.lanes);
  auto body = [&](int64_t off) {
    if (bias)
      pb.emit(Op::VBcast, 0, pW, 0, taps * 4);
    else
      pb.emit(Op::VSplat, 0, 0, 0, 0);
    for (int64_t t = 0; t < taps; ++t) {
      pb.emit(Op::VLd, 1, pTaps, 0, t * tapBytes + off);
      if (!cached)
        pb.emit(Op::VBcast, 2, pW, 0, t * 4);
      pb.emit(Op::VFma, 0, 1, cached ? 8 + t : 2); // v0 += tap * weight
    }
    pb.emit(Op::VSt, 0, pOut, 0, off);
  };
  // The weight table is per position, the same for every image.
  pb.loop(n, {{pTaps, positions * c * 4}, {pOut, positions * c * 4}}, [&] {
    pb.loop(positions, {{pTaps, c * 4}, {pOut, c * 4}, {pW, rowWeights * 4}},
            [&] {
              if (cached)
                for (int64_t t = 0; t < taps; ++t)
                  pb.emit(Op::VBcast, 8 + t, pW, 0, t * 4);
              pb.vectorChunks(c, {pTaps, pOut}, body);
            });
  });
  for (int r : {pTaps, pW, pOut})
    pb.free(r);
}
