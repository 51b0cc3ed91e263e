//===- DType.h - Sizes and names of ONNX tensor element types -------------===//
//
// Executables describe their inputs and outputs with ONNX TensorProto data
// type numbers. The binary verifier, the simulator and dojo-sim all need the
// element size of those types, so the table lives here, header-only and
// without a dependency on the ONNX headers.
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_SIM_DTYPE_H
#define DOJO_SIM_DTYPE_H

#include <cstdint>
#include <string>
#include <vector>

namespace dojo::sim {

/// Returns the size in bytes of one element of ONNX data type `dtype`, or 0
/// for types without a fixed-size dense layout (UNDEFINED, STRING, unknown).
inline int64_t onnxDTypeBytes(int dtype) {
  switch (dtype) {
  case 1: return 4;   // FLOAT
  case 2: return 1;   // UINT8
  case 3: return 1;   // INT8
  case 4: return 2;   // UINT16
  case 5: return 2;   // INT16
  case 6: return 4;   // INT32
  case 7: return 8;   // INT64
  case 9: return 1;   // BOOL
  case 10: return 2;  // FLOAT16
  case 11: return 8;  // DOUBLE
  case 12: return 4;  // UINT32
  case 13: return 8;  // UINT64
  case 14: return 8;  // COMPLEX64
  case 15: return 16; // COMPLEX128
  case 16: return 2;  // BFLOAT16
  default: return 0;
  }
}

/// Short lower-case name of ONNX data type `dtype` for messages.
inline const char *onnxDTypeName(int dtype) {
  switch (dtype) {
  case 1: return "float32";
  case 2: return "uint8";
  case 3: return "int8";
  case 4: return "uint16";
  case 5: return "int16";
  case 6: return "int32";
  case 7: return "int64";
  case 8: return "string";
  case 9: return "bool";
  case 10: return "float16";
  case 11: return "float64";
  case 12: return "uint32";
  case 13: return "uint64";
  case 14: return "complex64";
  case 15: return "complex128";
  case 16: return "bfloat16";
  default: return "unknown";
  }
}

/// "[2,3,4]": a shape for messages.
inline std::string shapeText(const std::vector<int64_t> &shape) {
  std::string r = "[";
  for (size_t k = 0; k < shape.size(); ++k) {
    if (k)
      r += ",";
    r += std::to_string(shape[k]);
  }
  return r + "]";
}

} // namespace dojo::sim

#endif // DOJO_SIM_DTYPE_H
