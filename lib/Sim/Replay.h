//===- Replay.h - Parallel execution of the data side of a run ------------===//
//
// Private to lib/Sim. In parallel mode the event loop (the "timing side")
// runs exactly as in sequential mode but skips every data effect; instead
// it appends to a log, in event order, what the sequential simulator would
// have done to memory at that point:
//   Run    - node X executes `count` instructions from `pc` (vector,
//            matrix and scalar effects on X's registers and SRAM),
//   Issue  - node X's DMA gathers its source (X's SRAM or HBM); a DMA that
//            shares an earlier gather's payload logs none,
//   Arrive - a transfer scatters into its destination (an SRAM or HBM).
// Worker threads replay the log. Each node belongs to one worker (node id
// modulo the worker count), which executes the node's Run and Issue entries
// and the arrivals into its SRAM in log order, so every SRAM byte sees the
// same sequence of reads and writes as in sequential mode. The cross-worker
// orderings that remain are recorded as a dependency index `dep` per entry:
// an arrival waits for its gather, an HBM read for earlier HBM writes, an
// HBM write for earlier HBM reads and writes of other workers. A worker
// waits until every other worker has passed `dep` (conservative for more
// than two workers, and deadlock-free because dependencies always point
// backwards in the log).
//
// The log is consumed in order, so its chunks are recycled instead of
// growing with the run: a chunk every worker has passed whose gathers'
// payloads have all been released is reused for the entries appended next
// (r3d_18 BF16: 41 chunks, 32 MB of fresh pages, otherwise).
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_LIB_SIM_REPLAY_H
#define DOJO_LIB_SIM_REPLAY_H

#include "dojo/Target/ISA.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace dojo::sim::detail {

struct LogEntry {
  enum class Kind : uint8_t { Run, Issue, Arrive };
  Kind kind = Kind::Run;
  uint8_t owner = 0;   ///< worker that executes it
  uint8_t dstElem = 0; ///< Issue, Arrive: destination element bytes (1..8)
  bool fromHbm = false; ///< Issue: the source is HBM, not the node's SRAM
  int32_t node = 0;    ///< Run / Issue: the node; Arrive: destination, -1 HBM
  int64_t a = 0;       ///< Run: first pc; Issue: source; Arrive: Issue index
  /// Run: instruction count; Arrive: destination address. Issue: the
  /// references to its payload: one per transfer sharing it, and one while
  /// it is its node's LastGather (Machine.h). Decremented by the arrivals
  /// (on their workers) and the timing side, hence only through
  /// std::atomic_ref once published; the last one returns the payload.
  int64_t b = 0;
  int64_t dep = -1;    ///< every other worker must have passed this index
  /// Issue: the transfer's descriptor. (An arrival needs only the payload,
  /// which carries its scatter plan.)
  const isa::DmaDesc *desc = nullptr;
  /// Issue: the gathered (and converted) payload, written by the gathering
  /// worker and reset by whoever drops the last reference. Other workers
  /// may read it early to prefetch it, hence only through std::atomic_ref.
  uint8_t *payload = nullptr;
};
// Every entry is written once by the timing side and read by every worker
// (r3d_18 BF16 on d1 appends 1.2 million): compact entries mean fewer
// fresh pages to fault in and less cache traffic.
static_assert(sizeof(LogEntry) == 48, "keep log entries compact");

/// DMA payload buffers in power-of-two size classes, kept for reuse (up to
/// a cap) so that steady-state transfers neither allocate nor fault in
/// fresh pages. A request its own class cannot serve takes a free buffer
/// of up to kStretch classes larger, since payload sizes drift from layer
/// to layer. (Most fresh buffers remain, though: r3d_18 has about 41k
/// transfers, 75 MB of payloads, in flight at its peak; bounding how far
/// one worker's gathers run ahead of the other's arrivals did not lower
/// that.) Each buffer records its class in a header in front of it, so
/// put() needs no size; the rest of the header is the user's slot.
/// Thread-safe.
class PayloadPool {
public:
  ~PayloadPool();
  uint8_t *get(int64_t bytes);
  void put(uint8_t *p);
  /// Bytes of free buffers held for reuse (for tests).
  int64_t retainedBytes();
  /// kSlotBytes bytes in front of buffer `p` (from get()) that its user
  /// may keep there: a transfer's scatter plan (Dma.cpp), so that the
  /// arrival reads the payload's own lines instead of the descriptor.
  static void *slot(uint8_t *p) { return p - kHeader + kSlotOffset; }

  static constexpr int kStretch = 2;
  static constexpr int64_t kRetainBytes = int64_t(256) << 20;

private:
  /// The header (the size class in its first byte, then the slot) keeps
  /// payloads 64-byte aligned.
  static constexpr size_t kHeader = 128;
  static constexpr size_t kSlotOffset = 8;

public:
  static constexpr size_t kSlotBytes = kHeader - kSlotOffset;

private:
  static int sizeClass(int64_t bytes);
  std::mutex mutex_;
  std::vector<uint8_t *> free_[64]; ///< buffers (past their header)
  int64_t retained_ = 0;
};

/// The log and the synchronization between the timing side and workers.
struct ReplayState {
  static constexpr int kChunkBits = 14;
  static constexpr int64_t kChunk = int64_t(1) << kChunkBits;
  static constexpr int64_t kMaxChunks = int64_t(1) << 18;
  /// Before starting chunk c the timing side waits until every worker has
  /// passed chunk c - liveChunks (a member, so that tests can tighten it).
  /// The default bound only caps the log's memory
  /// (64 chunks of 16k entries) on very long runs: a tight one (4 chunks)
  /// made the timing side wait for the workers and left the host's cores
  /// idle, about 0.1 s of r3d_18 BF16's 0.9 s.
  static constexpr int64_t kLiveChunks = 64;
  int64_t liveChunks = kLiveChunks;
  static constexpr int64_t kDone = int64_t(1) << 62;

  ReplayState(int workers, int64_t hbmBytes);
  /// Appends an entry (timing side only): reserve() returns the slot at
  /// index `size`, holding a default entry, to fill in place; commit()
  /// publishes it and returns its index.
  LogEntry &reserve();
  int64_t commit();
  /// Makes appended entries visible to the workers (timing side only),
  /// waking sleeping ones when `done`, `wake` or a batch is complete.
  void publish(bool done, bool wake = false);
  /// Makes `value` the published progress of worker `me` and wakes anyone
  /// waiting for it.
  void publishProgress(int me, int64_t value);
  /// Blocks until worker `w`'s published progress reaches `need`.
  void waitProgress(int w, int64_t need);
  LogEntry &at(int64_t i) { return chunks[size_t(i >> kChunkBits)][i & (kChunk - 1)]; }
  /// Moves the chunks that nobody reads any more to `spare` (timing side).
  /// A chunk is free once every worker's published progress is past it
  /// (workers publish at each chunk boundary) and each of its Issue entries
  /// has dropped its last reference: later entries refer back to an Issue
  /// entry only while they hold a reference to its payload.
  void reclaim();
  /// Calls `f(entry)` for every entry still held (timing side, workers
  /// stopped).
  template <typename F> void forEachHeld(F f) {
    for (int64_t c = 0; (c << kChunkBits) < size; ++c) {
      if (!chunks[size_t(c)])
        continue;
      const int64_t end = std::min(size, (c + 1) << kChunkBits);
      for (int64_t i = c << kChunkBits; i < end; ++i)
        f(at(i));
    }
  }

  int workers;
  /// Chunk c holds entries [c * kChunk, (c + 1) * kChunk); null before it
  /// is needed and once reclaimed. Never reallocated.
  std::vector<std::unique_ptr<LogEntry[]>> chunks;
  /// Reclaimed chunks, reused before new ones are allocated.
  std::vector<std::unique_ptr<LogEntry[]>> spare;
  /// Chunks allocated in all (for tests and the profile).
  int64_t chunksAllocated = 0;
  /// Chunks below this index are reclaimed or pending.
  int64_t scanned = 0;
  /// Chunks every worker has passed but whose Issue entries still held
  /// references when last looked at: the chunk and the first entry not
  /// yet seen released (releases are final, so the scan resumes there).
  std::vector<std::pair<int64_t, int64_t>> pending;
  int64_t size = 0;                  ///< entries appended (timing side)
  std::atomic<int64_t> published{0}; ///< visible entries | kDone
  std::atomic<int> publishWaiters{0};
  static constexpr int64_t kWakeBatch = 32;
  int64_t notifiedAt = 0; ///< `size` when sleepers were last woken
  /// Per worker: every entry it owns below this index is done.
  std::unique_ptr<std::atomic<int64_t>[]> progress;
  std::unique_ptr<std::atomic<int>[]> progressWaiters;
  /// Per worker: the lowest progress a waiter needs (kNever: none).
  std::unique_ptr<std::atomic<int64_t>[]> wakeAt;
  static constexpr int64_t kNever = INT64_MAX;
  // Dependency bookkeeping of the timing side: per HBM block of
  // 2^kBlockBits bytes and worker, the last entry that wrote the block and
  // the last that read or wrote it (-1: none). Conflicts are tracked per
  // block so that, e.g., weight loads never wait for activation stores.
  static constexpr int kBlockBits = 12;
  std::vector<int64_t> lastHbmWrite, lastHbmAccess; ///< block * workers + w
  /// The latest conflicting entry of another worker than `me` for an
  /// access to HBM bytes [lo, hi), and records the access as entry `index`.
  int64_t hbmAccess(int me, int64_t lo, int64_t hi, bool write, int64_t index);
  std::vector<std::thread> threads;
  /// Per worker: its CPU seconds, stored when it ends (Profile.h).
  std::vector<double> workerCpu;
};

} // namespace dojo::sim::detail

#endif // DOJO_LIB_SIM_REPLAY_H
