//===- Emit.cpp - d1.device with programs -> Executable -------------------===//
#include "dojo/Compiler/Driver.h"
#include "dojo/Dialect/D1/IR/D1Dialect.h"
#include "dojo/Sim/DType.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/Format.h"

#include <algorithm>
#include <cstring>
#include <map>

using namespace mlir;
using namespace dojo;
using namespace dojo::d1;

namespace {

/// Turns constant attributes into segments. With `view`, their blobs point
/// into the attributes' storage, which the MLIR context owns, so no weight is
/// copied; otherwise each distinct piece is copied once. Attributes are
/// uniqued, so the pieces of one attribute are computed once however many
/// nodes it is replicated on.
class SegmentMaker {
public:
  SegmentMaker(bin::Executable &exe, bool view) : exe_(exe), view_(view) {}

  /// Appends segments placing the little-endian bytes (FP32 or BF16) of
  /// `data` at `addr`, zeros left out; returns the end address of `data`.
  int64_t place(DenseElementsAttr data, int64_t addr,
                std::vector<bin::Segment> &segs) {
    size_t width = data.getElementType().getIntOrFloatBitWidth() / 8;
    int64_t size = int64_t(width) * data.getNumElements();
    auto [it, inserted] = pieces_.try_emplace(data.getAsOpaquePointer());
    if (inserted)
      it->second = split(data, width, size);
    for (const Piece &p : it->second)
      segs.push_back({addr + p.offset, p.blob, 0, p.length});
    return addr + size;
  }

private:
  struct Piece {
    int64_t offset, length;
    uint32_t blob;
  };

  std::vector<Piece> split(DenseElementsAttr data, size_t width,
                           int64_t size) {
    std::vector<Piece> out;
    ArrayRef<char> raw = data.getRawData();
    const auto *bytes = reinterpret_cast<const uint8_t *>(raw.data());
    if (!data.isSplat()) {
      for (auto [begin, end] : bin::nonZeroRanges(bytes, size))
        out.push_back(
            {begin, end - begin,
             view_ ? exe_.addBlobView(bytes + begin, end - begin)
                   : exe_.addBlob({bytes + begin, bytes + end})});
      return out;
    }
    // A splat stores one element: a zero one needs no bytes at all, another
    // is expanded once.
    if (size == 0 || std::all_of(bytes, bytes + width,
                                 [](uint8_t b) { return b == 0; }))
      return out;
    std::vector<uint8_t> full(static_cast<size_t>(size));
    for (int64_t i = 0; i < data.getNumElements(); ++i)
      std::memcpy(full.data() + width * i, bytes, width);
    out.push_back({0, size, exe_.addBlob(std::move(full))});
    return out;
  }

  bin::Executable &exe_;
  bool view_;
  llvm::DenseMap<const void *, std::vector<Piece>> pieces_;
};

} // namespace

LogicalResult dojo::emitExecutable(ModuleOp module, bin::Executable &exe,
                                   bool viewConstants) {
  auto devices = module.getOps<DeviceOp>();
  if (std::distance(devices.begin(), devices.end()) != 1)
    return module.emitError("expected exactly one d1.device to emit");
  DeviceOp device = *devices.begin();
  exe = bin::Executable();
  SegmentMaker segments(exe, viewConstants);
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
      segments.place(dense, io.hbmAddr, exe.hbmInit);
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
  struct InitRange {
    int64_t begin, end;
    BufferOp buffer;
  };
  std::map<int, std::vector<InitRange>> initRanges;
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
      int64_t addr = int64_t(*buffer.getAddress());
      int64_t end = segments.place(dense, addr, code.sramInit);
      code.sramInitEnd = std::max(code.sramInitEnd, end);
      initRanges[idOf(buffer.getNode())].push_back({addr, end, buffer});
    }
  }
  // Initial images are all in place before any instruction runs (and
  // segments leave zeros out), so two that overlap would clobber each other.
  for (auto &[id, ranges] : initRanges) {
    llvm::sort(ranges, [](const InitRange &a, const InitRange &b) {
      return a.begin < b.begin;
    });
    for (size_t i = 1; i < ranges.size(); ++i)
      if (ranges[i].begin < ranges[i - 1].end)
        return ranges[i].buffer.emitError(
            "initial data overlaps that of another buffer on the same node");
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
      code.descs.push_back(std::span<const int64_t>(w.data(), w.size()));
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
