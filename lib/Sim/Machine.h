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

#include "dojo/Sim/Simulator.h"

#include <cstdlib>
#include <memory>
#include <queue>

namespace dojo::sim::detail {

/// A descriptor decoded once at load time, with its issue cost precomputed,
/// so the interpreter never re-parses descriptor words.
struct Decoded {
  isa::DescKind kind = isa::DescKind::Acc;
  isa::AccDesc acc;
  isa::MmaDesc mma;
  isa::DmaDesc dma;
  int64_t cycles = 1;   ///< cost of the instruction using it
  double unitWork = 0;  ///< Mma: MACs / peak MACs per cycle of its dtype
};

enum class NodeStatus { Ready, WaitSem, AtBarrier, Halted };

struct NodeState {
  int id = 0;
  Coord coord;
  const bin::NodeCode *prog = nullptr; ///< null: only receives data
  std::vector<Decoded> descs;
  int64_t pc = 0;
  int64_t regs[isa::kNumScalarRegs] = {};
  std::vector<float> vregs; ///< kNumVectorRegs * lanes
  int64_t vl = 0;
  float acc[isa::kNumAccumulators][isa::kTile * isa::kTile] = {};
  int64_t sem[isa::kNumSemaphores] = {};
  std::vector<uint8_t> sram;
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
};

/// A DMA in flight: its payload was gathered at issue time and is scattered
/// into the destination when its arrival event fires.
struct Transfer {
  isa::DmaDesc desc;
  int dstNode = -1; ///< node whose SRAM receives the data; -1 = HBM
  int semNode = 0;  ///< node whose semaphore `desc.sem` is incremented
  int64_t dstAddr = 0;
  std::vector<uint8_t> data;
};

struct Event {
  int64_t time;
  uint64_t seq; ///< issue order breaks ties, keeping runs deterministic
  bool arrival; ///< false: node `index` is ready to run
  int index;    ///< node id or transfer slot
  bool operator>(const Event &o) const {
    return time != o.time ? time > o.time : seq > o.seq;
  }
};

/// Why runNode returned.
enum class RunResult { Blocked, Halted, Yield, Error };

class Machine {
public:
  Machine(const bin::Executable &exe, const Options &options);
  bool load(const std::vector<HostTensor> &inputs, std::string &error);
  bool simulate(std::string &error);
  void collect(std::vector<HostTensor> &outputs, Stats &stats) const;

private:
  // Execute.cpp
  RunResult runNode(NodeState &n, std::string &error);
  bool checkSram(NodeState &n, const isa::Insn &in, int64_t lo, int64_t hi,
                 std::string &error, NodeState *owner = nullptr);
  bool checkSpan(NodeState &n, const isa::Insn &in, bool ok, int64_t lo,
                 int64_t hi, std::string &error);
  std::string where(const NodeState &n) const;
  // Dma.cpp
  bool issueDma(NodeState &n, const isa::Insn &in, const Decoded &d,
                std::string &error);
  void arrive(int slot, int64_t time);
  // Simulator.cpp
  NodeState &node(int id);
  void push(int64_t time, bool arrival, int index);
  void wake(NodeState &n, int64_t time);
  void maybeReleaseBarrier();
  std::string deadlockReport() const;

  const bin::Executable &exe_;
  const TargetModel &target_;
  Options options_;
  int lanes_;
  std::vector<std::unique_ptr<NodeState>> nodes_; ///< by node id
  /// The HBM image. calloc'ed: large images get lazily zeroed pages from the
  /// OS, so only the bytes a model touches cost host memory.
  struct FreeDeleter {
    void operator()(uint8_t *p) const { std::free(p); }
  };
  std::unique_ptr<uint8_t, FreeDeleter> hbm_;
  int64_t hbmSize_ = 0;
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> events_;
  uint64_t seq_ = 0;
  std::vector<Transfer> transfers_;
  std::vector<int> freeSlots_;
  int64_t totalInstructions_ = 0;
  int active_ = 0;     ///< nodes with a program that have not halted
  int atBarrier_ = 0;
  int64_t barrierMax_ = 0;
  int64_t lastArrival_ = 0;
  // Network and HBM occupancy.
  std::vector<int64_t> injectFree_;        ///< by node id
  std::vector<int64_t> linkFree_, linkBytes_; ///< by node id * 4 + direction
  int64_t hbmFree_ = 0;
  int64_t nocBytes_ = 0, hbmBytes_ = 0, dmaTransfers_ = 0;
};

/// Extent of a strided access: base + sum_i [0, shape_i) * stride_i, each
/// element `elemBytes` wide. Returns false if the arithmetic overflows.
bool stridedSpan(int64_t base, int rank, const int64_t *shape,
                 const int64_t *strides, int64_t elemBytes, int64_t &lo,
                 int64_t &hi);

inline int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

} // namespace dojo::sim::detail

#endif // DOJO_LIB_SIM_MACHINE_H
