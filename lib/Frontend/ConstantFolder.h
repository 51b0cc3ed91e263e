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

/// Looks a value up among those known on the host (null when it is
/// computed at run time).
using ValueLookup = std::function<const FoldValue *(llvm::StringRef)>;
/// Evaluates a Loop body on the host as far as its inputs allow (a null
/// input is a run-time value); returns one entry per body output, empty
/// where the output depends on run-time data.
using BodyEvaluator = std::function<std::vector<std::optional<FoldValue>>(
    llvm::ArrayRef<const FoldValue *>)>;

/// A Loop replaced by one copy of its body per iteration.
struct UnrolledLoop {
  std::vector<onnx::NodeProto> nodes;
  /// Iteration numbers, conditions and scan axes the copies read.
  std::vector<std::pair<std::string, FoldValue>> constants;
  /// The body's own initializers, renamed per iteration.
  std::vector<onnx::TensorProto> initializers;
};

/// Unrolls a Loop whose iteration count is known on the host (constant
/// trip count and/or a condition computed from constants and the iteration
/// number) but whose body reads run-time values (LoopUnroll.cpp). Returns
/// std::nullopt when the count is not known or the result would be too big.
std::optional<UnrolledLoop> unrollLoop(const onnx::NodeProto &node,
                                       int64_t opset, const ValueLookup &lookup,
                                       const BodyEvaluator &evalBody);

/// Replaces sequences whose length and positions are known at compile
/// time by the lists of their element tensors (SequenceLowering.cpp):
/// SequenceEmpty/Construct/Insert/Erase disappear, SequenceAt becomes an
/// Identity, SequenceLength a constant, ConcatFromSequence a Concat (after
/// Unsqueezes for new_axis) and SplitToSequence a Split. Returns true when
/// anything changed.
bool lowerSequences(onnx::ModelProto &model, int64_t opset);

/// Records in `shapes` the static shape of every input, value_info and
/// output of `graph` whose dimensions are all known.
void collectStaticShapes(const onnx::GraphProto &graph,
                         llvm::StringMap<llvm::SmallVector<int64_t>> &shapes);

/// Folds the main graph of `model` in place: folded values become
/// initializers and their nodes disappear. `opset` is the default-domain
/// opset. Returns true when anything changed.
bool foldConstants(onnx::ModelProto &model, int64_t opset);

} // namespace dojo::onnx_import

#endif // DOJO_LIB_FRONTEND_CONSTANTFOLDER_H
