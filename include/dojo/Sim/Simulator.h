//===- Simulator.h - Cycle-approximate simulator of a D1 mesh -------------===//
//
// Executes every node's instruction stream of an Executable, moves data over
// the modelled network-on-chip along the compiled routes (link bandwidth and
// latency from the target model), honours semaphores and barriers, and
// reports outputs and statistics measured from that execution. It knows
// nothing about ONNX operators.
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_SIM_SIMULATOR_H
#define DOJO_SIM_SIMULATOR_H

#include "dojo/Binary/Executable.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dojo::sim {

/// A dense row-major tensor moved in or out of HBM. Raw little-endian bytes
/// of the ONNX element type named by `dtype`.
struct HostTensor {
  std::string name;
  int dtype = 1;
  std::vector<int64_t> shape;
  std::vector<uint8_t> data;
};

struct NodeStats {
  int node = 0;
  int64_t cycles = 0;        ///< cycle at which the node halted
  int64_t busyCycles = 0;    ///< cycles spent executing instructions
  int64_t waitCycles = 0;    ///< cycles blocked on semaphores and barriers
  int64_t instructions = 0;
  int64_t macs = 0;
  int64_t sramPeak = 0;      ///< highest SRAM byte touched + 1
};

struct Stats {
  int64_t cycles = 0;        ///< makespan: last node halt or last DMA arrival
  int64_t instructions = 0;
  int64_t macs = 0;
  int64_t sramPeakBytes = 0; ///< max over nodes
  int64_t nocBytes = 0;      ///< bytes injected into the NoC (SRAM->SRAM)
  int64_t nocMaxLinkBytes = 0;
  int64_t hbmBytes = 0;      ///< bytes read from or written to HBM
  int64_t dmaTransfers = 0;
  /// Host-side only (not in toJson): transfers that reused the payload of
  /// an identical earlier gather instead of gathering their source again.
  int64_t gathersSaved = 0;
  double seconds = 0;        ///< cycles / clock
  /// Matrix work divided by what the mesh could do in `cycles`: the sum over
  /// Mma instructions of m*n*K / macsPerCycle(dtype), over cycles times the
  /// number of enabled nodes. 1.0 means every node's matrix unit was fully
  /// used for the whole run at the peak rate of the data type it ran.
  double utilization = 0;
  /// Mesh shape, so that node ids and link keys can be turned into
  /// coordinates by readers of the statistics.
  int meshRows = 0, meshCols = 0;
  std::vector<NodeStats> nodes;
  /// Bytes per directed link, keyed as from-node * numNodes + to-node.
  std::vector<std::pair<int64_t, int64_t>> linkBytes;
  std::string toJson() const;
};

/// One span of a timeline recorded with Options::trace. Times are cycles.
struct TraceEvent {
  enum class Kind : uint8_t {
    Compute, ///< consecutive instructions of one ONNX node, without a gap
    Wait,    ///< blocked on a semaphore or a barrier
    Dma,     ///< a transfer from issue completion to arrival
  };
  Kind kind = Kind::Compute;
  int node = 0;          ///< issuing / executing node id
  int64_t begin = 0, end = 0;
  int32_t name = -1;     ///< index into Executable::names, -1 = no debug name
  bool barrier = false;  ///< Wait: at a barrier (else a semaphore wait)
  int semaphore = -1;    ///< Wait on a semaphore: its index
  int64_t bytes = 0;     ///< Dma: source bytes
  int dstNode = -1;      ///< Dma: receiving node, -1 for HBM
  bool fromHbm = false;  ///< Dma: the source is HBM
  int hops = 0;          ///< Dma: mesh hops (0 for local and HBM transfers)
};

struct Trace {
  std::vector<TraceEvent> events;
  /// Chrome / Perfetto trace JSON ({"traceEvents": [...]}). One track per
  /// node (pid 0, tid = node id) for compute and wait spans, DMA tracks at
  /// tid 100000 + lane * numNodes + node (lane 0 first; a transfer that
  /// overlaps earlier ones of its node takes the next free lane, so no track
  /// holds overlapping spans). Timestamps are cycles shown as microseconds.
  std::string toJson(const bin::Executable &exe) const;
};

struct Options {
  /// Stop with an error after this many instructions in total (0 = no cap).
  int64_t maxInstructions = 0;
  /// When set, the run appends its timeline here (costs time and memory;
  /// off by default).
  Trace *trace = nullptr;
  /// Host threads that execute the nodes' data work: 1 runs everything on
  /// the calling thread, N > 1 runs instruction data effects and DMA copies
  /// on N workers next to the event loop, 0 (the default) picks
  /// defaultThreads(). Outputs, cycles and statistics are identical for
  /// every value. Runs with maxInstructions or trace are sequential.
  int threads = 0;
};

/// min(2, hardware threads): the worker count used when Options::threads
/// is 0.
int defaultThreads();

/// With DOJO_SIM_PROFILE set, prints to stderr the wall time since the
/// first call (the start of the run) at which `phase` ended; a no-op
/// otherwise. Marks where a whole dojo-sim run spends its wall time.
void profileMark(const char *phase);

/// Runs the executable on `inputs` (matched to exe.inputs by position).
/// Returns false with a one-line `error` on bad inputs, an out-of-bounds
/// SRAM access (naming node, pc and the ONNX node), an invalid instruction
/// or a deadlock (listing what each waiting node waits for).
bool run(const bin::Executable &exe, const std::vector<HostTensor> &inputs,
         std::vector<HostTensor> &outputs, Stats &stats, std::string &error,
         const Options &options = {});

} // namespace dojo::sim

#endif // DOJO_SIM_SIMULATOR_H
