//===- TensorFile.cpp - ONNX TensorProto files <-> HostTensor -------------===//
#include "TensorFile.h"
#include "dojo/Sim/DType.h"

#include <onnx/onnx_pb.h>

#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>

namespace dojo::tools {

namespace {

/// Appends the low `bytes` bytes of `v` (little-endian host assumed, as in
/// every ONNX raw_data producer we target).
template <typename T> void appendLE(std::vector<uint8_t> &out, T v, int bytes) {
  uint8_t buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));
  out.insert(out.end(), buf, buf + bytes);
}

/// Converts the typed repeated fields of `p` into raw bytes of its dtype.
std::string typedFieldsToBytes(const onnx::TensorProto &p, int64_t elemBytes,
                               std::vector<uint8_t> &out) {
  using TP = onnx::TensorProto;
  switch (p.data_type()) {
  case TP::FLOAT: case TP::COMPLEX64:
    for (float f : p.float_data())
      appendLE(out, f, 4);
    return "";
  case TP::DOUBLE: case TP::COMPLEX128:
    for (double d : p.double_data())
      appendLE(out, d, 8);
    return "";
  case TP::INT64:
    for (int64_t v : p.int64_data())
      appendLE(out, v, 8);
    return "";
  case TP::UINT32: case TP::UINT64:
    for (uint64_t v : p.uint64_data())
      appendLE(out, v, int(elemBytes));
    return "";
  case TP::INT32: case TP::INT16: case TP::INT8: case TP::UINT16:
  case TP::UINT8: case TP::BOOL: case TP::FLOAT16: case TP::BFLOAT16:
    // These types keep one element (or its bit pattern) per int32 entry.
    for (int32_t v : p.int32_data())
      appendLE(out, v, int(elemBytes));
    return "";
  default:
    return "data type " + std::to_string(p.data_type()) + " is not supported";
  }
}

float halfToFloat(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000) << 16;
  int exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ff;
  if (exp == 0x1f)
    return std::bit_cast<float>(sign | 0x7f800000u | (mant << 13));
  float mag = exp == 0 ? std::ldexp(float(mant), -24)
                       : std::ldexp(float(mant | 0x400), exp - 25);
  return sign ? -mag : mag;
}

} // namespace

std::string readTensorFile(const std::string &path, sim::HostTensor &out) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return path + ": cannot open: " + std::strerror(errno);
  onnx::TensorProto p;
  if (!p.ParseFromIstream(&in))
    return path + ": not a serialized onnx.TensorProto";
  if (p.data_location() == onnx::TensorProto::EXTERNAL)
    return path + ": tensors with external data are not supported";
  out = sim::HostTensor();
  out.name = p.name();
  out.dtype = p.data_type();
  out.shape.assign(p.dims().begin(), p.dims().end());
  int64_t elem = sim::onnxDTypeBytes(out.dtype);
  if (elem == 0)
    return path + ": data type " + std::to_string(out.dtype) + " (" +
           sim::onnxDTypeName(out.dtype) + ") is not supported";
  int64_t count = 1;
  for (int64_t d : out.shape) {
    if (d < 0)
      return path + ": negative dimension";
    count *= d;
  }
  if (p.has_raw_data()) {
    out.data.assign(p.raw_data().begin(), p.raw_data().end());
  } else if (std::string err = typedFieldsToBytes(p, elem, out.data);
             !err.empty()) {
    return path + ": " + err;
  }
  if (int64_t(out.data.size()) != count * elem)
    return path + ": holds " + std::to_string(out.data.size()) +
           " data bytes, but its shape needs " + std::to_string(count * elem);
  return "";
}

std::string writeTensorFile(const std::string &path, const sim::HostTensor &t) {
  onnx::TensorProto p;
  p.set_name(t.name);
  p.set_data_type(t.dtype);
  for (int64_t d : t.shape)
    p.add_dims(d);
  p.set_raw_data(t.data.data(), t.data.size());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out || !p.SerializeToOstream(&out) || !out.flush())
    return path + ": cannot write";
  return "";
}

bool elementAsDouble(const sim::HostTensor &t, int64_t i, double &out) {
  const uint8_t *p = t.data.data() + i * sim::onnxDTypeBytes(t.dtype);
  auto get = [&](auto v) {
    std::memcpy(&v, p, sizeof(v));
    out = double(v);
    return true;
  };
  switch (t.dtype) {
  case 1: return get(float());
  case 2: return get(uint8_t());
  case 3: return get(int8_t());
  case 4: return get(uint16_t());
  case 5: return get(int16_t());
  case 6: return get(int32_t());
  case 7: return get(int64_t());
  case 9: return get(uint8_t());
  case 10: {
    uint16_t h;
    std::memcpy(&h, p, 2);
    out = halfToFloat(h);
    return true;
  }
  case 11: return get(double());
  case 12: return get(uint32_t());
  case 13: return get(uint64_t());
  case 16: {
    uint16_t h;
    std::memcpy(&h, p, 2);
    out = std::bit_cast<float>(uint32_t(h) << 16);
    return true;
  }
  default: return false;
  }
}

} // namespace dojo::tools
