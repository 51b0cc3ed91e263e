//===- Codegen.cpp - Each node's instruction stream -----------------------===//
//
// Every enabled node runs the same step structure (see d1.step): fills, a
// mesh barrier, the transfers it sources, a semaphore wait for the data it
// receives, its kernels, and its HBM stores. Semaphore 0 counts arrivals of
// the current step; semaphore 1 counts completed HBM stores, awaited before
// the final halt. A node halts after the last step it takes part in.
//
// Transfers and kernels may carry a phase (d1.phase, see lowerConv): arrivals
// of phase p > 0 count on semaphore kFirstPhaseSem + p - 1, every node issues
// its transfers in phase order, and a kernel of phase p waits only for the
// arrivals of phases <= p, so it computes while later phases are in flight.
// All transfers of a step are still issued before any of its waits, which
// keeps the program free of deadlocks.
//
//===----------------------------------------------------------------------===//
#include "Distributor.h"
#include "ProgramBuilder.h"
#include "mlir/IR/Builders.h"
#include "dojo/Dialect/D1/Transforms/Passes.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/TypeSwitch.h"

#include <map>

namespace dojo::d1 {
#define GEN_PASS_DEF_D1CODEGEN
#include "dojo/Dialect/D1/Transforms/Passes.h.inc"
} // namespace dojo::d1

using namespace mlir;
using namespace dojo;
using namespace dojo::d1;


namespace {

constexpr int kArrivalSem = 0;
constexpr int kStoreSem = 1;
constexpr int kSpillSem = 2;
/// Semaphores 3.. count the arrivals of phases 1.. of a step.
constexpr int kFirstPhaseSem = 3;
constexpr int64_t kNumPhases = isa::kNumSemaphores - kFirstPhaseSem + 1;

/// The semaphore counting the arrivals of `phase`.
int phaseSem(int64_t phase) {
  return phase == 0 ? kArrivalSem : int(kFirstPhaseSem + phase - 1);
}

/// An op's phase within its step (0 when it has none).
int64_t phaseOf(Operation *op) {
  auto a = op->getAttrOfType<IntegerAttr>(kPhaseAttrName);
  return a ? a.getInt() : 0;
}

/// Emits one d1.kernel's code from its params and operand addresses; `dt`
/// is the matrix unit's MatDType, which only the matrix kernels use.
using KernelEmitter = void (*)(ProgramBuilder &pb, DictionaryAttr params,
                               ArrayRef<int64_t> addrs, int64_t dt);

/// A KernelEmitter for the kernels that do not use the matrix unit.
template <void (*Emit)(ProgramBuilder &, DictionaryAttr, ArrayRef<int64_t>)>
void withoutDType(ProgramBuilder &pb, DictionaryAttr params,
                  ArrayRef<int64_t> addrs, int64_t) {
  Emit(pb, params, addrs);
}

/// The code generator of each d1.kernel kind (KernelOp::verify lists the
/// kinds): a new kind is one row here.
constexpr std::pair<StringLiteral, KernelEmitter> kKernelEmitters[] = {
    {"conv", emitConvKernel},
    {"matmul", emitMatmulKernel},
    {"eltwise", withoutDType<emitEltwiseKernel>},
    {"avgpool", withoutDType<emitAvgPoolKernel>},
    {"pool", withoutDType<emitPoolKernel>},
    {"reduce", withoutDType<emitReduceKernel>},
    {"softmax", withoutDType<emitSoftmaxKernel>},
    {"layernorm", withoutDType<emitLayerNormKernel>},
    {"lerp", withoutDType<emitLerpKernel>},
    {"dyngather", withoutDType<emitDynGatherKernel>},
    {"dynslice", withoutDType<emitDynSliceKernel>},
    {"dynpad", withoutDType<emitDynPadKernel>},
    {"dynresize", withoutDType<emitDynResizeKernel>},
};

/// What one node does in one step.
struct NodeStep {
  SmallVector<FillOp> fills;
  SmallVector<Operation *> sends; ///< DmaOp sourced here, HbmLoadOp landing here
  /// Transfers landing here, by phase.
  SmallVector<int64_t, 4> arrivals;
  void arrive(int64_t phase) {
    if (int64_t(arrivals.size()) <= phase)
      arrivals.resize(phase + 1, 0);
    ++arrivals[phase];
  }
  SmallVector<KernelOp> kernels;
  SmallVector<HbmStoreOp> stores;
};

std::string nameOf(Location loc) {
  if (auto n = dyn_cast<NameLoc>(loc))
    return n.getName().str();
  if (auto f = dyn_cast<FusedLoc>(loc))
    for (Location l : f.getLocations())
      if (auto n = dyn_cast<NameLoc>(l))
        return n.getName().str();
  return "";
}

struct CodegenPass : dojo::d1::impl::D1CodegenBase<CodegenPass> {
  using D1CodegenBase::D1CodegenBase;

  TargetModel target;
  llvm::DenseMap<Attribute, int> routeIndex;
  std::vector<std::vector<int32_t>> routes;

  int nodeOf(Value buffer) {
    NodeOp n = getBufferNode(buffer.getDefiningOp<BufferOp>());
    return target.nodeId({int(n.getRow()), int(n.getCol())});
  }
  static int64_t addressOf(Value buffer) {
    return *buffer.getDefiningOp<BufferOp>().getAddress();
  }

  template <typename T>
  isa::DmaDesc regionDesc(T op, isa::DmaMode mode) {
    isa::DmaDesc d;
    d.mode = mode;
    d.rank = int64_t(op.getShape().size());
    for (int i = 0; i < d.rank; ++i) {
      d.shape[i] = op.getShape()[i];
      d.srcStrides[i] = op.getSrcStrides()[i];
      d.dstStrides[i] = op.getDstStrides()[i];
    }
    return d;
  }

  /// The address registers of a run of sends: consecutive transfers often
  /// read the same source or fill the same buffer (the phases of one
  /// block), so a register already holding the address is not reloaded.
  struct SendRegs {
    int src = -1, dst = -1;
    int64_t srcValue = 0, dstValue = 0;
    void load(ProgramBuilder &pb, int &r, int64_t &held, int64_t value) {
      if (r < 0)
        r = pb.reg();
      else if (held == value)
        return;
      pb.emit(isa::Op::Li, r, 0, 0, value);
      held = value;
    }
    void release(ProgramBuilder &pb) {
      for (int r : {src, dst})
        if (r >= 0)
          pb.free(r);
      src = dst = -1;
    }
  };

  LogicalResult emitSend(ProgramBuilder &pb, Operation *op,
                         llvm::StringMap<HbmTensorOp> &hbm, SendRegs &regs) {
    int64_t src, dst;
    isa::DmaDesc d;
    if (auto dma = dyn_cast<DmaOp>(op)) {
      if (!dma.getRoute())
        return dma.emitError("transfer has no route: run d1-route first");
      // Route attributes are uniqued: equal routes are the same attribute.
      DenseI32ArrayAttr route = dma.getRouteAttr();
      auto [it, inserted] = routeIndex.try_emplace(route, int(routes.size()));
      if (inserted)
        routes.emplace_back(route.asArrayRef().begin(), route.asArrayRef().end());
      d = regionDesc(dma, isa::DmaMode::SramToSram);
      d.dstNode = nodeOf(dma.getDst());
      d.route = it->second;
      d.sem = phaseSem(phaseOf(op));
      src = addressOf(dma.getSrc()) + dma.getSrcOffset();
      dst = addressOf(dma.getDst()) + dma.getDstOffset();
    } else {
      auto load = cast<HbmLoadOp>(op);
      d = regionDesc(load, isa::DmaMode::HbmToSram);
      d.sem = phaseSem(phaseOf(op));
      // Non-float model inputs are converted to FP32 on the way in.
      d.srcType = int64_t(hbm[load.getTensor()].getDtype());
      d.elemBytes = onnxDTypeBytes(d.srcType);
      src = hbm[load.getTensor()].getAddress() + load.getSrcOffset();
      dst = addressOf(load.getDst()) + load.getDstOffset();
    }
    // Staging buffers of BF16 operands receive converted elements.
    if (auto t = op->getAttrOfType<IntegerAttr>(kDstTypeAttrName))
      d.dstType = t.getInt();
    pb.beginDebug(nameOf(op->getLoc()));
    regs.load(pb, regs.src, regs.srcValue, src);
    regs.load(pb, regs.dst, regs.dstValue, dst);
    pb.emit(isa::Op::Dma, regs.src, regs.dst, 0, pb.desc(isa::encode(d)));
    pb.endDebug();
    return success();
  }

  LogicalResult emitKernel(ProgramBuilder &pb, KernelOp kernel, int64_t dt) {
    const auto *entry = llvm::find_if(kKernelEmitters, [&](const auto &e) {
      return e.first == kernel.getKind();
    });
    if (entry == std::end(kKernelEmitters))
      return kernel.emitOpError()
             << "has no code generator for kind '" << kernel.getKind() << "'";
    // A convolution sub-block's rows must lie inside the block (other
    // kernels use "rows" for their own purposes).
    Attribute rowsAttr = kernel.getParams().get("rows");
    if (kernel.getKind() == "conv" && rowsAttr) {
      auto rows = dyn_cast<DenseI64ArrayAttr>(rowsAttr);
      auto out = kernel.getParams().getAs<DenseI64ArrayAttr>("out");
      if (!rows || rows.size() != 3 || !out || out.size() != 3 ||
          rows[0] < 0 || rows[0] > 2 || rows[1] < 0 || rows[1] >= rows[2] ||
          rows[2] > out[rows[0]])
        return kernel.emitOpError()
               << "has malformed rows " << rowsAttr
               << " (expected [dim, lo, hi] with dim < 3 and 0 <= lo < hi "
                  "<= out[dim])";
    }
    SmallVector<int64_t, 4> addrs;
    for (Value v : kernel.getOperands())
      addrs.push_back(addressOf(v));
    pb.beginDebug(nameOf(kernel.getLoc()));
    entry->second(pb, kernel.getParams(), addrs, dt);
    pb.endDebug();
    return success();
  }

  void runOnOperation() override {
    DeviceOp device = getOperation();
    target = device.getTargetModel();
    int64_t dt;
    if (dtype == "f32")
      dt = int64_t(MatDType::F32);
    else if (dtype == "bf16")
      dt = int64_t(MatDType::BF16);
    else {
      device.emitError() << "unknown dtype '" << dtype
                         << "' (expected f32 or bf16)";
      return signalPassFailure();
    }
    for (BufferOp b : device.getBodyBlock().getOps<BufferOp>())
      if (!b.getAddress()) {
        b.emitError("buffer has no address: run d1-place-sram first");
        return signalPassFailure();
      }
    llvm::StringMap<HbmTensorOp> hbm;
    for (auto t : device.getBodyBlock().getOps<HbmTensorOp>())
      hbm[t.getSymName()] = t;

    // Phases must fit the semaphores left for them.
    WalkResult phases = device.walk([&](Operation *op) {
      Attribute attr = op->getAttr(kPhaseAttrName);
      if (!attr)
        return WalkResult::advance();
      auto a = dyn_cast<IntegerAttr>(attr);
      if (a && llvm::isa<DmaOp, HbmLoadOp, KernelOp>(op) && a.getInt() >= 0 &&
          a.getInt() < kNumPhases)
        return WalkResult::advance();
      op->emitOpError() << "has " << kPhaseAttrName << " " << attr
                        << "; expected a transfer or kernel with an integer "
                           "phase in [0, "
                        << kNumPhases << ")";
      return WalkResult::interrupt();
    });
    if (phases.wasInterrupted())
      return signalPassFailure();

    // Bucket every step's work by node.
    SmallVector<StepOp> steps(device.getBodyBlock().getOps<StepOp>());
    std::vector<std::map<int, NodeStep>> work(steps.size());
    std::vector<int> lastStep(target.numNodes(), -1);
    for (auto [s, step] : llvm::enumerate(steps)) {
      auto at = [&](int node) -> NodeStep & {
        lastStep[node] = std::max(lastStep[node], int(s));
        return work[s][node];
      };
      for (Operation &op : step.getBody().front()) {
        llvm::TypeSwitch<Operation *>(&op)
            .Case<FillOp>([&](auto f) { at(nodeOf(f.getBuffer())).fills.push_back(f); })
            .Case<DmaOp>([&](auto d) {
              at(nodeOf(d.getSrc())).sends.push_back(d);
              at(nodeOf(d.getDst())).arrive(phaseOf(d));
            })
            .Case<HbmLoadOp>([&](auto l) {
              NodeStep &ns = at(nodeOf(l.getDst()));
              ns.sends.push_back(l);
              ns.arrive(phaseOf(l));
            })
            .Case<KernelOp>([&](auto k) {
              at(nodeOf(k.getOperands().back())).kernels.push_back(k);
            })
            .Case<HbmStoreOp>([&](auto st) { at(nodeOf(st.getSrc())).stores.push_back(st); });
      }
    }

    OpBuilder builder(&getContext());
    builder.setInsertionPointToEnd(&device.getBodyBlock());
    llvm::DenseMap<int, Value> nodeValues;
    for (auto n : device.getBodyBlock().getOps<NodeOp>())
      nodeValues[target.nodeId({int(n.getRow()), int(n.getCol())})] = n;

    // A node's kernels run in program order, so their phases must not
    // decrease: a later kernel may read what an earlier one wrote.
    for (auto &stepWork : work)
      for (auto &[node, ns] : stepWork)
        for (size_t i = 1; i < ns.kernels.size(); ++i)
          if (phaseOf(ns.kernels[i]) < phaseOf(ns.kernels[i - 1])) {
            ns.kernels[i].emitOpError()
                << "has phase " << phaseOf(ns.kernels[i])
                << " after a kernel of phase " << phaseOf(ns.kernels[i - 1])
                << " on the same node in the same step";
            return signalPassFailure();
          }
    // Transfers leave each node in phase order (stable: the order within a
    // phase is the program's), so the rows the first sub-blocks need are
    // not queued behind later ones at the injection port.
    for (auto &stepWork : work)
      for (auto &[node, ns] : stepWork)
        llvm::stable_sort(ns.sends, [](Operation *a, Operation *b) {
          return phaseOf(a) < phaseOf(b);
        });

    for (int node : target.enabledNodesSnake()) {
      ProgramBuilder pb(target.vectorLanesF32());
      int64_t stores = 0;
      for (int s = 0; s <= lastStep[node]; ++s) {
        auto it = work[s].find(node);
        NodeStep empty;
        NodeStep &ns = it == work[s].end() ? empty : it->second;
        // Whole-buffer fills precede the barrier (transfers land on them
        // right after it); region fills touch only bytes no transfer
        // writes, so they run while this step's transfers are in flight.
        auto emitFills = [&](bool regionFills) {
          for (FillOp f : ns.fills) {
            std::optional<ArrayRef<int64_t>> regions = f.getRegions();
            if (bool(regions) != regionFills)
              continue;
            pb.beginDebug(nameOf(f.getLoc()));
            if (regions)
              emitFillRegions(pb, addressOf(f.getBuffer()), *regions,
                              f.getValue().convertToFloat());
            else
              emitFill(pb, addressOf(f.getBuffer()),
                       f.getBuffer().getDefiningOp<BufferOp>().getSize(),
                       f.getValue().convertToFloat());
            pb.endDebug();
          }
        };
        emitFills(false);
        pb.emit(isa::Op::Barrier);
        SendRegs sendRegs;
        for (Operation *op : ns.sends)
          if (failed(emitSend(pb, op, hbm, sendRegs)))
            return signalPassFailure();
        sendRegs.release(pb);
        emitFills(true);
        // Await the arrivals of phases up to `phase` not awaited yet.
        int64_t awaited = -1;
        auto awaitUpTo = [&](int64_t phase) {
          for (; awaited < phase; ++awaited) {
            int64_t p = awaited + 1;
            if (p < int64_t(ns.arrivals.size()) && ns.arrivals[p])
              pb.emit(isa::Op::SemWait, phaseSem(p), 0, 0, ns.arrivals[p]);
          }
        };
        awaitUpTo(0);
        for (KernelOp k : ns.kernels) {
          awaitUpTo(phaseOf(k));
          if (failed(emitKernel(pb, k, dt)))
            return signalPassFailure();
        }
        // Every arrival is awaited within its step: the semaphores start
        // each step at zero and the next step may overwrite the sources.
        awaitUpTo(int64_t(ns.arrivals.size()) - 1);
        int64_t spills = 0;
        for (HbmStoreOp st : ns.stores) {
          isa::DmaDesc d = regionDesc(st, isa::DmaMode::SramToHbm);
          // A spill must land before the buffer's bytes are reused (from
          // the next step on); model outputs are awaited only at the end.
          bool spill = st->hasAttr(kAwaitAttrName);
          d.sem = spill ? kSpillSem : kStoreSem;
          d.dstType = int64_t(hbm[st.getTensor()].getDtype());
          pb.beginDebug(nameOf(st.getLoc()));
          int rs = pb.li(addressOf(st.getSrc()) + st.getSrcOffset());
          int rd = pb.li(hbm[st.getTensor()].getAddress() + st.getDstOffset());
          pb.emit(isa::Op::Dma, rs, rd, 0, pb.desc(isa::encode(d)));
          pb.free(rs);
          pb.free(rd);
          pb.endDebug();
          ++(spill ? spills : stores);
        }
        if (spills)
          pb.emit(isa::Op::SemWait, kSpillSem, 0, 0, spills);
      }
      if (stores)
        pb.emit(isa::Op::SemWait, kStoreSem, 0, 0, stores);
      pb.emit(isa::Op::Halt);

      Value nodeValue = nodeValues.lookup(node);
      if (!nodeValue) {
        OpBuilder::InsertionGuard guard(builder);
        builder.setInsertionPointToStart(&device.getBodyBlock());
        Coord c = target.coord(node);
        nodeValue = NodeOp::create(builder, device.getLoc(),
                                   NodeType::get(&getContext()), c.row, c.col);
      }
      SmallVector<int64_t> words;
      for (const isa::Insn &in : pb.code) {
        words.push_back(int64_t(in.op) | int64_t(in.a) << 16 |
                        int64_t(in.b) << 24 | int64_t(in.c) << 32 |
                        int64_t(in.d) << 40);
        words.push_back(in.imm);
      }
      SmallVector<Attribute> descs, names;
      for (auto &d : pb.descs)
        descs.push_back(builder.getDenseI64ArrayAttr(d));
      for (auto &n : pb.names)
        names.push_back(builder.getStringAttr(n));
      SmallVector<int64_t> debug(pb.debug.begin(), pb.debug.end());
      ProgramOp::create(builder, device.getLoc(), nodeValue,
                        builder.getDenseI64ArrayAttr(words),
                        builder.getArrayAttr(descs),
                        builder.getDenseI64ArrayAttr(debug),
                        builder.getArrayAttr(names));
    }
    SmallVector<Attribute> routeAttrs;
    for (auto &r : routes)
      routeAttrs.push_back(builder.getDenseI32ArrayAttr(r));
    device.setRoutesAttr(builder.getArrayAttr(routeAttrs));
  }
};
} // namespace
