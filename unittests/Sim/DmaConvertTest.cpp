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
              UINT64 = 13;

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
