//===- KernelEltwise.cpp - Elementwise functions on the vector unit --------===//
//
// One loop over the block's elements, 16 FP32 lanes per iteration (the
// remainder with a shorter VL). Each ONNX function is a short sequence of
// vector instructions on the inputs in v0..v2 leaving the result in v8;
// constants are splatted into v16.. once, before the loop.
//
// Integer results keep ONNX semantics on FP32 lanes: "idiv" truncates the
// quotient, "ipow" rounds the power, and with the "wrap_bits" parameter (8
// or 16) the result is reduced modulo 2^bits, into [-2^(bits-1), 2^(bits-1))
// when "wrap_signed" is set; every step is exact while |x| < 2^24.
//
//===----------------------------------------------------------------------===//
#include "ProgramBuilder.h"

#include <cmath>
#include <cstring>

using namespace mlir;
using namespace dojo;
using namespace dojo::d1;
using dojo::isa::CmpPred;
using dojo::isa::VFn;
using Op = dojo::isa::Op;

namespace {


constexpr int kZero = 16, kOne = 17, kAlpha = 18, kBeta = 19, kHalf = 20,
              kC1 = 21, kC2 = 22, kWrapModulus = 23, kWrapInverse = 24,
              kWrapSignBound = 25;

/// Emits `fn` of the inputs v0, v1, v2 into v8 (scratch v9..v12).
/// Returns false for an unknown function.
bool emitFunction(ProgramBuilder &pb, StringRef fn) {
  auto vf = [&](int dst, int src, VFn f) {
    pb.emit(Op::VFunc, dst, src, 0, int64_t(f));
  };
  auto bin = [&](Op op, int a, int b, int c) { pb.emit(op, a, b, c); };
  auto cmp = [&](int a, int b, int c, CmpPred p) {
    pb.emit(Op::VCmp, a, b, c, int64_t(p));
  };
  static const std::pair<const char *, VFn> fns[] = {
      {"sigmoid", VFn::Sigmoid}, {"tanh", VFn::Tanh},   {"erf", VFn::Erf},
      {"exp", VFn::Exp},         {"log", VFn::Log},     {"sqrt", VFn::Sqrt},
      {"reciprocal", VFn::Recip}, {"neg", VFn::Neg},    {"abs", VFn::Abs},
      {"floor", VFn::Floor},     {"ceil", VFn::Ceil},   {"round", VFn::Round},
      {"trunc", VFn::Trunc},     {"round_f16", VFn::RoundF16},
      {"round_bf16", VFn::RoundBF16}};
  for (auto &[name, f] : fns)
    if (fn == name) {
      vf(8, 0, f);
      return true;
    }
  static const std::pair<const char *, Op> bins[] = {
      {"add", Op::VAdd}, {"sub", Op::VSub}, {"mul", Op::VMul},
      {"div", Op::VDiv}, {"min", Op::VMin}, {"max", Op::VMax},
      {"pow", Op::VPow}};
  for (auto &[name, op] : bins)
    if (fn == name) {
      bin(op, 8, 0, 1);
      return true;
    }
  static const std::pair<const char *, CmpPred> cmps[] = {
      {"equal", CmpPred::Eq},        {"less", CmpPred::Lt},
      {"greater", CmpPred::Gt},      {"less_or_equal", CmpPred::Le},
      {"greater_or_equal", CmpPred::Ge}};
  for (auto &[name, p] : cmps)
    if (fn == name) {
      cmp(8, 0, 1, p);
      return true;
    }
  if (fn == "idiv") {
    bin(Op::VDiv, 8, 0, 1);
    vf(8, 8, VFn::Trunc);
  } else if (fn == "ipow") {
    // powf of integers can miss the exact integer by an ulp; round back.
    bin(Op::VPow, 8, 0, 1);
    vf(8, 8, VFn::Round);
  } else if (fn == "relu") {
    bin(Op::VMax, 8, 0, kZero);
  } else if (fn == "identity") {
    bin(Op::VMax, 8, 0, 0);
  } else if (fn == "nonzero") {
    cmp(8, 0, kZero, CmpPred::Ne);
  } else if (fn == "where") {
    bin(Op::VMax, 8, 2, 2); // v8 = y
    pb.emit(Op::VSel, 8, 0, 1); // cond ? x : y
  } else if (fn == "leaky_relu") {
    bin(Op::VMul, 9, 0, kAlpha);
    cmp(10, 0, kZero, CmpPred::Lt);
    bin(Op::VMax, 8, 0, 0);
    pb.emit(Op::VSel, 8, 10, 9);
  } else if (fn == "clip") {
    bin(Op::VMax, 8, 0, kAlpha);
    bin(Op::VMin, 8, 8, kBeta);
  } else if (fn == "gelu") {
    // 0.5 x (1 + erf(x / sqrt(2))), C1 = 1/sqrt(2)
    bin(Op::VMul, 9, 0, kC1);
    vf(9, 9, VFn::Erf);
    bin(Op::VAdd, 9, 9, kOne);
    bin(Op::VMul, 9, 9, 0);
    bin(Op::VMul, 8, 9, kHalf);
  } else if (fn == "gelu_tanh") {
    // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), C1 = sqrt(2/pi),
    // C2 = 0.044715
    bin(Op::VMul, 9, 0, 0);
    bin(Op::VMul, 9, 9, 0);
    bin(Op::VMul, 9, 9, kC2);
    bin(Op::VAdd, 9, 9, 0);
    bin(Op::VMul, 9, 9, kC1);
    vf(9, 9, VFn::Tanh);
    bin(Op::VAdd, 9, 9, kOne);
    bin(Op::VMul, 9, 9, 0);
    bin(Op::VMul, 8, 9, kHalf);
  } else if (fn == "hard_sigmoid") {
    bin(Op::VMul, 9, 0, kAlpha);
    bin(Op::VAdd, 9, 9, kBeta);
    bin(Op::VMax, 9, 9, kZero);
    bin(Op::VMin, 8, 9, kOne);
  } else if (fn == "hard_swish") {
    // x * clamp(x / 6 + 0.5, 0, 1), C1 = 1/6
    bin(Op::VMul, 9, 0, kC1);
    bin(Op::VAdd, 9, 9, kHalf);
    bin(Op::VMax, 9, 9, kZero);
    bin(Op::VMin, 9, 9, kOne);
    bin(Op::VMul, 8, 9, 0);
  } else if (fn == "softplus") {
    vf(9, 0, VFn::Exp);
    bin(Op::VAdd, 9, 9, kOne);
    vf(8, 9, VFn::Log);
  } else if (fn == "sign") {
    cmp(9, 0, kZero, CmpPred::Gt);
    cmp(10, 0, kZero, CmpPred::Lt);
    bin(Op::VSub, 8, 9, 10);
  } else {
    return false;
  }
  return true;
}

/// v8 = v8 mod 2^bits (the modulus and its inverse are splatted), then
/// minus 2^bits where it reaches the signed bound: x - m * floor(x / m) is
/// exact because m is a power of two.
void emitWrap(ProgramBuilder &pb, bool isSigned) {
  pb.emit(Op::VMul, 9, 8, kWrapInverse);
  pb.emit(Op::VFunc, 9, 9, 0, int64_t(VFn::Floor));
  pb.emit(Op::VMul, 9, 9, kWrapModulus);
  pb.emit(Op::VSub, 8, 8, 9);
  if (isSigned) {
    pb.emit(Op::VCmp, 10, 8, kWrapSignBound, int64_t(CmpPred::Ge));
    pb.emit(Op::VMul, 10, 10, kWrapModulus);
    pb.emit(Op::VSub, 8, 8, 10);
  }
}

} // namespace

bool dojo::d1::isKnownEltwise(StringRef fn) {
  ProgramBuilder scratch(16);
  return emitFunction(scratch, fn);
}

void dojo::d1::emitEltwiseKernel(ProgramBuilder &pb, DictionaryAttr p,
                                 ArrayRef<int64_t> addrs) {
  int64_t count = paramInt(p, "count");
  StringRef fn = cast<StringAttr>(p.get("op")).getValue();
  bool relu = cast<StringAttr>(p.get("act")).getValue() == "relu";
  float alpha = float(cast<FloatAttr>(p.get("alpha")).getValueAsDouble());
  float beta = float(cast<FloatAttr>(p.get("beta")).getValueAsDouble());
  unsigned inputs = addrs.size() - 1;
  // Optional byte offsets into the operand buffers (a part of a buffer,
  // e.g. one node's share of a split-reduction sum).
  SmallVector<int64_t, 4> at(addrs.begin(), addrs.end());
  if (auto offsets = dyn_cast_or_null<DenseI64ArrayAttr>(p.get("offsets")))
    for (auto [i, off] : llvm::enumerate(offsets.asArrayRef()))
      if (i < at.size())
        at[i] += off;
  SmallVector<int, 3> ptrs;
  for (unsigned i = 0; i < inputs; ++i)
    ptrs.push_back(pb.li(at[i]));
  int out = pb.li(at.back());
  pb.emit(Op::VSetVl, 0, 0, 0, pb.lanes);
  float c1 = fn == "gelu"        ? float(1.0 / std::sqrt(2.0))
             : fn == "gelu_tanh" ? float(std::sqrt(2.0 / M_PI))
             : fn == "hard_swish" ? 1.0f / 6.0f
                                  : 0.0f;
  for (auto [reg, value] :
       {std::pair{kZero, 0.0f}, {kOne, 1.0f}, {kAlpha, alpha}, {kBeta, beta},
        {kHalf, 0.5f}, {kC1, c1}, {kC2, 0.044715f}})
    pb.emit(Op::VSplat, reg, 0, 0, floatBits(value));
  // Optional integer wrap-around of the result (8 or 16 bits).
  int64_t wrapBits = 0;
  if (auto w = dyn_cast_or_null<IntegerAttr>(p.get("wrap_bits")))
    wrapBits = w.getInt();
  bool wrapSigned = false;
  if (auto s = dyn_cast_or_null<BoolAttr>(p.get("wrap_signed")))
    wrapSigned = s.getValue();
  if (wrapBits > 0) {
    float modulus = std::ldexp(1.0f, int(wrapBits));
    pb.emit(Op::VSplat, kWrapModulus, 0, 0, floatBits(modulus));
    pb.emit(Op::VSplat, kWrapInverse, 0, 0, floatBits(1.0f / modulus));
    pb.emit(Op::VSplat, kWrapSignBound, 0, 0, floatBits(modulus / 2));
  }
  auto body = [&](int64_t off) {
    for (unsigned i = 0; i < inputs; ++i)
      pb.emit(Op::VLd, i, ptrs[i], 0, off);
    emitFunction(pb, fn);
    if (relu)
      pb.emit(Op::VMax, 8, 8, kZero);
    if (wrapBits > 0)
      emitWrap(pb, wrapSigned);
    pb.emit(Op::VSt, 8, out, 0, off);
  };
  SmallVector<int, 4> chunkPtrs(ptrs.begin(), ptrs.end());
  chunkPtrs.push_back(out);
  pb.vectorChunks(count, chunkPtrs, body);
  for (int r : ptrs)
    pb.free(r);
  pb.free(out);
}
