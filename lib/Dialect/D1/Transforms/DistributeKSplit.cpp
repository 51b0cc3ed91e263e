//===- DistributeKSplit.cpp - Convolutions split over input channels ------===//
//
// Deep layers of video networks have few output positions and many weights
// (r3d_18's layer4 has 49 positions and 7 M weights per convolution). Split
// only over output channels and positions, their weights either pile onto a
// few nodes or are replicated until they no longer fit the SRAM. d1-tile can
// therefore also split the reduction over input channels (`d1.ksplit`): each
// output block becomes that many partial sums, computed in the same step on
// consecutive nodes of the snake order (neighbours on the mesh), each with
// its own slice of the weights resident. The next step is a reduce-scatter:
// every part's node gathers its share of the other partial sums over the
// NoC and adds them into its buffer on the vector unit; the bias rides on
// the first part and the fused activation on the last addition.
//
//===----------------------------------------------------------------------===//
#include "Distributor.h"
#include "dojo/Dialect/DNN/IR/DNNOps.h"

using namespace mlir;
using namespace dojo;
using namespace dojo::d1;

LogicalResult Distributor::lowerConvKSplit(Operation *op, ArrayRef<Box> blocks,
                                           int64_t parts) {
  auto conv = dyn_cast<dnn::ConvOp>(op);
  if (!conv || conv.getGroup() != 1)
    return op->emitError("d1.ksplit applies only to ungrouped convolutions");
  int64_t cin = shapeOf(conv.getWeight())[1];
  if (parts > cin)
    return op->emitError() << "d1.ksplit " << parts << " exceeds the "
                           << cin << " input channels";
  size_t n = order.size();
  // Part j of every block reads input channels [bounds[j], bounds[j + 1]).
  SmallVector<int64_t, 16> bounds;
  for (int64_t j = 0; j <= parts; ++j)
    bounds.push_back(j * cin / parts);
  // partials[j] holds part j of every block, like a tensor of its own.
  std::vector<DistTensor> partials(parts);
  size_t pieces = blocks.size() * parts;
  FailureOr<std::vector<int>> where = pieceNodes(op, pieces);
  if (failed(where))
    return failure();
  for (size_t round = 0; round * n < pieces; ++round) {
    StepOp step = newStep(op->getLoc());
    builder.setInsertionPointToEnd(&step.getBody().front());
    for (size_t i = round * n; i < std::min(pieces, (round + 1) * n); ++i) {
      size_t b = i / parts;
      int64_t j = int64_t(i % parts);
      int nodeId = (*where)[i];
      ConvPart part{bounds[j], bounds[j + 1], /*bias=*/j == 0, /*act=*/false};
      FailureOr<TensorBlock> block =
          lowerConv(op, blocks[b], nodeId, int(step.getIndex()), part);
      if (failed(block))
        return failure();
      partials[j].blocks.push_back(*block);
    }
  }

  // The reduction step, as a reduce-scatter: each block is cut along its
  // outermost (in memory) non-unit dimension into one share per part, and
  // the node of part j pulls share j of every other part and adds it into
  // its own partial sum. The shares are contiguous, the sums run on every
  // part's node at once, and the layer's output blocks are the shares.
  StepOp step = newStep(op->getLoc());
  int stepIndex = int(step.getIndex());
  builder.setInsertionPointToEnd(&step.getBody().front());
  StringRef act = conv.getAct();
  DistTensor &out = dist[op->getResult(0)];
  out.shape.assign(shapeOf(op->getResult(0)).begin(),
                   shapeOf(op->getResult(0)).end());
  for (size_t b = 0; b < blocks.size(); ++b) {
    const TensorBlock &first = partials[0].blocks[b];
    SmallVector<unsigned, 6> dims;
    for (unsigned d = 0; d < first.box.lo.size(); ++d)
      dims.push_back(d);
    llvm::stable_sort(dims, [&](unsigned x, unsigned y) {
      return first.strides[x] > first.strides[y];
    });
    unsigned cut = dims.back();
    for (unsigned d : dims)
      if (first.box.extent(d) > 1) {
        cut = d;
        break;
      }
    int64_t extent = first.box.extent(cut);
    int64_t shares = std::min<int64_t>(parts, extent);
    for (int64_t j = 0; j < shares; ++j) {
      TensorBlock acc = partials[j].blocks[b];
      acc.box.lo[cut] = first.box.lo[cut] + j * extent / shares;
      acc.box.hi[cut] = first.box.lo[cut] + (j + 1) * extent / shares;
      int64_t offset = (acc.box.lo[cut] - first.box.lo[cut]) * acc.strides[cut];
      acc.base += offset;
      int nodeId = nodeOf(acc.buffer);
      int64_t count = acc.box.numElements();
      use(acc.buffer, stepIndex);
      // Stage each other part's share with the accumulator's layout.
      SmallVector<ViewDim, 6> view;
      for (unsigned d : dims)
        view.push_back({int(d), acc.box.lo[d], acc.box.extent(d),
                        acc.strides[d]});
      SmallVector<int64_t, 16> others;
      for (int64_t i = 0; i < parts; ++i)
        if (i != j)
          others.push_back(i);
      for (auto [n, i] : llvm::enumerate(others)) {
        BufferOp staged = newBuffer(nodeId, opName(op) + "_part", count * 4,
                                    stepIndex, op->getLoc());
        use(staged, stepIndex);
        if (failed(gatherFrom(partials[i], view, staged, 0, stepIndex,
                              op->getLoc())))
          return failure();
        NamedAttrList params;
        params.append("count", builder.getI64IntegerAttr(count));
        params.append("op", builder.getStringAttr("add"));
        params.append("act", builder.getStringAttr(
                                 n + 1 == others.size() ? act : "none"));
        params.append("alpha", builder.getF32FloatAttr(0.0f));
        params.append("beta", builder.getF32FloatAttr(0.0f));
        params.append("offsets", builder.getDenseI64ArrayAttr(
                                     {acc.base, 0, acc.base}));
        SmallVector<Value, 3> operands = {acc.buffer, staged, acc.buffer};
        KernelOp::create(builder, op->getLoc(),
                         builder.getStringAttr("eltwise"), operands,
                         params.getDictionary(builder.getContext()));
      }
      acc.step = stepIndex;
      out.blocks.push_back(acc);
    }
  }
  return success();
}
