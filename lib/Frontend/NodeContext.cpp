//===- NodeContext.cpp - What an op handler sees of its ONNX node ---------===//

#include "ImporterImpl.h"

#include "mlir/IR/Diagnostics.h"

using namespace mlir;

namespace dojo::onnx_import {

OpBuilder &NodeContext::getBuilder() { return importer.getBuilder(); }

InFlightDiagnostic NodeContext::emitError() {
  return mlir::emitError(loc)
         << "node '" << name << "' (" << node.op_type() << "): ";
}

FailureOr<Value> NodeContext::optionalInput(unsigned i) {
  if (static_cast<int>(i) >= node.input_size() || node.input(i).empty())
    return Value();
  const std::string &valueName = node.input(i);
  auto value = importer.lookup(valueName);
  if (failed(value))
    return failure();
  if (!*value)
    return emitError() << "input '" << valueName
                       << "' is not defined by an earlier node, an "
                          "initializer or a graph input";
  return *value;
}

FailureOr<Value> NodeContext::input(unsigned i) {
  auto value = optionalInput(i);
  if (failed(value))
    return failure();
  if (!*value)
    return emitError() << "missing required input #" << i;
  return *value;
}

LogicalResult NodeContext::setOutput(unsigned i, Value value) {
  if (static_cast<int>(i) >= node.output_size() || node.output(i).empty())
    return success(); // The model does not use this output.
  return importer.bind(node.output(i), value, *this);
}

bool NodeContext::isOutputUsed(unsigned i) const {
  return static_cast<int>(i) < node.output_size() && !node.output(i).empty() &&
         importer.isUsed(node.output(i));
}

int NodeContext::inputUseCount(unsigned i) const {
  if (static_cast<int>(i) >= node.input_size() || node.input(i).empty())
    return 0;
  return importer.useCount(node.input(i));
}

FailureOr<std::optional<ConstTensor>>
NodeContext::constInput(unsigned i, StringRef what) {
  if (static_cast<int>(i) >= node.input_size() || node.input(i).empty())
    return std::optional<ConstTensor>();
  const onnx::TensorProto *init = importer.initializer(node.input(i));
  if (!init)
    return emitError() << what << " (input '" << node.input(i)
                       << "') must be a constant after constant folding, but "
                          "it is computed at run time";
  std::string error;
  auto t = decodeTensor(*init, error);
  if (!t)
    return emitError() << what << " (input '" << node.input(i) << "') "
                       << error;
  return std::optional<ConstTensor>(std::move(*t));
}

bool NodeContext::isRuntimeInput(unsigned i) const {
  return static_cast<int>(i) < node.input_size() && !node.input(i).empty() &&
         !importer.initializer(node.input(i));
}

std::optional<SmallVector<int64_t>>
NodeContext::declaredOutputShape(unsigned i) const {
  if (static_cast<int>(i) >= node.output_size() || node.output(i).empty())
    return std::nullopt;
  return importer.declaredShape(node.output(i));
}

const onnx::AttributeProto *NodeContext::attr(StringRef attrName) const {
  for (const auto &a : node.attribute())
    if (a.name() == attrName)
      return &a;
  return nullptr;
}

FailureOr<int64_t> NodeContext::intAttr(StringRef attrName, int64_t dflt) {
  const onnx::AttributeProto *a = attr(attrName);
  if (!a)
    return dflt;
  if (a->type() != onnx::AttributeProto::INT)
    return emitError() << "attribute '" << attrName << "' must be an INT";
  return a->i();
}

FailureOr<float> NodeContext::floatAttr(StringRef attrName, float dflt) {
  const onnx::AttributeProto *a = attr(attrName);
  if (!a)
    return dflt;
  if (a->type() != onnx::AttributeProto::FLOAT)
    return emitError() << "attribute '" << attrName << "' must be a FLOAT";
  return a->f();
}

FailureOr<std::string> NodeContext::stringAttr(StringRef attrName,
                                               StringRef dflt) {
  const onnx::AttributeProto *a = attr(attrName);
  if (!a)
    return dflt.str();
  if (a->type() != onnx::AttributeProto::STRING)
    return emitError() << "attribute '" << attrName << "' must be a STRING";
  return a->s();
}

FailureOr<std::optional<SmallVector<int64_t>>>
NodeContext::intsAttr(StringRef attrName) {
  const onnx::AttributeProto *a = attr(attrName);
  if (!a)
    return std::optional<SmallVector<int64_t>>();
  if (a->type() != onnx::AttributeProto::INTS)
    return emitError() << "attribute '" << attrName << "' must be INTS";
  return std::optional<SmallVector<int64_t>>(
      SmallVector<int64_t>(a->ints().begin(), a->ints().end()));
}

ArrayRef<int64_t> NodeContext::shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

RankedTensorType NodeContext::tensorOf(ArrayRef<int64_t> shape,
                                       Type elementType) {
  return RankedTensorType::get(shape, elementType);
}

Type NodeContext::elementTypeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getElementType();
}

RankedTensorType NodeContext::f32Tensor(ArrayRef<int64_t> shape) {
  return RankedTensorType::get(shape, Float32Type::get(getContext()));
}

FailureOr<SmallVector<int64_t>> intsAttrOr(NodeContext &ctx, StringRef name,
                                           size_t count, int64_t dflt) {
  auto ints = ctx.intsAttr(name);
  if (failed(ints))
    return failure();
  if (!*ints)
    return SmallVector<int64_t>(count, dflt);
  if ((*ints)->size() != count)
    return ctx.emitError() << "attribute '" << name << "' must have " << count
                           << " entries, got " << (*ints)->size();
  return **ints;
}

} // namespace dojo::onnx_import
