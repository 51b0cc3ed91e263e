//===- OnnxImporter.cpp - ONNX model to `dnn` dialect ---------------------===//
//
// Loading, checking and the walk over the graph. The per-op conversions are
// in OnnxOps.cpp. Every problem found before building IR (unsupported ops or
// attributes, non-f32 tensors, dynamic inputs) is reported in one go, so a
// user sees the whole list of what blocks a model rather than one at a time.
//
//===----------------------------------------------------------------------===//

#include "ImporterImpl.h"

#include "dojo/Dialect/DNN/IR/DNNDialect.h"
#include "dojo/Dialect/DNN/IR/DNNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/raw_ostream.h"

#include <fstream>

using namespace mlir;
using namespace dojo::onnx_import;

namespace {

bool isDefaultDomain(StringRef domain) {
  return domain.empty() || domain == "ai.onnx";
}

/// Renders an ONNX tensor type's shape, "?" for unknown dimensions.
std::string describeShape(const onnx::TypeProto_Tensor &tensor) {
  if (!tensor.has_shape())
    return "unknown rank";
  // raw_string_ostream rather than std::string operator+, which makes g++ 12
  // emit a spurious -Wrestrict warning here.
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "[";
  llvm::interleaveComma(tensor.shape().dim(), os, [&](const auto &dim) {
    if (dim.has_dim_value())
      os << dim.dim_value();
    else if (dim.has_dim_param())
      os << dim.dim_param();
    else
      os << "?";
  });
  os << "]";
  return s;
}

/// The static shape of an ONNX tensor type, or std::nullopt if any
/// dimension (or the rank) is unknown.
std::optional<SmallVector<int64_t>>
staticShape(const onnx::TypeProto_Tensor &tensor) {
  if (!tensor.has_shape())
    return std::nullopt;
  SmallVector<int64_t> shape;
  for (const auto &dim : tensor.shape().dim()) {
    if (!dim.has_dim_value() || dim.dim_value() < 0)
      return std::nullopt;
    shape.push_back(dim.dim_value());
  }
  return shape;
}

} // namespace

GraphImporter::GraphImporter(MLIRContext &ctx, const onnx::ModelProto &model,
                             StringRef path)
    : ctx(ctx), model(model), path(path.str()), builder(&ctx) {
  const onnx::GraphProto &graph = model.graph();
  for (const auto &init : graph.initializer())
    initializers[init.name()] = &init;
  for (const auto &info : graph.input())
    types[info.name()] = &info.type();
  for (const auto &info : graph.value_info())
    types[info.name()] = &info.type();
  for (const auto &info : graph.output())
    types[info.name()] = &info.type();
}

std::optional<SmallVector<int64_t>>
GraphImporter::declaredShape(StringRef valueName) const {
  const onnx::TypeProto *type = types.lookup(valueName);
  if (!type || !type->has_tensor_type() || !type->tensor_type().has_shape())
    return std::nullopt;
  SmallVector<int64_t> dims;
  for (const auto &d : type->tensor_type().shape().dim()) {
    if (!d.has_dim_value() || d.dim_value() < 0)
      return std::nullopt;
    dims.push_back(d.dim_value());
  }
  return dims;
}

Location GraphImporter::fileLoc() {
  return FileLineColLoc::get(&ctx, path, 0, 0);
}

Location GraphImporter::namedLoc(StringRef name) {
  return NameLoc::get(StringAttr::get(&ctx, name), fileLoc());
}

std::optional<int64_t> GraphImporter::opsetFor(StringRef domain) const {
  for (const auto &opset : model.opset_import())
    if (isDefaultDomain(domain) ? isDefaultDomain(opset.domain())
                                : opset.domain() == domain)
      return opset.version();
  return std::nullopt;
}

std::string GraphImporter::nodeName(const onnx::NodeProto &node,
                                    size_t index) const {
  if (!node.name().empty())
    return node.name();
  return node.op_type() + "_" + std::to_string(index);
}

LogicalResult GraphImporter::checkElementType(
    const onnx::NodeProto &node, size_t index, StringRef valueName,
    StringRef role, bool needNumeric,
    SmallVectorImpl<std::string> &dtypeReported) {
  // Skip omitted optional operands, and report each bad value only once.
  if (valueName.empty() || llvm::is_contained(dtypeReported, valueName))
    return success();
  std::optional<int32_t> elemType;
  if (const onnx::TensorProto *init = initializers.lookup(valueName)) {
    elemType = init->data_type();
  } else if (const onnx::TypeProto *type = types.lookup(valueName)) {
    if (!type->has_tensor_type()) {
      // Sequences are fine when folding removed them; a node still reading
      // one is rejected by its handler.
      if (type->has_sequence_type())
        return success();
      return emitError(namedLoc(nodeName(node, index)))
             << "node '" << nodeName(node, index) << "' (" << node.op_type()
             << "): " << role << " '" << valueName
             << "' is not a tensor; only tensors are supported";
    }
    elemType = type->tensor_type().elem_type();
  }
  if (!elemType)
    return success();
  // Every numeric type is computed in FP32 lanes on the mesh; BOOL is only
  // moved, selected and compared, never an arithmetic operand.
  bool known = static_cast<bool>(elementTypeFor(*elemType, &ctx));
  bool isBool = *elemType == onnx::TensorProto::BOOL;
  if (known && !(needNumeric && isBool))
    return success();
  dtypeReported.push_back(valueName.str());
  auto diag = emitError(namedLoc(nodeName(node, index)))
              << "node '" << nodeName(node, index) << "' (" << node.op_type()
              << "): " << role << " '" << valueName << "' has element type "
              << dataTypeName(*elemType);
  if (known)
    diag << "; this operand must be numeric (not BOOL)";
  else
    diag << ", " << supportedTypesText();
  return failure();
}

LogicalResult
GraphImporter::checkNodes(SmallVectorImpl<std::string> &dtypeReported) {
  bool ok = true;
  for (auto [index, node] : llvm::enumerate(model.graph().node())) {
    std::string name = nodeName(node, index);
    Location loc = namedLoc(name);
    StringRef domain = node.domain();
    int64_t opset = opsetFor(domain).value_or(0);
    const OpEntry *entry = lookupOp(domain, node.op_type());
    if (!entry || opset < entry->info.minOpset ||
        opset > entry->info.maxOpset) {
      auto diag = emitError(loc)
                  << "unsupported ONNX op '" << node.op_type() << "' (domain '"
                  << (isDefaultDomain(domain) ? "ai.onnx" : domain)
                  << "', opset " << opset << ") in node '" << name << "'";
      if (entry)
        diag << "; supported opsets are " << entry->info.minOpset << " to "
             << entry->info.maxOpset;
      ok = false;
      continue;
    }
    SmallVector<StringRef> accepted;
    entry->info.attributes.split(accepted, ',', -1, /*KeepEmpty=*/false);
    for (const auto &attr : node.attribute()) {
      if (llvm::is_contained(accepted, attr.name()))
        continue;
      emitError(loc) << "node '" << name << "' (" << node.op_type()
                     << "): attribute '" << attr.name()
                     << "' is not supported by the importer";
      ok = false;
    }
    for (auto [i, in] : llvm::enumerate(node.input()))
      ok &= succeeded(checkElementType(
          node, index, in, "input",
          static_cast<int>(i) < entry->computeInputs, dtypeReported));
    for (auto [i, out] : llvm::enumerate(node.output()))
      ok &= succeeded(checkElementType(node, index, out, "output",
                                       i == 0 && entry->computeInputs > 0,
                                       dtypeReported));
  }
  return success(ok);
}

LogicalResult
GraphImporter::checkGraphInputs(SmallVectorImpl<std::string> &dtypeReported) {
  bool ok = true;
  SmallVector<std::string> dynamic;
  for (const auto &input : model.graph().input()) {
    if (initializers.count(input.name()))
      continue; // Old exporters list initializers as inputs too.
    if (!input.type().has_tensor_type()) {
      emitError(namedLoc(input.name()))
          << "graph input '" << input.name()
          << "' is not a tensor; only tensors are supported";
      ok = false;
      continue;
    }
    const auto &tensor = input.type().tensor_type();
    if (!elementTypeFor(tensor.elem_type(), &ctx) &&
        !llvm::is_contained(dtypeReported, input.name())) {
      emitError(namedLoc(input.name()))
          << "graph input '" << input.name() << "' has element type "
          << dataTypeName(tensor.elem_type()) << ", " << supportedTypesText();
      ok = false;
    }
    if (!staticShape(tensor))
      dynamic.push_back(
          (llvm::Twine("'") + input.name() + "' " + describeShape(tensor))
              .str());
  }
  if (!dynamic.empty()) {
    emitError(fileLoc()) << "the importer needs static input shapes, but "
                            "these inputs have dynamic or unknown dimensions: "
                         << llvm::join(dynamic, ", ")
                         << "; fix them with --shape-info (e.g. "
                            "--shape-info=0:1x3x224x224) or re-export the "
                            "model with fixed input sizes";
    ok = false;
  }
  return success(ok);
}

FailureOr<Value> GraphImporter::lookup(StringRef valueName) {
  if (Value v = values.lookup(valueName))
    return v;
  const onnx::TensorProto *init = initializers.lookup(valueName);
  if (!init)
    return Value();
  // Initializers become constants where first used, named after themselves.
  Location loc = namedLoc(valueName);
  auto attr = tensorToAttr(*init, loc, "initializer '" + valueName.str() + "'");
  if (failed(attr))
    return failure();
  Value v = arith::ConstantOp::create(builder, loc, *attr);
  values[valueName] = v;
  return v;
}

LogicalResult GraphImporter::bind(StringRef valueName, Value value,
                                  NodeContext &ctx) {
  if (values.count(valueName) || initializers.count(valueName))
    return ctx.emitError() << "value '" << valueName
                           << "' is defined more than once";
  // Cross-check against ONNX shape inference: a disagreement means the
  // importer misread an attribute, which must not go unnoticed.
  if (const onnx::TypeProto *type = types.lookup(valueName)) {
    if (type->has_tensor_type()) {
      if (auto expected = staticShape(type->tensor_type())) {
        ArrayRef<int64_t> actual = NodeContext::shapeOf(value);
        if (actual != ArrayRef<int64_t>(*expected))
          return ctx.emitError()
                 << "the importer computed shape " << shapeString(actual)
                 << " for '" << valueName
                 << "' but ONNX shape inference gives "
                 << shapeString(*expected);
      }
    }
  }
  values[valueName] = value;
  return success();
}

LogicalResult GraphImporter::importNodes() {
  for (auto [index, node] : llvm::enumerate(model.graph().node())) {
    std::string name = nodeName(node, index);
    const OpEntry *entry = lookupOp(node.domain(), node.op_type());
    if (!entry) // checkNodes already rejected it; stay safe regardless.
      return emitError(namedLoc(name)) << "unsupported ONNX op '"
                                       << node.op_type() << "'";
    NodeContext ctx(*this, node, namedLoc(name), name,
                    opsetFor(node.domain()).value_or(0));
    if (failed(importNode(*entry, ctx)))
      return failure();
  }
  return success();
}

Value GraphImporter::toF32(Value v, Location loc) {
  auto type = cast<RankedTensorType>(v.getType());
  auto f32Type = RankedTensorType::get(type.getShape(), builder.getF32Type());
  // A constant operand stays a constant (the D1 lowering bakes constant
  // weights into SRAM): convert its values, exactly for every type whose
  // values FP32 holds, to nearest for DOUBLE and wide integers.
  if (auto c = v.getDefiningOp<arith::ConstantOp>())
    if (auto data = dyn_cast<DenseElementsAttr>(c.getValue())) {
      SmallVector<float> values;
      Type elem = type.getElementType();
      if (isa<FloatType>(elem)) {
        for (APFloat x : data.getValues<APFloat>()) {
          bool lost = false;
          x.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven, &lost);
          values.push_back(x.convertToFloat());
        }
      } else {
        bool isUnsigned = elem.isUnsignedInteger() || elem.isInteger(1);
        for (APInt x : data.getValues<APInt>())
          values.push_back(isUnsigned ? float(x.getZExtValue())
                                      : float(x.getSExtValue()));
      }
      return arith::ConstantOp::create(
          builder, c.getLoc(),
          DenseElementsAttr::get(f32Type, ArrayRef<float>(values)));
    }
  return dnn::CastOp::create(builder, loc, f32Type, v);
}

LogicalResult GraphImporter::importNode(const OpEntry &entry, NodeContext &ctx) {
  const onnx::NodeProto &node = ctx.getNode();
  if (entry.nativeTypes || entry.computeInputs == 0)
    return entry.handler(ctx);
  // The handler builds f32 IR: give it f32 views of the other numeric
  // types, then restore the original values for later readers.
  SmallVector<std::pair<std::string, Value>> saved;
  Type inputType;
  int count = std::min(entry.computeInputs, node.input_size());
  for (int i = 0; i < count; ++i) {
    const std::string &name = node.input(i);
    if (name.empty())
      continue;
    auto v = lookup(name);
    if (failed(v))
      return failure();
    if (!*v || NodeContext::elementTypeOf(*v).isF32())
      continue;
    if (i == 0)
      inputType = NodeContext::elementTypeOf(*v);
    saved.emplace_back(name, *v);
    values[name] = toF32(*v, ctx.getLoc());
  }
  LogicalResult result = entry.handler(ctx);
  for (auto &[name, v] : llvm::reverse(saved))
    values[name] = v;
  if (failed(result) || !inputType || node.output_size() == 0)
    return result;
  // Output 0 has input 0's type (T -> T, as every such ONNX op defines it).
  const std::string &out = node.output(0);
  Value y = out.empty() ? Value() : values.lookup(out);
  if (!y || !NodeContext::elementTypeOf(y).isF32())
    return success();
  auto back = y.getDefiningOp<dnn::CastOp>();
  if (back && NodeContext::elementTypeOf(back.getInput()) == inputType) {
    values[out] = back.getInput(); // an identity round trip (Dropout, ...)
    return success();
  }
  values[out] = dnn::CastOp::create(
      builder, ctx.getLoc(),
      RankedTensorType::get(NodeContext::shapeOf(y), inputType), y);
  return success();
}

LogicalResult GraphImporter::importOutputs(func::FuncOp func) {
  SmallVector<Value> results;
  for (const auto &output : model.graph().output()) {
    auto value = lookup(output.name());
    if (failed(value))
      return failure();
    if (!*value)
      return emitError(namedLoc(output.name()))
             << "graph output '" << output.name()
             << "' is not produced by any node, initializer or input";
    results.push_back(*value);
  }
  func::ReturnOp::create(builder, fileLoc(), results);
  func.setFunctionType(builder.getFunctionType(
      func.getArgumentTypes(), ValueRange(results).getTypes()));
  for (auto [i, output] : llvm::enumerate(model.graph().output()))
    func.setResultAttr(i, "dnn.name", builder.getStringAttr(output.name()));
  return success();
}

OwningOpRef<ModuleOp> GraphImporter::run() {
  std::optional<int64_t> opset = opsetFor("");
  if (!opset) {
    emitError(fileLoc()) << "the model does not import the default ONNX "
                            "domain (ai.onnx)";
    return {};
  }
  defaultOpset = *opset;

  for (const auto &node : model.graph().node())
    for (const std::string &in : node.input())
      ++used[in];
  for (const auto &out : model.graph().output())
    ++used[out.name()];

  SmallVector<std::string> dtypeReported;
  bool nodesOk = succeeded(checkNodes(dtypeReported));
  bool inputsOk = succeeded(checkGraphInputs(dtypeReported));
  if (!nodesOk || !inputsOk)
    return {};

  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc());
  (*module)->setAttr("dnn.source", builder.getStringAttr(path));
  (*module)->setAttr("dnn.opset", builder.getI64IntegerAttr(defaultOpset));

  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  for (const auto &input : model.graph().input()) {
    if (initializers.count(input.name()))
      continue;
    argTypes.push_back(RankedTensorType::get(
        *staticShape(input.type().tensor_type()),
        elementTypeFor(input.type().tensor_type().elem_type(), &ctx)));
    argNames.push_back(input.name());
  }
  builder.setInsertionPointToEnd(module->getBody());
  auto func = func::FuncOp::create(builder, fileLoc(), "main",
                                   builder.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  for (auto [i, name] : llvm::enumerate(argNames)) {
    func.setArgAttr(i, "dnn.name", builder.getStringAttr(name));
    entry->getArgument(i).setLoc(namedLoc(name));
    values[name] = entry->getArgument(i);
  }
  builder.setInsertionPointToEnd(entry);
  if (failed(importNodes()) || failed(importOutputs(func)))
    return {};
  // The dnn verifiers re-check every shape; a failure here points at the
  // ONNX node whose attributes were inconsistent.
  if (failed(verify(*module)))
    return {};
  return module;
}

//===----------------------------------------------------------------------===//
// Public entry points
//===----------------------------------------------------------------------===//

void dojo::registerOnnxImporterDialects(DialectRegistry &registry) {
  registry.insert<dojo::dnn::DNNDialect, func::FuncDialect,
                  arith::ArithDialect>();
}

OwningOpRef<ModuleOp> dojo::importOnnxFile(MLIRContext &ctx, StringRef path,
                                           StringRef shapeInfo) {
  ctx.loadDialect<dojo::dnn::DNNDialect, func::FuncDialect,
                  arith::ArithDialect>();
  Location loc = FileLineColLoc::get(&ctx, path, 0, 0);
  onnx::ModelProto model;
  {
    std::ifstream in(path.str(), std::ios::binary);
    if (!in) {
      emitError(loc) << "failed to parse ONNX model '" << path
                     << "': cannot open the file";
      return {};
    }
    if (!model.ParseFromIstream(&in) || !model.has_graph()) {
      emitError(loc) << "failed to parse ONNX model '" << path
                     << "': not a valid ONNX ModelProto";
      return {};
    }
  }
  int64_t opset = 0;
  for (const auto &o : model.opset_import())
    if (isDefaultDomain(o.domain()))
      opset = o.version();
  if (failed(prepareModel(model, path, shapeInfo, opset, loc)))
    return {};
  return GraphImporter(ctx, model, path).run();
}
