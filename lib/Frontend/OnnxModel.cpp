//===- OnnxModel.cpp - Loading and preparing an ONNX model ----------------===//
//
// Everything that happens to the ModelProto before MLIR is built: parsing,
// reading external data, fixing input shapes from --shape-info, the ONNX
// checker, and alternating shape inference with constant folding until
// nothing changes (folding a Shape can make a Reshape static, which lets
// inference make the next Shape foldable).
//
//===----------------------------------------------------------------------===//

#include "ConstantFolder.h"
#include "ImporterImpl.h"

#include "mlir/IR/Diagnostics.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <onnx/checker.h>
#include <onnx/shape_inference/implementation.h>

#include <exception>
#include <fstream>

using namespace mlir;
using namespace dojo::onnx_import;

namespace {

std::string oneLine(StringRef text) {
  std::string s = text.trim().str();
  llvm::replace(s, '\n', ' ');
  return s;
}

/// Reads the external data of `tensor` (ONNX external-data convention:
/// `location` relative to the model's directory, optional `offset` and
/// `length`) into raw_data.
LogicalResult loadExternal(onnx::TensorProto &tensor, StringRef modelDir,
                           Location loc) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto &kv : tensor.external_data()) {
    if (kv.key() == "location")
      location = kv.value();
    else if (kv.key() == "offset" && !llvm::to_integer(kv.value(), offset))
      return emitError(loc) << "tensor '" << tensor.name()
                            << "' has a malformed external-data offset";
    else if (kv.key() == "length" && !llvm::to_integer(kv.value(), length))
      return emitError(loc) << "tensor '" << tensor.name()
                            << "' has a malformed external-data length";
  }
  if (location.empty() || llvm::sys::path::is_absolute(location) ||
      StringRef(location).contains(".."))
    return emitError(loc) << "tensor '" << tensor.name()
                          << "' has a missing or unsafe external-data "
                             "location '"
                          << location << "'";
  SmallString<256> file(modelDir);
  llvm::sys::path::append(file, location);
  std::ifstream in(file.str().str(), std::ios::binary);
  if (!in)
    return emitError(loc) << "cannot open external data file '" << file
                          << "' of tensor '" << tensor.name() << "'";
  in.seekg(0, std::ios::end);
  int64_t size = in.tellg();
  if (length < 0)
    length = size - offset;
  if (offset < 0 || offset + length > size)
    return emitError(loc) << "external data of tensor '" << tensor.name()
                          << "' (offset " << offset << ", length " << length
                          << ") lies outside '" << file << "' (" << size
                          << " bytes)";
  std::string data(length, '\0');
  in.seekg(offset);
  in.read(data.data(), length);
  tensor.set_raw_data(std::move(data));
  tensor.clear_external_data();
  tensor.set_data_location(onnx::TensorProto::DEFAULT);
  return success();
}

LogicalResult loadExternalData(onnx::GraphProto &graph, StringRef modelDir,
                               Location loc) {
  for (auto &init : *graph.mutable_initializer())
    if (init.data_location() == onnx::TensorProto::EXTERNAL &&
        failed(loadExternal(init, modelDir, loc)))
      return failure();
  for (auto &node : *graph.mutable_node())
    for (auto &attr : *node.mutable_attribute()) {
      if (attr.has_t() &&
          attr.t().data_location() == onnx::TensorProto::EXTERNAL &&
          failed(loadExternal(*attr.mutable_t(), modelDir, loc)))
        return failure();
      if (attr.has_g() &&
          failed(loadExternalData(*attr.mutable_g(), modelDir, loc)))
        return failure();
      for (auto &g : *attr.mutable_graphs())
        if (failed(loadExternalData(g, modelDir, loc)))
          return failure();
    }
  return success();
}

/// Applies "IDX_OR_NAME:D1xD2x...,..." to the graph inputs that are not
/// initializers (indices count those inputs only, as onnx-mlir does).
LogicalResult applyShapeInfo(onnx::GraphProto &graph, StringRef spec,
                             Location loc) {
  std::set<std::string> inits;
  for (const auto &init : graph.initializer())
    inits.insert(init.name());
  std::vector<onnx::ValueInfoProto *> inputs;
  for (auto &in : *graph.mutable_input())
    if (!inits.count(in.name()))
      inputs.push_back(&in);
  SmallVector<StringRef> entries;
  spec.split(entries, ',', -1, /*KeepEmpty=*/false);
  for (StringRef entry : entries) {
    auto [key, dimsText] = entry.trim().rsplit(':');
    if (dimsText.empty() || key.empty())
      return emitError(loc) << "--shape-info entry '" << entry
                            << "' is not INPUT:D1xD2x... (INPUT is an input "
                               "index or name)";
    onnx::ValueInfoProto *target = nullptr;
    unsigned index;
    if (!key.getAsInteger(10, index)) {
      if (index >= inputs.size())
        return emitError(loc) << "--shape-info input index " << index
                              << " is out of range: the model has "
                              << inputs.size() << " non-initializer inputs";
      target = inputs[index];
    } else {
      for (auto *in : inputs)
        if (in->name() == key)
          target = in;
      if (!target)
        return emitError(loc) << "--shape-info names input '" << key
                              << "', which the model does not have";
    }
    SmallVector<StringRef> dims;
    dimsText.split(dims, 'x');
    auto *shape = target->mutable_type()->mutable_tensor_type()->mutable_shape();
    if (shape->dim_size() && shape->dim_size() != static_cast<int>(dims.size()))
      return emitError(loc) << "--shape-info gives " << dims.size()
                            << " dimensions for input '" << target->name()
                            << "' of rank " << shape->dim_size();
    shape->clear_dim();
    for (StringRef d : dims) {
      int64_t v;
      if (d.getAsInteger(10, v) || v <= 0)
        return emitError(loc) << "--shape-info dimension '" << d
                              << "' for input '" << target->name()
                              << "' is not a positive integer";
      shape->add_dim()->set_dim_value(v);
    }
  }
  return success();
}

} // namespace

LogicalResult dojo::onnx_import::prepareModel(onnx::ModelProto &model,
                                              StringRef path,
                                              StringRef shapeInfo,
                                              int64_t opset, Location loc) {
  StringRef dir = llvm::sys::path::parent_path(path);
  if (failed(loadExternalData(*model.mutable_graph(), dir.empty() ? "." : dir,
                              loc)))
    return failure();
  if (!shapeInfo.empty() &&
      failed(applyShapeInfo(*model.mutable_graph(), shapeInfo, loc)))
    return failure();
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception &e) {
    return emitError(loc) << "ONNX model check failed: " << oneLine(e.what());
  }
  // Each round can expose more constants; the bound only guards against a
  // pathological model flipping forever. Unrolled Loops chain: a Loop whose
  // count depends on the shapes an earlier one produces unrolls one round
  // later (MViT has one such Loop per block), hence the generous bound.
  for (int round = 0; round < 1024; ++round) {
    if (!shapeInfo.empty() || round > 0)
      model.mutable_graph()->clear_value_info();
    try {
      onnx::shape_inference::InferShapes(
          model, onnx::OpSchemaRegistry::Instance(),
          onnx::ShapeInferenceOptions(/*check_type=*/true, /*strict_mode=*/1,
                                      /*data_prop=*/false));
    } catch (const std::exception &e) {
      // Old exporters wrote nodes that later schemas reject (e.g. an INT64
      // Constant at opset 6). Folding usually removes them, so retry
      // leniently; the importer re-derives and verifies every shape anyway.
      try {
        onnx::shape_inference::InferShapes(
            model, onnx::OpSchemaRegistry::Instance(),
            onnx::ShapeInferenceOptions(/*check_type=*/false,
                                        /*strict_mode=*/0,
                                        /*data_prop=*/false));
      } catch (const std::exception &) {
        return emitError(loc) << "ONNX shape inference failed: "
                              << oneLine(e.what());
      }
    }
    // Sequence lowering first, while the inferred shapes (which folding
    // clears) are there for SplitToSequence.
    bool lowered = lowerSequences(model, opset);
    if (!foldConstants(model, opset) && !lowered)
      break;
  }
  return success();
}
