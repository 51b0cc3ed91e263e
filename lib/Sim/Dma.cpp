//===- Dma.cpp - DMA transfers, the NoC and the HBM channel ---------------===//
//
// A DMA gathers its source bytes when it is issued (so later writes to the
// source cannot leak into it) and scatters them at its arrival time, when it
// also increments the destination semaphore. The arrival time comes from a
// contention model: per-node injection ports, per directed link busy-until
// times along the compiled route, and one shared HBM channel.
//
//===----------------------------------------------------------------------===//
#include "DataOps.h"
#include "dojo/Sim/DType.h"

#include <algorithm>
#include <cstring>

namespace dojo::sim::detail {

using isa::DmaMode;

namespace {

/// Index of the directed link leaving `from` towards its neighbour `to`:
/// from * 4 + {north, east, south, west}.
int linkIndex(const TargetModel &t, int from, int to) {
  // verify() proved every step of a route joins mesh neighbours, whose ids
  // differ by one row (cols) or one column (1); rows first, since with a
  // single column a step of 1 is a step south. No division: this runs for
  // every hop of every transfer.
  const int step = to - from;
  int dir = step == -t.cols ? 0 : step == t.cols ? 2 : step == 1 ? 1 : 3;
  return from * 4 + dir;
}

} // namespace

void Machine::buildRouteLinks() {
  routeStart_.reserve(exe_.routes.size() + 1);
  routeStart_.push_back(0);
  for (const std::vector<int> &route : exe_.routes) {
    for (size_t h = 0; h + 1 < route.size(); ++h)
      routeLinks_.push_back(linkIndex(target_, route[h], route[h + 1]));
    routeStart_.push_back(int32_t(routeLinks_.size()));
  }
}

void Machine::prefetchDmaAhead(const NodeState &n, const Decoded &dd) {
  // A node's next transfers almost always use the descriptors right after
  // this one (nine times in ten on r3d_18). Each stage reads only what an
  // earlier call prefetched: the descriptor three ahead is fetched, the
  // route entry of the one two ahead, and the links of the next one.
  const Decoded *p = &dd;
  const ptrdiff_t left = n.descs.data() + n.descs.size() - p;
  const int64_t routes = int64_t(exe_.routes.size());
  auto route = [&](const Decoded &x) {
    const isa::DmaDesc &d = x.dma; // default (route -1) for other kinds
    return d.mode == DmaMode::SramToSram && d.route >= 0 && d.route < routes
               ? d.route
               : -1;
  };
  if (left > 3)
    prefetchBytes(&p[3].dma, sizeof(isa::DmaDesc));
  if (left > 2)
    if (int64_t r = route(p[2]); r >= 0)
      __builtin_prefetch(&routeStart_[size_t(r)]);
  if (left > 1)
    if (int64_t r = route(p[1]); r >= 0)
      __builtin_prefetch(&routeLinks_[size_t(routeStart_[size_t(r)])]);
}

uint8_t *Machine::gather(const isa::DmaDesc &d, const uint8_t *srcMem,
                         int64_t src, int64_t dstElem,
                         std::vector<uint8_t> &scratch, int64_t &payloadBytes) {
  const int64_t bytes = d.bytes();
  uint8_t *mem = const_cast<uint8_t *>(srcMem);
  if (d.srcType == d.dstType) {
    payloadBytes = bytes;
    uint8_t *p = pool_.get(bytes);
    stridedCopy<true>(mem, src, d, d.srcStrides.data(), d.elemBytes, p);
    return p;
  }
  const int64_t count = bytes / d.elemBytes;
  payloadBytes = count * dstElem;
  if (d.srcType == 1 && d.dstType == 16) {
    uint8_t *p = pool_.get(payloadBytes);
    stridedGatherToBF16(mem, src, d, d.srcStrides.data(), p);
    return p;
  }
  scratch.resize(size_t(bytes));
  stridedCopy<true>(mem, src, d, d.srcStrides.data(), d.elemBytes,
                    scratch.data());
  uint8_t *p = pool_.get(payloadBytes);
  convertElements(d.srcType, scratch.data(), d.dstType, p, count);
  return p;
}

bool Machine::issueDma(NodeState &n, const isa::Insn &in, const Decoded &dd,
                       std::string &error) {
  const isa::DmaDesc &d = dd.dma;
  if (routeStart_.empty())
    buildRouteLinks();
  prefetchDmaAhead(n, dd);
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
    slot = int(transfers_.size());
    transfers_.emplace_back();
  } else {
    slot = freeSlots_.back();
    freeSlots_.pop_back();
  }
  Transfer &t = transfers_[size_t(slot)];
  t.desc = &d;
  t.dstAddr = dst;
  t.dstElem = dstElem;
  t.srcNode = n.id;
  t.semNode = dstNode->id;
  t.dstNode = d.mode == DmaMode::SramToHbm ? -1 : dstNode->id;
  t.dstLo = dLo;
  t.dstHi = dHi;
  t.sem = d.sem;
  if (replay_) {
    t.issueEntry = logIssue(n, d, src, dst, dstElem, sLo, sHi);
  } else {
    const uint8_t *srcMem =
        d.mode == DmaMode::HbmToSram ? hbm_.get() : n.sram;
    t.data = gather(d, srcMem, src, dstElem, convertBuf_, t.bytes);
  }

  int64_t arrival;
  int64_t hops = 0;
  if (d.mode == DmaMode::SramToSram) {
    const int32_t first = routeStart_[size_t(d.route)];
    const int32_t *links = routeLinks_.data() + first;
    hops = int64_t(routeStart_[size_t(d.route) + 1] - first);
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
        if (linkFree_[size_t(li)] > at) {
          waited += linkFree_[size_t(li)] - at;
          at = linkFree_[size_t(li)];
        }
        linkFree_[size_t(li)] = at + ceilDiv(wire, link);
        linkBytes_[size_t(li)] += wire;
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
  if (replay_) {
    logArrive(t);
  } else {
    const isa::DmaDesc &d = *t.desc;
    uint8_t *mem = t.dstNode < 0 ? hbm_.get() : node(t.dstNode).sram;
    stridedCopy<false>(mem, t.dstAddr, d, d.dstStrides.data(), t.dstElem,
                       t.data);
    if (t.dstNode >= 0)
      node(t.dstNode).data->writes.mark(t.dstLo, t.dstHi);
    pool_.put(t.data);
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
