//===- SpecialVectorTest.cpp - vdiv/vpow/vfunc/vcmp/vsel/vred -------------===//
//
// Each instruction runs on hand-picked lanes (edge values: signed zeros,
// halves for rounding, infinities, NaN, a denormal) and the results are
// checked against exact expectations where the ISA fixes them and against
// the host's libm (within a few ulp) where it does not.
//
//===----------------------------------------------------------------------===//
#include "TestUtil.h"

#include <cmath>
#include <limits>

using namespace dojo;
using namespace dojo::test;

namespace {

const float kInf = std::numeric_limits<float>::infinity();
const float kNaN = std::numeric_limits<float>::quiet_NaN();

/// v3 starts as `acc` (16 lanes), v1 = x and v2 = y (loaded at VL = vl),
/// then `op v3, v1, v2, #imm` runs and v3 is stored at full length.
struct VecRun {
  std::vector<float> out;
  int64_t busy = 0;
};
VecRun runVec(Op op, int64_t imm, const std::vector<float> &x,
              const std::vector<float> &y = std::vector<float>(16, 0.0f),
              int64_t vl = 16,
              const std::vector<float> &acc = std::vector<float>(16, -5.0f),
              const std::string &overrides = "") {
  bin::Executable exe = makeExe("mesh-2x2", overrides);
  Asm p(exe, 0);
  p.data(4096, x);
  p.data(4160, y);
  p.data(4224, acc);
  p.emit(Op::VLd, 3, 0, 0, 4224);
  p.emit(Op::VSetVl, 0, 0, 0, vl);
  p.emit(Op::VLd, 1, 0, 0, 4096);
  p.emit(Op::VLd, 2, 0, 0, 4160);
  p.emit(op, 3, 1, 2, imm);
  p.emit(Op::VSetVl, 0, 0, 0, 16);
  p.emit(Op::VSt, 3, 0, 0, 8192);
  p.toHbm(8192, 0, 16);
  p.halt();
  addOutput(exe, "o", 0, 16);
  RunResult r = simulate(exe);
  EXPECT_TRUE(r.ok) << r.error;
  if (!r.ok)
    return {};
  return {r.out(), r.node(0).busyCycles};
}

/// Busy cycles of the fixed part of runVec's program (all but the tested
/// instruction): six one-cycle vector instructions, two li, one DMA issue
/// (4), the semwait and the halt.
constexpr int64_t kFrame = 6 + 2 + 4 + 1 + 1;

/// Same value, treating all NaNs as equal and distinguishing signed zeros.
::testing::AssertionResult same(float got, float want) {
  if ((std::isnan(got) && std::isnan(want)) ||
      (got == want && std::signbit(got) == std::signbit(want)))
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "got " << got << ", want " << want;
}

/// Within `ulps` units in the last place of a libm reference.
::testing::AssertionResult near(float got, double want, int ulps = 2) {
  if (std::isnan(want) || std::isinf(want) || want == 0)
    return same(got, float(want));
  double tol = ulps * std::fabs(want) * std::ldexp(1.0, -23);
  if (std::fabs(double(got) - want) <= tol)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "got " << got << ", want " << want;
}

const std::vector<float> kEdge = {0.0f,  -0.0f, 1.0f, -1.0f,  0.5f,  -0.5f,
                                  1.5f,  2.5f,  -2.5f, kInf, -kInf, kNaN,
                                  1e-40f, 20.0f, -20.0f, 3.7f};

TEST(SimVectorSpecial, ExactFunctions) {
  using isa::VFn;
  struct Case {
    VFn fn;
    std::vector<float> want;
  };
  const Case cases[] = {
      {VFn::Abs, {0, 0, 1, 1, 0.5f, 0.5f, 1.5f, 2.5f, 2.5f, kInf, kInf, kNaN,
                  1e-40f, 20, 20, 3.7f}},
      {VFn::Neg, {-0.0f, 0, -1, 1, -0.5f, 0.5f, -1.5f, -2.5f, 2.5f, -kInf,
                  kInf, kNaN, -1e-40f, -20, 20, -3.7f}},
      {VFn::Floor, {0, -0.0f, 1, -1, 0, -1, 1, 2, -3, kInf, -kInf, kNaN, 0,
                    20, -20, 3}},
      {VFn::Ceil, {0, -0.0f, 1, -1, 1, -0.0f, 2, 3, -2, kInf, -kInf, kNaN, 1,
                   20, -20, 4}},
      // Half to even: 0.5 -> 0, 1.5 -> 2, 2.5 -> 2, -2.5 -> -2.
      {VFn::Round, {0, -0.0f, 1, -1, 0, -0.0f, 2, 2, -2, kInf, -kInf, kNaN, 0,
                    20, -20, 4}},
      {VFn::Trunc, {0, -0.0f, 1, -1, 0, -0.0f, 1, 2, -2, kInf, -kInf, kNaN, 0,
                    20, -20, 3}},
      {VFn::Sqrt, {0, -0.0f, 1, kNaN, std::sqrt(0.5f), kNaN, std::sqrt(1.5f),
                   std::sqrt(2.5f), kNaN, kInf, kNaN, kNaN, std::sqrt(1e-40f),
                   std::sqrt(20.0f), kNaN, std::sqrt(3.7f)}},
      {VFn::Recip, {kInf, -kInf, 1, -1, 2, -2, 1 / 1.5f, 0.4f, -0.4f, 0, -0.0f,
                    kNaN, kInf, 0.05f, -0.05f, 1 / 3.7f}},
      {VFn::Rsqrt, {kInf, -kInf, 1, kNaN, 1 / std::sqrt(0.5f), kNaN,
                    1 / std::sqrt(1.5f), 1 / std::sqrt(2.5f), kNaN, 0, kNaN,
                    kNaN, 1 / std::sqrt(1e-40f), 1 / std::sqrt(20.0f), kNaN,
                    1 / std::sqrt(3.7f)}},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(int(c.fn));
    VecRun r = runVec(Op::VFunc, int64_t(c.fn), kEdge);
    ASSERT_EQ(r.out.size(), 16u);
    for (size_t l = 0; l < 16; ++l)
      EXPECT_TRUE(same(r.out[l], c.want[l])) << "lane " << l;
  }
}

TEST(SimVectorSpecial, TranscendentalFunctions) {
  using isa::VFn;
  struct Case {
    VFn fn;
    double (*ref)(double);
  };
  const Case cases[] = {
      {VFn::Exp, [](double x) { return std::exp(x); }},
      {VFn::Log, [](double x) { return std::log(x); }},
      {VFn::Tanh, [](double x) { return std::tanh(x); }},
      {VFn::Erf, [](double x) { return std::erf(x); }},
      {VFn::Sigmoid, [](double x) { return 1 / (1 + std::exp(-x)); }},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(int(c.fn));
    VecRun r = runVec(Op::VFunc, int64_t(c.fn), kEdge);
    ASSERT_EQ(r.out.size(), 16u);
    for (size_t l = 0; l < 16; ++l) {
      double want = c.ref(double(kEdge[l]));
      if (l == 12 && (c.fn == VFn::Tanh || c.fn == VFn::Erf))
        continue; // denormal inputs: any correctly signed tiny result is fine
      EXPECT_TRUE(near(r.out[l], want, 4)) << "lane " << l << " x "
                                           << kEdge[l];
    }
  }
  // Edges the definitions pin down exactly.
  VecRun s = runVec(Op::VFunc, int64_t(VFn::Sigmoid), kEdge);
  EXPECT_EQ(s.out[9], 1.0f);  // sigmoid(inf)
  EXPECT_EQ(s.out[10], 0.0f); // sigmoid(-inf)
  EXPECT_TRUE(std::isnan(s.out[11]));
  EXPECT_EQ(s.out[0], 0.5f);
  VecRun lg = runVec(Op::VFunc, int64_t(VFn::Log), kEdge);
  EXPECT_EQ(lg.out[0], -kInf);
  EXPECT_TRUE(std::isnan(lg.out[3]));
  VecRun e = runVec(Op::VFunc, int64_t(VFn::Exp), kEdge);
  EXPECT_EQ(e.out[10], 0.0f);
  EXPECT_EQ(e.out[0], 1.0f);
}

TEST(SimVectorSpecial, DivPowAndSpecialFunctionCost) {
  std::vector<float> x = {1, -1, 0, 0, 6, 2, 2, -8, kInf, kNaN, 1, 4, 9, 0.5f,
                          -2, 10};
  std::vector<float> y = {0, 0, 0, -3, 3, 10, -1, 3, 2, 1, kNaN, 0.5f, 0.5f,
                          2, 0.5f, -2};
  VecRun d = runVec(Op::VDiv, 0, x, y, 16, std::vector<float>(16, 0), "sfu_cycles=7");
  ASSERT_EQ(d.out.size(), 16u);
  for (size_t l = 0; l < 16; ++l)
    EXPECT_TRUE(same(d.out[l], x[l] / y[l])) << l;
  EXPECT_TRUE(same(d.out[0], kInf));
  EXPECT_TRUE(same(d.out[1], -kInf));
  EXPECT_TRUE(std::isnan(d.out[2]));
  EXPECT_EQ(d.busy, kFrame + 7);
  VecRun p = runVec(Op::VPow, 0, x, y);
  ASSERT_EQ(p.out.size(), 16u);
  for (size_t l = 0; l < 16; ++l)
    EXPECT_TRUE(same(p.out[l], std::pow(x[l], y[l]))) << l;
  EXPECT_EQ(p.out[0], 1.0f);           // x^0 = 1
  EXPECT_EQ(p.out[7], -512.0f);        // negative base, integer exponent
  EXPECT_EQ(p.out[6], 0.5f);
  EXPECT_EQ(p.out[12], 3.0f);
  EXPECT_TRUE(std::isnan(p.out[14])); // negative base, fractional exponent
  EXPECT_EQ(p.busy, kFrame + 4);      // the default sfu_cycles
  VecRun f = runVec(Op::VFunc, int64_t(isa::VFn::Exp), x, y, 16,
                    std::vector<float>(16, 0), "sfu_cycles=9");
  EXPECT_EQ(f.busy, kFrame + 9);
}

TEST(SimVectorSpecial, ComparisonsWithNaNAndSelect) {
  std::vector<float> x = {1, 2, 3, kNaN, kNaN, 0.0f, -0.0f, kInf, -1, 5, 5, 5,
                          5, 5, 5, 5};
  std::vector<float> y = {2, 2, 2, 1, kNaN, -0.0f, 0.0f, kInf, -kInf, 4, 6, 5,
                          5, 5, 5, 5};
  using isa::CmpPred;
  auto ref = [](CmpPred p, float a, float b) {
    switch (p) {
    case CmpPred::Eq: return a == b;
    case CmpPred::Ne: return a != b;
    case CmpPred::Lt: return a < b;
    case CmpPred::Le: return a <= b;
    case CmpPred::Gt: return a > b;
    default: return a >= b;
    }
  };
  for (int p = 0; p < int(CmpPred::NumPreds); ++p) {
    SCOPED_TRACE(p);
    VecRun r = runVec(Op::VCmp, p, x, y);
    ASSERT_EQ(r.out.size(), 16u);
    for (size_t l = 0; l < 16; ++l)
      EXPECT_TRUE(same(r.out[l], ref(CmpPred(p), x[l], y[l]) ? 1.0f : 0.0f))
          << l;
    // NaN: only `ne` holds; signed zeros compare equal.
    EXPECT_EQ(r.out[3], CmpPred(p) == CmpPred::Ne ? 1.0f : 0.0f);
    EXPECT_EQ(r.out[4], CmpPred(p) == CmpPred::Ne ? 1.0f : 0.0f);
    EXPECT_EQ(r.busy, kFrame + 1);
  }
  VecRun eq = runVec(Op::VCmp, int64_t(CmpPred::Eq), x, y);
  EXPECT_EQ(eq.out[5], 1.0f);

  // vsel v3, v1, v2: lanes where v1 != 0 (NaN counts as non-zero, -0 does
  // not) take v2, the others keep v3.
  std::vector<float> cond = {1, 0, -0.0f, kNaN, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                             0, -1};
  std::vector<float> val(16), acc(16);
  for (int l = 0; l < 16; ++l) {
    val[size_t(l)] = float(100 + l);
    acc[size_t(l)] = float(-l);
  }
  VecRun s = runVec(Op::VSel, 0, cond, val, 16, acc);
  ASSERT_EQ(s.out.size(), 16u);
  for (size_t l = 0; l < 16; ++l) {
    bool take = l == 0 || l == 3 || l == 4 || l == 15;
    EXPECT_TRUE(same(s.out[l], take ? val[l] : acc[l])) << l;
  }
  EXPECT_EQ(s.busy, kFrame + 1);
}

TEST(SimVectorSpecial, ReductionsHonourVectorLength) {
  std::vector<float> x(16);
  for (int l = 0; l < 16; ++l)
    x[size_t(l)] = float(l % 2 ? -l : l);
  x[12] = 1000; // beyond VL = 5 below: must not count
  using isa::RedKind;
  // Lanes >= VL were zeroed by the short load, but VRed must not see them:
  // max over {0,-1,2,-3,4} = 4, min = -3, sum = 2.
  VecRun s = runVec(Op::VRed, int64_t(RedKind::Sum), x, {}, 5);
  ASSERT_EQ(s.out.size(), 16u);
  for (float f : s.out)
    EXPECT_EQ(f, 2.0f);
  EXPECT_EQ(s.busy, kFrame + 4); // log2(16 lanes)
  VecRun mx = runVec(Op::VRed, int64_t(RedKind::Max), x, {}, 5);
  for (float f : mx.out)
    EXPECT_EQ(f, 4.0f);
  std::vector<float> neg(16, -3.0f);
  neg[1] = -7;
  VecRun mn = runVec(Op::VRed, int64_t(RedKind::Min), neg, {}, 3);
  for (float f : mn.out)
    EXPECT_EQ(f, -7.0f); // lanes >= VL (zeros after the load) are ignored
  VecRun mxNeg = runVec(Op::VRed, int64_t(RedKind::Max), neg, {}, 3);
  for (float f : mxNeg.out)
    EXPECT_EQ(f, -3.0f);
  // Max/min propagate NaN; the sum runs in lane order.
  x[2] = kNaN;
  for (RedKind k : {RedKind::Max, RedKind::Min, RedKind::Sum}) {
    VecRun r = runVec(Op::VRed, int64_t(k), x, {}, 5);
    for (float f : r.out)
      EXPECT_TRUE(std::isnan(f));
  }
  std::vector<float> order(16, 0.0f);
  order[0] = 1e8f;
  order[1] = 1.0f;
  order[2] = -1e8f;
  VecRun o = runVec(Op::VRed, int64_t(RedKind::Sum), order, {}, 3);
  EXPECT_EQ(o.out[0], 0.0f); // (1e8 + 1) rounds to 1e8 before -1e8 is added
  VecRun one = runVec(Op::VRed, int64_t(RedKind::Sum), order, {}, 1);
  EXPECT_EQ(one.out[7], 1e8f);
}

} // namespace
