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

struct Options {
  /// Stop with an error after this many instructions in total (0 = no cap).
  int64_t maxInstructions = 0;
};

/// Runs the executable on `inputs` (matched to exe.inputs by position).
/// Returns false with a one-line `error` on bad inputs, an out-of-bounds
/// SRAM access (naming node, pc and the ONNX node), an invalid instruction
/// or a deadlock (listing what each waiting node waits for).
bool run(const bin::Executable &exe, const std::vector<HostTensor> &inputs,
         std::vector<HostTensor> &outputs, Stats &stats, std::string &error,
         const Options &options = {});

} // namespace dojo::sim

#endif // DOJO_SIM_SIMULATOR_H
