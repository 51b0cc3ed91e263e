//===- PiecePlacement.h - Which node computes which piece of a layer ------===//
//
// A pass-free solver d1-tile asks where to put each piece of a layer. The
// layer's nodes are fixed beforehand (a run of the placement order, see
// layerStart); the solver only permutes its pieces over them. Each piece
// reads bytes held by other nodes (its input window's intersection with
// the producers' pieces), and the cost of putting it on a node is the
// bytes times the hops they travel. Keeping that sum small keeps transfers
// short, and short transfers are what the NoC's links and the step's
// waiting time reward: the snake order alone puts a piece whose producer
// had a different blocking half a mesh away from its data.
//
// The solver is greedy (the heaviest pieces choose first, each the
// cheapest free slot) and then improves the assignment by pairwise swaps
// until no swap pays. A slot may stand for several consecutive nodes (the
// input-channel parts of one block, which then reduce among themselves);
// its cost is measured from its first node.
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_LIB_DIALECT_D1_TRANSFORMS_PIECEPLACEMENT_H
#define DOJO_LIB_DIALECT_D1_TRANSFORMS_PIECEPLACEMENT_H

#include "dojo/Target/TargetModel.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <vector>

namespace dojo::d1 {

/// Bytes a piece reads from one node.
struct PieceSource {
  int node = 0;
  double bytes = 0;
};

/// One slot index per piece (a permutation of 0..slots-1) minimising the
/// sum over pieces of bytes times hops from each source to the slot's
/// node. `demand[p]` lists piece p's sources; `slotNodes[s]` is slot s's
/// node. Requires demand.size() == slotNodes.size().
std::vector<int> placePieces(llvm::ArrayRef<llvm::SmallVector<PieceSource, 8>> demand,
                             llvm::ArrayRef<int> slotNodes,
                             const TargetModel &target);

/// The objective placePieces minimises, for tests and reports.
double placementCost(llvm::ArrayRef<llvm::SmallVector<PieceSource, 8>> demand,
                     llvm::ArrayRef<int> slotNodes,
                     llvm::ArrayRef<int> assignment, const TargetModel &target);

} // namespace dojo::d1

#endif
