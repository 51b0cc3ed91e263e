//===- Dma.cpp - DMA transfers, the NoC and the HBM channel ---------------===//
//
// A DMA gathers its source bytes when it is issued (so later writes to the
// source cannot leak into it) and scatters them at its arrival time, when it
// also increments the destination semaphore. The arrival time comes from a
// contention model: per-node injection ports, per directed link busy-until
// times along the compiled route, and one shared HBM channel. A transfer
// that would gather exactly what its node's previous gather did, from bytes
// nothing has written since, shares that payload instead (LastGather).
//
//===----------------------------------------------------------------------===//
#include "DataOps.h"
#include "dojo/Sim/DType.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <new>
#include <type_traits>

namespace dojo::sim::detail {

using isa::DmaMode;

int linkIndex(const TargetModel &t, int from, int to) {
  // verify() proved every step of a route joins mesh neighbours, whose ids
  // differ by one row (cols) or one column (1); rows first, since with a
  // single column a step of 1 is a step south.
  const int step = to - from;
  int dir = step == -t.cols ? 0 : step == t.cols ? 2 : step == 1 ? 1 : 3;
  return from * 4 + dir;
}

void RouteTable::build(const TargetModel &t,
                       const std::vector<std::vector<int>> &routes,
                       int64_t fixedBytes) {
  int64_t maxHops = 0, total = 0;
  for (const std::vector<int> &route : routes) {
    const int64_t hops = std::max<int64_t>(int64_t(route.size()) - 1, 0);
    maxHops = std::max(maxHops, hops);
    total += hops + 1;
  }
  const int64_t count = int64_t(routes.size());
  stride_ = count * (maxHops + 1) * 4 <= std::max(fixedBytes, 4 * total * 4)
                ? maxHops + 1
                : 0;
  links_.clear();
  start_.clear();
  links_.reserve(size_t(stride_ ? count * stride_ : total));
  for (const std::vector<int> &route : routes) {
    if (!stride_)
      start_.push_back(int64_t(links_.size()));
    const size_t begin = links_.size();
    links_.push_back(int32_t(std::max<size_t>(route.size(), 1) - 1));
    for (size_t h = 0; h + 1 < route.size(); ++h)
      links_.push_back(linkIndex(t, route[h], route[h + 1]));
    if (stride_)
      links_.resize(begin + size_t(stride_));
  }
  built_ = true;
}

const isa::DmaDesc *Machine::resumeDma(const NodeState &n) const {
  // Nearly every transfer is issued by the first instruction of a run (a
  // node yields before a transfer until the events due earlier are done),
  // so the node's next event names the descriptor it will need.
  const bin::InsnTable &code = n.prog->code;
  if (n.pc < 0 || n.pc >= int64_t(code.size()))
    return nullptr;
  const isa::Insn &in = code[size_t(n.pc)];
  return in.op == isa::Op::Dma ? &n.descs[size_t(in.imm)].dma : nullptr;
}

void Machine::prefetchTransfers() const {
  // A descriptor is read once, long after the node's last use, and its
  // route's links depend on it: two misses in a row. So the descriptor is
  // fetched two events ahead (the event after next, EventQueue::second)
  // and the links one event ahead, from the descriptor fetched the time
  // before. One event ahead alone is too late on a busy host.
  if (events_.empty())
    return;
  if (const std::optional<Event> e = events_.second()) {
    if (e->arrival())
      __builtin_prefetch(&transfers_[size_t(e->index())]);
    else if (const isa::DmaDesc *d = resume_[size_t(e->index())].dma)
      prefetchBytes(d, sizeof(isa::DmaDesc));
  }
  const Event &top = events_.top();
  if (top.arrival())
    return;
  const isa::DmaDesc *d = resume_[size_t(top.index())].dma;
  if (!d)
    return;
  // Its descriptor was prefetched the time before, as the event after next.
  if (routes_.stride() && d->mode == DmaMode::SramToSram)
    prefetchBytes(routes_.record(d->route), size_t(routes_.stride()) * 4);
}

namespace {

/// What a payload's header keeps (PayloadPool::slot): the scatter plan,
/// and in sequential mode the references to the payload (transfers in
/// flight and the issuing node's LastGather). Parallel mode counts them in
/// the Issue entry instead, since the timing side adds sharers before a
/// worker has gathered the payload.
struct PayloadHeader {
  StridedPlan plan;
  int64_t refs = 1;
};
static_assert(sizeof(PayloadHeader) <= PayloadPool::kSlotBytes);
static_assert(std::is_trivially_copyable_v<PayloadHeader>);

PayloadHeader *header(uint8_t *payload) {
  return std::launder(
      static_cast<PayloadHeader *>(PayloadPool::slot(payload)));
}

} // namespace

uint8_t *Machine::gather(const isa::DmaDesc &d, const uint8_t *srcMem,
                         int64_t src, int64_t dstElem,
                         std::vector<uint8_t> &scratch, int64_t &payloadBytes) {
  const int64_t bytes = d.bytes();
  const StridedPlan from = collapseDims(d, d.srcStrides.data());
  uint8_t *mem = const_cast<uint8_t *>(srcMem);
  uint8_t *p;
  if (d.srcType == d.dstType) {
    payloadBytes = bytes;
    p = pool_.get(bytes);
    stridedCopy<true>(mem, src, from, d.elemBytes, p);
  } else {
    const int64_t count = bytes / d.elemBytes;
    payloadBytes = count * dstElem;
    p = pool_.get(payloadBytes);
    if (d.srcType == 1 && d.dstType == 16) {
      stridedGatherToBF16(mem, src, from, p);
    } else {
      scratch.resize(size_t(bytes));
      stridedCopy<true>(mem, src, from, d.elemBytes, scratch.data());
      convertElements(d.srcType, scratch.data(), d.dstType, p, count);
    }
  }
  // The descriptor is in the cache now, and usually out of it when the
  // transfer arrives.
  new (PayloadPool::slot(p))
      PayloadHeader{collapseDims(d, d.dstStrides.data()), 1};
  return p;
}

void Machine::scatter(uint8_t *mem, int64_t dst, int64_t dstElem,
                      uint8_t *payload, SramWrites *writes) {
  const StridedPlan &plan = header(payload)->plan;
  stridedCopy<false>(mem, dst, plan, dstElem, payload);
  if (writes) {
    // The plan visits the descriptor's addresses, so its span is the
    // span issueDma checked.
    int64_t lo = 0, hi = 0;
    stridedSpan(dst, plan.rank, plan.shape, plan.strides, dstElem, lo, hi);
    writes->mark(lo, hi);
  }
}

void Machine::releasePayload(uint8_t *payload) {
  if (--header(payload)->refs == 0)
    pool_.put(payload);
}

void Machine::forgetGather(NodeState &n) {
  LastGather &g = n.lastGather;
  if (!g.desc)
    return;
  if (replay_)
    releaseIssue(replay_->at(g.entry));
  else
    releasePayload(g.payload);
  g = LastGather();
}

void Machine::gatherOrReuse(NodeState &n, const isa::DmaDesc &d, int64_t src,
                            int64_t dstElem, int64_t sLo, int64_t sHi,
                            Transfer &t) {
  LastGather &g = n.lastGather;
  const bool fromSram = d.mode != DmaMode::HbmToSram;
  if (fromSram && g.desc && g.src == src && sameGather(*g.desc, d)) {
    // Nothing wrote [lo, hi) since that gather, so the ISA's snapshot at
    // this issue holds the same bytes.
    ++gathersSaved_;
    if (replay_) {
      t.issueEntry = g.entry;
      // The timing side holds a reference, so the count cannot reach zero
      // meanwhile: a relaxed increment suffices.
      std::atomic_ref<int64_t>(replay_->at(g.entry).b)
          .fetch_add(1, std::memory_order_relaxed);
    } else {
      t.data = g.payload;
      ++header(g.payload)->refs;
    }
    return;
  }
  if (fromSram)
    forgetGather(n);
  // A payload that may be shared starts with a second reference: n's.
  const int64_t refs = fromSram ? 2 : 1;
  if (replay_) {
    t.issueEntry = logIssue(n, d, src, refs, dstElem, sLo, sHi);
  } else {
    const uint8_t *srcMem = fromSram ? n.sram : hbm_.get();
    int64_t payloadBytes = 0;
    t.data = gather(d, srcMem, src, dstElem, convertBuf_, payloadBytes);
    header(t.data)->refs = refs;
  }
  if (fromSram) {
    g.desc = &d;
    g.src = src;
    g.lo = sLo;
    g.hi = sHi;
    g.entry = t.issueEntry;
    g.payload = t.data;
  }
}

bool Machine::issueDma(NodeState &n, const isa::Insn &in, const Decoded &dd,
                       std::string &error) {
  const isa::DmaDesc &d = dd.dma;
  if (!routes_.built())
    routes_.build(target_, exe_.routes);
  // A converting transfer writes elements of the destination type's size.
  // HBM traffic counts the bytes read from or written to HBM as stored
  // (source bytes); a NoC transfer carries each element in the narrower of
  // its two types, converted by the engine at the end that narrows it.
  const int64_t bytes = d.bytes();
  const bool convert = d.srcType != d.dstType;
  const int64_t dstElem = convert ? onnxDTypeBytes(int(d.dstType)) : d.elemBytes;
  const int64_t wire = bytes / d.elemBytes * std::min(d.elemBytes, dstElem);
  const int64_t src = n.regs[in.a], dst = n.regs[in.b];
  n.time += target_.dmaIssueCycles;
  n.busy += target_.dmaIssueCycles;
  const int64_t t0 = n.time;

  // Source and destination extents, checked before any byte moves.
  int64_t sLo = 0, sHi = 0, dLo = 0, dHi = 0;
  bool sOk = stridedSpan(src, int(d.rank), d.shape.data(), d.srcStrides.data(),
                         d.elemBytes, sLo, sHi);
  bool dOk = stridedSpan(dst, int(d.rank), d.shape.data(), d.dstStrides.data(),
                         dstElem, dLo, dHi);
  auto hbmCheck = [&](bool ok, int64_t lo, int64_t hi) {
    if (ok && lo >= 0 && hi <= hbmSize_ && lo < hi)
      return true;
    error = where(n) + ": HBM access [" + std::to_string(lo) + ", " +
            std::to_string(hi) + ") out of bounds";
    return false;
  };
  NodeState *dstNode = &n;
  if (d.mode == DmaMode::SramToSram)
    dstNode = &node(int(d.dstNode));
  if (d.mode == DmaMode::HbmToSram ? !hbmCheck(sOk, sLo, sHi)
                                   : !checkSpan(n, in, sOk, sLo, sHi, error))
    return false;
  if (d.mode == DmaMode::SramToHbm) {
    if (!hbmCheck(dOk, dLo, dHi))
      return false;
  } else if (!dOk) {
    error = where(n) + ": SRAM address arithmetic overflows";
    return false;
  } else if (!checkSram(n, in, dLo, dHi, error, dstNode)) {
    return false;
  }

  // Snapshot the payload now (parallel mode: log the gather at this point
  // of the node's stream); the destination sees it at arrival.
  int slot;
  if (freeSlots_.empty()) {
    if (int64_t(transfers_.size()) >= Event::kMaxIndex) [[unlikely]] {
      error = where(n) + ": more than " + std::to_string(Event::kMaxIndex) +
              " transfers in flight";
      return false;
    }
    slot = int(transfers_.size());
    transfers_.emplace_back();
  } else {
    slot = freeSlots_.back();
    freeSlots_.pop_back();
  }
  Transfer &t = transfers_[size_t(slot)];
  t.dstAddr = dst;
  t.dstElem = int8_t(dstElem);
  t.srcNode = n.id;
  t.semNode = dstNode->id;
  t.dstNode = d.mode == DmaMode::SramToHbm ? -1 : dstNode->id;
  t.dstLo = dLo;
  t.dstHi = dHi;
  t.sem = int32_t(d.sem);
  t.issueEntry = -1;
  t.data = nullptr;
  gatherOrReuse(n, d, src, dstElem, sLo, sHi, t);

  int64_t arrival;
  int64_t hops = 0;
  if (d.mode == DmaMode::SramToSram) {
    const int32_t *links = routes_.record(d.route);
    hops = *links++;
    if (hops == 0) {
      // A local copy runs through the node's own SRAM ports.
      arrival = t0 + ceilDiv(wire, target_.vectorBytes);
    } else {
      const int64_t link = target_.linkBytesPerCycle;
      int64_t start = std::max(t0, injectFree_[size_t(n.id)]);
      int64_t serial =
          ceilDiv(wire, std::min<int64_t>(link, target_.injectBytesPerCycle));
      injectFree_[size_t(n.id)] = start + serial;
      // The head reaches hop h at start + injectLatency + h * hopLatency,
      // delayed by any earlier wait; each link is then busy while the
      // payload streams through it.
      int64_t waited = 0;
      for (int64_t h = 0; h < hops; ++h) {
        const int32_t li = links[h];
        int64_t at = start + target_.injectLatency + h * target_.hopLatency +
                     waited;
        Link &l = links_[size_t(li)];
        if (l.free > at) {
          waited += l.free - at;
          at = l.free;
        }
        l.free = at + ceilDiv(wire, link);
        l.bytes += wire;
      }
      arrival = start + target_.injectLatency + hops * target_.hopLatency +
                target_.ejectLatency + serial + waited;
      nocBytes_ += wire;
    }
  } else {
    int64_t xfer = ceilDiv(bytes, target_.hbmBytesPerCycle);
    int64_t start = std::max(t0, hbmFree_);
    hbmFree_ = start + xfer;
    arrival = start + target_.hbmLatency + xfer;
    hbmBytes_ += bytes;
  }
  ++dmaTransfers_;
  if (options_.trace)
    traceDma(n, d, t.dstNode, t0, arrival, int(hops));
  push(arrival, true, slot);
  return true;
}

void Machine::arrive(int slot, int64_t time) {
  Transfer &t = transfers_[size_t(slot)];
  // The destination's last gather cannot be reused past new bytes in its
  // source.
  if (t.dstNode >= 0)
    sramWritten(node(t.dstNode), t.dstLo, t.dstHi);
  if (replay_) {
    logArrive(t);
  } else {
    if (t.dstNode < 0) {
      scatter(hbm_.get(), t.dstAddr, t.dstElem, t.data, nullptr);
    } else {
      NodeState &dst = node(t.dstNode);
      scatter(dst.sram, t.dstAddr, t.dstElem, t.data, &dst.data->writes);
    }
    releasePayload(t.data);
    t.data = nullptr;
  }
  lastArrival_ = std::max(lastArrival_, time);
  if (t.sem >= 0) {
    NodeState &s = node(t.semNode);
    s.sem[t.sem] += 1;
    if (s.status == NodeStatus::WaitSem && s.waitSem == t.sem &&
        s.sem[s.waitSem] >= s.waitCount)
      wake(s, time);
  }
  freeSlots_.push_back(slot);
}

} // namespace dojo::sim::detail
