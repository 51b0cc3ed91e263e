//===- DistributeResizeDynamic.cpp - Resize with run-time scales or roi ---===//
//
// dnn.dynamic_resize: the output shape is the declared one, but which input
// points each output coordinate reads, and with what weights, depends on
// scales (or a crop's roi) known only when the model runs. Each output
// block stages on its node the whole input extent of every resized
// dimension (the block's range of the others), the scales and roi, and the
// block's output coordinates per spatial dimension (a constant); the
// "dynresize" kernel (KernelResizeDynamic.cpp) computes per dimension the
// tap indices and weights with the vector unit, exactly by the formulas of
// the compile-time path (DistributeResize.cpp), into a scratch table, then
// reads the taps at the addresses the table gives and blends whole channel
// vectors. Input and output blocks are channels-last, as for "lerp".
//
//===----------------------------------------------------------------------===//
#include "Distributor.h"
#include "dojo/Dialect/DNN/IR/DNNOps.h"

using namespace mlir;
using namespace dojo;
using namespace dojo::d1;

FailureOr<TensorBlock> Distributor::lowerDynamicResize(Operation *op,
                                                       const Box &box,
                                                       int nodeId, int step) {
  auto resize = cast<dnn::DynamicResizeOp>(op);
  Location loc = op->getLoc();
  auto in = shapeOf(resize.getInput()), outShape = shapeOf(resize.getOutput());
  unsigned rank = in.size();
  // The kernel keeps a loop and a tap level per spatial dimension.
  if (rank < 3 || rank > unsigned(isa::kMaxDmaRank))
    return op->emitError() << "a Resize with run-time scales or roi needs an "
                              "N x C x ... input of rank 3 to "
                           << isa::kMaxDmaRank;
  ArrayRef<int64_t> axes = resize.getAxes();
  SmallVector<int64_t, 6> entry(rank, -1);
  for (auto [k, a] : llvm::enumerate(axes))
    entry[a] = int64_t(k);
  for (unsigned d = 0; d < 2; ++d)
    if (in[d] != outShape[d])
      return op->emitError() << "run-time scales or roi can resize only "
                                "spatial dimensions (2 and up)";
  StringRef mode = resize.getMode();
  int64_t taps = mode == "cubic" ? 4 : mode == "linear" ? 2 : 1;
  // Memory order of the staged input and the output: N, spatial..., C.
  SmallVector<unsigned, 6> order = {0};
  for (unsigned d = 2; d < rank; ++d)
    order.push_back(d);
  order.push_back(1);
  TensorBlock out = makeOutputBlock(op, box, nodeId, step, order);
  // Staged input: every resized dimension whole, the others the block's.
  SmallVector<int64_t, 6> lo(rank), ext(rank), strides(rank);
  for (unsigned d = 0; d < rank; ++d) {
    bool whole = d >= 2 && entry[d] >= 0;
    lo[d] = whole ? 0 : box.lo[d];
    ext[d] = whole ? in[d] : box.extent(d);
  }
  int64_t stride = 4;
  for (int i = int(rank) - 1; i >= 0; --i) {
    strides[order[i]] = stride;
    stride *= ext[order[i]];
  }
  SmallVector<ViewDim, 6> view;
  for (unsigned d : order)
    view.push_back({int(d), lo[d], ext[d], strides[d]});
  FailureOr<BufferOp> staged =
      stage(resize.getInput(), view, 0, stride, nodeId, step, std::nullopt,
            loc, opName(op) + "_in");
  if (failed(staged))
    return failure();
  SmallVector<Value, 6> operands = {*staged};
  for (auto [v, role] : {std::pair{resize.getScales(), "_scales"},
                         {resize.getRoi(), "_roi"}}) {
    int64_t n = shapeOf(v)[0];
    FailureOr<BufferOp> b = stage(v, {ViewDim{0, 0, n, 4}}, 0, 4 * n, nodeId,
                                  step, std::nullopt, loc,
                                  opName(op) + role);
    if (failed(b))
      return failure();
    operands.push_back(*b);
  }
  // Per spatial dimension: its output coordinates (constant) and its table
  // (tap offsets, then tap weights, then the inside-the-crop flag, each a
  // row of the block's positions), after a 4-byte slot for the kernel's
  // checks.
  std::vector<float> coords;
  SmallVector<int64_t, 4> posOff, tabOff, tapsOf, resized, entries;
  int64_t tabBytes = 4;
  for (unsigned d = 2; d < rank; ++d) {
    posOff.push_back(int64_t(coords.size()) * 4);
    for (int64_t o = box.lo[d]; o < box.hi[d]; ++o)
      coords.push_back(float(o));
    bool r = entry[d] >= 0;
    resized.push_back(r);
    tapsOf.push_back(r ? taps : 1);
    entries.push_back(entry[d]);
    tabOff.push_back(tabBytes);
    tabBytes += 4 * box.extent(d) * (2 * tapsOf.back() + 1);
  }
  auto type = RankedTensorType::get({int64_t(coords.size())},
                                    builder.getF32Type());
  BufferOp pos = newBuffer(nodeId, opName(op) + "_pos", 4 * int64_t(coords.size()),
                           0, loc,
                           DenseElementsAttr::get(type, ArrayRef<float>(coords)));
  use(pos, step);
  BufferOp table = newBuffer(nodeId, opName(op) + "_tab", tabBytes, step, loc);
  use(table, step);
  operands.push_back(pos);
  operands.push_back(table);
  operands.push_back(out.buffer);
  auto i64 = [&](int64_t x) { return builder.getI64IntegerAttr(x); };
  auto arr = [&](ArrayRef<int64_t> x) { return builder.getDenseI64ArrayAttr(x); };
  SmallVector<int64_t, 4> inLen, outLen, lows, counts, inStrides;
  for (unsigned d = 2; d < rank; ++d) {
    inLen.push_back(in[d]);
    outLen.push_back(outShape[d]);
    lows.push_back(box.lo[d]);
    counts.push_back(box.extent(d));
    inStrides.push_back(strides[d]);
  }
  NamedAttrList params;
  params.append("mode", resize.getModeAttr());
  params.append("transform", resize.getCoordinateTransformationModeAttr());
  params.append("nearest", resize.getNearestModeAttr());
  params.append("cubic_coeff_a", resize.getCubicCoeffAAttr());
  params.append("exclude_outside", resize.getExcludeOutsideAttr());
  params.append("extrapolation", resize.getExtrapolationValueAttr());
  params.append("axes_count", i64(int64_t(axes.size())));
  params.append("n", i64(box.extent(0)));
  params.append("c", i64(box.extent(1)));
  params.append("in_n_stride", i64(strides[0]));
  params.append("nc_entries", arr({entry[0], entry[1]}));
  params.append("nc_dims", arr({in[0], in[1]}));
  params.append("in", arr(inLen));
  params.append("out", arr(outLen));
  params.append("lo", arr(lows));
  params.append("count", arr(counts));
  params.append("in_strides", arr(inStrides));
  params.append("taps", arr(tapsOf));
  params.append("resized", arr(resized));
  params.append("entries", arr(entries));
  params.append("pos_offsets", arr(posOff));
  params.append("tab_offsets", arr(tabOff));
  KernelOp::create(builder, loc, builder.getStringAttr("dynresize"), operands,
                   params.getDictionary(builder.getContext()));
  return out;
}
