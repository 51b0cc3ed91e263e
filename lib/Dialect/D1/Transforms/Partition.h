//===- Partition.h - How a layer's output is cut into blocks --------------===//
//
// Shared by d1-tile (which chooses the split) and d1-distribute (which
// materializes it). A layer's output is cut along each dimension into
// chunks whose size is a multiple of that dimension's unit (8 output
// channels for the matrix unit's tile, whole groups for grouped convolution,
// ...), giving a grid of boxes.
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_LIB_DIALECT_D1_TRANSFORMS_PARTITION_H
#define DOJO_LIB_DIALECT_D1_TRANSFORMS_PARTITION_H

#include "mlir/IR/Operation.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace dojo::d1 {

/// A half-open box [lo, hi) in a tensor's index space.
struct Box {
  llvm::SmallVector<int64_t, 6> lo, hi;
  int64_t extent(unsigned d) const { return hi[d] - lo[d]; }
  int64_t numElements() const {
    int64_t n = 1;
    for (unsigned d = 0; d < lo.size(); ++d)
      n *= extent(d);
    return n;
  }
  bool empty() const {
    for (unsigned d = 0; d < lo.size(); ++d)
      if (hi[d] <= lo[d])
        return true;
    return false;
  }
  static Box full(llvm::ArrayRef<int64_t> shape);
};

/// Intersection of two boxes of the same rank (possibly empty).
Box intersect(const Box &a, const Box &b);

/// Static facts about a dnn compute op needed to split it.
struct OpGeometry {
  llvm::SmallVector<int64_t, 6> outShape;
  /// Split granularity per output dimension.
  llvm::SmallVector<int64_t, 6> units;
  /// Dimensions that may not be split (e.g. all but the first of a reshape).
  llvm::SmallVector<bool, 6> splittable;
  /// Multiply-accumulates (or elements for non-matrix ops) of the whole op.
  int64_t work = 0;
};

/// Geometry of a dnn op, or std::nullopt if it is not a dnn compute op.
std::optional<OpGeometry> getOpGeometry(mlir::Operation *op);

/// Bytes one block's working set needs (staged inputs, weights, output).
int64_t blockWorkingSet(mlir::Operation *op, const Box &block);

/// The number of non-empty chunks `split` requested chunks really give.
int64_t effectiveChunks(int64_t extent, int64_t unit, int64_t split);

/// All blocks of a split. For rank >= 3 the channel dimension (1) varies
/// fastest, then the others from the innermost out; otherwise outermost
/// dimension slowest.
std::vector<Box> enumerateBlocks(llvm::ArrayRef<int64_t> shape,
                                 llvm::ArrayRef<int64_t> units,
                                 llvm::ArrayRef<int64_t> split);

/// Where a layer of `pieces` pieces starts in the snake order of `nodes`
/// nodes, advancing `next` (shared by d1-tile and d1-distribute, which must
/// agree). Layers that fill at least half the mesh start at its beginning,
/// so consecutive large layers with the same blocking keep each block's
/// data on the same nodes and their transfers short; smaller layers start
/// where the previous small one stopped, so their resident weights and
/// work spread over the whole mesh instead of piling onto the first nodes.
inline size_t layerStart(size_t &next, size_t pieces, size_t nodes) {
  if (2 * pieces >= nodes)
    return 0;
  size_t start = next;
  next = (next + pieces) % nodes;
  return start;
}

/// The input range [first, second) that output positions [lo, hi) of a
/// sliding window (convolution, pooling) read along one dimension of
/// `extent` input positions, clipped to it.
std::pair<int64_t, int64_t> windowRange(int64_t lo, int64_t hi,
                                        int64_t stride, int64_t pad,
                                        int64_t kernel, int64_t dilation,
                                        int64_t extent);

/// The box of operand `operand` that computing output block `block` of `op`
/// reads, clipped to the operand's shape; std::nullopt when the op's reads
/// are not a box of that operand this function models (it covers
/// convolutions, pooling and elementwise ops, with broadcasting).
std::optional<Box> inputWindow(mlir::Operation *op, unsigned operand,
                               const Box &block);

/// The node of every piece of a layer (DenseI64ArrayAttr of node ids, one
/// per block, or per block and input-channel part in that order with
/// d1.ksplit), chosen by d1-tile. Without it d1-distribute puts piece i on
/// the node at layerStart + i of the placement order.
inline constexpr llvm::StringLiteral kPlaceAttrName = "d1.place";

/// The attribute holding a chosen split (DenseI64ArrayAttr).
inline constexpr llvm::StringLiteral kSplitAttrName = "d1.split";

/// The number of parts d1-tile split a convolution's reduction over input
/// channels into (IntegerAttr, absent or 1: not split). Each output block
/// is then computed as that many partial sums on neighbouring nodes.
inline constexpr llvm::StringLiteral kKSplitAttrName = "d1.ksplit";

/// ONNX data type code of the elements a d1.dma or d1.hbm_load writes
/// (IntegerAttr; absent: FLOAT). BF16 staging buffers of matrix-unit
/// operands are written as 16 (BFLOAT16), converted by the DMA engine.
inline constexpr llvm::StringLiteral kDstTypeAttrName = "d1.dst_type";

/// Unit attribute on an arith.constant that d1-tile decided to keep in HBM
/// and stream to the nodes, instead of keeping it resident in SRAM.
inline constexpr llvm::StringLiteral kStreamAttrName = "d1.stream";

/// Static shape of a ranked tensor value.
llvm::ArrayRef<int64_t> shapeOf(mlir::Value v);
/// Product of the entries (element count of a shape).
int64_t product(llvm::ArrayRef<int64_t> v);

/// Left-pads a per-spatial-dimension list to three entries with `fill`, so
/// 1-D and 2-D kernels reuse the 3-D code.
llvm::SmallVector<int64_t, 3> padTo3(llvm::ArrayRef<int64_t> v, int64_t fill);

/// Unit attribute on a d1.hbm_store the node must see complete before its
/// step ends (spills, model outputs), so its source bytes can be reused.
inline constexpr llvm::StringLiteral kAwaitAttrName = "await";

/// Row-major strides (in elements) of `shape`.
llvm::SmallVector<int64_t, 6> rowMajorStrides(llvm::ArrayRef<int64_t> shape);

} // namespace dojo::d1

#endif
