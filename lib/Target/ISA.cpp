//===- ISA.cpp - Descriptor encodings and instruction printing ------------===//
#include "dojo/Target/ISA.h"

#include <cstring>

namespace dojo::isa {

const char *opName(Op op) {
  switch (op) {
  case Op::Nop: return "nop";
  case Op::Halt: return "halt";
  case Op::Li: return "li";
  case Op::Addi: return "addi";
  case Op::Add: return "add";
  case Op::Sub: return "sub";
  case Op::Muli: return "muli";
  case Op::Blt: return "blt";
  case Op::Bne: return "bne";
  case Op::Jmp: return "jmp";
  case Op::VSetVl: return "vsetvl";
  case Op::VLd: return "vld";
  case Op::VSt: return "vst";
  case Op::VBcast: return "vbcast";
  case Op::VSplat: return "vsplat";
  case Op::VAdd: return "vadd";
  case Op::VSub: return "vsub";
  case Op::VMul: return "vmul";
  case Op::VMax: return "vmax";
  case Op::VMin: return "vmin";
  case Op::VFma: return "vfma";
  case Op::MZero: return "mzero";
  case Op::MLd: return "mld";
  case Op::Mma: return "mma";
  case Op::MSt: return "mst";
  case Op::Dma: return "dma";
  case Op::SemWait: return "semwait";
  case Op::SemSignal: return "semsignal";
  case Op::Barrier: return "barrier";
  case Op::VDiv: return "vdiv";
  case Op::VPow: return "vpow";
  case Op::VFunc: return "vfunc";
  case Op::VCmp: return "vcmp";
  case Op::VSel: return "vsel";
  case Op::VRed: return "vred";
  case Op::LdF: return "ldf";
  case Op::Mul: return "mul";
  case Op::Slt: return "slt";
  case Op::Min: return "min";
  case Op::Max: return "max";
  case Op::VStRep: return "vstrep";
  case Op::NumOps: break;
  }
  return "<invalid>";
}

static int64_t floatBits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return int64_t(u);
}
static float bitsFloat(int64_t w) {
  uint32_t u = uint32_t(w);
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

std::vector<int64_t> encode(const AccDesc &d) {
  return {int64_t(DescKind::Acc), d.m, d.n, d.si, d.sj, floatBits(d.scale),
          int64_t(d.act)};
}
std::vector<int64_t> encode(const MmaDesc &d) {
  return {int64_t(DescKind::Mma), d.m, d.n, d.k, d.aSi, d.aSk, d.bSk, d.bSj,
          d.dtype, d.aStorage, d.bStorage, d.k2, d.aSk2, d.bSk2, d.k3, d.aSk3,
          d.bSk3};
}
std::vector<int64_t> encode(const DmaDesc &d) {
  std::vector<int64_t> w = {int64_t(DescKind::Dma), int64_t(d.mode), d.dstNode,
                            d.route, d.sem, d.elemBytes, d.rank};
  for (int i = 0; i < kMaxDmaRank; ++i)
    w.push_back(d.shape[i]);
  for (int i = 0; i < kMaxDmaRank; ++i)
    w.push_back(d.srcStrides[i]);
  for (int i = 0; i < kMaxDmaRank; ++i)
    w.push_back(d.dstStrides[i]);
  w.push_back(d.srcType);
  w.push_back(d.dstType);
  return w;
}

static std::string checkHeader(std::span<const int64_t> w, DescKind k,
                               size_t len, const char *what) {
  if (w.size() != len || w[0] != int64_t(k))
    return std::string("descriptor is not a valid ") + what + " descriptor";
  return "";
}

std::string decode(std::span<const int64_t> w, AccDesc &d) {
  if (auto e = checkHeader(w, DescKind::Acc, 7, "accumulator"); !e.empty())
    return e;
  d.m = w[1];
  d.n = w[2];
  d.si = w[3];
  d.sj = w[4];
  d.scale = bitsFloat(w[5]);
  d.act = Act(w[6]);
  if (d.m < 1 || d.m > kTile || d.n < 1 || d.n > kTile)
    return "accumulator descriptor tile size out of range";
  if (w[6] != int64_t(Act::None) && w[6] != int64_t(Act::Relu))
    return "accumulator descriptor has an unknown activation";
  return "";
}

std::string decode(std::span<const int64_t> w, MmaDesc &d) {
  // Eleven words: a descriptor without outer reduction levels (the form
  // binaries had before them; still accepted).
  if (auto e = checkHeader(w, DescKind::Mma, w.size() == 11 ? 11 : 17,
                           "matrix");
      !e.empty())
    return e;
  d.m = w[1];
  d.n = w[2];
  d.k = w[3];
  d.aSi = w[4];
  d.aSk = w[5];
  d.bSk = w[6];
  d.bSj = w[7];
  d.dtype = w[8];
  d.aStorage = w[9];
  d.bStorage = w[10];
  d.k2 = w.size() > 11 ? w[11] : 1;
  d.aSk2 = w.size() > 11 ? w[12] : 0;
  d.bSk2 = w.size() > 11 ? w[13] : 0;
  d.k3 = w.size() > 11 ? w[14] : 1;
  d.aSk3 = w.size() > 11 ? w[15] : 0;
  d.bSk3 = w.size() > 11 ? w[16] : 0;
  int64_t total = 0;
  if (d.m < 1 || d.m > kTile || d.n < 1 || d.n > kTile || d.k < 1 ||
      d.k2 < 1 || d.k3 < 1 || __builtin_mul_overflow(d.k, d.k2, &total) ||
      __builtin_mul_overflow(total, d.k3, &total) || total > (int64_t(1) << 40))
    return "matrix descriptor shape out of range";
  if (d.dtype != 0 && d.dtype != 1)
    return "matrix descriptor has an unknown data type";
  if (d.aStorage < 0 || d.aStorage > 1 || d.bStorage < 0 || d.bStorage > 1)
    return "matrix descriptor has an unknown operand storage";
  if ((d.aStorage || d.bStorage) && d.dtype != 1)
    return "matrix descriptor: BF16 operand storage needs the BF16 data type";
  return "";
}

std::string decode(std::span<const int64_t> w, DmaDesc &d) {
  if (auto e = checkHeader(w, DescKind::Dma, 9 + 3 * kMaxDmaRank, "DMA");
      !e.empty())
    return e;
  d.mode = DmaMode(w[1]);
  d.dstNode = w[2];
  d.route = w[3];
  d.sem = w[4];
  d.elemBytes = w[5];
  d.rank = w[6];
  if (w[1] < 0 || w[1] > 2)
    return "DMA descriptor has an unknown mode";
  if (d.rank < 1 || d.rank > kMaxDmaRank)
    return "DMA descriptor rank out of range";
  if (d.elemBytes != 1 && d.elemBytes != 2 && d.elemBytes != 4 &&
      d.elemBytes != 8)
    return "DMA descriptor element size must be 1, 2, 4 or 8";
  if (d.sem < -1 || d.sem >= kNumSemaphores)
    return "DMA descriptor semaphore out of range";
  for (int i = 0; i < kMaxDmaRank; ++i) {
    d.shape[i] = w[7 + i];
    d.srcStrides[i] = w[7 + kMaxDmaRank + i];
    d.dstStrides[i] = w[7 + 2 * kMaxDmaRank + i];
    if (i < d.rank && d.shape[i] < 1)
      return "DMA descriptor has an empty dimension";
  }
  d.srcType = w[7 + 3 * kMaxDmaRank];
  d.dstType = w[8 + 3 * kMaxDmaRank];
  auto known = [](int64_t t) {
    return (t >= 1 && t <= 7) || (t >= 9 && t <= 13) || t == 16;
  };
  if (!known(d.srcType) || !known(d.dstType))
    return "DMA descriptor has an unsupported element type";
  return "";
}

std::string format(const Insn &in) {
  std::string s = opName(in.op);
  // Appending to a std::string (not `"r" + std::string`) sidesteps a GCC 12
  // -Wrestrict false positive.
  auto named = [](char prefix, int64_t x) {
    std::string out(1, prefix);
    out += std::to_string(x);
    return out;
  };
  auto r = [&](int x) { return named('r', x); };
  auto v = [&](int x) { return named('v', x); };
  auto a = [&](int x) { return named('a', x); };
  auto imm = [&](int64_t x) { return named('#', x); };
  switch (in.op) {
  case Op::Nop: case Op::Halt: case Op::Barrier: return s;
  case Op::Li: return s + " " + r(in.a) + ", " + imm(in.imm);
  case Op::Addi: case Op::Muli:
    return s + " " + r(in.a) + ", " + r(in.b) + ", " + imm(in.imm);
  case Op::Add: case Op::Sub: case Op::Mul: case Op::Slt: case Op::Min:
  case Op::Max:
    return s + " " + r(in.a) + ", " + r(in.b) + ", " + r(in.c);
  case Op::LdF:
    return s + " " + r(in.a) + ", [" + r(in.b) + " + " +
           std::to_string(in.imm) + "]";
  case Op::Blt: case Op::Bne:
    return s + " " + r(in.a) + ", " + r(in.b) + ", @" + std::to_string(in.imm);
  case Op::Jmp: return s + " @" + std::to_string(in.imm);
  case Op::VSetVl: return s + " " + imm(in.imm);
  case Op::VLd: case Op::VSt: case Op::VBcast:
    return s + " " + v(in.a) + ", [" + r(in.b) + " + " +
           std::to_string(in.imm) + "]";
  case Op::VSplat: return s + " " + v(in.a) + ", " + imm(in.imm);
  case Op::VStRep:
    return s + " " + v(in.a) + ", [" + r(in.b) + "], " + imm(in.imm);
  case Op::VAdd: case Op::VSub: case Op::VMul: case Op::VMax: case Op::VMin:
  case Op::VFma: case Op::VDiv: case Op::VPow: case Op::VSel:
    return s + " " + v(in.a) + ", " + v(in.b) + ", " + v(in.c);
  case Op::VFunc: case Op::VRed:
    return s + " " + v(in.a) + ", " + v(in.b) + ", " + imm(in.imm);
  case Op::VCmp:
    return s + " " + v(in.a) + ", " + v(in.b) + ", " + v(in.c) + ", " +
           imm(in.imm);
  case Op::MZero: return s + " " + a(in.a);
  case Op::MLd: case Op::MSt:
    return s + " " + a(in.a) + ", [" + r(in.b) + "], d" + std::to_string(in.imm);
  case Op::Mma:
    return s + " " + a(in.a) + ", [" + r(in.b) + "], [" + r(in.c) + "], d" +
           std::to_string(in.imm);
  case Op::Dma:
    return s + " [" + r(in.a) + "] -> [" + r(in.b) + "], d" +
           std::to_string(in.imm);
  case Op::SemWait: case Op::SemSignal:
    return s + " s" + std::to_string(in.a) + ", " + imm(in.imm);
  case Op::NumOps: break;
  }
  return "<invalid>";
}

} // namespace dojo::isa
