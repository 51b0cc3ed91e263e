//===- Simulator.cpp - Loading, the event loop and results ----------------===//
//
// The loop pops the earliest event: either a node becoming runnable (it then
// runs until it blocks, halts or yields before a DMA) or a DMA arrival
// (which may wake a node waiting on a semaphore). Barriers release once every
// node that has not halted waits at one. An empty queue with live nodes is a
// deadlock.
//
//===----------------------------------------------------------------------===//
#include "Machine.h"
#include "Profile.h"
#include "SramImages.h"
#include "dojo/Sim/DType.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <memory>
#include <cstring>
#include <new>
#include <sys/mman.h>
#include <thread>
#include <unistd.h>

namespace dojo::sim {

namespace detail {

void FreeDeleter::operator()(uint8_t *p) const {
  if (mapped > 0)
    ::munmap(p, mapped);
  else
    std::free(p);
}

ZeroedBytes allocateZeroed(int64_t bytes) {
  ZeroedBytes p(static_cast<uint8_t *>(std::calloc(size_t(bytes), 1)));
  if (!p)
    throw std::bad_alloc();
  return p;
}

ZeroedBytes allocateMapped(int64_t bytes) {
  size_t size = std::max<size_t>(size_t(bytes), 1);
  void *p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    throw std::bad_alloc();
  return ZeroedBytes(static_cast<uint8_t *>(p), FreeDeleter{size});
}

Machine::Machine(const bin::Executable &exe, const Options &options,
                 int workers)
    : exe_(exe), target_(exe.target), options_(options),
      lanes_(exe.target.vectorLanesF32()) {
  // A tree of pairwise combines over the lanes.
  reduceCycles_ = 1;
  while ((int64_t(1) << reduceCycles_) < lanes_)
    ++reduceCycles_;
  if (workers > 1)
    replay_ = std::make_unique<ReplayState>(workers, exe.hbmBytes);
}

Machine::~Machine() {
  finishWorkers();
  // Sequential mode: the payloads nodes' last gathers still hold (parallel
  // mode's went with the log in finishWorkers).
  for (const std::unique_ptr<NodeState> &n : nodes_)
    if (n)
      forgetGather(*n);
}

NodeState &Machine::node(int id) {
  std::unique_ptr<NodeState> &p = nodes_[size_t(id)];
  if (!p) {
    // Created on first use: nodes that neither run code nor receive data
    // never allocate SRAM.
    p = std::make_unique<NodeState>();
    p->id = id;
    p->coord = target_.coord(id);
    p->sram = sramArena_.get() + int64_t(id) * sramStride_;
    p->vl = lanes_;
    p->data = std::make_unique<DataState>();
    p->data->vregs.assign(size_t(isa::kNumVectorRegs * lanes_), 0.0f);
    p->data->vl = lanes_;
    p->data->writes.init(target_.sramBytes);
  }
  return *p;
}

void Machine::push(int64_t time, bool arrival, int index) {
  if (!arrival) {
    const NodeState &n = *nodes_[size_t(index)];
    resume_[size_t(index)] = {n.prog->code.data() + n.pc, resumeDma(n)};
  }
  if (seq_ == Event::kMaxSeq) [[unlikely]]
    seq_ = events_.renumber();
  events_.push(Event(time, seq_++, arrival, index));
}

void Machine::prefetch(const Event &e) const {
  // Every event touches state that other nodes' work has usually evicted
  // from the host's caches since its last use; fetching it while the event
  // before runs hides most of that latency.
  if (e.arrival()) {
    const char *t =
        reinterpret_cast<const char *>(&transfers_[size_t(e.index())]);
    __builtin_prefetch(t);
    __builtin_prefetch(t + sizeof(Transfer) - 1);
    return;
  }
  const char *n =
      reinterpret_cast<const char *>(nodes_[size_t(e.index())].get());
  for (size_t off = 0; off < sizeof(NodeState); off += 64)
    __builtin_prefetch(n + off);
  if (const char *code =
          reinterpret_cast<const char *>(resume_[size_t(e.index())].insn)) {
    __builtin_prefetch(code);
    __builtin_prefetch(code + 64);
  }
}

void Machine::wake(NodeState &n, int64_t time) {
  if (time > n.time) {
    if (options_.trace)
      traceWait(n, time);
    n.wait += time - n.time;
    n.time = time;
  }
  n.status = NodeStatus::Ready;
  push(n.time, false, n.id);
}

void Machine::maybeReleaseBarrier() {
  if (atBarrier_ == 0 || atBarrier_ != active_)
    return;
  int64_t release = barrierMax_ + target_.effectiveBarrierLatency();
  for (auto &p : nodes_)
    if (p && p->status == NodeStatus::AtBarrier) {
      p->pc += 1;
      wake(*p, release);
    }
  atBarrier_ = 0;
  barrierMax_ = 0;
}

namespace {

/// Decodes every descriptor of `nc` once into `n.descs`; verify() already
/// proved the referenced ones valid, unreferenced ones that fail to decode
/// are never used.
void decodeDescs(const TargetModel &target, const bin::NodeCode &nc,
                 NodeState &n) {
  // Hundreds of thousands of Decoded fill fresh pages; faulting them in
  // with one call is cheaper than one fault per page (see SramImages.cpp).
  n.descs.reserve(nc.descs.size());
  populatePages(n.descs.data(), nc.descs.size() * sizeof(Decoded));
  n.descs.resize(nc.descs.size());
  for (size_t i = 0; i < nc.descs.size(); ++i) {
    Decoded &d = n.descs[i];
    std::span<const int64_t> w = nc.descs[i];
    if (w.empty())
      continue;
    d.kind = isa::DescKind(w[0]);
    if (d.kind == isa::DescKind::Acc && isa::decode(w, d.acc).empty()) {
      d.cycles = ceilDiv(d.acc.m * d.acc.n * 4, target.vectorBytes);
    } else if (d.kind == isa::DescKind::Mma) {
      std::construct_at(&d.mma);
      if (!isa::decode(w, d.mma).empty())
        continue;
      MatDType t = MatDType(d.mma.dtype);
      int64_t macs = d.mma.m * d.mma.n * d.mma.kTotal();
      // The BF16 unit always computes full 8x8 tiles; FP32 work runs on the
      // vector lanes and costs only the useful MACs.
      int64_t work =
          t == MatDType::BF16 ? isa::kTile * isa::kTile * d.mma.kTotal() : macs;
      d.cycles = std::max<int64_t>(1, ceilDiv(work, target.macsPerCycle(t)));
      d.unitWork = double(macs) / target.macsPerCycle(t);
      d.mmaKernel = selectMmaKernel(d.mma);
      d.panels = selectMmaPanelKernels(d.mma);
    } else if (d.kind == isa::DescKind::Dma) {
      std::construct_at(&d.dma);
      isa::decode(w, d.dma);
    }
  }
  prepareTiming(n);
}

} // namespace

bool Machine::load(const std::vector<HostTensor> &inputs, std::string &error) {
  if (inputs.size() != exe_.inputs.size()) {
    error = "the model takes " + std::to_string(exe_.inputs.size()) +
            " inputs but " + std::to_string(inputs.size()) + " were given";
    return false;
  }
  hbmSize_ = exe_.hbmBytes;
  hbm_ = allocateZeroed(hbmSize_ + 1);
  // Constant data the compiler placed in HBM (verify() checked the bounds).
  for (const bin::Segment &seg : exe_.hbmInit)
    if (seg.length > 0)
      std::memcpy(hbm_.get() + seg.addr, exe_.bytesOf(seg), size_t(seg.length));
  for (size_t i = 0; i < inputs.size(); ++i) {
    const bin::TensorIO &io = exe_.inputs[i];
    const HostTensor &h = inputs[i];
    std::string what = "input " + std::to_string(i) + " '" + io.name + "'";
    if (h.dtype != io.dtype) {
      error = what + " must be " + onnxDTypeName(io.dtype) + ", got " +
              onnxDTypeName(h.dtype);
      return false;
    }
    if (h.shape != io.shape) {

      error = what + " must have shape " + shapeText(io.shape) + ", got " +
              shapeText(h.shape);
      return false;
    }
    int64_t bytes = io.numElements() * onnxDTypeBytes(io.dtype);
    if (int64_t(h.data.size()) != bytes) {
      error = what + " has " + std::to_string(h.data.size()) +
              " data bytes, expected " + std::to_string(bytes);
      return false;
    }
    if (bytes > 0)
      std::memcpy(hbm_.get() + io.hbmAddr, h.data.data(), size_t(bytes));
  }

  nodes_.clear();
  nodes_.resize(size_t(target_.numNodes()));
  resume_.assign(size_t(target_.numNodes()), Resume());
  // 64-byte aligned SRAMs: vector loads of aligned addresses stay aligned.
  sramStride_ = (target_.sramBytes + 63) / 64 * 64;
  sramArena_ = allocateMapped(sramStride_ * target_.numNodes());
  injectFree_.assign(size_t(target_.numNodes()), 0);
  links_.assign(size_t(target_.numNodes()) * 4, Link());
  // Every node with a program exists before the helper thread starts, so
  // that it only writes SRAM bytes and the sramPeak of nodes it claims.
  for (const bin::NodeCode &nc : exe_.nodes)
    node(nc.node).prog = &nc;
  // Placing the SRAM images (for r3d_18, 289 MB from 67 MB of blobs) and
  // decoding the descriptors (409k Decoded of 272 bytes) are independent,
  // so a helper thread places images while this thread decodes, then both
  // place the rest, node by node through `nextFill`.
  std::atomic<size_t> nextFill{0};
  std::exception_ptr helperFailure;
  auto fill = [&] {
    for (size_t i; (i = nextFill.fetch_add(1)) < exe_.nodes.size();)
      placeSramImages(exe_, i, sramArena_.get(), sramStride_);
  };
  {
    // A jthread joins when it goes out of scope, also when decoding throws.
    std::jthread helper;
    if (replay_ && exe_.nodes.size() > 1)
      helper = std::jthread([&] {
        try {
          fill();
        } catch (...) {
          helperFailure = std::current_exception();
          nextFill.store(exe_.nodes.size());
        }
      });
    for (const bin::NodeCode &nc : exe_.nodes)
      decodeDescs(target_, nc, *nodes_[size_t(nc.node)]);
    fill();
  }
  if (helperFailure)
    std::rethrow_exception(helperFailure);
  for (const bin::NodeCode &nc : exe_.nodes) {
    NodeState &n = *nodes_[size_t(nc.node)];
    // Mma weight panels are shared by where their bytes were loaded from.
    n.data->writes.image.build(exe_, nc);
    n.sramPeak = std::max(n.sramPeak, nc.sramInitEnd);
    for (const bin::Segment &s : nc.sramInit)
      n.sramPeak = std::max(n.sramPeak, s.addr + s.length);
    if (options_.trace)
      traceInit(n);
    n.status = NodeStatus::Ready;
    ++active_;
    push(0, false, nc.node);
  }
  return true;
}

std::string Machine::deadlockReport() const {
  std::string s = "deadlock:";
  bool first = true;
  for (const auto &p : nodes_) {
    if (!p || !p->prog || p->status == NodeStatus::Halted)
      continue;
    s += first ? " " : "; ";
    first = false;
    s += "(";
    s += std::to_string(p->coord.row);
    s += ",";
    s += std::to_string(p->coord.col);
    s += ") pc ";
    s += std::to_string(p->pc);
    if (p->status == NodeStatus::AtBarrier)
      s += " at barrier";
    else
      s += " waits on s" + std::to_string(p->waitSem) +
           " >= " + std::to_string(p->waitCount) + " (has " +
           std::to_string(p->sem[p->waitSem]) + ")";
  }
  return s;
}

bool Machine::simulate(std::string &error) {
  SimProfile profile;
  if (replay_)
    startWorkers();
  while (!events_.empty()) {
    const Event e = events_.top();
    events_.pop();
    if (!events_.empty())
      prefetch(events_.top());
    prefetchTransfers();
    if (e.arrival()) {
      arrive(e.index(), e.time);
      continue;
    }
    NodeState &n = *nodes_[size_t(e.index())];
    switch (replay_ ? runNode<false>(n, error) : runNode<true>(n, error)) {
    case RunResult::Error:
      return false;
    case RunResult::Yield:
      push(n.time, false, n.id);
      break;
    case RunResult::Halted:
      --active_;
      maybeReleaseBarrier();
      break;
    case RunResult::Blocked:
      if (n.status == NodeStatus::AtBarrier) {
        ++atBarrier_;
        barrierMax_ = std::max(barrierMax_, n.time);
        maybeReleaseBarrier();
      }
      break;
    }
  }
  if (options_.trace)
    for (auto &p : nodes_)
      if (p)
        traceFlush(*p);
  if (active_ > 0) {
    error = deadlockReport();
    return false;
  }
  profile.timingDone();
  // The data side must be complete before results are read.
  finishWorkers();
  profile.report(replay_.get(), gathersSaved_);
  return true;
}

void Machine::collect(std::vector<HostTensor> &outputs, Stats &stats) const {
  outputs.clear();
  for (const bin::TensorIO &io : exe_.outputs) {
    HostTensor h;
    h.name = io.name;
    h.dtype = io.dtype;
    h.shape = io.shape;
    int64_t bytes = io.numElements() * onnxDTypeBytes(io.dtype);
    h.data.assign(hbm_.get() + io.hbmAddr, hbm_.get() + io.hbmAddr + bytes);
    outputs.push_back(std::move(h));
  }

  stats = Stats();
  stats.meshRows = target_.rows;
  stats.meshCols = target_.cols;
  stats.cycles = lastArrival_;
  double unitWork = 0;
  for (const auto &p : nodes_) {
    if (!p || !p->prog)
      continue;
    NodeStats ns;
    ns.node = p->id;
    ns.cycles = p->time;
    ns.busyCycles = p->busy;
    ns.waitCycles = p->wait;
    ns.instructions = p->instructions;
    ns.macs = p->macs;
    ns.sramPeak = p->sramPeak;
    stats.cycles = std::max(stats.cycles, p->time);
    stats.instructions += p->instructions;
    stats.macs += p->macs;
    stats.sramPeakBytes = std::max(stats.sramPeakBytes, p->sramPeak);
    unitWork += p->unitWork;
    stats.nodes.push_back(ns);
  }
  int64_t numNodes = target_.numNodes();
  for (size_t li = 0; li < links_.size(); ++li) {
    const int64_t bytes = links_[li].bytes;
    if (bytes == 0)
      continue;
    int from = int(li / 4), dir = int(li % 4);
    Coord c = target_.coord(from);
    c.row += dir == 0 ? -1 : dir == 2 ? 1 : 0;
    c.col += dir == 1 ? 1 : dir == 3 ? -1 : 0;
    stats.linkBytes.push_back({from * numNodes + target_.nodeId(c),
                               bytes});
    stats.nocMaxLinkBytes = std::max(stats.nocMaxLinkBytes, bytes);
  }
  std::sort(stats.linkBytes.begin(), stats.linkBytes.end());
  stats.nocBytes = nocBytes_;
  stats.hbmBytes = hbmBytes_;
  stats.dmaTransfers = dmaTransfers_;
  stats.gathersSaved = gathersSaved_;
  stats.seconds = double(stats.cycles) / (target_.clockGHz * 1e9);
  if (stats.cycles > 0)
    stats.utilization =
        unitWork / (double(stats.cycles) * double(target_.numEnabled()));
}

} // namespace detail

int defaultThreads() {
  unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : int(std::min(2u, hw));
}

bool run(const bin::Executable &exe, const std::vector<HostTensor> &inputs,
         std::vector<HostTensor> &outputs, Stats &stats, std::string &error,
         const Options &options) {
  // The simulator trusts indices and addresses only after verify(), so an
  // Executable built in memory gets the same checks as one read from disk;
  // one that deserialize() read was checked there (verifying r3d_18 takes
  // about 0.1 s).
  if (std::string err = exe.verified ? "" : bin::verify(exe); !err.empty()) {
    error = "invalid executable: " + err;
    return false;
  }
  // The instruction cap and the trace are defined in terms of the one
  // global event order, which only the sequential mode follows step by
  // step; they are debugging aids, so they simply run sequentially.
  int workers = options.threads;
  if (workers <= 0)
    workers = defaultThreads();
  if (options.maxInstructions > 0 || options.trace)
    workers = 1;
  try {
    detail::Machine m(exe, options, workers);
    profileMark("verify");
    if (!m.load(inputs, error))
      return false;
    profileMark("load");
    if (!m.simulate(error))
      return false;
    m.collect(outputs, stats);
    profileMark("simulate");
    return true;
  } catch (const std::bad_alloc &) {
    error = "out of host memory (HBM image of " +
            std::to_string(exe.hbmBytes) + " bytes, " +
            std::to_string(exe.target.numNodes()) + " nodes of " +
            std::to_string(exe.target.sramBytes) + " bytes SRAM)";
    return false;
  }
}

} // namespace dojo::sim
