//===- KernelResizeDynamic.cpp - Resize with run-time scales or roi -------===//
//
// The "dynresize" kernel (DistributeResizeDynamic.cpp stages its operands:
// input, scales, roi, output coordinates, table scratch, output). First,
// per spatial dimension, the vector unit turns the block's output
// coordinates and the run-time scale (or crop box) into an input
// coordinate by ONNX's coordinate transformation, and from it the tap
// offsets (clamped to the input) and the tap weights: nearest rounding,
// linear, or cubic with cubic_coeff_a and exclude_outside renormalisation,
// the same formulas the compile-time path evaluates in double
// (DistributeResize.cpp), here in FP32. Then, per output position, the
// scalar unit loads the tap offsets with `ldf` and the vector unit blends
// the taps' channel vectors with the product of their per-dimension
// weights; tf_crop_and_resize adds extrapolation_value where a coordinate
// leaves the input.
//
//===----------------------------------------------------------------------===//
#include "ProgramBuilder.h"

#include <functional>

using namespace mlir;
using namespace dojo;
using namespace dojo::d1;
using isa::CmpPred;
using isa::Op;

namespace {

// Vector registers of the table computation.
enum : int {
  vO = 0,    // output coordinates
  vX = 1,    // input coordinates
  vS = 2,    // scale, or crop start
  vT = 3,    // scratch
  vIn = 4,   // 1 where a crop coordinate lies inside the input
  vF = 5,    // floor, then the first tap's index
  vR = 6,    // ratio past the floor
  vU = 7,    // scratch
  vW = 8,    // weights vW .. vW + 3
  vC = 12,   // constants
  vSum = 13, // sum of weights (exclude_outside)
  vI = 14,   // a tap's index
  vM = 15,   // comparison masks
  vRes = 16, // exact residual of the coordinate's division (its sign)
  vN = 17,   // the division's numerator
  vNeg = 18, // 1 where the exact coordinate lies below the FP32 one
  vPos = 19, // 1 where it lies above
  vZero = 20,    // 0
  vOutside = 21, // 1 where a crop coordinate leaves the input
};

/// Emits vector code for one dynamic resize, see the file comment.
class DynResize {
public:
  DynResize(ProgramBuilder &pb, DictionaryAttr p, ArrayRef<int64_t> addrs)
      : pb(pb), p(p), addrs(addrs) {
    auto str = [&](StringRef n) {
      return cast<StringAttr>(p.get(n)).getValue();
    };
    mode = str("mode");
    transform = str("transform");
    nearest = str("nearest");
    crop = transform == "tf_crop_and_resize";
    coeffA = paramF32(p, "cubic_coeff_a");
    exclude = paramBool(p, "exclude_outside");
  }

  void emit();

private:
  ProgramBuilder &pb;
  DictionaryAttr p;
  ArrayRef<int64_t> addrs;
  StringRef mode, transform, nearest;
  bool crop, exclude;
  float coeffA;

  int64_t aScales() const { return addrs[1]; }
  int64_t aRoi() const { return addrs[2]; }
  int64_t aTab() const { return addrs[4]; }

  void op(Op o, int a, int b = 0, int c = 0, int64_t imm = 0) {
    pb.emit(o, a, b, c, imm);
  }
  void splat(int v, float f) { op(Op::VSplat, v, 0, 0, floatBits(f)); }
  void cmp(int a, int b, int c, CmpPred pred) {
    op(Op::VCmp, a, b, c, int64_t(pred));
  }
  /// v[a] = v[b] <op> f.
  void withConst(Op o, int a, int b, float f) {
    splat(vC, f);
    op(o, a, b, vC);
  }

  /// v[a] = (v[b] <pred> f) ? 1 : 0.
  void cmpConst(int a, int b, float f, CmpPred pred) {
    splat(vC, f);
    cmp(a, b, vC, pred);
  }

  void checkBatchChannel();
  void coordinate(int64_t in, int64_t out, int64_t entry);
  void cubic(int w, int t, bool far);
  void table(int dim, int pPos, int pTab, int64_t off);
  void blend();
};

/// A batch or channel dimension named by the axes is copied, so its
/// run-time scale must be 1 (its crop box [0, 1] when it has more than one
/// element); anything else traps (an `ldf` below address 0).
void DynResize::checkBatchChannel() {
  auto entries = paramArr(p, "nc_entries"), dims = paramArr(p, "nc_dims");
  int64_t count = paramInt(p, "axes_count");
  for (int d = 0; d < 2; ++d) {
    if (entries[d] < 0 || (crop && dims[d] == 1))
      continue;
    op(Op::VSetVl, 0, 0, 0, 1);
    if (crop) {
      op(Op::VBcast, vS, 0, 0, aRoi() + 4 * entries[d]);
      op(Op::VBcast, vT, 0, 0, aRoi() + 4 * (entries[d] + count));
      splat(vC, 0.0f);
      cmp(vM, vS, vC, CmpPred::Ne);
      splat(vC, 1.0f);
      cmp(vU, vT, vC, CmpPred::Ne);
      op(Op::VMax, vM, vM, vU);
    } else {
      op(Op::VBcast, vS, 0, 0, aScales() + 4 * entries[d]);
      splat(vC, 1.0f);
      cmp(vM, vS, vC, CmpPred::Ne);
    }
    op(Op::VSt, vM, 0, 0, aTab());
    op(Op::VSetVl, 0, 0, 0, pb.lanes);
    int flag = pb.reg(), one = pb.li(1);
    op(Op::LdF, flag, 0, 0, aTab());
    op(Op::Blt, flag, one, 0, int64_t(pb.code.size()) + 2);
    op(Op::LdF, 0, 0, 0, -4);
    pb.free(flag);
    pb.free(one);
  }
}

/// vX = the input coordinate of output coordinates vO along a dimension of
/// `in` input and `out` output elements whose scale / crop box is entry
/// `entry` of the scales / roi; for crops also vIn.
void DynResize::coordinate(int64_t in, int64_t out, int64_t entry) {
  float last = float(in - 1);
  if (crop) {
    int64_t count = paramInt(p, "axes_count");
    op(Op::VBcast, vS, 0, 0, aRoi() + 4 * entry);
    op(Op::VBcast, vT, 0, 0, aRoi() + 4 * (entry + count));
    op(Op::VSub, vU, vT, vS); // end - start
    if (out == 1) {
      withConst(Op::VMul, vX, vU, last);
      withConst(Op::VDiv, vX, vX, 2.0f);
    } else {
      op(Op::VMul, vX, vO, vU);
      withConst(Op::VMul, vX, vX, last);
      withConst(Op::VDiv, vX, vX, float(out - 1));
    }
    withConst(Op::VMul, vT, vS, last);
    op(Op::VAdd, vX, vX, vT);
    // Coordinates outside [0, in - 1] read extrapolation_value.
    cmpConst(vIn, vX, 0.0f, CmpPred::Ge);
    cmpConst(vM, vX, last, CmpPred::Le);
    op(Op::VMul, vIn, vIn, vM);
    splat(vRes, 0.0f);
    return;
  }
  // The reference evaluates these in double from the FP32 scale; FP32
  // rounding moves a coordinate by an ulp, which matters only where
  // nearest rounding is decided (a fraction of exactly 0 or 0.5). vRes =
  // numerator - quotient x denominator, exact through the fused `vfma`,
  // keeps the sign of the rounding error for that decision. Likewise the
  // reference's output width scale * in is compared with 1 exactly, as
  // fma(scale, in, -1) == 0.
  op(Op::VBcast, vS, 0, 0, aScales() + 4 * entry);
  splat(vT, -1.0f);
  splat(vC, float(in));
  op(Op::VFma, vT, vS, vC); // scale * in - 1, rounded once
  int den = vS;
  if (transform == "asymmetric") {
    op(Op::VMax, vN, vO, vO);
  } else if (transform == "align_corners") {
    // x * (in - 1) / (scale * in - 1), 0 when scale * in is 1.
    withConst(Op::VMul, vN, vO, last);
    den = vT;
  } else {
    withConst(Op::VAdd, vN, vO, 0.5f);
  }
  op(Op::VDiv, vX, vN, den);
  splat(vC, 0.0f);
  op(Op::VSub, vU, vC, vX);
  op(Op::VMax, vRes, vN, vN);
  op(Op::VFma, vRes, vU, den);
  if (transform == "align_corners") {
    cmpConst(vM, vT, 0.0f, CmpPred::Eq);
    splat(vC, 0.0f);
    op(Op::VSel, vX, vM, vC);
    op(Op::VSel, vRes, vM, vC);
    return;
  }
  if (transform == "half_pixel" || transform == "pytorch_half_pixel")
    withConst(Op::VSub, vX, vX, 0.5f);
  if (transform == "pytorch_half_pixel") {
    // -0.5 when the reference's output width scale * in is 1.
    cmpConst(vM, vT, 0.0f, CmpPred::Eq);
    splat(vC, -0.5f);
    op(Op::VSel, vX, vM, vC);
    splat(vC, 0.0f);
    op(Op::VSel, vRes, vM, vC);
  }
}

/// v[w] = ONNX's cubic coefficient at distance v[t]: for |t| <= 1
/// ((a + 2) t - (a + 3)) t^2 + 1, for 1 < |t| < 2 ((a t - 5a) t + 8a) t - 4a.
void DynResize::cubic(int w, int t, bool far) {
  float a = coeffA;
  if (far) {
    withConst(Op::VMul, vU, t, a);
    withConst(Op::VSub, vU, vU, 5 * a);
    op(Op::VMul, vU, vU, t);
    withConst(Op::VAdd, vU, vU, 8 * a);
    op(Op::VMul, vU, vU, t);
    withConst(Op::VSub, w, vU, 4 * a);
    return;
  }
  withConst(Op::VMul, vU, t, a + 2);
  withConst(Op::VSub, vU, vU, a + 3);
  op(Op::VMul, vU, vU, t);
  op(Op::VMul, vU, vU, t);
  withConst(Op::VAdd, w, vU, 1.0f);
}

/// One chunk (at byte offset `off`) of spatial dimension `dim`'s table:
/// rows of tap offsets (bytes into the staged input), tap weights and, for
/// crops, the inside flag, each `count` positions long.
void DynResize::table(int dim, int pPos, int pTab, int64_t off) {
  int64_t in = paramArr(p, "in")[dim], out = paramArr(p, "out")[dim];
  int64_t count = paramArr(p, "count")[dim];
  int64_t taps = paramArr(p, "taps")[dim];
  float stride = float(paramArr(p, "in_strides")[dim]);
  int64_t row = 4 * count;
  op(Op::VLd, vO, pPos, 0, off);
  if (!paramArr(p, "resized")[dim]) {
    // A copied dimension: the staged input holds the block's range.
    withConst(Op::VSub, vF, vO, float(paramArr(p, "lo")[dim]));
    withConst(Op::VMul, vF, vF, stride);
    op(Op::VSt, vF, pTab, 0, off);
    return;
  }
  coordinate(in, out, paramArr(p, "entries")[dim]);
  op(Op::VFunc, vF, vX, 0, int64_t(isa::VFn::Floor));
  op(Op::VSub, vR, vX, vF);
  if (mode == "nearest") {
    // Round by nearest_mode; a coordinate on an input point reads it. An
    // exact coordinate just below the FP32 one moves a whole number to
    // the previous point with fraction 1, and a fraction of 0.5 (0 for
    // ceil) counts as more or less by the residual's sign.
    splat(vC, 0.0f);
    cmp(vNeg, vRes, vC, CmpPred::Lt);
    cmp(vPos, vRes, vC, CmpPred::Gt);
    cmp(vM, vR, vC, CmpPred::Eq);
    op(Op::VMul, vM, vM, vNeg);
    op(Op::VSub, vF, vF, vM);
    op(Op::VAdd, vR, vR, vM);
    if (nearest != "floor") {
      bool ceil = nearest == "ceil", preferCeil = nearest == "round_prefer_ceil";
      float tie = ceil ? 0.0f : 0.5f;
      cmpConst(vM, vR, tie, preferCeil ? CmpPred::Ge : CmpPred::Gt);
      cmpConst(vT, vR, tie, CmpPred::Eq);
      op(Op::VMul, vT, vT, preferCeil ? vNeg : vPos);
      op(preferCeil ? Op::VSub : Op::VAdd, vM, vM, vT);
      op(Op::VAdd, vF, vF, vM);
    }
    splat(vW, 1.0f);
  } else {
    // As in the reference the ratio lies in (0, 1]: a coordinate on an
    // input point counts as a full step past the previous one.
    cmpConst(vM, vR, 0.0f, CmpPred::Eq);
    op(Op::VSub, vF, vF, vM);
    op(Op::VAdd, vR, vR, vM);
    if (mode == "linear") {
      splat(vC, 1.0f);
      op(Op::VSub, vW, vC, vR);
      op(Op::VMax, vW + 1, vR, vR);
    } else {
      withConst(Op::VSub, vF, vF, 1.0f); // the first of four taps
      withConst(Op::VAdd, vT, vR, 1.0f);
      cubic(vW, vT, true);
      cubic(vW + 1, vR, false);
      splat(vC, 1.0f);
      op(Op::VSub, vT, vC, vR);
      cubic(vW + 2, vT, false);
      splat(vC, 2.0f);
      op(Op::VSub, vT, vC, vR);
      cubic(vW + 3, vT, true);
    }
    if (exclude) {
      // Taps outside the input get no weight; the rest are renormalised.
      splat(vSum, 0.0f);
      for (int64_t j = 0; j < taps; ++j) {
        withConst(Op::VAdd, vI, vF, float(j));
        cmpConst(vM, vI, 0.0f, CmpPred::Ge);
        op(Op::VMul, vW + j, vW + j, vM);
        cmpConst(vM, vI, float(in - 1), CmpPred::Le);
        op(Op::VMul, vW + j, vW + j, vM);
        op(Op::VAdd, vSum, vSum, vW + j);
      }
      for (int64_t j = 0; j < taps; ++j)
        op(Op::VDiv, vW + j, vW + j, vSum);
    }
  }
  if (crop) {
    // Weights of coordinates outside the crop are 0 (selected, not
    // multiplied: exclude_outside may have made them NaN).
    splat(vZero, 0.0f);
    cmp(vOutside, vIn, vZero, CmpPred::Eq);
  }
  for (int64_t j = 0; j < taps; ++j) {
    // Indices outside the input read the edge.
    withConst(Op::VAdd, vI, vF, float(j));
    withConst(Op::VMax, vI, vI, 0.0f);
    withConst(Op::VMin, vI, vI, float(in - 1));
    withConst(Op::VMul, vI, vI, stride);
    op(Op::VSt, vI, pTab, 0, off + row * j);
    if (crop)
      op(Op::VSel, vW + j, vOutside, vZero);
    op(Op::VSt, vW + j, pTab, 0, off + row * (taps + j));
  }
  if (crop)
    op(Op::VSt, vIn, pTab, 0, off + row * 2 * taps);
}

/// out[n][pos][c] = bias + sum over tap combinations of the product of the
/// per-dimension weights times the staged input at the summed offsets.
void DynResize::blend() {
  auto count = paramArr(p, "count"), taps = paramArr(p, "taps");
  auto resized = paramArr(p, "resized"), tabOff = paramArr(p, "tab_offsets");
  int k = int(count.size());
  int64_t c = paramInt(p, "c");
  float extrapolation = paramF32(p, "extrapolation");
  enum : int { vAcc = 0, vTap = 1, vBias = 20, vInside = 21, vWeight = 22 };
  SmallVector<int64_t, 4> outStride(k, 4 * c);
  for (int d = k - 2; d >= 0; --d)
    outStride[d] = outStride[d + 1] * count[d + 1];
  int pIn = pb.li(addrs[0]), pOut = pb.li(addrs.back());
  SmallVector<int, 4> pTab;
  for (int d = 0; d < k; ++d)
    pTab.push_back(pb.li(aTab() + tabOff[d]));
  // Tap level d: offset register `addr` so far, weight register so far (-1
  // while every weight is 1).
  std::function<void(int, int, int, int64_t)> tapLevel =
      [&](int d, int addr, int weight, int64_t off) {
        if (d == k) {
          op(Op::VLd, vTap, addr, 0, off);
          if (weight < 0)
            op(Op::VAdd, vAcc, vAcc, vTap);
          else
            op(Op::VFma, vAcc, vTap, weight);
          return;
        }
        int64_t row = 4 * count[d];
        for (int64_t j = 0; j < taps[d]; ++j) {
          int r = pb.reg();
          op(Op::LdF, r, pTab[d], 0, row * j);
          op(Op::Add, r, r, addr);
          int w = weight;
          if (resized[d]) {
            w = vWeight + d;
            op(Op::VBcast, w, pTab[d], 0, row * (taps[d] + j));
            if (weight >= 0)
              op(Op::VMul, w, w, weight);
          }
          tapLevel(d + 1, r, w, off);
          pb.free(r);
        }
      };
  auto position = [&] {
    if (crop) {
      // extrapolation_value x (1 - product of the inside flags).
      splat(vInside, 1.0f);
      for (int d = 0; d < k; ++d)
        if (resized[d]) {
          op(Op::VBcast, vBias, pTab[d], 0, 4 * count[d] * 2 * taps[d]);
          op(Op::VMul, vInside, vInside, vBias);
        }
      splat(vBias, 1.0f);
      op(Op::VSub, vBias, vBias, vInside);
      splat(vInside, extrapolation);
      op(Op::VMul, vBias, vBias, vInside);
    }
    pb.vectorChunks(c, {pIn, pOut}, [&](int64_t off) {
      if (crop)
        op(Op::VMax, vAcc, vBias, vBias);
      else
        splat(vAcc, 0.0f);
      tapLevel(0, pIn, -1, off);
      op(Op::VSt, vAcc, pOut, 0, off);
    });
  };
  std::function<void(int)> level = [&](int d) {
    if (d == k) {
      position();
      return;
    }
    pb.loop(count[d], {{pTab[d], 4}, {pOut, outStride[d]}},
            [&] { level(d + 1); });
  };
  int64_t positions = outStride[0] * count[0] / 4;
  pb.loop(paramInt(p, "n"),
          {{pIn, paramInt(p, "in_n_stride")}, {pOut, 4 * positions}},
          [&] { level(0); });
  pb.free(pIn);
  pb.free(pOut);
  for (int r : pTab)
    pb.free(r);
}

void DynResize::emit() {
  op(Op::VSetVl, 0, 0, 0, pb.lanes);
  checkBatchChannel();
  auto count = paramArr(p, "count"), posOff = paramArr(p, "pos_offsets");
  auto tabOff = paramArr(p, "tab_offsets");
  for (int d = 0; d < int(count.size()); ++d) {
    int pPos = pb.li(addrs[3] + posOff[d]), pTab = pb.li(aTab() + tabOff[d]);
    pb.vectorChunks(count[d], {pPos, pTab},
                    [&](int64_t off) { table(d, pPos, pTab, off); });
    pb.free(pPos);
    pb.free(pTab);
  }
  blend();
}

} // namespace

void dojo::d1::emitDynResizeKernel(ProgramBuilder &pb, DictionaryAttr p,
                                   ArrayRef<int64_t> addrs) {
  DynResize(pb, p, addrs).emit();
}
