//===- DistributeMove.cpp - Layers that only move data ---------------------===//
//
// Transpose, concat, slice, pad, broadcast (Expand) and gather with constant
// indices compute nothing: each output block is gathered straight into its
// buffer, every element arriving by a strided DMA from wherever it lives.
// Transposition is a permutation of strides, a slice a start and a step
// (negative for reversal), padding a fill plus the interior (and, for edge
// and reflect modes, replicated or reversed border runs), broadcasting a
// zero source stride.
//
//===----------------------------------------------------------------------===//
#include "Distributor.h"
#include "dojo/Dialect/DNN/IR/DNNOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace dojo;
using namespace dojo::d1;

// Distributor::isIdentityCast lives with the other cast rules in
// DistributeOps.cpp.

namespace {
/// Output dimensions in memory order (outermost first).
SmallVector<unsigned, 6> memoryOrder(const TensorBlock &out) {
  SmallVector<unsigned, 6> dims;
  for (unsigned d = 0; d < out.strides.size(); ++d)
    dims.push_back(d);
  llvm::stable_sort(dims, [&](unsigned x, unsigned y) {
    return out.strides[x] > out.strides[y];
  });
  return dims;
}

/// One run of output positions [lo, lo + extent) along a dimension, reading
/// input indices start, start + step, ...
struct Segment {
  int64_t lo, extent, start, step;
};

/// How a padded dimension's output range [lo, hi) reads its input (size n,
/// `before` padding elements in front): the interior, plus for edge and
/// reflect modes the border runs. Positions not covered read the fill value.
SmallVector<Segment, 3> padSegments(int64_t lo, int64_t hi, int64_t before,
                                    int64_t n, StringRef mode) {
  SmallVector<Segment, 3> segs;
  auto run = [&](int64_t a, int64_t b, auto indexOf, int64_t step) {
    a = std::max(a, lo);
    b = std::min(b, hi);
    if (a < b)
      segs.push_back({a, b - a, indexOf(a), step});
  };
  if (mode == "edge") {
    run(INT64_MIN / 2, before, [&](int64_t) { return int64_t(0); }, 0);
    run(before + n, INT64_MAX / 2, [&](int64_t) { return n - 1; }, 0);
  } else if (mode == "reflect") {
    run(INT64_MIN / 2, before, [&](int64_t o) { return before - o; }, -1);
    run(before + n, INT64_MAX / 2,
        [&](int64_t o) { return 2 * n + before - 2 - o; }, -1);
  }
  run(before, before + n, [&](int64_t o) { return o - before; }, 1);
  return segs;
}
} // namespace

FailureOr<TensorBlock> Distributor::lowerMove(Operation *op, const Box &box,
                                              int nodeId, int step) {
  TensorBlock out = makeOutputBlock(op, box, nodeId, step, /*channelsLast=*/true);
  auto outShape = shapeOf(op->getResult(0));
  unsigned rank = outShape.size();
  SmallVector<unsigned, 6> order = memoryOrder(out);
  Location loc = op->getLoc();
  auto identityView = [&](SmallVectorImpl<ViewDim> &view,
                          llvm::function_ref<ViewDim(unsigned)> dim) {
    for (unsigned d : order)
      view.push_back(dim(d));
  };

  LogicalResult result =
      llvm::TypeSwitch<Operation *, LogicalResult>(op)
          .Case<dnn::BroadcastOp>([&](auto b) {
            return gatherInto(b.getInput(),
                              broadcastView(shapeOf(b.getInput()), outShape, out),
                              out.buffer, 0, step, loc);
          })
          .Case<dnn::TransposeOp>([&](auto t) {
            SmallVector<ViewDim, 6> view;
            auto perm = t.getPerm();
            identityView(view, [&](unsigned d) {
              return ViewDim{int(perm[d]), box.lo[d], box.extent(d),
                             out.strides[d]};
            });
            return gatherInto(t.getInput(), view, out.buffer, 0, step, loc);
          })
          .Case<dnn::SliceOp>([&](auto s) {
            SmallVector<ViewDim, 6> view;
            auto starts = s.getStarts(), steps = s.getSteps();
            identityView(view, [&](unsigned d) {
              return ViewDim{int(d), starts[d] + box.lo[d] * steps[d],
                             box.extent(d), out.strides[d], steps[d]};
            });
            return gatherInto(s.getInput(), view, out.buffer, 0, step, loc);
          })
          .Case<dnn::ConcatOp>([&](auto c) -> LogicalResult {
            int64_t axis = c.getAxis(), offset = 0;
            for (Value in : c.getInputs()) {
              int64_t len = shapeOf(in)[axis];
              int64_t lo = std::max(box.lo[axis], offset);
              int64_t hi = std::min(box.hi[axis], offset + len);
              if (lo < hi) {
                SmallVector<ViewDim, 6> view;
                identityView(view, [&](unsigned d) {
                  return d == unsigned(axis)
                             ? ViewDim{int(d), lo - offset, hi - lo, out.strides[d]}
                             : ViewDim{int(d), box.lo[d], box.extent(d),
                                       out.strides[d]};
                });
                if (failed(gatherInto(in, view, out.buffer,
                                      (lo - box.lo[axis]) * out.strides[axis],
                                      step, loc)))
                  return failure();
              }
              offset += len;
            }
            return success();
          })
          .Case<dnn::PadOp>([&](auto p) -> LogicalResult {
            auto inShape = shapeOf(p.getInput());
            auto pads = p.getPads();
            StringRef mode = p.getMode();
            // Per dimension, the runs of this block that read the input.
            SmallVector<SmallVector<Segment, 3>, 6> segs;
            bool covered = true;
            for (unsigned d = 0; d < rank; ++d) {
              segs.push_back(padSegments(box.lo[d], box.hi[d], pads[d],
                                         inShape[d], mode));
              int64_t n = 0;
              for (auto &s : segs.back())
                n += s.extent;
              covered &= n == box.extent(d);
            }
            if (!covered) {
              // The fill happens before the step's barrier, while the
              // previous step's transfers may still read their sources.
              if (step > 0)
                out.buffer.setFirst(step - 1);
              FillOp::create(builder, loc, out.buffer,
                             builder.getF32FloatAttr(
                                 p.getValue().convertToFloat()),
                             DenseI64ArrayAttr());
            }
            // Every combination of one run per dimension is one gather.
            SmallVector<unsigned, 6> pick(rank, 0);
            for (auto &s : segs)
              if (s.empty())
                return success();
            while (true) {
              SmallVector<ViewDim, 6> view;
              int64_t base = 0;
              for (unsigned d : order) {
                const Segment &s = segs[d][pick[d]];
                view.push_back({int(d), s.start, s.extent, out.strides[d], s.step});
                base += (s.lo - box.lo[d]) * out.strides[d];
              }
              if (failed(gatherInto(p.getInput(), view, out.buffer, base, step,
                                    loc)))
                return failure();
              int d = int(rank) - 1;
              while (d >= 0 && ++pick[d] == segs[d].size())
                pick[d--] = 0;
              if (d < 0)
                break;
            }
            return success();
          })
          .Case<dnn::GatherOp>([&](auto g) -> LogicalResult {
            DenseElementsAttr indices;
            if (auto c = g.getIndices().template getDefiningOp<arith::ConstantOp>())
              indices = dyn_cast<DenseElementsAttr>(c.getValue());
            if (!indices)
              return g.emitError("Gather indices must be constant to map "
                                 "the gather onto the mesh");
            SmallVector<int64_t> idx;
            for (APInt v : indices.getValues<APInt>())
              idx.push_back(v.getSExtValue());
            auto data = shapeOf(g.getData());
            int64_t axis = g.getAxis();
            auto idxShape = shapeOf(g.getIndices());
            unsigned q = idxShape.size();
            SmallVector<int64_t, 6> idxStrides = rowMajorStrides(idxShape);
            // Walk every position of the block's index dimensions; runs of
            // consecutive indices along the last one become one transfer.
            SmallVector<int64_t, 6> pos(q, 0);
            for (unsigned j = 0; j < q; ++j)
              pos[j] = box.lo[axis + j];
            auto indexAt = [&](ArrayRef<int64_t> p) {
              int64_t flat = 0;
              for (unsigned j = 0; j < q; ++j)
                flat += p[j] * idxStrides[j];
              int64_t v = idx[flat];
              return v < 0 ? v + data[axis] : v;
            };
            while (true) {
              int64_t runLen = 1;
              SmallVector<int64_t, 6> p(pos.begin(), pos.end());
              int64_t first = indexAt(p);
              if (q > 0) {
                unsigned last = axis + q - 1;
                while (p.back() + 1 < box.hi[last]) {
                  ++p.back();
                  if (indexAt(p) != first + runLen)
                    break;
                  ++runLen;
                }
              }
              SmallVector<ViewDim, 6> view;
              int64_t base = 0;
              for (unsigned j = 0; j < q; ++j)
                base += (pos[j] - box.lo[axis + j]) * out.strides[axis + j];
              for (unsigned d : order) {
                if (d < unsigned(axis))
                  view.push_back({int(d), box.lo[d], box.extent(d), out.strides[d]});
                else if (d >= unsigned(axis + q))
                  view.push_back({int(d - q + 1), box.lo[d], box.extent(d),
                                  out.strides[d]});
                else if (q > 0 && d == unsigned(axis + q - 1))
                  view.push_back({int(axis), first, runLen, out.strides[d]});
              }
              if (q == 0)
                view.push_back({int(axis), first, 1, 4});
              if (failed(gatherInto(g.getData(), view, out.buffer, base, step, loc)))
                return failure();
              // Next run: advance the last index dim past the run, carry.
              if (q == 0)
                break;
              pos.back() += runLen;
              int j = int(q) - 1;
              while (j >= 0 && pos[j] >= box.hi[axis + j]) {
                pos[j] = box.lo[axis + j];
                if (--j >= 0)
                  ++pos[j];
              }
              if (j < 0)
                break;
            }
            return success();
          })
          .Default([&](Operation *) {
            return op->emitError("no data-movement lowering for this op");
          });
  if (failed(result))
    return failure();
  return out;
}
