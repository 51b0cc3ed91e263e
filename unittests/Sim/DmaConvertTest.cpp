//===- DmaConvertTest.cpp - Negative strides and converting transfers -----===//
//
// Conversions run HBM -> SRAM (converting) -> HBM (plain copy), so each test
// also checks that non-float inputs and outputs pass through HBM byte for
// byte.
//
//===----------------------------------------------------------------------===//
#include "TestUtil.h"

#include <cmath>
#include <limits>
#include <random>

using namespace dojo;
using namespace dojo::test;

namespace {

using isa::DmaMode;

template <typename T> sim::HostTensor tensorOf(int dtype, const std::vector<T> &v) {
  sim::HostTensor t;
  t.name = "x";
  t.dtype = dtype;
  t.shape = {int64_t(v.size())};
  t.data.resize(v.size() * sizeof(T));
  std::memcpy(t.data.data(), v.data(), t.data.size());
  return t;
}

/// Converts `in` (ONNX type `st`, host type S) to type `dt` (host type D)
/// with one converting HBM -> SRAM DMA. Returns the output and the stats.
template <typename D, typename S>
std::vector<D> convert(int st, int dt, const std::vector<S> &in,
                       sim::Stats *stats = nullptr) {
  const int64_t n = int64_t(in.size());
  bin::Executable exe = makeExe();
  exe.inputs = {{"x", st, {n}, 0}};
  exe.outputs = {{"y", dt, {n}, 4096}};
  Asm p(exe, 0);
  isa::DmaDesc d;
  d.mode = DmaMode::HbmToSram;
  d.sem = 0;
  d.elemBytes = sizeof(S);
  d.shape[0] = n;
  d.srcStrides[0] = sizeof(S);
  d.dstStrides[0] = sizeof(D);
  d.srcType = st;
  d.dstType = dt;
  p.dma(0, 8192, d);
  p.emit(Op::SemWait, 0, 0, 0, 1);
  isa::DmaDesc o; // a plain byte copy of the converted elements
  o.mode = DmaMode::SramToHbm;
  o.sem = 0;
  o.elemBytes = sizeof(D);
  o.shape[0] = n;
  o.srcStrides[0] = o.dstStrides[0] = sizeof(D);
  o.srcType = o.dstType = dt;
  p.dma(8192, 4096, o);
  p.emit(Op::SemWait, 0, 0, 0, 1);
  p.halt();
  RunResult r = simulate(exe, {tensorOf(st, in)});
  EXPECT_TRUE(r.ok) << r.error;
  if (!r.ok)
    return {};
  EXPECT_EQ(r.outputs[0].dtype, dt);
  EXPECT_EQ(r.outputs[0].data.size(), in.size() * sizeof(D));
  std::vector<D> out(in.size());
  std::memcpy(out.data(), r.outputs[0].data.data(), r.outputs[0].data.size());
  if (stats)
    *stats = r.stats;
  return out;
}

const float kInf = std::numeric_limits<float>::infinity();
const float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr int FLOAT = 1, UINT8 = 2, INT8 = 3, UINT16 = 4, INT16 = 5,
              INT32 = 6, INT64 = 7, BOOL = 9, DOUBLE = 11, UINT32 = 12,
              UINT64 = 13, BFLOAT16 = 16;

/// The ISA's FP32 -> BF16 rounding, one scalar step at a time: round to
/// nearest even on the low 16 bits; a NaN keeps its sign and top payload
/// bits and becomes quiet.
uint16_t toBF16Ref(uint32_t u) {
  if ((u & 0x7fffffffu) > 0x7f800000u)
    return uint16_t((u | 0x00400000u) >> 16);
  uint32_t low = u & 0xffffu, high = u >> 16;
  if (low > 0x8000u || (low == 0x8000u && (high & 1u)))
    ++high; // carries into the exponent (and up to infinity) as it should
  return uint16_t(high);
}

float fromBits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

TEST(SimDmaConvert, FloatToIntegerTruncatesAndSaturates) {
  std::vector<float> x = {1.9f, -1.9f, 0.5f, -0.5f, 3e9f, -3e9f, kInf, -kInf,
                          kNaN, 2147483520.0f, -2147483648.0f, 0.0f};
  EXPECT_EQ((convert<int32_t>(FLOAT, INT32, x)),
            (std::vector<int32_t>{1, -1, 0, 0, INT32_MAX, INT32_MIN, INT32_MAX,
                                  INT32_MIN, 0, 2147483520, INT32_MIN, 0}));
  EXPECT_EQ((convert<uint8_t>(FLOAT, UINT8, x)),
            (std::vector<uint8_t>{1, 0, 0, 0, 255, 0, 255, 0, 0, 255, 0, 0}));
  EXPECT_EQ((convert<int8_t>(FLOAT, INT8, std::vector<float>{127.9f, 128.0f, -128.9f, -129.0f})),
            (std::vector<int8_t>{127, 127, -128, -128}));
  EXPECT_EQ((convert<int64_t>(FLOAT, INT64, std::vector<float>{1e30f, -1e30f, 9.2233715e18f, 9.2233720e18f, -7.5f})),
            (std::vector<int64_t>{INT64_MAX, INT64_MIN, 9223371487098961920,
                                  INT64_MAX, -7})); // 2^63 saturates
  EXPECT_EQ((convert<uint64_t>(FLOAT, UINT64, std::vector<float>{-1.0f, 1.8e19f, 1e20f, kNaN})),
            (std::vector<uint64_t>{0, 18000000404716257280ull, UINT64_MAX, 0}));
  EXPECT_EQ((convert<int16_t>(DOUBLE, INT16, std::vector<double>{-32768.9, 40000.0, 12.99})),
            (std::vector<int16_t>{-32768, 32767, 12}));
  EXPECT_EQ((convert<uint32_t>(DOUBLE, UINT32, std::vector<double>{4294967295.5, -0.9, 5e9})),
            (std::vector<uint32_t>{UINT32_MAX, 0, UINT32_MAX}));
}

TEST(SimDmaConvert, ToBoolMeansNonZero) {
  EXPECT_EQ((convert<uint8_t>(FLOAT, BOOL, std::vector<float>{0.0f, -0.0f, 0.1f, -3.0f, kNaN, kInf})),
            (std::vector<uint8_t>{0, 0, 1, 1, 1, 1}));
  EXPECT_EQ((convert<uint8_t>(INT64, BOOL, std::vector<int64_t>{0, 1, -1, int64_t(1) << 40})),
            (std::vector<uint8_t>{0, 1, 1, 1}));
  // From BOOL every non-zero byte is true.
  EXPECT_EQ((convert<float>(BOOL, FLOAT, std::vector<uint8_t>{0, 1, 2, 255})),
            (std::vector<float>{0, 1, 1, 1}));
  EXPECT_EQ((convert<int32_t>(BOOL, INT32, std::vector<uint8_t>{0, 7})),
            (std::vector<int32_t>{0, 1}));
}

TEST(SimDmaConvert, IntegerToFloatRoundsToNearestEven) {
  const int64_t p24 = int64_t(1) << 24;
  EXPECT_EQ((convert<float>(INT64, FLOAT, std::vector<int64_t>{p24 + 1, p24 + 3, -(p24 + 1), 7, INT64_MIN})),
            (std::vector<float>{16777216.0f, 16777220.0f, -16777216.0f, 7.0f, -9.2233720e18f}));
  EXPECT_EQ((convert<float>(UINT64, FLOAT, std::vector<uint64_t>{UINT64_MAX})),
            (std::vector<float>{1.8446744e19f}));
  EXPECT_EQ((convert<double>(INT64, DOUBLE, std::vector<int64_t>{(int64_t(1) << 53) + 1})),
            (std::vector<double>{9007199254740992.0}));
  EXPECT_EQ((convert<float>(INT8, FLOAT, std::vector<int8_t>{-128, 127})),
            (std::vector<float>{-128.0f, 127.0f}));
  EXPECT_EQ((convert<float>(UINT16, FLOAT, std::vector<uint16_t>{65535})),
            (std::vector<float>{65535.0f}));
  // Between float types: double -> float rounds to nearest, float -> double
  // is exact.
  EXPECT_EQ((convert<float>(DOUBLE, FLOAT, std::vector<double>{1.0 + 1e-10, 1e300})),
            (std::vector<float>{1.0f, kInf}));
  EXPECT_EQ((convert<double>(FLOAT, DOUBLE, std::vector<float>{0.1f})),
            (std::vector<double>{double(0.1f)}));
}

TEST(SimDmaConvert, IntegerToIntegerWraps) {
  EXPECT_EQ((convert<int8_t>(INT32, INT8, std::vector<int32_t>{300, -129, 127, -1})),
            (std::vector<int8_t>{44, 127, 127, -1}));
  EXPECT_EQ((convert<uint32_t>(INT64, UINT32, std::vector<int64_t>{-1, (int64_t(1) << 32) + 5})),
            (std::vector<uint32_t>{UINT32_MAX, 5}));
  EXPECT_EQ((convert<int64_t>(UINT8, INT64, std::vector<uint8_t>{255, 0})),
            (std::vector<int64_t>{255, 0}));
  EXPECT_EQ((convert<int64_t>(UINT64, INT64, std::vector<uint64_t>{UINT64_MAX})),
            (std::vector<int64_t>{-1}));
  EXPECT_EQ((convert<int32_t>(INT16, INT32, std::vector<int16_t>{-2})),
            (std::vector<int32_t>{-2}));
  EXPECT_EQ((convert<uint16_t>(INT64, UINT16, std::vector<int64_t>{-1, 65536 + 9})),
            (std::vector<uint16_t>{65535, 9}));
}

TEST(SimDmaConvert, FloatToBf16RoundsToNearestEven) {
  // Ties both ways, values just off a tie, the largest finite values that
  // round to infinity or not, denormals, infinities, zeros and NaNs
  // (quiet, signalling, negative), then random bit patterns.
  std::vector<uint32_t> bits = {
      0x3f808000, 0x3f818000, 0x3f808001, 0x3f807fff, 0x7f7f7fff, 0x7f7f8000,
      0xff7fffff, 0x00008000, 0x00018000, 0x807fffff, 0x7f800000, 0xff800000,
      0x00000000, 0x80000000, 0x7fc00000, 0x7f800001, 0xffa5a5a5, 0x7fffffff,
      0x3f80ffff, 0x477fff00};
  std::mt19937 rng(7);
  for (int i = 0; i < 1000; ++i) // the input must fit below HBM 4096
    bits.push_back(uint32_t(rng()));
  std::vector<float> x;
  std::vector<uint16_t> want;
  for (uint32_t u : bits) {
    x.push_back(fromBits(u));
    want.push_back(toBF16Ref(u));
  }
  std::vector<uint16_t> got = convert<uint16_t>(FLOAT, BFLOAT16, x);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_EQ(got[i], want[i]) << std::hex << "input 0x" << bits[i];
}

TEST(SimDmaConvert, Bf16WidensExactlyAndOtherTypesGoThroughFloat) {
  // Every BF16 bit pattern widens to the FP32 with those high bits; NaNs
  // keep their payload. (In batches that fit the helper's HBM layout.)
  for (uint32_t base = 0; base < 65536; base += 1024) {
    std::vector<uint16_t> batch(1024);
    for (uint32_t i = 0; i < 1024; ++i)
      batch[i] = uint16_t(base + i);
    std::vector<uint32_t> wide = convert<uint32_t>(BFLOAT16, FLOAT, batch);
    ASSERT_EQ(wide.size(), batch.size());
    for (uint32_t i = 0; i < 1024; ++i)
      ASSERT_EQ(wide[i], (base + i) << 16) << base + i;
  }
  // BF16 -> integers and BOOL: widen, then the float rules (truncate,
  // saturate, NaN -> 0; non-zero is true).
  const std::vector<uint16_t> h = {0x3fc0 /*1.5*/, 0xc0b0 /*-5.5*/,
                                   0x7f80 /*inf*/, 0x7fc0 /*NaN*/,
                                   0x8000 /*-0*/, 0x4f80 /*2^32*/};
  EXPECT_EQ((convert<int32_t>(BFLOAT16, INT32, h)),
            (std::vector<int32_t>{1, -5, INT32_MAX, 0, 0, INT32_MAX}));
  EXPECT_EQ((convert<uint8_t>(BFLOAT16, BOOL, h)),
            (std::vector<uint8_t>{1, 1, 1, 1, 0, 1}));
  EXPECT_EQ((convert<double>(BFLOAT16, DOUBLE, h))[1], -5.5);
  // Integers and doubles to BF16 round to FP32 first, then to BF16: 2^24 +
  // 1 becomes 2^24 (exact in BF16); 257 is a tie between 256 and 258 and
  // goes to the even 256; 259, the tie between 258 and 260, goes to 260.
  EXPECT_EQ((convert<uint16_t>(INT32, BFLOAT16, std::vector<int32_t>{(1 << 24) + 1, 257, 259, -3})),
            (std::vector<uint16_t>{0x4b80, 0x4380, 0x4382, 0xc040}));
  // 1 + 2^-8 + 2^-30 is above the BF16 tie as a double but rounds to the
  // FP32 tie 1 + 2^-8 first, which then goes to the even 1.0.
  EXPECT_EQ((convert<uint16_t>(DOUBLE, BFLOAT16, std::vector<double>{1.0 + std::ldexp(1.0, -8) + std::ldexp(1.0, -30)})),
            (std::vector<uint16_t>{0x3f80}));
  EXPECT_EQ((convert<uint16_t>(BOOL, BFLOAT16, std::vector<uint8_t>{0, 5})),
            (std::vector<uint16_t>{0x0000, 0x3f80}));
}

TEST(SimDmaConvert, TimingCountsSourceBytes) {
  // 100 INT64 -> FLOAT: 800 source bytes in, 400 converted bytes back out.
  std::vector<int64_t> x(100, 3);
  sim::Stats s;
  std::vector<float> y = convert<float>(INT64, FLOAT, x, &s);
  EXPECT_EQ(y, std::vector<float>(100, 3.0f));
  EXPECT_EQ(s.hbmBytes, 800 + 400);
}

TEST(SimDmaConvert, NegativeSourceStridesReverse) {
  // Reverse a 4x8 matrix in both dimensions with negative source strides
  // starting from its last element; the bounds check must cover
  // [start - 31*4, start + 4).
  bin::Executable exe = makeExe();
  exe.routes = {{0}};
  Asm p(exe, 0);
  std::vector<float> m(32);
  for (int i = 0; i < 32; ++i)
    m[size_t(i)] = float(i);
  p.data(4096, m);
  isa::DmaDesc d = copy1d(DmaMode::SramToSram, 0, 0, 0, 0);
  d.rank = 2;
  d.shape = {4, 8};
  d.srcStrides = {-32, -4};
  d.dstStrides = {32, 4};
  p.dma(4096 + 31 * 4, 8192, d);
  p.emit(Op::SemWait, 0, 0, 0, 1);
  p.toHbm(8192, 0, 32);
  p.halt();
  addOutput(exe, "o", 0, 32);
  RunResult r = simulate(exe);
  ASSERT_TRUE(r.ok) << r.error;
  std::vector<float> o = r.out();
  for (int i = 0; i < 32; ++i)
    EXPECT_EQ(o[size_t(i)], float(31 - i));

  // The same transfer starting one element too low reaches below the data
  // region: the lowest address is checked, not just the start.
  bin::Executable bad = makeExe();
  bad.routes = {{0}};
  Asm q(bad, 0);
  q.dma(4096 + 30 * 4, 8192, d);
  q.emit(Op::SemWait, 0, 0, 0, 1);
  q.halt();
  RunResult e = simulate(bad);
  ASSERT_FALSE(e.ok);
  EXPECT_NE(e.error.find("SRAM access [4092, 4220) out of bounds"),
            std::string::npos)
      << e.error;
}

TEST(SimDmaConvert, ConvertingTransferChecksTheDestinationExtent) {
  // 4 floats to INT64 need 32 destination bytes; 24 bytes before the SRAM
  // end is too little even though 16 (the source size) would fit.
  bin::Executable exe = makeExe();
  const int64_t sram = exe.target.sramBytes;
  exe.routes = {{0}};
  Asm p(exe, 0);
  isa::DmaDesc d = copy1d(DmaMode::SramToSram, 4, 0, 0, 0);
  d.dstStrides[0] = 8;
  d.srcType = FLOAT;
  d.dstType = INT64;
  p.dma(8192, sram - 24, d);
  p.emit(Op::SemWait, 0, 0, 0, 1);
  p.halt();
  RunResult r = simulate(exe);
  ASSERT_FALSE(r.ok);
  EXPECT_NE(r.error.find("SRAM access [" + std::to_string(sram - 24) + ", " +
                         std::to_string(sram + 8) + ") out of bounds"),
            std::string::npos)
      << r.error;
}

} // namespace
