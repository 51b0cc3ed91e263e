//===- Machine.h - Internal state of the event-driven mesh simulator ------===//
//
// Private to lib/Sim. The Machine owns one NodeState per node that runs code
// or receives data, the HBM image, the NoC occupancy and the event queue.
// Execute.cpp interprets instructions, Dma.cpp models transfers and the
// network, Simulator.cpp drives the event loop and converts results.
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_LIB_SIM_MACHINE_H
#define DOJO_LIB_SIM_MACHINE_H

#include "EventQueue.h"
#include "MmaCache.h"
#include "Replay.h"
#include "RouteTable.h"
#include "dojo/Sim/Simulator.h"

#include <cstdlib>
#include <cstring>
#include <memory>

namespace dojo::sim::detail {

/// acc[i][j] += sum_k A[i][k] * B[k][j] for one Mma (Mma.cpp).
using MmaKernel = void (*)(float *acc, const uint8_t *a, const uint8_t *b,
                           const isa::MmaDesc &d);
/// Every kernel the host can run for the data type and operand storage of
/// `d` (other fields are ignored), fastest last (tests check that they agree
/// bit for bit).
std::vector<MmaKernel> availableMmaKernels(const isa::MmaDesc &d);
/// The fastest of them.
MmaKernel selectMmaKernel(const isa::MmaDesc &d);

/// The split form of a kernel that MmaCache.h reuses packed panels with:
/// how each operand is packed (and the kind of its elements, part of a
/// panel's identity) and the multiply-add loop over packed panels.
struct MmaPanelKernels {
  PackFn packA = nullptr, packB = nullptr;
  PanelMmaFn compute = nullptr;
  uint8_t kindA = 0, kindB = 0;
  /// Panels hold BF16 pairs for the host's dot-product unit (MmaDot.h)
  /// rather than one FP32 per element.
  bool pairs = false;
};
/// Every split kernel the host can run for `d`, fastest last.
std::vector<MmaPanelKernels> availableMmaPanelKernels(const isa::MmaDesc &d);
/// The fastest of them.
MmaPanelKernels selectMmaPanelKernels(const isa::MmaDesc &d);

/// A descriptor decoded once at load time, with its issue cost precomputed,
/// so the interpreter never re-parses descriptor words. A descriptor has one
/// kind, so the three forms share storage: the member named by `kind` is
/// the live one (verify() proved that every instruction names a descriptor
/// of its kind). That makes a Decoded 272 bytes instead of 400, and large
/// models hold hundreds of thousands of them, all written at load time.
struct Decoded {
  Decoded() : acc() {}
  isa::DescKind kind = isa::DescKind::Acc;
  union {
    isa::AccDesc acc;
    isa::MmaDesc mma;
    isa::DmaDesc dma;
  };
  int64_t cycles = 1;   ///< cost of the instruction using it
  double unitWork = 0;  ///< Mma: MACs / peak MACs per cycle of its dtype
  MmaKernel mmaKernel = nullptr; ///< Mma: the host kernel of its types
  MmaPanelKernels panels;        ///< Mma: the same, split (MmaCache.h)
};

/// What the timing side needs of an Acc or Mma descriptor, derived from
/// its Decoded entry when a node first runs (Execute.cpp) and kept apart
/// from it so that the interpreter's hot loop touches one dense cache line
/// per descriptor. The operand extents are offsets from the base register
/// (stridedSpan at base 0), so that a bounds check is two additions.
struct alignas(64) DescTiming {
  int64_t cycles = 1;
  int64_t lo[2] = {}, hi[2] = {}; ///< Acc: operand 0; Mma: A and B
  int64_t macs = 0;
  double unitWork = 0;
  bool spans = false; ///< the extents did not overflow (else: recomputed)
};
/// A node's DescTimings. Only about one descriptor in forty is an Acc or
/// Mma one (the rest are DMAs), so they are stored densely behind an index.
struct TimingTable {
  std::vector<int32_t> index; ///< by descriptor: its entry, -1 if none
  std::vector<DescTiming> entries;
};

/// The data effect of an Mma with descriptor `dd` on accumulator `acc`,
/// operands at `aAddr` and `bAddr` of `sram` (whose writes `w` records),
/// reusing packed panels from `cache` when it is not null (MmaCache.cpp).
void runMma(const Decoded &dd, float *acc, const uint8_t *sram, int64_t aAddr,
            int64_t bAddr, const SramWrites &w, PanelCache *cache);

/// Frees a block of allocateZeroed (`mapped` = 0) or unmaps the `mapped`
/// bytes of allocateMapped.
struct FreeDeleter {
  size_t mapped = 0;
  void operator()(uint8_t *p) const;
};
/// Zero-filled memory from calloc: large blocks come as lazily zeroed pages
/// from the OS, so only the bytes a model touches cost host memory and time.
/// (Advising them for transparent huge pages made loading r3d_18 anywhere
/// from 2x faster to 3x slower, depending on the kernel's compaction.)
using ZeroedBytes = std::unique_ptr<uint8_t, FreeDeleter>;
ZeroedBytes allocateZeroed(int64_t bytes);
/// The same as one private anonymous mapping of its own, page aligned (the
/// SRAM arena: populating its pages never touches heap memory that malloc
/// hands out).
ZeroedBytes allocateMapped(int64_t bytes);

enum class NodeStatus { Ready, WaitSem, AtBarrier, Halted };

/// What only data effects touch: the vector registers and accumulators, and
/// in parallel mode the data side's own copy of the scalar registers and VL
/// (the timing side keeps its own in NodeState). Allocated apart from
/// NodeState so that the timing side and a worker never share cache lines.
struct alignas(64) DataState {
  int64_t regs[isa::kNumScalarRegs] = {};
  int64_t vl = 0;
  std::vector<float> vregs; ///< kNumVectorRegs * lanes
  float acc[isa::kNumAccumulators][isa::kTile * isa::kTile] = {};
  /// The node's SRAM writes, for the validity of cached Mma panels.
  SramWrites writes;
};

/// The last gather of a node with an SRAM source (timing side). A later
/// transfer with the same source address and gather (sameGather) reuses its
/// payload instead of gathering again, as long as nothing can have written
/// the source bytes [lo, hi) since: the node's own stores (runNode) and
/// arrivals into the node (arrive) overlapping them forget it. Producers
/// send the same region to every consumer that needs it (output-channel
/// groups, halos), so r3d_18 gathers only about one transfer in five.
struct LastGather {
  const isa::DmaDesc *desc = nullptr; ///< null: none to reuse
  int64_t src = 0;
  int64_t lo = INT64_MAX, hi = INT64_MIN; ///< source bytes (empty if none)
  int64_t entry = -1;         ///< parallel mode: the gathering Issue entry
  uint8_t *payload = nullptr; ///< sequential mode: the payload
};

/// Whether `a` and `b` gather the same payload from the same source
/// address, with the same scatter plan (which every sharer's arrival reads
/// from the payload's header).
inline bool sameGather(const isa::DmaDesc &a, const isa::DmaDesc &b) {
  if (&a == &b)
    return true;
  if (a.rank != b.rank || a.elemBytes != b.elemBytes ||
      a.srcType != b.srcType || a.dstType != b.dstType)
    return false;
  for (int64_t i = 0; i < a.rank; ++i)
    if (a.shape[size_t(i)] != b.shape[size_t(i)] ||
        a.srcStrides[size_t(i)] != b.srcStrides[size_t(i)] ||
        a.dstStrides[size_t(i)] != b.dstStrides[size_t(i)])
      return false;
  return true;
}

struct NodeState {
  int id = 0;
  Coord coord;
  const bin::NodeCode *prog = nullptr; ///< null: only receives data
  std::vector<Decoded> descs;
  TimingTable timing; ///< filled by runNode
  int64_t pc = 0;
  int64_t regs[isa::kNumScalarRegs] = {};
  int64_t vl = 0;
  std::unique_ptr<DataState> data;
  int64_t sem[isa::kNumSemaphores] = {};
  uint8_t *sram = nullptr; ///< sramBytes bytes in the Machine's arena
  NodeStatus status = NodeStatus::Halted;
  int waitSem = 0;
  int64_t waitCount = 0;
  // Timing and statistics.
  int64_t time = 0;
  int64_t busy = 0;
  int64_t wait = 0;
  int64_t instructions = 0;
  int64_t macs = 0;
  int64_t sramPeak = 0;
  double unitWork = 0;
  // Tracing only: the debug name of every pc and the open compute span.
  std::vector<int32_t> pcName;
  bool spanOpen = false;
  int32_t spanName = -1;
  int64_t spanBegin = 0, spanEnd = 0;
  LastGather lastGather;
};

/// Fills `n.timing` from `n.descs` (see DescTiming); called once, when the
/// descriptors are decoded at load time (Execute.cpp).
void prepareTiming(NodeState &n);

/// A DMA in flight. Sequential mode: its payload was gathered at issue
/// time (by it or by an earlier transfer whose payload it shares) and is
/// scattered into the destination when its arrival event fires. Parallel
/// mode: `issueEntry` names the log entry that gathers it. One cache line,
/// which the event loop prefetches before the arrival.
struct alignas(64) Transfer {
  int64_t dstAddr = 0;
  uint8_t *data = nullptr; ///< sequential mode: the payload, from the pool
  int64_t issueEntry = -1;
  int64_t dstLo = 0, dstHi = 0; ///< bytes the arrival writes (checked span)
  int32_t srcNode = 0;  ///< issuing node
  int32_t dstNode = -1; ///< node whose SRAM receives the data; -1 = HBM
  int32_t semNode = 0;  ///< node whose semaphore `sem` is incremented
  /// The descriptor's semaphore, copied so that the arrival need not touch
  /// the descriptor, which by then has usually left the host's caches.
  int32_t sem = -1;
  int8_t dstElem = 4; ///< bytes of one destination element
};
static_assert(sizeof(Transfer) == 64, "one cache line per transfer");

/// What the event loop prefetches for a node's pending event (a node has at
/// most one): the instruction it resumes at and, if that is a transfer, its
/// descriptor (read once, long after the node's last use). Kept by node id
/// apart from the 16-byte events, in a small array that stays cached.
struct Resume {
  const isa::Insn *insn = nullptr;
  const isa::DmaDesc *dma = nullptr;
};

/// Why runNode returned.
enum class RunResult { Blocked, Halted, Yield, Error };

class Machine {
public:
  /// `workers` > 1 runs the data side on that many threads (Replay.h).
  Machine(const bin::Executable &exe, const Options &options, int workers);
  ~Machine();
  bool load(const std::vector<HostTensor> &inputs, std::string &error);
  bool simulate(std::string &error);
  void collect(std::vector<HostTensor> &outputs, Stats &stats) const;

private:
  // Execute.cpp. `Data` = false (parallel mode) skips data effects and
  // logs them instead.
  template <bool Data> RunResult runNode(NodeState &n, std::string &error);
  bool checkSram(NodeState &n, const isa::Insn &in, int64_t lo, int64_t hi,
                 std::string &error, NodeState *owner = nullptr);
  bool checkSpan(NodeState &n, const isa::Insn &in, bool ok, int64_t lo,
                 int64_t hi, std::string &error);
  std::string where(const NodeState &n) const;
  // Dma.cpp
  bool issueDma(NodeState &n, const isa::Insn &in, const Decoded &d,
                std::string &error);
  void arrive(int slot, int64_t time);
  /// Makes `t` share `n`'s last gather if `d` from `src` gathers the same
  /// bytes (LastGather); otherwise gathers (or logs the gather) and makes
  /// it `n`'s last gather when its source is `n`'s SRAM.
  void gatherOrReuse(NodeState &n, const isa::DmaDesc &d, int64_t src,
                     int64_t dstElem, int64_t sLo, int64_t sHi, Transfer &t);
  /// Drops the timing side's reference to `n`'s last gather.
  void forgetGather(NodeState &n);
  /// Forgets `n`'s last gather if SRAM bytes [lo, hi) overlap its source.
  void sramWritten(NodeState &n, int64_t lo, int64_t hi) {
    if (lo < n.lastGather.hi && n.lastGather.lo < hi) [[unlikely]]
      forgetGather(n);
  }
  /// Drops a reference to a sequential-mode payload.
  void releasePayload(uint8_t *payload);
  /// The descriptor of the transfer `n` issues first when it resumes, if
  /// it resumes at one (Resume::dma; Dma.cpp).
  const isa::DmaDesc *resumeDma(const NodeState &n) const;
  /// Prefetches the descriptors and routes of the transfers the next
  /// events issue (the event loop calls it after each pop).
  void prefetchTransfers() const;
  // Replay.cpp (parallel mode)
  int ownerOf(int node) const { return node % replay_->workers; }
  void logRun(const NodeState &n, int64_t pc, int64_t count);
  int64_t logIssue(const NodeState &n, const isa::DmaDesc &d, int64_t src,
                   int64_t refs, int64_t dstElem, int64_t srcLo,
                   int64_t srcHi);
  void logArrive(const Transfer &t);
  /// Drops a reference to the payload of Issue entry `issue` (its `b`),
  /// returning the payload to the pool with the last one (any thread).
  void releaseIssue(LogEntry &issue);
  void startWorkers();
  void finishWorkers();
  void worker(int me);
  void waitForOthers(int me, int64_t position, int64_t dep);
  void execute(LogEntry &e, std::vector<uint8_t> &scratch, PanelCache &cache);
  /// Worker `me` prefetches what log entry `index` will touch if it owns
  /// that entry: a gather's descriptor or an arrival's Issue entry, or
  /// (`payload`, half as far ahead) the payload an arrival scatters and its
  /// plan. (The SRAM a transfer reads or writes is usually still in the
  /// cache from the node's own work; prefetching it too cost more.)
  void prefetchEntry(int me, int64_t index, bool payload);
  static constexpr int64_t kPrefetchAhead = 8;
  void runData(NodeState &n, int64_t pc, int64_t count, PanelCache &cache);
  /// Blocks the timing side until `n`'s worker has replayed every entry
  /// logged so far, so that `n`'s SRAM holds what the sequential simulator
  /// would have at this point (for `ldf`).
  void catchUp(const NodeState &n);
  /// Scatters `payload` (from gather) into `mem` at `dst` as elements of
  /// `dstElem` bytes and records the write in `writes` (if not null). The
  /// caller releases the payload.
  void scatter(uint8_t *mem, int64_t dst, int64_t dstElem, uint8_t *payload,
               SramWrites *writes);
  /// Gathers (and converts) a transfer's source into a pool buffer, with
  /// the plan of its scatter and one reference in the buffer's header.
  uint8_t *gather(const isa::DmaDesc &d, const uint8_t *srcMem, int64_t src,
                  int64_t dstElem, std::vector<uint8_t> &scratch,
                  int64_t &payloadBytes);
  // Trace.cpp (called only when options_.trace is set)
  void traceInsn(NodeState &n, int64_t pc, int64_t begin);
  void traceWait(NodeState &n, int64_t until);
  void traceDma(NodeState &n, const isa::DmaDesc &d, int dstNode,
                int64_t begin, int64_t end, int hops);
  void traceFlush(NodeState &n);
  void traceInit(NodeState &n);
  // Simulator.cpp
  NodeState &node(int id);
  void push(int64_t time, bool arrival, int index);
  void prefetch(const Event &e) const;
  void wake(NodeState &n, int64_t time);
  void maybeReleaseBarrier();
  std::string deadlockReport() const;

  const bin::Executable &exe_;
  const TargetModel &target_;
  Options options_;
  int lanes_;
  int64_t reduceCycles_; ///< VRed cost: ceil(log2(lanes)), at least 1
  std::vector<std::unique_ptr<NodeState>> nodes_; ///< by node id
  ZeroedBytes hbm_; ///< the HBM image
  /// Every node's SRAM, in one block.
  ZeroedBytes sramArena_;
  int64_t sramStride_ = 0; ///< bytes between nodes' SRAMs in the arena
  int64_t hbmSize_ = 0;
  /// The event queue; prefetchTransfers looks at the event after its top
  /// (EventQueue::second).
  EventQueue events_;
  std::vector<Resume> resume_; ///< by node id (push)
  uint64_t seq_ = 0;
  std::vector<Transfer> transfers_;
  std::vector<int> freeSlots_;
  std::vector<uint8_t> convertBuf_; ///< source elements of a converting DMA
  PayloadPool pool_;
  PanelCache panelCache_; ///< sequential mode's (workers have their own)
  std::unique_ptr<ReplayState> replay_; ///< null in sequential mode
  int64_t totalInstructions_ = 0;
  int active_ = 0;     ///< nodes with a program that have not halted
  int atBarrier_ = 0;
  int64_t barrierMax_ = 0;
  int64_t lastArrival_ = 0;
  // Network and HBM occupancy.
  std::vector<int64_t> injectFree_;        ///< by node id
  /// A directed link's busy-until time and the bytes it carried, side by
  /// side: a transfer updates both for each hop of its route, usually with
  /// them out of the host's caches.
  struct Link {
    int64_t free = 0, bytes = 0;
  };
  std::vector<Link> links_; ///< by node id * 4 + direction
  /// Every route's links (indices into links_), built at the first
  /// transfer.
  RouteTable routes_;
  int64_t hbmFree_ = 0;
  int64_t nocBytes_ = 0, hbmBytes_ = 0, dmaTransfers_ = 0;
  int64_t gathersSaved_ = 0; ///< transfers that shared an earlier gather
};

/// Extent of a strided access: base + sum_i [0, shape_i) * stride_i, each
/// element `elemBytes` wide. Returns false if the arithmetic overflows.
bool stridedSpan(int64_t base, int rank, const int64_t *shape,
                 const int64_t *strides, int64_t elemBytes, int64_t &lo,
                 int64_t &hi);

/// Converts `count` dense elements of ONNX type `srcType` at `src` into
/// `dstType` at `dst` (Convert.cpp; both types are ones decode() accepts).
void convertElements(int64_t srcType, const uint8_t *src, int64_t dstType,
                     uint8_t *dst, int64_t count);

/// convertElements from FLOAT to BFLOAT16, the conversion BF16 models run
/// on most of their transfers; inline, since their rows are short.
inline void floatsToBF16(const uint8_t *src, uint8_t *dst, int64_t count) {
  // floatToBF16Bits without branches, so that the loop vectorizes.
  for (int64_t i = 0; i < count; ++i) {
    uint32_t u;
    std::memcpy(&u, src + 4 * i, 4);
    const bool nan = (u & 0x7fffffffu) > 0x7f800000u;
    const uint32_t r = nan ? (u | 0x00400000u) : u + 0x7fffu + ((u >> 16) & 1u);
    const uint16_t h = uint16_t(r >> 16);
    std::memcpy(dst + 2 * i, &h, 2);
  }
}

inline int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// Prefetches the cache lines of `bytes` bytes at `p`, for data the host
/// has usually evicted since its last use (DMA descriptors are read once
/// or twice per run).
inline void prefetchBytes(const void *p, size_t bytes) {
  const auto first = reinterpret_cast<uintptr_t>(p) & ~uintptr_t(63);
  const auto last = reinterpret_cast<uintptr_t>(p) + bytes - 1;
  for (uintptr_t a = first; a <= last; a += 64)
    __builtin_prefetch(reinterpret_cast<const void *>(a));
}

} // namespace dojo::sim::detail

#endif // DOJO_LIB_SIM_MACHINE_H
