//===- Distributor.h - State of the dnn -> d1 lowering --------------------===//
//
// A tensor mapped onto the mesh is a set of blocks: boxes of its index space,
// each stored in one node's SRAM buffer (or in HBM) with its own byte
// strides. A layer block gathers the regions of its operands it needs into
// staging buffers on its node: every intersection of that region with an
// operand block becomes one strided transfer. Broadcasting is a zero source
// stride; transposition and layout changes are just other strides.
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_LIB_DIALECT_D1_TRANSFORMS_DISTRIBUTOR_H
#define DOJO_LIB_DIALECT_D1_TRANSFORMS_DISTRIBUTOR_H

#include "Partition.h"
#include "dojo/Dialect/D1/IR/D1Dialect.h"
#include "dojo/Target/ISA.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/DenseMap.h"

#include <map>

namespace dojo::d1 {

struct TensorBlock {
  Box box;
  mutable BufferOp buffer; ///< SRAM home, or null when the block lives in HBM
  mutable HbmTensorOp hbm; ///< HBM home (model inputs)
  int64_t base = 0; ///< byte offset of box.lo inside its home
  llvm::SmallVector<int64_t, 6> strides; ///< bytes per tensor dimension
  int step = 0;     ///< step that produced it
};

struct DistTensor {
  llvm::SmallVector<int64_t, 6> shape;
  std::vector<TensorBlock> blocks;
};

/// One dimension of a gather, in destination order. `opDim` is the operand
/// dimension it walks (`extent` elements at indices lo, lo + step, ...), or
/// -1 to replicate the same data `extent` times (broadcast). Operand
/// dimensions that no view dimension walks are read at index 0 (they have
/// size 1).
struct ViewDim {
  int opDim;
  int64_t lo;
  int64_t extent;
  int64_t dstStride; ///< bytes
  int64_t step = 1;  ///< may be negative (reversal) but not zero
};

/// The part of a convolution one block computes: input channels
/// [cinLo, cinHi) (all when cinHi < 0), and whether the bias and the fused
/// activation apply (only to the whole sum when the channels are split).
struct ConvPart {
  int64_t cinLo = 0, cinHi = -1;
  bool bias = true, act = true;
};

/// How a convolution block is cut into sub-blocks along one output spatial
/// dimension, each in a phase of its own (kPhaseAttrName): sub-block c
/// computes output positions [bounds[c], bounds[c + 1]) of spatial
/// dimension `dim` and is the first to read window rows [rows[c],
/// rows[c + 1]) along it, which arrive in its phase.
struct ConvPhases {
  int dim = -1; ///< spatial dimension (0 = outermost), -1: not split
  llvm::SmallVector<int64_t, 5> bounds, rows;
  size_t count() const { return dim < 0 ? 1 : bounds.size() - 1; }
};

class Distributor {
public:
  Distributor(mlir::ModuleOp module, const TargetModel &target);

  void setBF16Weights(bool on) { bf16Weights = on; }

  /// Lowers `func` into a d1.device appended to the module.
  mlir::LogicalResult run(mlir::Operation *func);

private:
  // ---- construction helpers ----------------------------------------------
  mlir::Value node(int id);
  BufferOp newBuffer(int node, llvm::StringRef role, int64_t bytes, int first,
                     mlir::Location loc, mlir::ElementsAttr init = {});
  StepOp newStep(mlir::Location loc);
  void use(BufferOp buffer, int step);
  std::string opName(mlir::Operation *op);

  // ---- data movement -------------------------------------------------------
  /// Stages `operand` viewed through `view` into a fresh buffer of `bytes` on
  /// `node` for step `step`: constants become initialized buffers (shared
  /// between blocks that need the same data), other values transfers.
  /// `fill` sets the buffer to that value first (padding).
  mlir::FailureOr<BufferOp> stage(mlir::Value operand,
                                  llvm::ArrayRef<ViewDim> view, int64_t dstBase,
                                  int64_t bytes, int node, int step,
                                  std::optional<float> fill, mlir::Location loc,
                                  llvm::StringRef role,
                                  llvm::ArrayRef<int64_t> fillRegions = {},
                                  int64_t dstType = 1);
  /// Emits the transfers copying `operand` (through `view`) into `dst`,
  /// whose elements are of ONNX type `dstType` (the DMA engine converts;
  /// 16 stages a BF16 matrix operand, see kDstTypeAttrName).
  mlir::LogicalResult gatherInto(mlir::Value operand,
                                 llvm::ArrayRef<ViewDim> view, BufferOp dst,
                                 int64_t dstBase, int step, mlir::Location loc,
                                 int64_t dstType = 1);
  /// Bakes a constant's view into initial data.
  mlir::ElementsAttr bakeConstant(mlir::DenseElementsAttr data,
                                  llvm::ArrayRef<ViewDim> view,
                                  int64_t dstBase, int64_t bytes);

  // ---- layers --------------------------------------------------------------
  HbmTensorOp newHbmTensor(llvm::StringRef kind, unsigned index,
                           llvm::StringRef name, llvm::ArrayRef<int64_t> shape,
                           mlir::Location loc, mlir::ElementsAttr init = {},
                           int64_t dtype = 1);
  /// Maps a constant marked for streaming to an HBM-resident tensor (once).
  /// Returns false if `value` is not such a constant.
  bool mapStreamedConstant(mlir::Value value);
  /// Gives a constant a home as a distributed tensor (SRAM of `node` when
  /// small, HBM otherwise), so data-movement ops can gather from it.
  mlir::LogicalResult mapConstant(mlir::Value value, int node);
  int nodeOf(BufferOp buffer);
  /// Copies a model input or constant into SRAM blocks (a step of its own),
  /// so it can be stored as a model output.
  mlir::LogicalResult copyToMesh(mlir::Value value, mlir::Location loc);

  mlir::LogicalResult lowerLayer(mlir::Operation *op);
  mlir::LogicalResult lowerReshapeView(mlir::Operation *op);
  /// Lowers one block of `op` on `node` in `step`; returns the output block.
  mlir::FailureOr<TensorBlock> lowerBlock(mlir::Operation *op, const Box &box,
                                    int node, int step);
  mlir::FailureOr<TensorBlock> lowerConv(mlir::Operation *op, const Box &box,
                                   int node, int step,
                                   const ConvPart &part = {});
  /// Chooses the sub-blocks of a convolution block whose input window
  /// (`view`, extents `win`) is gathered from the mesh and which does `macs`
  /// multiply-accumulates: as many as repay their overhead by the transfer
  /// time they hide (DistributeConvPhases.cpp).
  ConvPhases planConvPhases(mlir::Value input, llvm::ArrayRef<ViewDim> view,
                            llvm::ArrayRef<int64_t> outExt,
                            llvm::ArrayRef<int64_t> win,
                            llvm::ArrayRef<int64_t> strides,
                            llvm::ArrayRef<int64_t> kernel,
                            llvm::ArrayRef<int64_t> dilations, int64_t macs,
                            int64_t inBytes);
  /// stage() for a convolution's input window cut by `phases`: the rows of
  /// each phase are gathered separately and their transfers tagged with the
  /// phase. `firstRow` is the window row of the split dimension's first view
  /// position and `rowStep` the rows between view positions (the input
  /// dilation of a transposed convolution).
  mlir::FailureOr<BufferOp>
  stagePhased(const ConvPhases &phases, int64_t firstRow, int64_t rowStep,
              mlir::Value operand, llvm::ArrayRef<ViewDim> view,
              int64_t dstBase, int64_t bytes, int node,
              int step, std::optional<float> fill, mlir::Location loc,
              llvm::StringRef role, llvm::ArrayRef<int64_t> fillRegions,
              int64_t dstType);
  /// A convolution whose reduction over input channels d1-tile split into
  /// `parts` groups (d1.ksplit): partial sums on neighbouring nodes, then a
  /// step that adds them on the node holding the first part.
  mlir::LogicalResult lowerConvKSplit(mlir::Operation *op,
                                      llvm::ArrayRef<Box> blocks,
                                      int64_t parts);
  /// Emits the transfers copying `src` (through `view`) into `dst`.
  mlir::LogicalResult gatherFrom(const DistTensor &src,
                                 llvm::ArrayRef<ViewDim> view, BufferOp dst,
                                 int64_t dstBase, int step, mlir::Location loc,
                                 int64_t dstType = 1);
  mlir::FailureOr<TensorBlock> lowerMatmul(mlir::Operation *op, const Box &box,
                                     int node, int step);
  mlir::FailureOr<TensorBlock> lowerEltwise(mlir::Operation *op, const Box &box,
                                      int node, int step);
  mlir::FailureOr<TensorBlock> lowerAvgPool(mlir::Operation *op, const Box &box,
                                      int node, int step);
  /// Data movement only (transpose, concat, slice, pad, broadcast, gather):
  /// the block is gathered straight into its output buffer.
  mlir::FailureOr<TensorBlock> lowerMove(mlir::Operation *op, const Box &box,
                                         int node, int step);
  mlir::FailureOr<TensorBlock> lowerResize(mlir::Operation *op, const Box &box,
                                           int node, int step);
  /// Gather with run-time indices, dynamic_slice and dynamic_pad: stage what
  /// the block may read plus the index tensors, and a kernel that reads the
  /// indices at run time (DistributeDynamic.cpp).
  mlir::FailureOr<TensorBlock> lowerDynamic(mlir::Operation *op,
                                            const Box &box, int node,
                                            int step);
  /// dnn.dynamic_resize: taps computed on the node from run-time scales or
  /// roi (DistributeResizeDynamic.cpp).
  mlir::FailureOr<TensorBlock> lowerDynamicResize(mlir::Operation *op,
                                                  const Box &box, int node,
                                                  int step);
  /// True for the ops lowerDynamic handles.
  static bool isDynamicMove(mlir::Operation *op);
  mlir::FailureOr<TensorBlock> lowerPool(mlir::Operation *op, const Box &box,
                                         int node, int step);
  /// Reduce, softmax and layer norm: whole rows of the reduced dimensions.
  mlir::FailureOr<TensorBlock> lowerRows(mlir::Operation *op, const Box &box,
                                         int node, int step);
  /// The view of operand `shape` broadcast to the output block `out`, in the
  /// output's memory order.
  llvm::SmallVector<ViewDim, 6> broadcastView(llvm::ArrayRef<int64_t> shape,
                                              llvm::ArrayRef<int64_t> outShape,
                                              const TensorBlock &out);
  /// A cast that leaves FP32 values unchanged (float to float, integer or
  /// bool to float or wider integer).
  static bool isIdentityCast(mlir::Operation *op);
  mlir::FailureOr<TensorBlock> lowerReshapeCopy(mlir::Operation *op, const Box &box,
                                          int node, int step);
  /// Creates the block's output buffer with channels-last (rank >= 3) or
  /// row-major layout, returning the block with its strides.
  TensorBlock makeOutputBlock(mlir::Operation *op, const Box &box, int node,
                        int step, bool channelsLast);
  /// The same with an explicit memory order (outermost dimension first).
  TensorBlock makeOutputBlock(mlir::Operation *op, const Box &box, int node,
                              int step, llvm::ArrayRef<unsigned> order);

  /// The node of each of the `pieces` pieces of `op` (block-major, then
  /// input-channel part): its d1.place when d1-tile chose one, else the
  /// run of the placement order from layerStart. Fails with a diagnostic
  /// on a malformed d1.place.
  mlir::FailureOr<std::vector<int>> pieceNodes(mlir::Operation *op,
                                               size_t pieces);

  mlir::ModuleOp module;
  TargetModel target;
  mlir::OpBuilder builder;
  DeviceOp device;
  std::vector<int> order; ///< enabled nodes, generalized Hilbert order
  llvm::DenseMap<int, mlir::Value> nodes;
  llvm::DenseMap<mlir::Value, DistTensor> dist;
  std::vector<StepOp> steps;
  std::map<std::string, BufferOp> constantCache;
  llvm::DenseMap<mlir::Operation *, int> symbolCounter;
  int64_t hbmTop = 0;
  int bufferCount = 0;
  size_t firstNode = 0; ///< where the next layer's first block goes
  /// Resident convolution weights are stored as BF16 (module d1.dtype).
  bool bf16Weights = false;
  unsigned streamedCount = 0;
};

/// Round-to-nearest-even FP32 -> BF16 bits (NaN stays NaN).
uint16_t toBF16(float value);

/// The module attribute naming the matrix-unit data type ("f32" | "bf16").
inline constexpr llvm::StringLiteral kDTypeAttrName = "d1.dtype";

/// The phase of a transfer or kernel inside its step (a discardable integer
/// attribute; absent means 0). A node awaits the arrivals of phases <= p
/// before its kernels of phase p, and every node issues its transfers in
/// phase order, so a convolution's first sub-block starts as soon as its
/// rows have landed (see d1-codegen and lowerConv).
inline constexpr llvm::StringLiteral kPhaseAttrName = "d1.phase";

/// ONNX TensorProto data type of an MLIR element type (0 if unsupported),
/// and its size in bytes.
int64_t onnxDType(mlir::Type type);
int64_t onnxDTypeBytes(int64_t dtype);

/// Drops unit dimensions and merges contiguous ones of a strided copy.
void simplifyTransfer(llvm::SmallVectorImpl<int64_t> &shape,
                      llvm::SmallVectorImpl<int64_t> &src,
                      llvm::SmallVectorImpl<int64_t> &dst);

} // namespace dojo::d1

#endif
