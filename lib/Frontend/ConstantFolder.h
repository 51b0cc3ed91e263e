//===- ConstantFolder.h - Folding of constant ONNX subgraphs ----*- C++ -*-===//
//
// Private to lib/Frontend. Before any MLIR is built, every node whose inputs
// are all constant (initializers, Constant nodes, Shape of statically shaped
// values, ...) is evaluated on the host and replaced by an initializer.
// Loops with a constant trip count and constant body inputs are unrolled
// and evaluated, Ifs with a constant condition are inlined, and Sequence
// ops on constant data are evaluated, so shape computations exported by
// PyTorch disappear from the dynamic path.
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_LIB_FRONTEND_CONSTANTFOLDER_H
#define DOJO_LIB_FRONTEND_CONSTANTFOLDER_H

#include "ConstTensor.h"

#include "llvm/ADT/StringMap.h"

#include <functional>

namespace dojo::onnx_import {

/// A folded value: a tensor or a sequence of tensors.
struct FoldValue {
  bool isSequence = false;
  ConstTensor tensor;
  std::vector<ConstTensor> sequence;
  int32_t sequenceElemType = onnx::TensorProto::FLOAT;
};

/// Evaluates one node on constant inputs (a null entry is an omitted
/// optional input). Returns false when the op or this use of it is not
/// evaluated here; `outputs` is then unspecified. Ops with subgraphs
/// (Loop, If) are handled by the folder, not here.
bool evaluateNode(const onnx::NodeProto &node, int64_t opset,
                  llvm::ArrayRef<const FoldValue *> inputs,
                  std::vector<FoldValue> &outputs);

/// Folds the main graph of `model` in place: folded values become
/// initializers and their nodes disappear. `opset` is the default-domain
/// opset. Returns true when anything changed.
bool foldConstants(onnx::ModelProto &model, int64_t opset);

} // namespace dojo::onnx_import

#endif // DOJO_LIB_FRONTEND_CONSTANTFOLDER_H
