//===- Distribute.cpp - Lower tiled dnn ops to per-node kernels -----------===//
//
// The pass driver and the data-movement half of the Distributor: buffers,
// steps, and the gather that turns "this block needs that region of that
// tensor" into strided transfers from every block holding part of it.
//
//===----------------------------------------------------------------------===//
#include "Distributor.h"

#include <cstring>
#include "dojo/Sim/DType.h"
#include "dojo/Dialect/D1/Transforms/Passes.h"
#include "dojo/Dialect/DNN/IR/DNNOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace dojo::d1 {
#define GEN_PASS_DEF_D1DISTRIBUTE
#include "dojo/Dialect/D1/Transforms/Passes.h.inc"
} // namespace dojo::d1

using namespace mlir;
using namespace dojo;
using namespace dojo::d1;

void dojo::d1::simplifyTransfer(SmallVectorImpl<int64_t> &shape,
                                SmallVectorImpl<int64_t> &src,
                                SmallVectorImpl<int64_t> &dst) {
  SmallVector<int64_t, 8> s, a, b;
  for (unsigned i = 0; i < shape.size(); ++i) {
    if (shape[i] == 1)
      continue;
    // Merge with the previous (outer) dimension when both sides are
    // contiguous across the boundary.
    if (!s.empty() && a.back() == src[i] * shape[i] &&
        b.back() == dst[i] * shape[i]) {
      s.back() *= shape[i];
      a.back() = src[i];
      b.back() = dst[i];
      continue;
    }
    s.push_back(shape[i]);
    a.push_back(src[i]);
    b.push_back(dst[i]);
  }
  if (s.empty()) {
    s.push_back(1);
    a.push_back(4);
    b.push_back(4);
  }
  shape.assign(s.begin(), s.end());
  src.assign(a.begin(), a.end());
  dst.assign(b.begin(), b.end());
}

Distributor::Distributor(ModuleOp module, const TargetModel &target)
    : module(module), target(target), builder(module.getContext()),
      order(target.enabledNodesCurve()) {}

FailureOr<std::vector<int>> Distributor::pieceNodes(Operation *op,
                                                   size_t pieces) {
  size_t n = order.size();
  // Advance the start even when d1.place decides: d1-tile did the same.
  size_t start = layerStart(firstNode, pieces, n);
  std::vector<int> out;
  auto place = op->getAttrOfType<DenseI64ArrayAttr>(kPlaceAttrName);
  if (!place) {
    for (size_t i = 0; i < pieces; ++i)
      out.push_back(order[(start + i) % n]);
    return out;
  }
  if (size_t(place.size()) != pieces)
    return op->emitError() << "d1.place has " << place.size()
                           << " entries for " << pieces << " pieces";
  for (int64_t id : place.asArrayRef()) {
    if (id < 0 || id >= target.numNodes() || !target.isEnabled(int(id)))
      return op->emitError() << "d1.place names node " << id
                             << ", which is not an enabled node";
    out.push_back(int(id));
  }
  return out;
}

Value Distributor::node(int id) {
  auto it = nodes.find(id);
  if (it != nodes.end())
    return it->second;
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(&device.getBodyBlock());
  // Keep node ops first and sorted by id so the IR reads like a floor plan.
  for (Operation &op : device.getBodyBlock()) {
    auto n = dyn_cast<NodeOp>(op);
    if (!n || target.nodeId({int(n.getRow()), int(n.getCol())}) > id)
      break;
    builder.setInsertionPointAfter(n);
  }
  Coord c = target.coord(id);
  Value v = NodeOp::create(builder, device.getLoc(),
                           NodeType::get(builder.getContext()), c.row, c.col);
  nodes[id] = v;
  return v;
}

std::string Distributor::opName(Operation *op) {
  std::string name = "v";
  if (auto loc = dyn_cast<NameLoc>(op->getLoc()))
    name = loc.getName().str();
  else if (auto fused = dyn_cast<FusedLoc>(op->getLoc()))
    for (Location l : fused.getLocations())
      if (auto n = dyn_cast<NameLoc>(l)) {
        name = n.getName().str();
        break;
      }
  for (char &c : name)
    if (!isalnum(static_cast<unsigned char>(c)) && c != '_')
      c = '_';
  return name;
}

BufferOp Distributor::newBuffer(int nodeId, StringRef role, int64_t bytes,
                                int first, Location loc, ElementsAttr init) {
  OpBuilder::InsertionGuard guard(builder);
  // Buffers are declared at device level, before the first step.
  if (!steps.empty())
    builder.setInsertionPoint(steps.front());
  else
    builder.setInsertionPointToEnd(&device.getBodyBlock());
  Coord c = target.coord(nodeId);
  std::string sym = (role + "_" + Twine(c.row) + "_" + Twine(c.col) + "_" +
                     Twine(bufferCount++))
                        .str();
  auto buffer = BufferOp::create(builder, loc, BufferType::get(builder.getContext()),
                                 builder.getStringAttr(sym), node(nodeId),
                                 builder.getI64IntegerAttr(bytes),
                                 builder.getI64IntegerAttr(first),
                                 builder.getI64IntegerAttr(first),
                                 IntegerAttr(), init);
  return buffer;
}

StepOp Distributor::newStep(Location loc) {
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToEnd(&device.getBodyBlock());
  auto step = StepOp::create(builder, loc, builder.getI64IntegerAttr(steps.size()));
  step.getBody().emplaceBlock();
  steps.push_back(step);
  return step;
}

void Distributor::use(BufferOp buffer, int step) {
  if (int64_t(buffer.getLast()) < step)
    buffer.setLast(step);
}

ElementsAttr Distributor::bakeConstant(DenseElementsAttr data,
                                       ArrayRef<ViewDim> view, int64_t dstBase,
                                       int64_t bytes) {
  auto type = cast<ShapedType>(data.getType());
  SmallVector<int64_t, 6> opStrides = rowMajorStrides(type.getShape());
  std::vector<float> out(bytes / 4, 0.0f);
  // Every tensor is FP32 on the mesh: integer and bool constants convert.
  SmallVector<float> converted;
  Type elem = type.getElementType();
  if (!elem.isF32()) {
    if (llvm::isa<FloatType>(elem))
      for (APFloat v : data.getValues<APFloat>())
        converted.push_back(float(v.convertToDouble()));
    else
      for (APInt v : data.getValues<APInt>())
        converted.push_back(elem.isInteger(1) || elem.isUnsignedInteger()
                                ? float(v.getZExtValue())
                                : float(v.getSExtValue()));
  }
  bool splat = data.isSplat();
  float splatValue = 0.0f;
  if (splat)
    splatValue = converted.empty() ? data.getSplatValue<float>() : converted[0];
  ArrayRef<char> raw = data.getRawData();
  const float *src = converted.empty()
                         ? reinterpret_cast<const float *>(raw.data())
                         : converted.data();
  SmallVector<int64_t, 6> idx(view.size(), 0);
  while (true) {
    int64_t opOffset = 0, dst = dstBase;
    for (unsigned i = 0; i < view.size(); ++i) {
      if (view[i].opDim >= 0)
        opOffset += (view[i].lo + idx[i] * view[i].step) *
                    opStrides[view[i].opDim];
      dst += idx[i] * view[i].dstStride;
    }
    out[dst / 4] = splat ? splatValue : src[opOffset];
    int d = int(view.size()) - 1;
    while (d >= 0 && ++idx[d] == view[d].extent)
      idx[d--] = 0;
    if (d < 0)
      break;
  }
  auto outType = RankedTensorType::get({int64_t(out.size())},
                                       builder.getF32Type());
  return DenseElementsAttr::get(outType, ArrayRef<float>(out));
}

LogicalResult Distributor::gatherInto(Value operand, ArrayRef<ViewDim> view,
                                      BufferOp dst, int64_t dstBase, int step,
                                      Location loc, int64_t dstType) {
  auto it = dist.find(operand);
  if (it == dist.end()) {
    // A constant read by a data-movement op: give it a home first.
    if (failed(mapConstant(operand, nodeOf(dst))))
      return emitError(loc) << "operand is not mapped to the mesh";
    it = dist.find(operand);
  }
  return gatherFrom(it->second, view, dst, dstBase, step, loc, dstType);
}

LogicalResult Distributor::gatherFrom(const DistTensor &src,
                                      ArrayRef<ViewDim> view, BufferOp dst,
                                      int64_t dstBase, int step,
                                      Location loc, int64_t dstType) {
  for (const TensorBlock &block : src.blocks) {
    SmallVector<int64_t, 8> shape, src, dstStrides;
    int64_t srcOffset = block.base, dstOffset = dstBase;
    bool empty = false;
    for (const ViewDim &v : view) {
      if (v.opDim < 0) {
        shape.push_back(v.extent);
        src.push_back(0);
        dstStrides.push_back(v.dstStride);
        continue;
      }
      // View positions i in [0, extent) read operand index lo + i * step;
      // keep those that fall inside this block.
      int64_t blo = block.box.lo[v.opDim], bhi = block.box.hi[v.opDim];
      int64_t first, last; // view positions, inclusive
      if (v.step == 0) {
        // The same operand index, replicated.
        first = 0;
        last = blo <= v.lo && v.lo < bhi ? v.extent - 1 : -1;
      } else if (v.step > 0) {
        first = blo > v.lo ? (blo - v.lo + v.step - 1) / v.step : 0;
        last = bhi - 1 >= v.lo ? (bhi - 1 - v.lo) / v.step : -1;
      } else {
        int64_t s = -v.step;
        first = v.lo > bhi - 1 ? (v.lo - (bhi - 1) + s - 1) / s : 0;
        last = v.lo >= blo ? (v.lo - blo) / s : -1;
      }
      last = std::min(last, v.extent - 1);
      if (last < first) {
        empty = true;
        break;
      }
      shape.push_back(last - first + 1);
      src.push_back(block.strides[v.opDim] * v.step);
      dstStrides.push_back(v.dstStride);
      srcOffset += (v.lo + first * v.step - blo) * block.strides[v.opDim];
      dstOffset += first * v.dstStride;
    }
    // Operand dimensions outside the view are read at index 0.
    for (unsigned d = 0; d < block.box.lo.size() && !empty; ++d) {
      bool walked = llvm::any_of(view, [&](const ViewDim &v) {
        return v.opDim == int(d);
      });
      if (!walked && !(block.box.lo[d] <= 0 && 0 < block.box.hi[d]))
        empty = true;
    }
    if (empty)
      continue;
    simplifyTransfer(shape, src, dstStrides);
    if (shape.size() > size_t(dojo::isa::kMaxDmaRank))
      return emitError(loc) << "transfer needs " << shape.size()
                            << " dimensions; the DMA engine has "
                            << dojo::isa::kMaxDmaRank;
    auto i64 = [&](int64_t x) { return builder.getI64IntegerAttr(x); };
    auto arr = [&](ArrayRef<int64_t> x) {
      return builder.getDenseI64ArrayAttr(x);
    };
    Operation *transfer;
    if (block.buffer) {
      transfer = DmaOp::create(builder, loc, block.buffer, dst, i64(srcOffset),
                               i64(dstOffset), arr(shape), arr(src),
                               arr(dstStrides), DenseI32ArrayAttr());
      use(block.buffer, step);
    } else {
      transfer = HbmLoadOp::create(
          builder, loc, FlatSymbolRefAttr::get(block.hbm.getSymNameAttr()), dst,
          i64(srcOffset), i64(dstOffset), arr(shape), arr(src),
          arr(dstStrides));
    }
    if (dstType != 1)
      transfer->setAttr(kDstTypeAttrName, i64(dstType));
  }
  return success();
}

FailureOr<BufferOp> Distributor::stage(Value operand, ArrayRef<ViewDim> view,
                                       int64_t dstBase, int64_t bytes,
                                       int nodeId, int step,
                                       std::optional<float> fill, Location loc,
                                       StringRef role,
                                       ArrayRef<int64_t> fillRegions,
                                       int64_t dstType) {
  // Constants stay resident (baked into the SRAM image) unless d1-tile
  // chose to stream them from HBM.
  DenseElementsAttr constant;
  if (auto c = operand.getDefiningOp<arith::ConstantOp>()) {
    if (!mapStreamedConstant(operand))
      constant = dyn_cast<DenseElementsAttr>(c.getValue());
    if (!constant && !dist.count(operand))
      return c.emitError("constant has no dense data to place (was it "
                         "printed with elided constants?)");
  }
  if (constant) {
    // The same constant region on the same node is stored once.
    std::string key;
    llvm::raw_string_ostream os(key);
    os << operand.getAsOpaquePointer() << "/" << nodeId << "/" << dstBase
       << "/" << bytes;
    for (const ViewDim &v : view)
      os << "/" << v.opDim << "," << v.lo << "," << v.extent << ","
         << v.dstStride;
    auto it = constantCache.find(key);
    if (it != constantCache.end()) {
      use(it->second, step);
      return it->second;
    }
    // Initialized buffers are loaded before the program starts, so they are
    // live from step 0.
    BufferOp buffer = newBuffer(nodeId, role, bytes, 0, loc,
                                bakeConstant(constant, view, dstBase, bytes));
    use(buffer, step);
    constantCache[key] = buffer;
    return buffer;
  }
  // A zero-filled buffer is written before the step's barrier, while
  // transfers of the previous step may still read their sources: keep it
  // apart from buffers that die in the previous step.
  // Filling only the regions no transfer writes (the borders of a padded
  // window) can happen after the barrier, concurrently with the arriving
  // transfers, so that buffer needs no room in the previous step.
  int first = fill && fillRegions.empty() && step > 0 ? step - 1 : step;
  BufferOp buffer = newBuffer(nodeId, role, bytes, first, loc);
  use(buffer, step);
  if (fill)
    FillOp::create(builder, loc, buffer, builder.getF32FloatAttr(*fill),
                   fillRegions.empty()
                       ? DenseI64ArrayAttr()
                       : builder.getDenseI64ArrayAttr(fillRegions));
  if (failed(gatherInto(operand, view, buffer, dstBase, step, loc, dstType)))
    return failure();
  return buffer;
}

TensorBlock Distributor::makeOutputBlock(Operation *op, const Box &box, int nodeId,
                                   int step, bool channelsLast) {
  unsigned rank = box.lo.size();
  // Dimension order in memory, outermost first.
  SmallVector<unsigned, 6> perm;
  if (channelsLast && rank >= 3) {
    perm.push_back(0);
    for (unsigned d = 2; d < rank; ++d)
      perm.push_back(d);
    perm.push_back(1);
  } else {
    for (unsigned d = 0; d < rank; ++d)
      perm.push_back(d);
  }
  return makeOutputBlock(op, box, nodeId, step, ArrayRef<unsigned>(perm));
}

TensorBlock Distributor::makeOutputBlock(Operation *op, const Box &box,
                                         int nodeId, int step,
                                         ArrayRef<unsigned> perm) {
  unsigned rank = box.lo.size();
  TensorBlock block;
  block.box = box;
  block.step = step;
  block.strides.assign(rank, 0);
  int64_t stride = 4;
  for (int i = int(rank) - 1; i >= 0; --i) {
    block.strides[perm[i]] = stride;
    stride *= box.extent(perm[i]);
  }
  block.buffer = newBuffer(nodeId, opName(op), stride, step, op->getLoc());
  return block;
}

uint16_t dojo::d1::toBF16(float value) {
  uint32_t u;
  std::memcpy(&u, &value, 4);
  if ((u & 0x7fffffff) > 0x7f800000)
    return uint16_t((u >> 16) | 0x40); // quiet NaN
  u += 0x7fff + ((u >> 16) & 1);
  return uint16_t(u >> 16);
}

int64_t dojo::d1::onnxDType(Type type) {
  if (type.isF32())
    return 1;
  if (type.isF16())
    return 10;
  if (type.isF64())
    return 11;
  if (type.isBF16())
    return 16;
  if (auto i = dyn_cast<IntegerType>(type)) {
    bool u = i.isUnsigned();
    switch (i.getWidth()) {
    case 1: return 9;
    case 8: return u ? 2 : 3;
    case 16: return u ? 4 : 5;
    case 32: return u ? 12 : 6;
    case 64: return u ? 13 : 7;
    default: break;
    }
  }
  return 0;
}

int64_t dojo::d1::onnxDTypeBytes(int64_t dtype) {
  return sim::onnxDTypeBytes(int(dtype));
}

HbmTensorOp Distributor::newHbmTensor(StringRef kind, unsigned index,
                                      StringRef name, ArrayRef<int64_t> shape,
                                      Location loc, ElementsAttr init,
                                      int64_t dtype) {
  int64_t bytes = onnxDTypeBytes(dtype);
  for (int64_t s : shape)
    bytes *= s;
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToEnd(&device.getBodyBlock());
  if (!steps.empty())
    builder.setInsertionPoint(steps.front());
  auto op = HbmTensorOp::create(
      builder, loc, builder.getStringAttr((kind + Twine(index)).str()),
      builder.getStringAttr(kind), builder.getI64IntegerAttr(index),
      builder.getStringAttr(name), builder.getDenseI64ArrayAttr(shape),
      builder.getI64IntegerAttr(hbmTop), init, builder.getI64IntegerAttr(dtype));
  hbmTop += (bytes + 63) / 64 * 64;
  return op;
}

int Distributor::nodeOf(BufferOp buffer) {
  NodeOp n = getBufferNode(buffer);
  return target.nodeId({int(n.getRow()), int(n.getCol())});
}

LogicalResult Distributor::mapConstant(Value value, int nodeId) {
  auto c = value.getDefiningOp<arith::ConstantOp>();
  if (!c)
    return failure();
  if (mapStreamedConstant(value))
    return success();
  auto data = dyn_cast<DenseElementsAttr>(c.getValue());
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!data || !type)
    return failure();
  // Small constants live whole in the SRAM of the first node that needs
  // them (other nodes fetch from there); large ones stay in HBM.
  int64_t bytes = 4 * type.getNumElements();
  SmallVector<ViewDim, 6> view;
  SmallVector<int64_t, 6> rm = rowMajorStrides(type.getShape());
  for (unsigned d = 0; d < rm.size(); ++d)
    view.push_back({int(d), 0, type.getShape()[d], 4 * rm[d]});
  DenseElementsAttr f32 = data;
  Type elem = type.getElementType();
  if (!elem.isF32()) {
    // Constants of every other type become FP32 like every tensor on the
    // mesh: FLOAT16/BFLOAT16 and integers up to 2^24 exactly, DOUBLE and
    // wider integers rounded to nearest.
    SmallVector<float> values;
    if (llvm::isa<FloatType>(elem)) {
      for (APFloat v : data.getValues<APFloat>()) {
        bool lost = false;
        v.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven, &lost);
        values.push_back(v.convertToFloat());
      }
    } else {
      bool zext = elem.isInteger(1) || elem.isUnsignedInteger();
      for (APInt v : data.getValues<APInt>())
        values.push_back(zext ? float(v.getZExtValue())
                              : float(v.getSExtValue()));
    }
    f32 = DenseElementsAttr::get(
        RankedTensorType::get(type.getShape(), builder.getF32Type()),
        ArrayRef<float>(values));
  }
  TensorBlock block;
  block.box = Box::full(type.getShape());
  if (bytes > target.usableSramBytes() / 8) {
    block.hbm = newHbmTensor("constant", streamedCount++, opName(c),
                             type.getShape(), c.getLoc(), f32);
  } else {
    block.buffer = newBuffer(nodeId, opName(c) + "_const", bytes, 0, c.getLoc(),
                             bakeConstant(f32, view, 0, bytes));
  }
  for (int64_t s : rm)
    block.strides.push_back(4 * s);
  dist[value].shape.assign(type.getShape().begin(), type.getShape().end());
  dist[value].blocks.push_back(block);
  return success();
}

bool Distributor::mapStreamedConstant(Value value) {
  if (dist.count(value))
    return true;
  auto c = value.getDefiningOp<arith::ConstantOp>();
  if (!c || !c->hasAttr(kStreamAttrName))
    return false;
  auto data = dyn_cast<DenseElementsAttr>(c.getValue());
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!data || !type || !type.getElementType().isF32())
    return false;
  // Weights only the matrix unit reads are kept in HBM as BF16 when it runs
  // BF16: the unit rounds them to BF16 anyway, so this halves the HBM
  // traffic without changing a result (the DMA widens them back to FP32).
  bool onlyConvWeights = llvm::all_of(value.getUses(), [](OpOperand &use) {
    return llvm::isa<dnn::ConvOp, dnn::ConvTransposeOp>(use.getOwner()) &&
           use.getOperandNumber() == 1;
  });
  int64_t dtype = 1;
  ElementsAttr init = data;
  if (bf16Weights && onlyConvWeights) {
    dtype = 16;
    SmallVector<float> values(data.getValues<float>());
    std::vector<uint16_t> half(values.size());
    for (size_t i = 0; i < values.size(); ++i)
      half[i] = toBF16(values[i]);
    init = DenseElementsAttr::getFromRawBuffer(
        RankedTensorType::get(type.getShape(), builder.getBF16Type()),
        ArrayRef<char>(reinterpret_cast<const char *>(half.data()),
                       half.size() * 2));
  }
  HbmTensorOp hbm = newHbmTensor("constant", streamedCount++, opName(c),
                                 type.getShape(), c.getLoc(), init, dtype);
  TensorBlock block;
  block.box = Box::full(type.getShape());
  block.hbm = hbm;
  for (int64_t s : rowMajorStrides(type.getShape()))
    block.strides.push_back(onnxDTypeBytes(dtype) * s);
  dist[value].shape.assign(type.getShape().begin(), type.getShape().end());
  dist[value].blocks.push_back(block);
  return true;
}

LogicalResult Distributor::copyToMesh(Value value, Location loc) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getNumElements() == 0) {
    dist[value].shape.assign(type.getShape().begin(), type.getShape().end());
    dist[value].blocks.clear();
    return success();
  }
  if (!dist.count(value) && failed(mapConstant(value, order.front())))
    return emitError(loc) << "output is neither computed nor a constant";
  SmallVector<int64_t, 6> shape(type.getShape().begin(), type.getShape().end());
  // Split the leading dimension over the nodes; the rest stays whole.
  SmallVector<int64_t, 6> units(shape.size(), 1), split(shape.size(), 1);
  if (!shape.empty())
    split[0] = std::min<int64_t>(shape[0], int64_t(order.size()));
  std::vector<Box> blocks = enumerateBlocks(shape, units, split);
  StepOp step = newStep(loc);
  builder.setInsertionPointToEnd(&step.getBody().front());
  DistTensor copy;
  copy.shape = shape;
  for (auto [i, box] : llvm::enumerate(blocks)) {
    int nodeId = order[i % order.size()];
    TensorBlock out;
    out.box = box;
    out.step = int(step.getIndex());
    out.strides.assign(shape.size(), 0);
    int64_t stride = 4;
    for (int d = int(shape.size()) - 1; d >= 0; --d) {
      out.strides[d] = stride;
      stride *= box.extent(d);
    }
    out.buffer = newBuffer(nodeId, "copy", stride, out.step, loc);
    SmallVector<ViewDim, 6> view;
    for (unsigned d = 0; d < shape.size(); ++d)
      view.push_back({int(d), box.lo[d], box.extent(d), out.strides[d]});
    if (failed(gatherInto(value, view, out.buffer, 0, out.step, loc)))
      return failure();
    copy.blocks.push_back(out);
  }
  dist[value] = copy;
  return success();
}

LogicalResult Distributor::run(Operation *funcOp) {
  auto func = cast<func::FuncOp>(funcOp);
  builder.setInsertionPointToEnd(module.getBody());
  device = DeviceOp::create(builder, func.getLoc(),
                            builder.getStringAttr(target.toSpec()), ArrayAttr());
  device.getBody().emplaceBlock();
  builder.setInsertionPointToStart(&device.getBodyBlock());

  for (auto [i, arg] : llvm::enumerate(func.getArguments())) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    int64_t dtype = type ? onnxDType(type.getElementType()) : 0;
    if (!type || !type.hasStaticShape() || !dtype)
      return func.emitError() << "input " << i
                              << " must be a static tensor of a supported "
                                 "element type";
    std::string name = (Twine("input") + Twine(i)).str();
    if (auto n = func.getArgAttrOfType<StringAttr>(i, "dnn.name"))
      name = n.str();
    HbmTensorOp hbm = newHbmTensor("input", i, name, type.getShape(),
                                   arg.getLoc(), ElementsAttr(), dtype);
    TensorBlock block;
    block.box = Box::full(type.getShape());
    block.hbm = hbm;
    for (int64_t s : rowMajorStrides(type.getShape()))
      block.strides.push_back(onnxDTypeBytes(dtype) * s);
    dist[arg].shape.assign(type.getShape().begin(), type.getShape().end());
    dist[arg].blocks.push_back(block);
  }

  for (Operation &op : func.getBody().front()) {
    if (llvm::isa<arith::ConstantOp, func::ReturnOp>(op))
      continue;
    if (failed(lowerLayer(&op)))
      return failure();
  }

  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  // An output that is a model input or a constant (Identity, Dropout, a
  // one-input Max, ...) still has to be written by the program: copy it
  // through the mesh first.
  for (Value v : ret.getOperands()) {
    auto it = dist.find(v);
    bool inSram = it != dist.end() &&
                  llvm::all_of(it->second.blocks,
                               [](const TensorBlock &b) { return bool(b.buffer); });
    if (!inSram && failed(copyToMesh(v, ret.getLoc())))
      return failure();
  }
  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    auto type = cast<RankedTensorType>(v.getType());
    auto it = dist.find(v);
    std::string name = (Twine("output") + Twine(i)).str();
    if (auto n = func.getResultAttrOfType<StringAttr>(i, "dnn.name"))
      name = n.str();
    int64_t dtype = onnxDType(type.getElementType());
    if (!dtype)
      return func.emitError() << "output " << i
                              << " has an unsupported element type";
    HbmTensorOp hbm = newHbmTensor("output", i, name, type.getShape(),
                                   ret.getLoc(), ElementsAttr(), dtype);
    int64_t elem = onnxDTypeBytes(dtype);
    SmallVector<int64_t, 6> rm = rowMajorStrides(type.getShape());
    for (const TensorBlock &block : it->second.blocks) {
      SmallVector<int64_t, 8> shape, src, dst;
      int64_t dstOffset = 0;
      for (unsigned d = 0; d < block.box.lo.size(); ++d) {
        shape.push_back(block.box.extent(d));
        src.push_back(block.strides[d]);
        dst.push_back(elem * rm[d]);
        dstOffset += elem * rm[d] * block.box.lo[d];
      }
      simplifyTransfer(shape, src, dst);
      builder.setInsertionPointToEnd(&steps[block.step].getBody().front());
      auto store = HbmStoreOp::create(builder, block.buffer.getLoc(), block.buffer,
                         FlatSymbolRefAttr::get(hbm.getSymNameAttr()),
                         builder.getI64IntegerAttr(block.base),
                         builder.getI64IntegerAttr(dstOffset),
                         builder.getDenseI64ArrayAttr(shape),
                         builder.getDenseI64ArrayAttr(src),
                         builder.getDenseI64ArrayAttr(dst));
      // The node waits for the store at the end of the step, so the block's
      // bytes can be reused from the next step on: a model output larger
      // than the mesh's SRAM streams out as it is produced.
      store->setAttr(kAwaitAttrName, builder.getUnitAttr());
      use(block.buffer, block.step);
    }
  }
  func.erase();
  return success();
}

namespace {
struct DistributePass
    : dojo::d1::impl::D1DistributeBase<DistributePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::optional<TargetModel> target = lookupTargetModel(module);
    if (!target)
      return signalPassFailure();
    auto func = module.lookupSymbol<func::FuncOp>("main");
    if (!func) {
      module.emitError("expected a func.func @main to distribute");
      return signalPassFailure();
    }
    Distributor distributor(module, *target);
    if (auto dtype = module->getAttrOfType<StringAttr>(kDTypeAttrName))
      distributor.setBF16Weights(dtype.getValue() == "bf16");
    if (failed(distributor.run(func)))
      return signalPassFailure();
  }
};
} // namespace
