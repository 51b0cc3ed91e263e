//===- ConstTensor.h - Host tensors for constant folding --------*- C++ -*-===//
//
// Private to lib/Frontend. A ConstTensor is a small dense host tensor with
// an ONNX element type; floating-point data is held as double and integer
// or bool data as int64_t, so one evaluator serves every dtype without
// losing the INT64_MAX sentinels that Slice uses.
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_LIB_FRONTEND_CONSTTENSOR_H
#define DOJO_LIB_FRONTEND_CONSTTENSOR_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dojo::onnx_import {

struct ConstTensor {
  int32_t dtype = onnx::TensorProto::FLOAT;
  llvm::SmallVector<int64_t> dims;
  std::vector<double> f;  ///< Data of floating-point dtypes.
  std::vector<int64_t> i; ///< Data of integer and bool dtypes.

  static bool isFloatType(int32_t dtype);
  bool isFloat() const { return isFloatType(dtype); }
  int64_t numel() const;
  /// Element `k` (row-major) as double / as int64, whatever the storage.
  double getF(int64_t k) const { return isFloat() ? f[k] : double(i[k]); }
  int64_t getI(int64_t k) const { return isFloat() ? int64_t(f[k]) : i[k]; }
  /// All elements as int64 (for shapes, axes, indices).
  std::vector<int64_t> toInts() const;

  /// An empty tensor of `dtype` and `dims` with storage sized to match.
  static ConstTensor zeros(int32_t dtype, llvm::ArrayRef<int64_t> dims);
  static ConstTensor ints(llvm::ArrayRef<int64_t> values,
                          int32_t dtype = onnx::TensorProto::INT64);
  static ConstTensor scalarF(double v, int32_t dtype);
  /// Sets element `k`, converting to the storage (and rounding to the
  /// dtype: f32 values are rounded to float, bools to 0/1).
  void set(int64_t k, double v);
  void setI(int64_t k, int64_t v);
};

/// Decodes an initializer or attribute tensor. Returns std::nullopt with
/// `error` set for dtypes the folder does not handle (strings, complex,
/// bf16, ...), external or malformed data.
std::optional<ConstTensor> decodeTensor(const onnx::TensorProto &proto,
                                        std::string &error);
/// Encodes into a TensorProto named `name` (typed fields, not raw_data).
onnx::TensorProto encodeTensor(const ConstTensor &t, const std::string &name);

/// Row-major strides of `dims`.
llvm::SmallVector<int64_t> stridesOf(llvm::ArrayRef<int64_t> dims);

} // namespace dojo::onnx_import

#endif // DOJO_LIB_FRONTEND_CONSTTENSOR_H
