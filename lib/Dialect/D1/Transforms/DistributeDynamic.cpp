//===- DistributeDynamic.cpp - Data movement with run-time offsets --------===//
//
// Gather with computed indices, dnn.dynamic_slice and dnn.dynamic_pad move
// data whose source positions are known only when the model runs. Each
// output block stages on its node everything it may read (for Gather the
// whole gathered axis with the block's range of the other dimensions, for
// Slice the whole extent of every dimension an entry may slice, for Pad the
// whole input) plus the index tensors, and a kernel ("dyngather",
// "dynslice", "dynpad"; KernelDynamic.cpp) reads the indices with the
// scalar unit and copies at the addresses they give. The result shapes are
// static (declared), so buffers and transfers are planned as usual; a
// staging buffer that does not fit the node's SRAM fails in d1-place-sram
// with the normal memory-map diagnostic.
//
//===----------------------------------------------------------------------===//
#include "Distributor.h"
#include "dojo/Dialect/DNN/IR/DNNOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
using namespace dojo;
using namespace dojo::d1;

bool Distributor::isDynamicMove(Operation *op) {
  if (auto g = dyn_cast<dnn::GatherOp>(op))
    return !g.getIndices().getDefiningOp<arith::ConstantOp>();
  return llvm::isa<dnn::DynamicSliceOp, dnn::DynamicPadOp>(op);
}

namespace {

/// The row-major view of `extents` elements of an operand starting at
/// `lo` (the operand's leading dimensions, in order), with its byte strides
/// in `strides`.
SmallVector<ViewDim, 6> rowMajorView(ArrayRef<int64_t> lo,
                                     ArrayRef<int64_t> extents,
                                     SmallVectorImpl<int64_t> &strides) {
  SmallVector<ViewDim, 6> view;
  strides.assign(extents.size(), 0);
  int64_t stride = 4;
  for (int i = int(extents.size()) - 1; i >= 0; --i) {
    strides[i] = stride;
    stride *= extents[i];
  }
  for (size_t i = 0; i < extents.size(); ++i)
    view.push_back({int(i), lo[i], extents[i], strides[i]});
  return view;
}

/// A whole 1-D (or 0-D, as one element) index operand, row-major.
SmallVector<ViewDim, 6> wholeVector(Value v) {
  auto shape = shapeOf(v);
  if (shape.empty())
    return {ViewDim{-1, 0, 1, 4}};
  return {ViewDim{0, 0, shape[0], 4}};
}

} // namespace

FailureOr<TensorBlock> Distributor::lowerDynamic(Operation *op, const Box &box,
                                                 int nodeId, int step) {
  Location loc = op->getLoc();
  unsigned rank = box.lo.size();
  // The kernels keep a few registers per dimension.
  if (rank > unsigned(isa::kMaxDmaRank))
    return op->emitError() << "run-time indexed data movement supports up to "
                           << isa::kMaxDmaRank << " dimensions";
  SmallVector<unsigned, 6> identity;
  for (unsigned d = 0; d < rank; ++d)
    identity.push_back(d);
  TensorBlock out = makeOutputBlock(op, box, nodeId, step, identity);
  auto i64 = [&](int64_t x) { return builder.getI64IntegerAttr(x); };
  auto arr = [&](ArrayRef<int64_t> x) { return builder.getDenseI64ArrayAttr(x); };
  NamedAttrList params;
  SmallVector<Value, 6> operands;
  auto stageWhole = [&](Value v, StringRef role) -> LogicalResult {
    int64_t n = std::max<int64_t>(1, product(shapeOf(v)));
    FailureOr<BufferOp> b = stage(v, wholeVector(v), 0, 4 * n, nodeId, step,
                                  std::nullopt, loc, (opName(op) + role).str());
    if (failed(b))
      return failure();
    operands.push_back(*b);
    return success();
  };
  // Stages the block [lo, lo + ext) of `v` row-major as the next operand;
  // its byte strides come back in `strides`.
  auto stageBlock = [&](Value v, ArrayRef<int64_t> lo, ArrayRef<int64_t> ext,
                        SmallVectorImpl<int64_t> &strides,
                        StringRef role) -> LogicalResult {
    FailureOr<BufferOp> b =
        stage(v, rowMajorView(lo, ext, strides), 0, 4 * product(ext), nodeId,
              step, std::nullopt, loc, (opName(op) + role).str());
    if (failed(b))
      return failure();
    operands.push_back(*b);
    return success();
  };
  // The geometry the slice and pad kernels share: the input's and the
  // declared result's shapes, this block's place in the result and the
  // staged input's byte strides.
  auto appendBlockGeometry = [&](ArrayRef<int64_t> in,
                                 ArrayRef<int64_t> declared,
                                 ArrayRef<int64_t> inStrides) {
    SmallVector<int64_t, 6> extents;
    for (unsigned d = 0; d < rank; ++d)
      extents.push_back(box.extent(d));
    params.append("dims", arr(in));
    params.append("declared", arr(declared));
    params.append("lo", arr(box.lo));
    params.append("out", arr(extents));
    params.append("in_strides", arr(inStrides));
  };
  // Emits `kernel` over the staged operands, writing the output block.
  auto emitKernel = [&](StringRef kernel) {
    operands.push_back(out.buffer);
    KernelOp::create(builder, loc, builder.getStringAttr(kernel), operands,
                     params.getDictionary(builder.getContext()));
    return out;
  };

  if (auto g = dyn_cast<dnn::GatherOp>(op)) {
    auto data = shapeOf(g.getData()), idxShape = shapeOf(g.getIndices());
    int64_t axis = g.getAxis();
    unsigned q = idxShape.size();
    // Data: the block's range of the outer and inner dimensions, the whole
    // gathered axis.
    SmallVector<int64_t, 6> lo, ext, strides;
    for (unsigned d = 0; d < data.size(); ++d) {
      unsigned o = d < unsigned(axis) ? d : d + q - 1;
      lo.push_back(d == unsigned(axis) ? 0 : box.lo[o]);
      ext.push_back(d == unsigned(axis) ? data[d] : box.extent(o));
    }
    if (failed(stageBlock(g.getData(), lo, ext, strides, "_data")))
      return failure();
    // Indices: the block's range of the index dimensions.
    int64_t count = 1;
    if (q == 0) {
      if (failed(stageWhole(g.getIndices(), "_idx")))
        return failure();
    } else {
      SmallVector<int64_t, 6> ilo, iext, istrides;
      for (unsigned j = 0; j < q; ++j) {
        ilo.push_back(box.lo[axis + j]);
        iext.push_back(box.extent(axis + j));
        count *= box.extent(axis + j);
      }
      if (failed(stageBlock(g.getIndices(), ilo, iext, istrides, "_idx")))
        return failure();
    }
    int64_t outer = 1, inner = 1;
    for (unsigned d = 0; d < unsigned(axis); ++d)
      outer *= box.extent(d);
    for (unsigned d = axis + q; d < rank; ++d)
      inner *= box.extent(d);
    params.append("outer", i64(outer));
    params.append("count", i64(count));
    params.append("inner", i64(inner));
    params.append("axis_dim", i64(data[axis]));
    return emitKernel("dyngather");
  }

  if (auto s = dyn_cast<dnn::DynamicSliceOp>(op)) {
    auto in = shapeOf(s.getInput()), res = shapeOf(s.getOutput());
    int64_t entries = shapeOf(s.getStarts())[0];
    // Dimensions an entry may slice: those constant axes name, or all.
    SmallVector<int64_t, 6> sliced(rank, 0);
    DenseElementsAttr axes;
    if (auto c = s.getAxes().getDefiningOp<arith::ConstantOp>())
      axes = dyn_cast<DenseElementsAttr>(c.getValue());
    if (axes) {
      for (APInt a : axes.getValues<APInt>()) {
        int64_t v = a.getSExtValue();
        if (v < -int64_t(rank) || v >= int64_t(rank))
          return s.emitError() << "axis " << v << " is out of range for rank "
                               << rank;
        sliced[v < 0 ? v + rank : v] = 1;
      }
    } else {
      sliced.assign(rank, 1);
    }
    for (unsigned d = 0; d < rank; ++d)
      if (!sliced[d] && res[d] != in[d])
        return s.emitError() << "dimension " << d
                             << " is not sliced but its declared extent "
                             << res[d] << " differs from the input's " << in[d];
    SmallVector<int64_t, 6> lo, ext, strides;
    for (unsigned d = 0; d < rank; ++d) {
      lo.push_back(sliced[d] ? 0 : box.lo[d]);
      ext.push_back(sliced[d] ? in[d] : box.extent(d));
    }
    if (failed(stageBlock(s.getInput(), lo, ext, strides, "_in")))
      return failure();
    if (failed(stageWhole(s.getStarts(), "_starts")) ||
        failed(stageWhole(s.getEnds(), "_ends")) ||
        failed(stageWhole(s.getAxes(), "_axes")) ||
        failed(stageWhole(s.getSteps(), "_steps")))
      return failure();
    params.append("entries", i64(entries));
    params.append("sliced", arr(sliced));
    appendBlockGeometry(in, res, strides);
    return emitKernel("dynslice");
  }

  auto p = cast<dnn::DynamicPadOp>(op);
  auto in = shapeOf(p.getInput()), res = shapeOf(p.getOutput());
  // Any input element may land in the block: stage the whole input.
  SmallVector<int64_t, 6> lo(rank, 0), ext(in), strides;
  if (product(ext) == 0) {
    // An empty input pads to all `value`: nothing to stage but a dummy.
    operands.push_back(newBuffer(nodeId, opName(op) + "_in", 4, step, loc));
    use(operands.back().getDefiningOp<BufferOp>(), step);
    strides.assign(rank, 0);
  } else if (failed(stageBlock(p.getInput(), lo, ext, strides, "_in"))) {
    return failure();
  }
  if (failed(stageWhole(p.getPads(), "_pads")) ||
      failed(stageWhole(p.getValue(), "_value")))
    return failure();
  params.append("mode", builder.getStringAttr(p.getMode()));
  appendBlockGeometry(in, res, strides);
  return emitKernel("dynpad");
}
