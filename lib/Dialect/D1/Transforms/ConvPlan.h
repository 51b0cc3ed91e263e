//===- ConvPlan.h - Cost-model split choice for convolutions ---------------===//
//
// A pass-free planner d1-tile asks how to spread each ungrouped convolution
// over the mesh. A plan cuts the output into output-channel and spatial
// blocks (d1.split) and, optionally, the reduction over input channels into
// parts (d1.ksplit). Every candidate is costed from the target model: matrix
// unit cycles of the largest block (8x8 tiles, so ragged tiles cost full
// ones), the bytes its staged input window brings in through the node's
// ejection port, the extra step that adds partial sums, and the rounds when
// there are more pieces than nodes. Its price in SRAM is the weight bytes it
// keeps resident on the fullest node (every piece holds the weights of its
// output channels and input-channel part).
//
// The layers compete for SRAM, so the choice is global: choosePlans() picks
// one candidate per layer minimising total cycles subject to the resident
// weights fitting a budget, by Lagrangian relaxation (each layer minimises
// cycles + lambda * bytes; lambda is bisected until the total fits).
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_LIB_DIALECT_D1_TRANSFORMS_CONVPLAN_H
#define DOJO_LIB_DIALECT_D1_TRANSFORMS_CONVPLAN_H

#include "Partition.h"
#include "dojo/Target/TargetModel.h"

#include <vector>

namespace dojo::d1 {

/// The shape facts of one ungrouped convolution the planner needs.
struct ConvProblem {
  int64_t batch = 1, cout = 1, cin = 1;
  /// Output extents, kernel, strides and dilations per spatial dimension
  /// (1 to 3 of them).
  llvm::SmallVector<int64_t, 3> out, kernel, strides, dilations;
  /// Leading pads and input extents per spatial dimension (for the input
  /// window a block reads; empty: windows are not modelled).
  llvm::SmallVector<int64_t, 3> pads, in;
  /// Bytes of one resident weight element (2 for BF16, 4 for FP32).
  int64_t weightElemBytes = 4;
  /// Matrix-unit multiply-accumulates per cycle for the layer's data type.
  int64_t macsPerCycle = 16;
  /// The input lives in HBM (a model input): every piece's window crosses
  /// the one HBM port the whole mesh shares, instead of the NoC.
  bool inputInHbm = false;
};

struct ConvPlanChoice {
  llvm::SmallVector<int64_t, 6> split; ///< blocks per output dimension
  int64_t parts = 1;                   ///< input-channel parts (d1.ksplit)
  double cycles = 0;                   ///< estimated cycles of the layer
  int64_t weightBytes = 0;   ///< resident weight bytes summed over nodes
  /// Resident weight bytes on a node that holds pieces of the layer (the
  /// slices of all its rounds).
  int64_t nodeWeightBytes = 0;
  int64_t workingSet = 0;    ///< SRAM bytes of the largest piece
  /// The part of `cycles` that brings the input in, per round, assuming
  /// each piece's window arrives at its ejection rate from nearby nodes.
  double transfer = 0;
  int64_t rounds = 1;        ///< pieces per node, at most
};

/// The costed candidates for `p` on `nodes` nodes whose largest piece fits
/// `sramBudget` bytes; empty if none does. Candidates have at most
/// `maxPieces` pieces (layers too small to be worth many nodes) unless no
/// fewer fit the SRAM.
std::vector<ConvPlanChoice> convPlanCandidates(const ConvProblem &p,
                                               const TargetModel &target,
                                               int64_t nodes,
                                               int64_t sramBudget,
                                               int64_t maxPieces);

/// One index into each layer's candidates, minimising the summed cycles with
/// the summed nodeWeightBytes at most `weightBudget` (bytes per node) when
/// that is possible (the least-memory choices otherwise). Layers with no
/// candidate get SIZE_MAX.
std::vector<size_t>
choosePlans(llvm::ArrayRef<std::vector<ConvPlanChoice>> layers,
            int64_t weightBudget);

/// The same when layers feed each other: `parent[l]` is the layer whose
/// output layer l reads (an index below l, or -1), and
/// `edge[l][i][j]` the extra cycles layer l's candidate j spends fetching
/// its input when its parent runs candidate i (see redistributionCycles).
/// The layers form a forest, so a dynamic program over it finds the
/// optimum for each Lagrange multiplier.
std::vector<size_t>
choosePlans(llvm::ArrayRef<std::vector<ConvPlanChoice>> layers,
            llvm::ArrayRef<int> parent,
            llvm::ArrayRef<std::vector<std::vector<double>>> edge,
            int64_t weightBudget);

/// Keeps at most `fastest` candidates of least cycles plus the candidates
/// on the cycles/weight-bytes Pareto front (at most `front` of them), so
/// that pairwise costs between layers stay cheap to tabulate.
void pruneCandidates(std::vector<ConvPlanChoice> &candidates, size_t fastest,
                     size_t front);

/// Extra cycles, beyond `consumer`'s own estimate, that `cc` spends
/// redistributing its input when it is `producer`'s output laid out by
/// `pc`. Each consumer piece reads its window from every producer piece it
/// overlaps (counted per dimension); d1-tile places pieces near their data
/// (PiecePlacement.h), so k sources sit about sqrt(k) hops away, and the
/// bytes times hops load the mesh's links. A whole layer's transfers take
/// a multiple of the links' average load (the busiest links and
/// head-of-line waits); 16, fitted on the simulator's video-model runs
/// (8 to 32 tried), is the factor used.
double redistributionCycles(const ConvProblem &producer,
                            const ConvPlanChoice &pc,
                            const ConvProblem &consumer,
                            const ConvPlanChoice &cc,
                            const TargetModel &target, int64_t nodes);

} // namespace dojo::d1

#endif
