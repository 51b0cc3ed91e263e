//===- Emit.cpp - d1.device with programs -> Executable -------------------===//
#include "dojo/Compiler/Driver.h"
#include "dojo/Dialect/D1/IR/D1Dialect.h"
#include "dojo/Sim/DType.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/Format.h"

#include <cstring>
#include <map>

using namespace mlir;
using namespace dojo;
using namespace dojo::d1;

/// The little-endian FP32 bytes of `data`, placed at `addr`.
/// The little-endian bytes (FP32 or BF16) of `data`, placed at `addr`.
static bin::Segment segmentOf(DenseElementsAttr data, int64_t addr) {
  bin::Segment seg;
  seg.addr = addr;
  size_t width = data.getElementType().getIntOrFloatBitWidth() / 8;
  seg.data.resize(data.getNumElements() * width);
  ArrayRef<char> raw = data.getRawData();
  if (data.isSplat()) {
    for (int64_t i = 0; i < data.getNumElements(); ++i)
      std::memcpy(seg.data.data() + width * i, raw.data(), width);
  } else {
    std::memcpy(seg.data.data(), raw.data(), seg.data.size());
  }
  return seg;
}

LogicalResult dojo::emitExecutable(ModuleOp module, bin::Executable &exe) {
  auto devices = module.getOps<DeviceOp>();
  if (std::distance(devices.begin(), devices.end()) != 1)
    return module.emitError("expected exactly one d1.device to emit");
  DeviceOp device = *devices.begin();
  exe = bin::Executable();
  exe.target = device.getTargetModel();
  if (auto src = module->getAttrOfType<StringAttr>("dnn.source"))
    exe.source = src.str();
  if (!device.getRoutes())
    return device.emitError("device has no route table: run d1-codegen first");
  // Copy the attribute out of the optional before iterating: a range-for
  // over `*device.getRoutes()` would iterate a destroyed temporary.
  ArrayAttr routes = *device.getRoutes();
  for (Attribute r : routes) {
    auto hops = cast<DenseI32ArrayAttr>(r).asArrayRef();
    exe.routes.emplace_back(hops.begin(), hops.end());
  }
  int64_t hbmTop = 0;
  for (auto t : device.getBodyBlock().getOps<HbmTensorOp>()) {
    bin::TensorIO io;
    io.name = t.getTensorName().str();
    io.dtype = int(t.getDtype());
    io.shape.assign(t.getShape().begin(), t.getShape().end());
    io.hbmAddr = int64_t(t.getAddress());
    hbmTop = std::max(hbmTop, io.hbmAddr + sim::onnxDTypeBytes(io.dtype) *
                                               io.numElements());
    if (t.getKind() == "spill")
      continue; // scratch space written and read by the program itself
    if (t.getKind() == "constant") {
      auto dense = t.getInit() ? dyn_cast<DenseElementsAttr>(*t.getInit())
                               : DenseElementsAttr();
      if (!dense)
        return t.emitError("HBM constant without dense data");
      exe.hbmInit.push_back(segmentOf(dense, io.hbmAddr));
      continue;
    }
    auto &list = t.getKind() == "input" ? exe.inputs : exe.outputs;
    if (list.size() <= t.getIndex())
      list.resize(t.getIndex() + 1);
    list[t.getIndex()] = io;
  }
  exe.hbmBytes = (hbmTop + 63) / 64 * 64;

  const TargetModel &t = exe.target;
  auto idOf = [&](Value node) {
    auto n = node.getDefiningOp<NodeOp>();
    return t.nodeId({int(n.getRow()), int(n.getCol())});
  };
  std::map<int, bin::NodeCode> codes;
  for (auto buffer : device.getBodyBlock().getOps<BufferOp>()) {
    if (!buffer.getAddress())
      return buffer.emitError("buffer has no address");
    bin::NodeCode &code = codes[idOf(buffer.getNode())];
    code.sramPeak = std::max(
        code.sramPeak, int64_t(*buffer.getAddress() + buffer.getSize()));
    if (auto init = buffer.getInitAttr()) {
      auto dense = dyn_cast<DenseElementsAttr>(init);
      if (!dense)
        return buffer.emitError("only dense initial data can be emitted");
      code.sramInit.push_back(segmentOf(dense, int64_t(*buffer.getAddress())));
    }
  }
  std::map<std::string, int> nameIndex;
  for (auto program : device.getBodyBlock().getOps<ProgramOp>()) {
    int id = idOf(program.getNode());
    bin::NodeCode &code = codes[id];
    code.node = id;
    auto words = program.getCode();
    for (size_t i = 0; i + 1 < words.size(); i += 2) {
      isa::Insn in;
      in.op = isa::Op(words[i] & 0xffff);
      in.a = uint8_t(words[i] >> 16);
      in.b = uint8_t(words[i] >> 24);
      in.c = uint8_t(words[i] >> 32);
      in.d = uint8_t(words[i] >> 40);
      in.imm = words[i + 1];
      code.code.push_back(in);
    }
    for (Attribute d : program.getDescs()) {
      auto w = cast<DenseI64ArrayAttr>(d).asArrayRef();
      code.descs.emplace_back(w.begin(), w.end());
    }
    auto names = program.getNames();
    auto debug = program.getDebug();
    for (size_t i = 0; i + 2 < debug.size(); i += 3) {
      std::string name = cast<StringAttr>(names[debug[i + 2]]).str();
      auto [it, inserted] = nameIndex.try_emplace(name, int(exe.names.size()));
      if (inserted)
        exe.names.push_back(name);
      code.debug.push_back({int32_t(debug[i]), int32_t(debug[i + 1]), it->second});
    }
  }
  for (auto &[id, code] : codes) {
    if (code.code.empty())
      return device.emitError() << "node " << id << " has buffers but no program";
    exe.nodes.push_back(std::move(code));
  }
  return success();
}

void dojo::printAssembly(const bin::Executable &exe, llvm::raw_ostream &os) {
  for (const bin::NodeCode &code : exe.nodes) {
    Coord c = exe.target.coord(code.node);
    os << "node (" << c.row << ", " << c.col << "): " << code.code.size()
       << " instructions, " << code.descs.size() << " descriptors\n";
    size_t d = 0;
    for (size_t pc = 0; pc < code.code.size(); ++pc) {
      while (d < code.debug.size() && code.debug[d].endPc <= int(pc))
        ++d;
      os << llvm::format("  %5zu  ", pc) << isa::format(code.code[pc]);
      if (d < code.debug.size() && code.debug[d].beginPc <= int(pc))
        os << "    ; " << exe.names[code.debug[d].name];
      os << "\n";
    }
  }
}
