//===- Replay.cpp - Worker threads that replay the data side of a run -----===//
//
// See Replay.h for the scheme. The timing side appends entries and
// publishes the log length; each worker walks the whole log in order,
// executing the entries it owns and skipping the others. A worker publishes
// how far it got (its progress) before it blocks and whenever another
// worker waits for it, so that waits end as soon as they can.
//
//===----------------------------------------------------------------------===//
#include "DataOps.h"
#include "Profile.h"

#include <algorithm>
#include <atomic>
#include <new>

namespace dojo::sim::detail {

// ---- PayloadPool --------------------------------------------------------

PayloadPool::~PayloadPool() {
  for (std::vector<uint8_t *> &v : free_)
    for (uint8_t *p : v)
      ::operator delete(p - kHeader, std::align_val_t(kHeader));
}

int PayloadPool::sizeClass(int64_t bytes) {
  int c = 8; // 256 bytes at least
  while ((int64_t(1) << c) < bytes)
    ++c;
  return c;
}

uint8_t *PayloadPool::get(int64_t bytes) {
  const int c = sizeClass(bytes);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (int k = c; k <= c + kStretch && k < 64; ++k)
      if (!free_[k].empty()) {
        uint8_t *p = free_[k].back();
        free_[k].pop_back();
        retained_ -= int64_t(1) << k;
        return p;
      }
  }
  auto *base = static_cast<uint8_t *>(
      ::operator new(kHeader + (size_t(1) << c), std::align_val_t(kHeader)));
  base[0] = uint8_t(c);
  return base + kHeader;
}

void PayloadPool::put(uint8_t *p) {
  if (!p)
    return;
  const int c = p[-int64_t(kHeader)];
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (retained_ + (int64_t(1) << c) <= kRetainBytes) {
      free_[c].push_back(p);
      retained_ += int64_t(1) << c;
      return;
    }
  }
  ::operator delete(p - kHeader, std::align_val_t(kHeader));
}

int64_t PayloadPool::retainedBytes() {
  std::lock_guard<std::mutex> lock(mutex_);
  return retained_;
}

// ---- ReplayState ---------------------------------------------------------

ReplayState::ReplayState(int workers, int64_t hbmBytes)
    : workers(workers), chunks(size_t(kMaxChunks)),
      progress(new std::atomic<int64_t>[size_t(workers)]),
      progressWaiters(new std::atomic<int>[size_t(workers)]),
      wakeAt(new std::atomic<int64_t>[size_t(workers)]),
      workerCpu(size_t(workers), 0.0) {
  const size_t blocks = size_t((hbmBytes >> kBlockBits) + 1);
  lastHbmWrite.assign(blocks * size_t(workers), -1);
  lastHbmAccess.assign(blocks * size_t(workers), -1);
  for (int w = 0; w < workers; ++w) {
    progress[w].store(0);
    progressWaiters[w].store(0);
    wakeAt[w].store(kNever);
  }
}

/// Makes `value` the published progress of a worker and wakes anyone
/// waiting for it.
void ReplayState::publishProgress(int me, int64_t value) {
  progress[me].store(value);
  if (progressWaiters[me].load() > 0)
    progress[me].notify_all();
}

/// Blocks until worker `w`'s published progress reaches `need`. The waiter
/// tells `w` where to wake it (the lowest request wins; woken waiters whose
/// need is not met ask again), so that `w` does not publish, and make a
/// system call, after every entry while someone waits.
void ReplayState::waitProgress(int w, int64_t need) {
  int64_t p;
  while ((p = progress[w].load()) < need) {
    int64_t cur = wakeAt[w].load();
    while (need < cur && !wakeAt[w].compare_exchange_weak(cur, need)) {
    }
    progressWaiters[w].fetch_add(1);
    // `w` may itself sleep until the timing side wakes it for a full batch
    // (ReplayState::publish) although what we need is published already.
    if (publishWaiters.load() > 0)
      published.notify_all();
    if ((p = progress[w].load()) < need)
      progress[w].wait(p);
    progressWaiters[w].fetch_sub(1);
  }
}

LogEntry &ReplayState::reserve() {
  const size_t c = size_t(size >> kChunkBits);
  if (c >= chunks.size())
    throw std::bad_alloc(); // over 4G entries: reported as out of memory
  if (!chunks[c]) {
    // Bound how far the log runs ahead of the slowest worker, so that its
    // chunks are recycled rather than accumulated (the timing side is
    // about twice as fast as a worker). Workers can always get there: all
    // earlier entries are published and dependencies point backwards.
    if (const int64_t need = (int64_t(c) + 1 - liveChunks) << kChunkBits;
        need > 0) {
      publish(false, true);
      for (int w = 0; w < workers; ++w)
        waitProgress(w, need);
    }
    reclaim();
    if (!spare.empty()) {
      chunks[c] = std::move(spare.back());
      spare.pop_back();
    } else {
      chunks[c].reset(new LogEntry[size_t(kChunk)]);
      ++chunksAllocated;
    }
  }
  LogEntry *slot = &chunks[c][size & (kChunk - 1)];
  // A recycled slot still holds an old entry; the log functions fill in
  // only the fields their kind uses.
  *slot = LogEntry();
  // The slots a few entries on, for writing: their lines are usually out
  // of the cache (the log is long and written once).
  if ((size & (kChunk - 1)) + 8 < kChunk)
    __builtin_prefetch(slot + 8, 1);
  return *slot;
}

void ReplayState::reclaim() {
  int64_t passed = kDone;
  for (int w = 0; w < workers; ++w)
    passed = std::min(passed, progress[w].load());
  for (; (scanned + 1) << kChunkBits <= passed; ++scanned)
    pending.emplace_back(scanned, scanned << kChunkBits);
  // The releases' acquire pairs with the last holder's decrement, so that
  // holder's last access to the entry happens before the chunk's reuse.
  auto released = [this](int64_t i) {
    LogEntry &e = at(i);
    return e.kind != LogEntry::Kind::Issue ||
           std::atomic_ref<int64_t>(e.b).load(std::memory_order_acquire) == 0;
  };
  std::erase_if(pending, [&](std::pair<int64_t, int64_t> &p) {
    const int64_t end = (p.first + 1) << kChunkBits;
    while (p.second < end && released(p.second))
      ++p.second;
    if (p.second < end)
      return false;
    spare.push_back(std::move(chunks[size_t(p.first)]));
    return true;
  });
}

int64_t ReplayState::commit() {
  const int64_t i = size;
  size = i + 1;
  publish(false);
  return i;
}

void ReplayState::publish(bool done, bool wake) {
  // A release store, not a full fence: a worker that goes to sleep just as
  // this store becomes visible (having seen neither it nor, here, its own
  // publishWaiters increment) is woken by a later batch, by catchUp or by
  // the final publish, which always notify. The fence would make the
  // timing side wait for every entry's store to reach the cache.
  published.store(size | (done ? kDone : 0), std::memory_order_release);
  // Waking a sleeping worker is a system call; for every entry it would
  // cost more than most entries take to replay, so sleepers are woken once
  // a batch has accumulated, or when the timing side is about to wait for
  // them (catchUp) or has finished.
  if (done || wake ||
      (publishWaiters.load() > 0 && size - notifiedAt >= kWakeBatch)) {
    notifiedAt = size;
    published.notify_all();
  }
}

int64_t ReplayState::hbmAccess(int me, int64_t lo, int64_t hi, bool write,
                               int64_t index) {
  int64_t dep = -1;
  const size_t w = size_t(workers);
  for (int64_t b = lo >> kBlockBits; b <= (hi - 1) >> kBlockBits; ++b) {
    const size_t base = size_t(b) * w;
    for (size_t o = 0; o < w; ++o)
      if (int(o) != me)
        dep = std::max(dep, write ? lastHbmAccess[base + o]
                                  : lastHbmWrite[base + o]);
    lastHbmAccess[base + size_t(me)] = index;
    if (write)
      lastHbmWrite[base + size_t(me)] = index;
  }
  return dep;
}

// ---- Logging (timing side) -----------------------------------------------

// Entries are filled in place: building one on the stack and copying it
// made the copy's wide loads wait for the narrow stores before them to
// leave the store buffer, behind every cache miss the timing side had
// stored into (r3d_18: 50 ns per entry).

void Machine::logRun(const NodeState &n, int64_t pc, int64_t count) {
  LogEntry &e = replay_->reserve();
  e.kind = LogEntry::Kind::Run;
  e.owner = uint8_t(ownerOf(n.id));
  e.node = n.id;
  e.a = pc;
  e.b = count;
  replay_->commit();
}

int64_t Machine::logIssue(const NodeState &n, const isa::DmaDesc &d,
                          int64_t src, int64_t refs, int64_t dstElem,
                          int64_t srcLo, int64_t srcHi) {
  ReplayState &r = *replay_;
  LogEntry &e = r.reserve();
  e.kind = LogEntry::Kind::Issue;
  const int me = ownerOf(n.id);
  e.owner = uint8_t(me);
  e.node = n.id;
  e.a = src;
  e.b = refs;
  e.desc = &d;
  e.dstElem = uint8_t(dstElem);
  e.fromHbm = d.mode == isa::DmaMode::HbmToSram;
  // Reading HBM: after earlier writes of other workers to the same blocks.
  if (d.mode == isa::DmaMode::HbmToSram)
    e.dep = r.hbmAccess(me, srcLo, srcHi, false, r.size);
  return r.commit();
}

void Machine::releaseIssue(LogEntry &issue) {
  // Release: this holder's reads of the payload happen before its reuse;
  // acquire: the last holder sees the gathering worker's pointer (every
  // arrival, and so every drop to zero, comes after the gather). Only the
  // timing side calls this: it reads the entry after the decrement, which
  // is safe because the timing side is also the one that recycles chunks.
  // (A worker reads the pointer first; see execute.) The entry keeps the
  // stale pointer: a count of zero marks it as returned.
  if (std::atomic_ref<int64_t>(issue.b).fetch_sub(
          1, std::memory_order_acq_rel) != 1)
    return;
  pool_.put(std::atomic_ref<uint8_t *>(issue.payload)
                .load(std::memory_order_relaxed));
}

void Machine::logArrive(const Transfer &t) {
  ReplayState &r = *replay_;
  LogEntry &e = r.reserve();
  e.kind = LogEntry::Kind::Arrive;
  e.node = t.dstNode;
  e.a = t.issueEntry;
  e.b = t.dstAddr;
  e.dstElem = uint8_t(t.dstElem);
  const int gatherer = ownerOf(t.srcNode);
  if (t.dstNode >= 0) {
    // Into an SRAM: by the destination's worker, after the gather.
    const int me = ownerOf(t.dstNode);
    e.owner = uint8_t(me);
    if (me != gatherer)
      e.dep = t.issueEntry;
  } else {
    // Into HBM: by the gatherer's worker (so the gather is already done),
    // after earlier accesses of other workers to the same blocks.
    e.owner = uint8_t(gatherer);
    e.dep = r.hbmAccess(gatherer, t.dstLo, t.dstHi, true, r.size);
  }
  r.commit();
}

// ---- Workers ---------------------------------------------------------------

void Machine::startWorkers() {
  for (int w = 0; w < replay_->workers; ++w)
    replay_->threads.emplace_back([this, w] { worker(w); });
}

void Machine::finishWorkers() {
  if (!replay_ || replay_->threads.empty())
    return;
  replay_->publish(true);
  for (std::thread &t : replay_->threads)
    t.join();
  replay_->threads.clear();
  // A run stopped by an error may leave gathered payloads that never
  // arrived, or nodes' last gathers that the timing side still holds.
  for (const std::unique_ptr<NodeState> &n : nodes_)
    if (n)
      n->lastGather = LastGather();
  replay_->forEachHeld([this](LogEntry &e) {
    if (e.kind == LogEntry::Kind::Issue && e.b > 0 && e.payload) {
      pool_.put(e.payload);
      e.b = 0;
    }
  });
}


void Machine::waitForOthers(int me, int64_t position, int64_t dep) {
  ReplayState &r = *replay_;
  for (int w = 0; w < r.workers; ++w) {
    if (w == me || r.progress[w].load() > dep)
      continue;
    // Everything this worker owns before `position` is done; say so first,
    // since the other worker may be waiting for it in turn.
    r.publishProgress(me, position);
    r.waitProgress(w, dep + 1);
  }
}

void Machine::worker(int me) {
  ReplayState &r = *replay_;
  std::vector<uint8_t> scratch;
  PanelCache cache;
  int64_t i = 0;
  while (true) {
    int64_t pub = r.published.load();
    if (i >= (pub & ~ReplayState::kDone)) {
      r.publishProgress(me, i);
      if (pub & ReplayState::kDone) {
        r.workerCpu[size_t(me)] = threadCpuSeconds();
        break;
      }
      r.publishWaiters.fetch_add(1);
      while ((pub = r.published.load()) == i)
        r.published.wait(pub);
      r.publishWaiters.fetch_sub(1);
      continue;
    }
    // Entries up to `pub` are complete and visible (release/acquire on
    // `published`); run through them without touching the atomic.
    const int64_t end = pub & ~ReplayState::kDone;
    for (; i < end; ++i) {
      // Passing a chunk boundary: the timing side may recycle what is
      // behind (ReplayState::reclaim).
      if ((i & (ReplayState::kChunk - 1)) == 0)
        r.publishProgress(me, i);
      if (i + kPrefetchAhead < end)
        prefetchEntry(me, i + kPrefetchAhead, false);
      if (i + kPrefetchAhead / 2 < end)
        prefetchEntry(me, i + kPrefetchAhead / 2, true);
      LogEntry &e = r.at(i);
      if (e.owner == me) {
        if (e.dep >= 0)
          waitForOthers(me, i, e.dep);
        execute(e, scratch, cache);
      }
      int64_t want = r.wakeAt[me].load(std::memory_order_relaxed);
      if (i + 1 >= want) {
        // Withdraw the request unless a lower one replaced it meanwhile.
        r.wakeAt[me].compare_exchange_strong(want, ReplayState::kNever);
        r.publishProgress(me, i + 1);
      }
    }
  }
}

void Machine::prefetchEntry(int me, int64_t index, bool payload) {
  ReplayState &r = *replay_;
  const LogEntry &e = r.at(index);
  if (e.owner != me || e.kind == LogEntry::Kind::Run)
    return;
  if (e.kind == LogEntry::Kind::Issue) {
    if (payload)
      return;
    prefetchBytes(e.desc, sizeof(isa::DmaDesc));
    return;
  }
  LogEntry &issue = r.at(e.a);
  if (!payload) {
    prefetchBytes(&issue, sizeof(LogEntry));
    return;
  }
  // The gather may not have run yet (another worker's, or one of ours
  // further on); then there is nothing to prefetch. Otherwise: the scatter
  // plan in the header, and the payload's first bytes.
  if (uint8_t *p = std::atomic_ref<uint8_t *>(issue.payload).load(
          std::memory_order_relaxed)) {
    prefetchBytes(PayloadPool::slot(p), PayloadPool::kSlotBytes);
    __builtin_prefetch(p);
  }
}

void Machine::execute(LogEntry &e, std::vector<uint8_t> &scratch,
                      PanelCache &cache) {
  switch (e.kind) {
  case LogEntry::Kind::Run:
    runData(*nodes_[size_t(e.node)], e.a, e.b, cache);
    break;
  case LogEntry::Kind::Issue: {
    const uint8_t *srcMem =
        e.fromHbm ? hbm_.get() : nodes_[size_t(e.node)]->sram;
    int64_t payloadBytes = 0;
    uint8_t *p = gather(*e.desc, srcMem, e.a, e.dstElem, scratch, payloadBytes);
    std::atomic_ref<uint8_t *>(e.payload).store(p, std::memory_order_relaxed);
    break;
  }
  case LogEntry::Kind::Arrive: {
    LogEntry &issue = replay_->at(e.a);
    uint8_t *p = std::atomic_ref<uint8_t *>(issue.payload)
                     .load(std::memory_order_relaxed);
    if (e.node < 0) {
      scatter(hbm_.get(), e.b, e.dstElem, p, nullptr);
    } else {
      NodeState &n = *nodes_[size_t(e.node)];
      scatter(n.sram, e.b, e.dstElem, p, &n.data->writes);
    }
    // Unlike releaseIssue, the pointer is read before the decrement: once
    // the count reaches zero the timing side may recycle the entry's chunk.
    if (std::atomic_ref<int64_t>(issue.b).fetch_sub(
            1, std::memory_order_acq_rel) == 1)
      pool_.put(p);
    break;
  }
  }
}

void Machine::catchUp(const NodeState &n) {
  ReplayState &r = *replay_;
  const int w = ownerOf(n.id);
  const int64_t target = r.size;
  r.publish(false, true);
  if (r.progress[w].load() >= target)
    return;
  // Only that worker touches n's SRAM (its runs, gathers and the arrivals
  // into it), and it has nothing after `target` to do until the timing
  // side appends more, so the SRAM is quiescent once it gets there.
  r.waitProgress(w, target);
}

void Machine::runData(NodeState &n, int64_t pc, int64_t count,
                      PanelCache &cache) {
  const isa::Insn *code = n.prog->code.data();
  const Decoded *descs = n.descs.data();
  DataState &ds = *n.data;
  int64_t *regs = ds.regs;
  uint8_t *sram = n.sram;
  auto set = [regs](int r, int64_t v) {
    regs[r] = v;
    regs[0] = 0; // r0 is hard-wired to zero
  };
  // Scalar and control instructions, over half of those executed, and the
  // most frequent data instructions (VSt, Mma, VLd) are done here in the
  // dispatch switch; the others go through dataEffect.
  for (int64_t c = 0; c < count; ++c) {
    const isa::Insn &in = code[size_t(pc)];
    int64_t next = pc + 1;
    switch (in.op) {
    case isa::Op::Li: set(in.a, in.imm); break;
    case isa::Op::Addi:
      set(in.a, int64_t(uint64_t(regs[in.b]) + uint64_t(in.imm)));
      break;
    case isa::Op::Blt:
      if (regs[in.a] < regs[in.b])
        next = in.imm;
      break;
    case isa::Op::VSetVl: ds.vl = in.imm; break;
    case isa::Op::LdF: loadScalar(in, regs, sram); break;
    case isa::Op::VLd: case isa::Op::VSt:
      vectorMemory(in, regs, ds.vl, ds.vregs.data() + in.a * lanes_, lanes_,
                   sram, ds.writes);
      break;
    case isa::Op::Mma:
      runMma(descs[size_t(in.imm)], ds.acc[in.a], sram, regs[in.b],
             regs[in.c], ds.writes, &cache);
      break;
    case isa::Op::Add: case isa::Op::Sub: case isa::Op::Muli:
    case isa::Op::Mul: case isa::Op::Slt: case isa::Op::Min:
    case isa::Op::Max: case isa::Op::Bne: case isa::Op::Jmp:
      next = scalarStep(in, regs, pc);
      break;
    default:
      dataEffect(in, regs, ds.vl, ds.vregs.data(), ds.acc, sram, descs,
                 lanes_, ds.writes, cache);
      break;
    }
    pc = next;
  }
}

} // namespace dojo::sim::detail
