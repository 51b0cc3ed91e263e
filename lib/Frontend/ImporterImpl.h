//===- ImporterImpl.h - Internals shared by the ONNX importer ----*- C++ -*-===//
//
// Private to lib/Frontend. GraphImporter owns the walk over the ONNX graph
// (OnnxImporter.cpp); NodeContext is the view one op handler gets of it
// (OnnxOps.cpp); the tensor helpers convert ONNX protos (OnnxTensor.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_LIB_FRONTEND_IMPORTERIMPL_H
#define DOJO_LIB_FRONTEND_IMPORTERIMPL_H

#include "ConstTensor.h"

#include "dojo/Frontend/OnnxImporter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <onnx/onnx_pb.h>

#include <optional>
#include <string>

namespace dojo::onnx_import {

class GraphImporter;

/// "FLOAT", "INT64", ... for an onnx::TensorProto::DataType value.
std::string dataTypeName(int32_t dataType);

/// "1x3x8x8" ("scalar" for rank 0), for messages.
std::string shapeString(llvm::ArrayRef<int64_t> shape);

/// The MLIR element type for an ONNX dtype the importer accepts: FLOAT,
/// FLOAT16, BFLOAT16, DOUBLE -> f32, f16, bf16, f64; INTn -> signless in;
/// UINTn -> unsigned uin; BOOL -> i1. Null for any other (STRING, COMPLEX,
/// the float8 and 4-bit types).
mlir::Type elementTypeFor(int32_t dataType, mlir::MLIRContext *ctx);

/// "which is not supported; the importer supports FLOAT, FLOAT16, ...": the
/// tail of every message about an element type the importer cannot
/// represent.
std::string supportedTypesText();

/// Prepares a parsed model for import: loads external data (relative to
/// `path`'s directory), applies `shapeInfo`, runs the ONNX checker, and
/// alternates shape inference with constant folding (ConstantFolder.h).
mlir::LogicalResult prepareModel(onnx::ModelProto &model, llvm::StringRef path,
                                 llvm::StringRef shapeInfo, int64_t opset,
                                 mlir::Location loc);

/// The Reshape target shape for input dims `in` and ONNX shape `shape` (0
/// copies the input dim unless `allowzero`, one -1 is inferred); nullopt if
/// invalid.
std::optional<llvm::SmallVector<int64_t>>
computeReshapeTarget(llvm::ArrayRef<int64_t> in, llvm::ArrayRef<int64_t> shape,
                     bool allowzero);

/// Converts an initializer or Constant value (any type elementTypeFor
/// accepts) into a dense attribute. Emits an error at `loc` (naming `what`) for other
/// dtypes, external or truncated data.
mlir::FailureOr<mlir::DenseElementsAttr>
tensorToAttr(const onnx::TensorProto &tensor, mlir::Location loc,
             llvm::StringRef what);

/// The view of one ONNX node that an op handler works with.
class NodeContext {
public:
  NodeContext(GraphImporter &importer, const onnx::NodeProto &node,
              mlir::Location loc, std::string name, int64_t opset)
      : importer(importer), node(node), loc(loc), name(std::move(name)),
        opset(opset) {}

  const onnx::NodeProto &getNode() const { return node; }
  mlir::Location getLoc() const { return loc; }
  llvm::StringRef getName() const { return name; }
  int64_t getOpset() const { return opset; }
  mlir::OpBuilder &getBuilder();
  mlir::MLIRContext *getContext() { return loc.getContext(); }

  /// Emits "node 'NAME' (OpType): <message>" at the node's location.
  mlir::InFlightDiagnostic emitError();

  /// Required input `i`; errors when it is missing or undefined.
  mlir::FailureOr<mlir::Value> input(unsigned i);
  /// Optional input `i`: a null Value when absent (or named "").
  mlir::FailureOr<mlir::Value> optionalInput(unsigned i);
  /// Binds output `i` to `value` after cross-checking ONNX's inferred shape.
  mlir::LogicalResult setOutput(unsigned i, mlir::Value value);
  /// True when output `i` exists and a node or graph output reads it.
  bool isOutputUsed(unsigned i) const;
  /// The host value of input `i`, which must be a constant (an initializer
  /// after folding); std::nullopt when the input is absent. `what` names the
  /// operand in the error.
  mlir::FailureOr<std::optional<ConstTensor>>
  constInput(unsigned i, llvm::StringRef what);
  /// True if input `i` is present but not a constant after folding.
  bool isRuntimeInput(unsigned i) const;
  /// The static shape ONNX declares or infers for output `i`, if any. Ops
  /// whose shaping operand (Reshape's shape, Squeeze's axes, ...) is only
  /// known at run time still compile when their result shape is static:
  /// the data movement depends on the shapes alone.
  std::optional<llvm::SmallVector<int64_t>> declaredOutputShape(unsigned i) const;
  /// How many node inputs and graph outputs read input `i`'s value.
  int inputUseCount(unsigned i) const;
  /// The number of inputs, counting omitted ones.
  unsigned numInputs() const { return node.input_size(); }

  const onnx::AttributeProto *attr(llvm::StringRef attrName) const;
  /// Typed attribute reads; they fail (with an error) on a type mismatch.
  mlir::FailureOr<int64_t> intAttr(llvm::StringRef attrName, int64_t dflt);
  mlir::FailureOr<float> floatAttr(llvm::StringRef attrName, float dflt);
  mlir::FailureOr<std::string> stringAttr(llvm::StringRef attrName,
                                          llvm::StringRef dflt);
  /// Reads an INTS attribute; std::nullopt when absent.
  mlir::FailureOr<std::optional<llvm::SmallVector<int64_t>>>
  intsAttr(llvm::StringRef attrName);

  /// The static shape of `v` (every importer value is a ranked tensor).
  static llvm::ArrayRef<int64_t> shapeOf(mlir::Value v);
  mlir::RankedTensorType f32Tensor(llvm::ArrayRef<int64_t> shape);
  mlir::RankedTensorType tensorOf(llvm::ArrayRef<int64_t> shape,
                                  mlir::Type elementType);
  static mlir::Type elementTypeOf(mlir::Value v);

private:
  GraphImporter &importer;
  const onnx::NodeProto &node;
  mlir::Location loc;
  std::string name;
  int64_t opset;
};

/// Reads an INTS attribute that must have `count` entries, or `dflt`
/// repeated when absent (strides, dilations, kernel shapes, ...).
mlir::FailureOr<llvm::SmallVector<int64_t>>
intsAttrOr(NodeContext &ctx, llvm::StringRef name, size_t count, int64_t dflt);

using OpHandler = mlir::LogicalResult (*)(NodeContext &ctx);

/// The supported-op table entry with its handler.
struct OpEntry {
  OnnxOpSupport info;
  OpHandler handler;
  /// Compute ops: inputs [0, computeInputs) and output 0 must be numeric
  /// (any supported type but BOOL). 0 for ops that also move or compare
  /// bool tensors; inputs past the count are attribute-like operands the
  /// handler reads as constants.
  int computeInputs;
  /// True when the handler builds its result in its operands' element type
  /// (dnn.unary, dnn.binary). Otherwise the handler builds f32 IR: the
  /// importer hands it f32 views of compute inputs of another numeric type
  /// (a converted constant, or a dnn.cast, which costs nothing on the mesh)
  /// and casts output 0 back to input 0's type, so e.g. a UINT8 MaxPool or
  /// an INT32 Pad computes in FP32 lanes exactly as the mesh does anyway.
  bool nativeTypes = false;
};

/// The entry for (domain, opType), ignoring the opset; nullptr if unknown.
const OpEntry *lookupOp(llvm::StringRef domain, llvm::StringRef opType);

/// The importer state for one model: value names, types, the function
/// being built. Op handlers reach it through NodeContext.
class GraphImporter {
public:
  GraphImporter(mlir::MLIRContext &ctx, const onnx::ModelProto &model,
                llvm::StringRef path);

  /// Builds the module; null after emitting diagnostics.
  mlir::OwningOpRef<mlir::ModuleOp> run();

  mlir::OpBuilder &getBuilder() { return builder; }
  /// The value for an ONNX name, materializing initializers on first use;
  /// a null Value when the name is unknown.
  mlir::FailureOr<mlir::Value> lookup(llvm::StringRef valueName);
  mlir::LogicalResult bind(llvm::StringRef valueName, mlir::Value value,
                           NodeContext &ctx);
  /// The initializer called `valueName`, or nullptr.
  const onnx::TensorProto *initializer(llvm::StringRef valueName) const {
    return initializers.lookup(valueName);
  }
  /// Static shape of a value from value_info / graph outputs, if known.
  std::optional<llvm::SmallVector<int64_t>>
  declaredShape(llvm::StringRef valueName) const;
  bool isUsed(llvm::StringRef valueName) const {
    return useCount(valueName) > 0;
  }
  /// How many node inputs and graph outputs read `valueName`.
  int useCount(llvm::StringRef valueName) const {
    return used.lookup(valueName);
  }

private:
  mlir::Location fileLoc();
  mlir::Location namedLoc(llvm::StringRef name);
  std::optional<int64_t> opsetFor(llvm::StringRef domain) const;
  std::string nodeName(const onnx::NodeProto &node, size_t index) const;
  mlir::LogicalResult checkGraphInputs(llvm::SmallVectorImpl<std::string> &
                                           dtypeReported);
  mlir::LogicalResult checkNodes(llvm::SmallVectorImpl<std::string> &
                                     dtypeReported);
  mlir::LogicalResult checkElementType(const onnx::NodeProto &node,
                                       size_t index, llvm::StringRef valueName,
                                       llvm::StringRef role, bool needNumeric,
                                       llvm::SmallVectorImpl<std::string> &
                                           dtypeReported);
  mlir::LogicalResult importNodes();
  /// Runs `entry`'s handler for `node`, giving f32 views of its compute
  /// inputs when the handler is not type-generic (OpEntry::nativeTypes).
  mlir::LogicalResult importNode(const OpEntry &entry, NodeContext &ctx);
  /// `v` as an f32 tensor: a converted constant, or a dnn.cast at `loc`.
  mlir::Value toF32(mlir::Value v, mlir::Location loc);
  mlir::LogicalResult importOutputs(mlir::func::FuncOp func);

  mlir::MLIRContext &ctx;
  const onnx::ModelProto &model;
  std::string path;
  mlir::OpBuilder builder;
  /// ONNX value name -> type proto (graph inputs, value_info, outputs).
  llvm::StringMap<const onnx::TypeProto *> types;
  llvm::StringMap<const onnx::TensorProto *> initializers;
  llvm::StringMap<mlir::Value> values;
  /// Names read by some node or graph output.
  llvm::StringMap<int> used;
  int64_t defaultOpset = 0;
};

} // namespace dojo::onnx_import

#endif // DOJO_LIB_FRONTEND_IMPORTERIMPL_H
