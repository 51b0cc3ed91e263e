//===- OnnxTensor.cpp - ONNX TensorProto to MLIR attributes ---------------===//

#include "ImporterImpl.h"

#include "mlir/IR/Diagnostics.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Endian.h"

#include <cstring>
#include <vector>

using namespace mlir;

namespace dojo::onnx_import {

std::string dataTypeName(int32_t dataType) {
  if (onnx::TensorProto_DataType_IsValid(dataType) &&
      dataType != onnx::TensorProto::UNDEFINED)
    return onnx::TensorProto_DataType_Name(
        static_cast<onnx::TensorProto_DataType>(dataType));
  return "UNDEFINED(" + std::to_string(dataType) + ")";
}

std::string shapeString(ArrayRef<int64_t> shape) {
  if (shape.empty())
    return "scalar";
  return llvm::join(
      llvm::map_range(shape, [](int64_t d) { return std::to_string(d); }),
      "x");
}

Type elementTypeFor(int32_t dataType, MLIRContext *ctx) {
  // Signed ONNX integers are signless MLIR integers (as arith expects);
  // unsigned ones keep their signedness in the type, so the D1 lowering can
  // tell UINT8 from INT8 (value conversion, DMA type codes, wrap-around).
  auto uint = [&](unsigned width) {
    return IntegerType::get(ctx, width, IntegerType::Unsigned);
  };
  switch (dataType) {
  case onnx::TensorProto::FLOAT:
    return Float32Type::get(ctx);
  case onnx::TensorProto::FLOAT16:
    return Float16Type::get(ctx);
  case onnx::TensorProto::BFLOAT16:
    return BFloat16Type::get(ctx);
  case onnx::TensorProto::DOUBLE:
    return Float64Type::get(ctx);
  case onnx::TensorProto::INT64:
    return IntegerType::get(ctx, 64);
  case onnx::TensorProto::INT32:
    return IntegerType::get(ctx, 32);
  case onnx::TensorProto::INT16:
    return IntegerType::get(ctx, 16);
  case onnx::TensorProto::INT8:
    return IntegerType::get(ctx, 8);
  case onnx::TensorProto::UINT64:
    return uint(64);
  case onnx::TensorProto::UINT32:
    return uint(32);
  case onnx::TensorProto::UINT16:
    return uint(16);
  case onnx::TensorProto::UINT8:
    return uint(8);
  case onnx::TensorProto::BOOL:
    return IntegerType::get(ctx, 1);
  default:
    return Type();
  }
}

std::string supportedTypesText() {
  return "which is not supported; the importer supports FLOAT, FLOAT16, "
         "BFLOAT16, DOUBLE, INT8, INT16, INT32, INT64, UINT8, UINT16, UINT32, "
         "UINT64 and BOOL";
}

/// Tensors other than f32 go through the generic decoder: integer and bool
/// tensors are small (indices, shapes, masks), and FLOAT16/BFLOAT16/DOUBLE
/// values are converted exactly into the attribute's float semantics.
static FailureOr<DenseElementsAttr>
genericTensorToAttr(const onnx::TensorProto &tensor, Type elemType,
                    Location loc, StringRef what) {
  std::string error;
  auto t = decodeTensor(tensor, error);
  if (!t)
    return emitError(loc) << what << " " << error;
  auto type = RankedTensorType::get(t->dims, elemType);
  if (auto ft = dyn_cast<FloatType>(elemType)) {
    SmallVector<APFloat> vals;
    for (int64_t k = 0; k < t->numel(); ++k) {
      APFloat v(t->getF(k));
      bool lost = false;
      v.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
      vals.push_back(v);
    }
    return DenseElementsAttr::get(type, vals);
  }
  if (elemType.isInteger(1)) {
    SmallVector<bool> bits(t->i.begin(), t->i.end());
    return DenseElementsAttr::get(type, ArrayRef<bool>(bits));
  }
  SmallVector<APInt> vals;
  unsigned width = elemType.getIntOrFloatBitWidth();
  for (int64_t v : t->i)
    vals.push_back(APInt(64, static_cast<uint64_t>(v)).trunc(width));
  return DenseElementsAttr::get(type, vals);
}

FailureOr<DenseElementsAttr> tensorToAttr(const onnx::TensorProto &tensor,
                                          Location loc, StringRef what) {
  Type elemType = elementTypeFor(tensor.data_type(), loc.getContext());
  if (!elemType)
    return emitError(loc) << what << " has element type "
                          << dataTypeName(tensor.data_type()) << ", "
                          << supportedTypesText();
  if (tensor.data_location() != onnx::TensorProto::EXTERNAL &&
      !elemType.isF32())
    return genericTensorToAttr(tensor, elemType, loc, what);
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL)
    return emitError(loc) << what
                          << " stores its data in an external file that was "
                             "not loaded";
  if (tensor.has_segment())
    return emitError(loc) << what << " is segmented, which is not supported";

  SmallVector<int64_t> shape;
  int64_t count = 1;
  for (int64_t d : tensor.dims()) {
    if (d < 0)
      return emitError(loc) << what << " has a negative dimension " << d;
    shape.push_back(d);
    count *= d;
  }
  auto type = RankedTensorType::get(shape, Float32Type::get(loc.getContext()));

  std::vector<float> data;
  if (tensor.has_raw_data()) {
    // raw_data is little-endian by the ONNX spec, whatever the host.
    const std::string &raw = tensor.raw_data();
    if (raw.size() != static_cast<size_t>(count) * sizeof(float))
      return emitError(loc) << what << " has " << raw.size()
                            << " bytes of raw data but its shape "
                            << shapeString(shape) << " needs "
                            << count * sizeof(float);
    data.resize(count);
    for (int64_t i = 0; i < count; ++i) {
      uint32_t bits = llvm::support::endian::read32le(raw.data() + 4 * i);
      std::memcpy(&data[i], &bits, sizeof(float));
    }
  } else {
    if (tensor.float_data_size() != count)
      return emitError(loc) << what << " has " << tensor.float_data_size()
                            << " float_data values but its shape "
                            << shapeString(shape) << " needs " << count;
    data.assign(tensor.float_data().begin(), tensor.float_data().end());
  }
  return DenseElementsAttr::get(type, ArrayRef<float>(data));
}

} // namespace dojo::onnx_import
