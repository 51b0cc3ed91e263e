//===- Distribute.cpp - Lower tiled dnn ops to per-node kernels -----------===//
//
// The pass driver and the data-movement half of the Distributor: buffers,
// steps, and the gather that turns "this block needs that region of that
// tensor" into strided transfers from every block holding part of it.
//
//===----------------------------------------------------------------------===//
#include "Distributor.h"
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
      order(target.enabledNodesSnake()) {}

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
  SmallVector<float> values;
  bool splat = data.isSplat();
  float splatValue = splat ? data.getSplatValue<float>() : 0.0f;
  ArrayRef<char> raw = data.getRawData();
  const float *src = reinterpret_cast<const float *>(raw.data());
  SmallVector<int64_t, 6> idx(view.size(), 0);
  while (true) {
    int64_t opOffset = 0, dst = dstBase;
    for (unsigned i = 0; i < view.size(); ++i) {
      if (view[i].opDim >= 0)
        opOffset += (view[i].lo + idx[i]) * opStrides[view[i].opDim];
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
                                      Location loc) {
  auto it = dist.find(operand);
  if (it == dist.end())
    return emitError(loc) << "operand is not mapped to the mesh";
  for (const TensorBlock &block : it->second.blocks) {
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
      int64_t lo = std::max(v.lo, block.box.lo[v.opDim]);
      int64_t hi = std::min(v.lo + v.extent, block.box.hi[v.opDim]);
      if (hi <= lo) {
        empty = true;
        break;
      }
      shape.push_back(hi - lo);
      src.push_back(block.strides[v.opDim]);
      dstStrides.push_back(v.dstStride);
      srcOffset += (lo - block.box.lo[v.opDim]) * block.strides[v.opDim];
      dstOffset += (lo - v.lo) * v.dstStride;
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
    if (block.buffer) {
      DmaOp::create(builder, loc, block.buffer, dst, i64(srcOffset),
                    i64(dstOffset), arr(shape), arr(src), arr(dstStrides),
                    DenseI32ArrayAttr());
      use(block.buffer, step);
    } else {
      HbmLoadOp::create(builder, loc,
                        FlatSymbolRefAttr::get(block.hbm.getSymNameAttr()),
                        dst, i64(srcOffset), i64(dstOffset), arr(shape),
                        arr(src), arr(dstStrides));
    }
  }
  return success();
}

FailureOr<BufferOp> Distributor::stage(Value operand, ArrayRef<ViewDim> view,
                                       int64_t dstBase, int64_t bytes,
                                       int nodeId, int step, bool needsFill,
                                       Location loc, StringRef role) {
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
  int first = needsFill && step > 0 ? step - 1 : step;
  BufferOp buffer = newBuffer(nodeId, role, bytes, first, loc);
  use(buffer, step);
  if (needsFill)
    FillOp::create(builder, loc, buffer);
  if (failed(gatherInto(operand, view, buffer, dstBase, step, loc)))
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

HbmTensorOp Distributor::newHbmTensor(StringRef kind, unsigned index,
                                      StringRef name, ArrayRef<int64_t> shape,
                                      Location loc, ElementsAttr init) {
  int64_t bytes = 4;
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
      builder.getI64IntegerAttr(hbmTop), init);
  hbmTop += (bytes + 63) / 64 * 64;
  return op;
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
  HbmTensorOp hbm = newHbmTensor("constant", streamedCount++, opName(c),
                                 type.getShape(), c.getLoc(), data);
  TensorBlock block;
  block.box = Box::full(type.getShape());
  block.hbm = hbm;
  for (int64_t s : rowMajorStrides(type.getShape()))
    block.strides.push_back(4 * s);
  dist[value].shape.assign(type.getShape().begin(), type.getShape().end());
  dist[value].blocks.push_back(block);
  return true;
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
    if (!type || !type.hasStaticShape() || !type.getElementType().isF32())
      return func.emitError() << "input " << i
                              << " must be a static f32 tensor";
    std::string name = (Twine("input") + Twine(i)).str();
    if (auto n = func.getArgAttrOfType<StringAttr>(i, "dnn.name"))
      name = n.str();
    HbmTensorOp hbm = newHbmTensor("input", i, name, type.getShape(), arg.getLoc());
    TensorBlock block;
    block.box = Box::full(type.getShape());
    block.hbm = hbm;
    for (int64_t s : rowMajorStrides(type.getShape()))
      block.strides.push_back(4 * s);
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
  int lastStep = std::max<int>(0, int(steps.size()) - 1);
  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    auto type = cast<RankedTensorType>(v.getType());
    auto it = dist.find(v);
    if (it == dist.end() || llvm::any_of(it->second.blocks, [](const TensorBlock &b) {
          return !b.buffer;
        }))
      return func.emitError() << "output " << i
                              << " is a constant or a model input; only "
                                 "computed outputs are supported";
    std::string name = (Twine("output") + Twine(i)).str();
    if (auto n = func.getResultAttrOfType<StringAttr>(i, "dnn.name"))
      name = n.str();
    HbmTensorOp hbm = newHbmTensor("output", i, name, type.getShape(), ret.getLoc());
    SmallVector<int64_t, 6> rm = rowMajorStrides(type.getShape());
    for (const TensorBlock &block : it->second.blocks) {
      SmallVector<int64_t, 8> shape, src, dst;
      int64_t dstOffset = 0;
      for (unsigned d = 0; d < block.box.lo.size(); ++d) {
        shape.push_back(block.box.extent(d));
        src.push_back(block.strides[d]);
        dst.push_back(4 * rm[d]);
        dstOffset += 4 * rm[d] * block.box.lo[d];
      }
      simplifyTransfer(shape, src, dst);
      builder.setInsertionPointToEnd(&steps[block.step].getBody().front());
      HbmStoreOp::create(builder, block.buffer.getLoc(), block.buffer,
                         FlatSymbolRefAttr::get(hbm.getSymNameAttr()),
                         builder.getI64IntegerAttr(block.base),
                         builder.getI64IntegerAttr(dstOffset),
                         builder.getDenseI64ArrayAttr(shape),
                         builder.getDenseI64ArrayAttr(src),
                         builder.getDenseI64ArrayAttr(dst));
      // The store completes asynchronously; keep its source to the end.
      block.buffer.setLast(lastStep);
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
    if (failed(distributor.run(func)))
      return signalPassFailure();
  }
};
} // namespace
