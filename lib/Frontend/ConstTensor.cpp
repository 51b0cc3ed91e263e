//===- ConstTensor.cpp - ONNX TensorProto <-> host tensor -----------------===//

#include "ConstTensor.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/Support/Endian.h"

#include <cmath>
#include <cstring>

using namespace dojo::onnx_import;
using llvm::ArrayRef;
using llvm::SmallVector;

bool ConstTensor::isFloatType(int32_t dtype) {
  return dtype == onnx::TensorProto::FLOAT ||
         dtype == onnx::TensorProto::DOUBLE ||
         dtype == onnx::TensorProto::FLOAT16 ||
         dtype == onnx::TensorProto::BFLOAT16;
}

namespace {

/// `v` rounded to the nearest value of `sem` (ties to even).
double roundTo(double v, const llvm::fltSemantics &sem) {
  llvm::APFloat x(v);
  bool lost = false;
  x.convert(sem, llvm::APFloat::rmNearestTiesToEven, &lost);
  x.convert(llvm::APFloat::IEEEdouble(), llvm::APFloat::rmNearestTiesToEven,
            &lost);
  return x.convertToDouble();
}

/// The bits of `v` in the 16-bit format `sem` (FLOAT16 or BFLOAT16).
uint16_t bits16(double v, const llvm::fltSemantics &sem) {
  llvm::APFloat x(v);
  bool lost = false;
  x.convert(sem, llvm::APFloat::rmNearestTiesToEven, &lost);
  return static_cast<uint16_t>(x.bitcastToAPInt().getZExtValue());
}

double bf16ToDouble(uint16_t h) {
  uint32_t bits = uint32_t(h) << 16;
  float v;
  std::memcpy(&v, &bits, 4);
  return v;
}

} // namespace

int64_t ConstTensor::numel() const {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  return n;
}

std::vector<int64_t> ConstTensor::toInts() const {
  std::vector<int64_t> out(numel());
  for (int64_t k = 0; k < numel(); ++k)
    out[k] = getI(k);
  return out;
}

ConstTensor ConstTensor::zeros(int32_t dtype, ArrayRef<int64_t> dims) {
  ConstTensor t;
  t.dtype = dtype;
  t.dims.assign(dims.begin(), dims.end());
  if (t.isFloat())
    t.f.assign(t.numel(), 0.0);
  else
    t.i.assign(t.numel(), 0);
  return t;
}

ConstTensor ConstTensor::ints(ArrayRef<int64_t> values, int32_t dtype) {
  ConstTensor t = zeros(dtype, {static_cast<int64_t>(values.size())});
  for (size_t k = 0; k < values.size(); ++k)
    t.setI(k, values[k]);
  return t;
}

ConstTensor ConstTensor::scalarF(double v, int32_t dtype) {
  ConstTensor t = zeros(dtype, {});
  t.set(0, v);
  return t;
}

void ConstTensor::set(int64_t k, double v) {
  if (dtype == onnx::TensorProto::FLOAT)
    f[k] = static_cast<float>(v);
  else if (dtype == onnx::TensorProto::FLOAT16)
    f[k] = roundTo(v, llvm::APFloat::IEEEhalf());
  else if (dtype == onnx::TensorProto::BFLOAT16)
    f[k] = roundTo(v, llvm::APFloat::BFloat());
  else if (isFloat())
    f[k] = v;
  else if (dtype == onnx::TensorProto::BOOL)
    i[k] = v != 0.0;
  else if (!std::isfinite(v) || std::fabs(v) >= 9.2e18)
    i[k] = 0; // out of every integer range: unspecified in ONNX
  else
    setI(k, static_cast<int64_t>(v)); // truncates, then wraps narrow types
}

void ConstTensor::setI(int64_t k, int64_t v) {
  if (isFloat())
    set(k, static_cast<double>(v));
  else if (dtype == onnx::TensorProto::BOOL)
    i[k] = v != 0;
  else if (dtype == onnx::TensorProto::INT32)
    i[k] = static_cast<int32_t>(v);
  else if (dtype == onnx::TensorProto::INT16)
    i[k] = static_cast<int16_t>(v);
  else if (dtype == onnx::TensorProto::INT8)
    i[k] = static_cast<int8_t>(v);
  else if (dtype == onnx::TensorProto::UINT32)
    i[k] = static_cast<uint32_t>(v);
  else if (dtype == onnx::TensorProto::UINT16)
    i[k] = static_cast<uint16_t>(v);
  else if (dtype == onnx::TensorProto::UINT8)
    i[k] = static_cast<uint8_t>(v);
  else
    i[k] = v; // INT64, and UINT64 as its two's-complement bits
}

SmallVector<int64_t> dojo::onnx_import::stridesOf(ArrayRef<int64_t> dims) {
  SmallVector<int64_t> s(dims.size(), 1);
  for (int64_t k = static_cast<int64_t>(dims.size()) - 2; k >= 0; --k)
    s[k] = s[k + 1] * dims[k + 1];
  return s;
}

namespace {

/// Size in bytes of one raw_data element, 0 for unsupported dtypes.
size_t elementBytes(int32_t dtype) {
  switch (dtype) {
  case onnx::TensorProto::FLOAT:
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::UINT32:
    return 4;
  case onnx::TensorProto::DOUBLE:
  case onnx::TensorProto::INT64:
  case onnx::TensorProto::UINT64:
    return 8;
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16:
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::UINT16:
    return 2;
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
  case onnx::TensorProto::BOOL:
    return 1;
  default:
    return 0;
  }
}

double halfToDouble(uint16_t h) {
  int sign = h >> 15, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  double v;
  if (exp == 0)
    v = std::ldexp(mant, -24);
  else if (exp == 31)
    v = mant ? NAN : INFINITY;
  else
    v = std::ldexp(mant + 1024, exp - 25);
  return sign ? -v : v;
}

/// Reads element `k` of little-endian raw data into the tensor.
void readRaw(ConstTensor &t, const char *p, int64_t k) {
  using namespace llvm::support::endian;
  switch (t.dtype) {
  case onnx::TensorProto::FLOAT: {
    uint32_t bits = read32le(p);
    float v;
    std::memcpy(&v, &bits, 4);
    t.f[k] = v;
    break;
  }
  case onnx::TensorProto::DOUBLE: {
    uint64_t bits = read64le(p);
    double v;
    std::memcpy(&v, &bits, 8);
    t.f[k] = v;
    break;
  }
  case onnx::TensorProto::FLOAT16:
    t.f[k] = halfToDouble(read16le(p));
    break;
  case onnx::TensorProto::BFLOAT16:
    t.f[k] = bf16ToDouble(read16le(p));
    break;
  case onnx::TensorProto::INT64:
  case onnx::TensorProto::UINT64:
    t.i[k] = static_cast<int64_t>(read64le(p));
    break;
  case onnx::TensorProto::INT32:
    t.i[k] = static_cast<int32_t>(read32le(p));
    break;
  case onnx::TensorProto::UINT32:
    t.i[k] = read32le(p);
    break;
  case onnx::TensorProto::INT16:
    t.i[k] = static_cast<int16_t>(read16le(p));
    break;
  case onnx::TensorProto::UINT16:
    t.i[k] = read16le(p);
    break;
  case onnx::TensorProto::INT8:
    t.i[k] = static_cast<int8_t>(*p);
    break;
  default: // UINT8, BOOL
    t.i[k] = static_cast<uint8_t>(*p);
    break;
  }
}

} // namespace

std::optional<ConstTensor>
dojo::onnx_import::decodeTensor(const onnx::TensorProto &proto,
                                std::string &error) {
  size_t bytes = elementBytes(proto.data_type());
  if (!bytes) {
    error = "has an element type the importer cannot read";
    return std::nullopt;
  }
  if (proto.data_location() == onnx::TensorProto::EXTERNAL) {
    error = "refers to external data that was not loaded";
    return std::nullopt;
  }
  if (proto.has_segment()) {
    error = "is segmented, which is not supported";
    return std::nullopt;
  }
  SmallVector<int64_t> dims;
  for (int64_t d : proto.dims()) {
    if (d < 0) {
      error = "has a negative dimension";
      return std::nullopt;
    }
    dims.push_back(d);
  }
  ConstTensor t = ConstTensor::zeros(proto.data_type(), dims);
  int64_t n = t.numel();
  auto mismatch = [&](int64_t have) {
    error = "holds " + std::to_string(have) + " values but its shape needs " +
            std::to_string(n);
    return std::nullopt;
  };
  if (proto.has_raw_data()) {
    const std::string &raw = proto.raw_data();
    if (raw.size() != static_cast<size_t>(n) * bytes)
      return mismatch(static_cast<int64_t>(raw.size() / bytes));
    for (int64_t k = 0; k < n; ++k)
      readRaw(t, raw.data() + k * bytes, k);
    return t;
  }
  switch (proto.data_type()) {
  case onnx::TensorProto::FLOAT:
    if (proto.float_data_size() != n)
      return mismatch(proto.float_data_size());
    for (int64_t k = 0; k < n; ++k)
      t.f[k] = proto.float_data(k);
    break;
  case onnx::TensorProto::DOUBLE:
    if (proto.double_data_size() != n)
      return mismatch(proto.double_data_size());
    for (int64_t k = 0; k < n; ++k)
      t.f[k] = proto.double_data(k);
    break;
  case onnx::TensorProto::INT64:
    if (proto.int64_data_size() != n)
      return mismatch(proto.int64_data_size());
    for (int64_t k = 0; k < n; ++k)
      t.i[k] = proto.int64_data(k);
    break;
  case onnx::TensorProto::UINT32:
  case onnx::TensorProto::UINT64:
    if (proto.uint64_data_size() != n)
      return mismatch(proto.uint64_data_size());
    for (int64_t k = 0; k < n; ++k)
      t.i[k] = static_cast<int64_t>(proto.uint64_data(k));
    break;
  default: // Narrow ints, bool and float16/bfloat16 (as bits) live in
           // int32_data.
    if (proto.int32_data_size() != n)
      return mismatch(proto.int32_data_size());
    for (int64_t k = 0; k < n; ++k) {
      if (proto.data_type() == onnx::TensorProto::FLOAT16)
        t.f[k] = halfToDouble(static_cast<uint16_t>(proto.int32_data(k)));
      else if (proto.data_type() == onnx::TensorProto::BFLOAT16)
        t.f[k] = bf16ToDouble(static_cast<uint16_t>(proto.int32_data(k)));
      else
        t.i[k] = proto.int32_data(k);
    }
    break;
  }
  return t;
}

onnx::TensorProto dojo::onnx_import::encodeTensor(const ConstTensor &t,
                                                  const std::string &name) {
  onnx::TensorProto proto;
  proto.set_name(name);
  for (int64_t d : t.dims)
    proto.add_dims(d);
  // Every dtype has an exact typed field; FLOAT16 and BFLOAT16 values
  // (already rounded by set()) are stored as their bits in int32_data.
  int32_t dtype = t.dtype;
  proto.set_data_type(dtype);
  int64_t n = t.numel();
  for (int64_t k = 0; k < n; ++k) {
    switch (dtype) {
    case onnx::TensorProto::FLOAT:
      proto.add_float_data(static_cast<float>(t.f[k]));
      break;
    case onnx::TensorProto::DOUBLE:
      proto.add_double_data(t.f[k]);
      break;
    case onnx::TensorProto::INT64:
      proto.add_int64_data(t.i[k]);
      break;
    case onnx::TensorProto::UINT32:
    case onnx::TensorProto::UINT64:
      proto.add_uint64_data(static_cast<uint64_t>(t.i[k]));
      break;
    case onnx::TensorProto::FLOAT16:
      proto.add_int32_data(bits16(t.f[k], llvm::APFloat::IEEEhalf()));
      break;
    case onnx::TensorProto::BFLOAT16:
      proto.add_int32_data(bits16(t.f[k], llvm::APFloat::BFloat()));
      break;
    default:
      proto.add_int32_data(static_cast<int32_t>(t.i[k]));
      break;
    }
  }
  return proto;
}
