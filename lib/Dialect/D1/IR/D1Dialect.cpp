//===- D1Dialect.cpp - Verifiers of the D1 mesh dialect -------------------===//
//
// The verifiers reject what the hardware cannot do: nodes outside the mesh or
// disabled, buffers outside SRAM, two live buffers sharing bytes, routes that
// are not connected paths, kernels whose operands sit on different nodes.
//
//===----------------------------------------------------------------------===//
#include "dojo/Dialect/D1/IR/D1Dialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/TypeSwitch.h"

#include <memory>
#include <mutex>

using namespace mlir;
using namespace dojo;
using namespace dojo::d1;

#include "dojo/Dialect/D1/IR/D1OpsDialect.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "dojo/Dialect/D1/IR/D1OpsTypes.cpp.inc"

#define GET_OP_CLASSES
#include "dojo/Dialect/D1/IR/D1Ops.cpp.inc"

void D1Dialect::initialize() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "dojo/Dialect/D1/IR/D1OpsTypes.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "dojo/Dialect/D1/IR/D1Ops.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// Target lookup
//===----------------------------------------------------------------------===//

static std::optional<TargetModel> parseSpec(Operation *op, StringRef spec) {
  TargetModel t;
  std::string err = TargetModel::fromSpec(spec.str(), t);
  if (!err.empty()) {
    op->emitError() << "invalid target spec: " << err;
    return std::nullopt;
  }
  return t;
}

std::optional<TargetModel> dojo::d1::lookupTargetModel(Operation *op) {
  if (auto device = dyn_cast<DeviceOp>(op))
    return parseSpec(op, device.getTarget());
  if (auto device = op->getParentOfType<DeviceOp>())
    return parseSpec(op, device.getTarget());
  Operation *module = isa<ModuleOp>(op) ? op : op->getParentOfType<ModuleOp>();
  if (module)
    if (auto spec = module->getAttrOfType<StringAttr>(kTargetAttrName))
      return parseSpec(op, spec.getValue());
  op->emitError() << "no D1 target: run d1-assign-target first";
  return std::nullopt;
}

TargetModel DeviceOp::getTargetModel() {
  // Verifiers of every node, buffer and transfer ask for the target; parse
  // each (uniqued) spec string once. Verification may run on several
  // threads, hence the lock.
  // Keyed by the text, not the attribute's address: contexts come and go
  // (dojo-opt --split-input-file) and addresses get reused.
  static std::mutex mutex;
  static llvm::StringMap<std::shared_ptr<TargetModel>> cache;
  StringRef spec = getTarget();
  std::lock_guard<std::mutex> lock(mutex);
  auto &entry = cache[spec];
  if (!entry) {
    entry = std::make_shared<TargetModel>();
    (void)TargetModel::fromSpec(spec.str(), *entry);
  }
  return *entry;
}

NodeOp dojo::d1::getBufferNode(BufferOp buffer) {
  return buffer.getNode().getDefiningOp<NodeOp>();
}

//===----------------------------------------------------------------------===//
// Verifiers
//===----------------------------------------------------------------------===//

LogicalResult NodeOp::verify() {
  auto device = (*this)->getParentOfType<DeviceOp>();
  if (!device)
    return emitOpError("must be inside a d1.device");
  TargetModel t = device.getTargetModel();
  // I64Attr getters are unsigned; the coordinates are signed.
  int64_t row = int64_t(getRow()), col = int64_t(getCol());
  Coord c{int(row), int(col)};
  if (row < 0 || col < 0 || row > 65535 || col > 65535 || !t.inMesh(c))
    return emitOpError() << "node (" << row << ", " << col
                         << ") is outside the " << t.rows << "x" << t.cols
                         << " mesh";
  if (!t.isEnabled(c))
    return emitOpError() << "node (" << row << ", " << col
                         << ") is disabled on target '" << t.name << "'";
  return success();
}

LogicalResult BufferOp::verify() {
  // I64Attr getters are unsigned; compare as the signed values they hold.
  int64_t size = int64_t(getSize()), first = int64_t(getFirst()),
          last = int64_t(getLast());
  if (size <= 0)
    return emitOpError("size must be positive");
  if (first < 0 || last < first)
    return emitOpError() << "live range [" << getFirst() << ", " << getLast()
                         << "] is empty";
  if (!getNode().getDefiningOp<NodeOp>())
    return emitOpError("node operand must be a d1.node");
  if (auto address = getAddress()) {
    auto device = (*this)->getParentOfType<DeviceOp>();
    if (!device)
      return emitOpError("must be inside a d1.device");
    TargetModel t = device.getTargetModel();
    int64_t a = int64_t(*address);
    if (a < t.reservedBytes || a + size > t.sramBytes)
      return emitOpError() << "buffer [" << a << ", " << a + size
                           << ") lies outside the node's data SRAM ["
                           << t.reservedBytes << ", " << t.sramBytes << ")";
  }
  if (auto init = getInit()) {
    auto type = dyn_cast<ShapedType>(init->getType());
    bool f32 = type && type.getElementType().isF32();
    bool bf16 = type && type.getElementType().isBF16();
    if (!(f32 || bf16) || type.getNumElements() * (f32 ? 4 : 2) > size)
      return emitOpError("init must be f32 or bf16 data that fits the buffer");
  }
  return success();
}

LogicalResult DeviceOp::verify() {
  TargetModel t;
  std::string err = TargetModel::fromSpec(getTarget().str(), t);
  if (!err.empty())
    return emitOpError() << "invalid target spec: " << err;
  // Two buffers on one node may share bytes only if their live ranges are
  // disjoint. Sort each node's placed buffers by address and compare
  // neighbours in a sweep; quadratic only within overlapping address runs.
  llvm::DenseMap<Operation *, SmallVector<BufferOp>> byNode;
  for (auto buffer : getBodyBlock().getOps<BufferOp>())
    if (buffer.getAddress())
      if (Operation *node = buffer.getNode().getDefiningOp())
        byNode[node].push_back(buffer);
  for (auto &entry : byNode) {
    auto &list = entry.second;
    llvm::sort(list, [](BufferOp a, BufferOp b) {
      return *a.getAddress() < *b.getAddress();
    });
    for (size_t i = 0; i < list.size(); ++i) {
      int64_t endI = int64_t(*list[i].getAddress() + list[i].getSize());
      for (size_t j = i + 1; j < list.size(); ++j) {
        if (int64_t(*list[j].getAddress()) >= endI)
          break;
        bool liveTogether = list[i].getFirst() <= list[j].getLast() &&
                            list[j].getFirst() <= list[i].getLast();
        if (liveTogether)
          return list[j].emitOpError()
                 << "overlaps buffer @" << list[i].getSymName()
                 << " in SRAM while both are live";
      }
    }
  }
  return success();
}

LogicalResult DmaOp::verify() {
  auto src = getSrc().getDefiningOp<BufferOp>();
  auto dst = getDst().getDefiningOp<BufferOp>();
  if (!src || !dst)
    return emitOpError("operands must be d1.buffer results");
  if (getShape().size() != getSrcStrides().size() ||
      getShape().size() != getDstStrides().size() || getShape().empty())
    return emitOpError("shape and strides must have the same, non-zero rank");
  auto route = getRoute();
  if (!route)
    return success();
  auto device = (*this)->getParentOfType<DeviceOp>();
  if (!device)
    return emitOpError("must be inside a d1.device");
  TargetModel t = device.getTargetModel();
  NodeOp from = getBufferNode(src), to = getBufferNode(dst);
  if (!from || !to)
    return emitOpError("buffers must be on d1.node values");
  ArrayRef<int32_t> hops = *route;
  if (hops.empty() ||
      hops.front() != t.nodeId({int(from.getRow()), int(from.getCol())}) ||
      hops.back() != t.nodeId({int(to.getRow()), int(to.getCol())}))
    return emitOpError("route must start at the source node and end at the "
                       "destination node");
  for (size_t i = 0; i < hops.size(); ++i) {
    if (hops[i] < 0 || hops[i] >= t.numNodes() || !t.isEnabled(hops[i]))
      return emitOpError() << "route visits node id " << hops[i]
                           << ", which is not an enabled node";
    if (i == 0)
      continue;
    Coord a = t.coord(hops[i - 1]), b = t.coord(hops[i]);
    if (std::abs(a.row - b.row) + std::abs(a.col - b.col) != 1)
      return emitOpError() << "route is not a connected path: (" << a.row
                           << ", " << a.col << ") -> (" << b.row << ", "
                           << b.col << ") is not a link";
  }
  return success();
}

LogicalResult FillOp::verify() {
  auto buffer = getBuffer().getDefiningOp<BufferOp>();
  if (!buffer)
    return emitOpError("operand must be a d1.buffer result");
  std::optional<ArrayRef<int64_t>> regions = getRegions();
  if (!regions)
    return success();
  if (regions->size() % 6 != 0)
    return emitOpError("regions must hold six integers per region");
  int64_t size = buffer.getSize();
  for (size_t i = 0; i < regions->size(); i += 6) {
    int64_t off = (*regions)[i], c0 = (*regions)[i + 1], s0 = (*regions)[i + 2],
            c1 = (*regions)[i + 3], s1 = (*regions)[i + 4],
            run = (*regions)[i + 5];
    if (off < 0 || c0 < 1 || c1 < 1 || s0 < 0 || s1 < 0 || run < 4 ||
        run % 4 != 0 || off + (c0 - 1) * s0 + (c1 - 1) * s1 + run > size)
      return emitOpError() << "region " << i / 6
                           << " is malformed or leaves the buffer";
  }
  return success();
}

LogicalResult KernelOp::verify() {
  static const char *kinds[] = {"conv",    "matmul", "eltwise", "avgpool",
                                "pool",    "reduce", "softmax", "layernorm",
                                "lerp",    "dyngather", "dynslice", "dynpad",
                                "dynresize"};
  if (!llvm::is_contained(kinds, getKind()))
    return emitOpError() << "unknown kernel kind '" << getKind() << "'";
  if (getOperands().empty())
    return emitOpError("needs at least an output buffer");
  Operation *node = nullptr;
  for (Value v : getOperands()) {
    auto buffer = v.getDefiningOp<BufferOp>();
    if (!buffer)
      return emitOpError("operands must be d1.buffer results");
    Operation *n = buffer.getNode().getDefiningOp();
    if (node && n != node)
      return emitOpError("all operands must be buffers of the same node");
    node = n;
  }
  return success();
}

LogicalResult ProgramOp::verify() {
  if (getCode().size() % 2)
    return emitOpError("code must hold two words per instruction");
  if (getDebug().size() % 3)
    return emitOpError("debug must hold (begin, end, name) triples");
  return success();
}
