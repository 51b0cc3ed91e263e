//===- DNNOpsDynamic.cpp - Verifiers of the run-time-indexed data ops -----===//
//
// dnn.dynamic_slice and dnn.dynamic_pad: data movement whose offsets are
// tensors known only when the model runs. Only what is static can be
// checked here (ranks, operand lengths, that the declared result fits the
// input); the values are checked by the code that reads them.
//
//===----------------------------------------------------------------------===//

#include "VerifyUtils.h"

#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;
using namespace dojo::dnn;
using namespace dojo::dnn::detail;

namespace {

bool isIndexType(Type t) { return t.isInteger(32) || t.isInteger(64); }

/// A 1-D i32/i64 tensor operand, or an error naming it.
LogicalResult verifyIndexVector(Operation *op, Value v, StringRef name) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || !type.hasStaticShape() || type.getRank() != 1 ||
      !isIndexType(type.getElementType()))
    return op->emitOpError() << name
                             << " must be a static 1-D i32 or i64 tensor, got "
                             << v.getType();
  return success();
}

/// The input and result types of a run-time indexed move: static tensors of
/// one supported element type and of the same rank, or an error.
FailureOr<std::pair<RankedTensorType, RankedTensorType>>
verifyMoveTypes(Operation *op, Value input, Value output) {
  auto in = dyn_cast<RankedTensorType>(input.getType());
  auto out = dyn_cast<RankedTensorType>(output.getType());
  if (!in || !out || !in.hasStaticShape() || !out.hasStaticShape())
    return op->emitOpError("input and result must be statically shaped");
  if (!isSupportedElementType(in.getElementType()) ||
      in.getElementType() != out.getElementType())
    return op->emitOpError()
           << "result element type must equal the input's "
              "(a supported type), got "
           << in.getElementType() << " and " << out.getElementType();
  if (out.getRank() != in.getRank())
    return op->emitOpError("result rank must equal the input's");
  return std::pair{in, out};
}

} // namespace

LogicalResult DynamicSliceOp::verify() {
  auto types = verifyMoveTypes(*this, getInput(), getOutput());
  if (failed(types))
    return failure();
  auto [in, out] = *types;
  for (auto [v, name] : {std::pair{getStarts(), "starts"},
                         {getEnds(), "ends"},
                         {getAxes(), "axes"},
                         {getSteps(), "steps"}})
    if (failed(verifyIndexVector(*this, v, name)))
      return failure();
  int64_t n = shapeOf(getStarts())[0];
  if (shapeOf(getEnds())[0] != n || shapeOf(getAxes())[0] != n ||
      shapeOf(getSteps())[0] != n)
    return emitOpError("starts, ends, axes and steps must have the same "
                       "length");
  if (n > in.getRank())
    return emitOpError() << n << " slice entries for a rank-" << in.getRank()
                         << " input";
  for (int64_t d = 0; d < in.getRank(); ++d)
    if (out.getShape()[d] > in.getShape()[d])
      return emitOpError() << "result dimension " << d << " ("
                           << out.getShape()[d]
                           << ") is larger than the input's ("
                           << in.getShape()[d] << ")";
  return success();
}

LogicalResult DynamicPadOp::verify() {
  auto types = verifyMoveTypes(*this, getInput(), getOutput());
  if (failed(types))
    return failure();
  auto [in, out] = *types;
  StringRef mode = getMode();
  if (mode != "constant" && mode != "edge" && mode != "reflect")
    return emitOpError() << "mode must be constant, edge or reflect, got \""
                         << mode << "\"";
  if (mode != "constant" && in.getNumElements() == 0)
    return emitOpError() << mode << " padding of an empty input";
  if (failed(verifyIndexVector(*this, getPads(), "pads")))
    return failure();
  if (shapeOf(getPads())[0] != 2 * in.getRank())
    return emitOpError() << "pads must have " << 2 * in.getRank()
                         << " entries (begin pads then end pads)";
  auto value = dyn_cast<RankedTensorType>(getValue().getType());
  if (!value || !value.hasStaticShape() || value.getNumElements() != 1 ||
      value.getElementType() != in.getElementType())
    return emitOpError("value must be a one-element tensor of the input's "
                       "element type");
  return success();
}
