//===- ConvPlan.cpp - Cost-model split choice for convolutions -------------===//
#include "ConvPlan.h"

#include <algorithm>
#include <functional>
#include <cmath>
#include <limits>

using namespace dojo;
using namespace dojo::d1;

namespace {

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// Extent of the first (largest) chunk of a dimension of `extent` elements
/// cut into `split` chunks of whole `unit`s (as enumerateBlocks cuts it).
int64_t firstChunk(int64_t extent, int64_t unit, int64_t split) {
  int64_t units = ceilDiv(extent, unit);
  int64_t s = std::clamp<int64_t>(split, 1, units);
  return std::min(extent, ceilDiv(units, s) * unit);
}

/// Scalar instructions around each matrix instruction of the innermost
/// loop (pointer steps, counter, branch), and around each 8x8 tile (bias
/// load or zeroing, store, pointer set-up).
constexpr double kLoopOverhead = 4;
constexpr double kTileOverhead = 40;
/// Latency of a step's transfers and barrier that no bandwidth hides.
constexpr double kStepLatency = 600;

struct Evaluator {
  const ConvProblem &p;
  const TargetModel &t;
  int64_t nodes, sramBudget;
  unsigned rank; // output rank: batch, channels, spatial...
  llvm::SmallVector<int64_t, 6> shape, units;

  Evaluator(const ConvProblem &p, const TargetModel &t, int64_t nodes,
            int64_t sramBudget)
      : p(p), t(t), nodes(nodes), sramBudget(sramBudget) {
    shape.push_back(p.batch);
    shape.push_back(p.cout);
    shape.append(p.out.begin(), p.out.end());
    rank = shape.size();
    units.assign(rank, 1);
    units[1] = std::min<int64_t>(8, p.cout);
    units[rank - 1] = std::min<int64_t>(8, shape[rank - 1]);
  }

  int64_t blocks(llvm::ArrayRef<int64_t> split) const {
    int64_t n = 1;
    for (unsigned d = 0; d < rank; ++d)
      n *= effectiveChunks(shape[d], units[d], split[d]);
    return n;
  }

  std::optional<ConvPlanChoice> cost(llvm::ArrayRef<int64_t> split,
                                     int64_t parts) const {
    unsigned spatial = rank - 2;
    llvm::SmallVector<int64_t, 6> ext(rank, 0);
    for (unsigned d = 0; d < rank; ++d)
      ext[d] = firstChunk(shape[d], units[d], split[d]);
    int64_t cinPart = ceilDiv(p.cin, parts);
    int64_t kvol = 1, window = 1;
    for (unsigned i = 0; i < spatial; ++i) {
      kvol *= p.kernel[i];
      window *= (ext[2 + i] - 1) * p.strides[i] +
                (p.kernel[i] - 1) * p.dilations[i] + 1;
    }
    int64_t positions = ext[0];
    for (unsigned i = 0; i + 1 < spatial; ++i)
      positions *= ext[2 + i];
    int64_t kw = p.kernel[spatial - 1];
    bool merged = p.dilations[spatial - 1] == 1;
    int64_t run = merged ? kw * cinPart : cinPart;
    int64_t mmaPerTile = kvol / (merged ? kw : 1);
    double mma = std::ceil(64.0 * double(run) / double(p.macsPerCycle)) +
                 kLoopOverhead;
    double tiles = double(ceilDiv(ext[1], 8)) * double(positions) *
                   double(ceilDiv(ext[rank - 1], 8));
    double compute = tiles * (double(mmaPerTile) * mma + kTileOverhead);
    // In BF16 the staged input is BF16 too when its channels pair up into
    // words (see Distributor::lowerConv): half the bytes to move and keep.
    int64_t inElem = p.weightElemBytes == 2 && cinPart % 2 == 0 ? 2 : 4;
    int64_t inBytes = ext[0] * window * cinPart * inElem;
    int64_t outElems = ext[1] * positions * ext[rank - 1];
    int64_t pieces = blocks(split) * parts;
    int64_t rounds = ceilDiv(pieces, nodes);
    double transfer = double(inBytes) / t.injectBytesPerCycle + kStepLatency;
    if (p.inputInHbm)
      transfer = std::max(transfer, double(inBytes) * double(pieces) /
                                        double(rounds) / t.hbmBytesPerCycle +
                                        t.hbmLatency);
    double cycles = double(rounds) * (compute + transfer);
    double ownTransfer = transfer;
    if (parts > 1) {
      // Each extra part crosses the NoC once and costs one vector pass
      // (two loads, an add, a store and the loop's scalar steps per
      // register of 16 lanes).
      double lanes = double(t.vectorBytes) / 4;
      double reduce = double(parts - 1) *
                      (double(outElems) * 4 / t.injectBytesPerCycle +
                       9 * std::ceil(double(outElems) / lanes));
      cycles += double(rounds) * (reduce + kStepLatency);
    }
    int64_t wBlock = ext[1] * cinPart * kvol * p.weightElemBytes;
    ConvPlanChoice c;
    c.split.assign(split.begin(), split.end());
    c.parts = parts;
    c.cycles = cycles;
    c.transfer = ownTransfer;
    c.rounds = rounds;
    c.weightBytes = wBlock * pieces;
    // Counted in full on every node that holds a piece: averaging over
    // the mesh would let layers with few, heavy pieces overfill theirs.
    c.nodeWeightBytes = wBlock * rounds;
    c.workingSet = inBytes + 4 * outElems * (parts > 1 ? 2 : 1) + wBlock;
    if (c.workingSet > sramBudget)
      return std::nullopt;
    return c;
  }
};

} // namespace

std::vector<ConvPlanChoice>
dojo::d1::convPlanCandidates(const ConvProblem &p, const TargetModel &target,
                             int64_t nodes, int64_t sramBudget,
                             int64_t maxPieces) {
  maxPieces = std::clamp<int64_t>(maxPieces, 1, nodes);
  std::vector<ConvPlanChoice> out;
  if (p.out.empty() || p.cin < 1 || p.cout < 1 || nodes < 1)
    return out;
  Evaluator ev(p, target, nodes, sramBudget);
  unsigned rank = ev.rank;
  // Input-channel parts: keep each part's reduction at least 16 channels
  // deep, so a matrix instruction still streams a useful run of K.
  llvm::SmallVector<int64_t, 8> partChoices = {1};
  for (int64_t k : {2, 3, 4, 6, 8, 12, 16})
    if (p.cin / k >= 16 && k <= maxPieces)
      partChoices.push_back(k);
  // The distinct chunk counts of every dimension (a split that does not
  // change the chunk size is the same split).
  std::vector<llvm::SmallVector<int64_t, 16>> counts(rank);
  for (unsigned d = 0; d < rank; ++d)
    for (int64_t s = 1; s <= ceilDiv(ev.shape[d], ev.units[d]); ++s) {
      int64_t e = effectiveChunks(ev.shape[d], ev.units[d], s);
      if (counts[d].empty() || counts[d].back() != e)
        counts[d].push_back(e);
    }
  // Every split of at most `limit` pieces: output-channel chunks times
  // input-channel parts times batch and spatial chunks.
  llvm::SmallVector<int64_t, 6> split(rank, 1);
  auto enumerate = [&](int64_t limit) {
    size_t before = out.size();
    std::function<void(unsigned, int64_t)> walk = [&](unsigned d,
                                                      int64_t pieces) {
      if (d == rank) {
        if (auto choice = ev.cost(split, pieces / ev.blocks(split)))
          out.push_back(*choice);
        return;
      }
      if (d == 1)
        return walk(d + 1, pieces);
      for (int64_t c : counts[d]) {
        if (pieces * c > limit)
          break;
        split[d] = c;
        walk(d + 1, pieces * c);
      }
      split[d] = 1;
    };
    for (int64_t parts : partChoices)
      for (int64_t c : counts[1]) {
        if (parts * c > limit)
          break;
        split[1] = c;
        walk(0, parts * c);
      }
    return out.size() > before;
  };
  // More pieces than nodes (rounds) only when no piece fits the SRAM.
  if (!enumerate(maxPieces))
    enumerate(64 * nodes);
  return out;
}

std::vector<size_t>
dojo::d1::choosePlans(llvm::ArrayRef<std::vector<ConvPlanChoice>> layers,
                      int64_t weightBudget) {
  // Independent layers: a forest of single nodes.
  std::vector<int> parent(layers.size(), -1);
  std::vector<std::vector<std::vector<double>>> edge(layers.size());
  return choosePlans(layers, parent, edge, weightBudget);
}

std::vector<size_t>
dojo::d1::choosePlans(llvm::ArrayRef<std::vector<ConvPlanChoice>> layers,
                      llvm::ArrayRef<int> parent,
                      llvm::ArrayRef<std::vector<std::vector<double>>> edge,
                      int64_t weightBudget) {
  size_t n = layers.size();
  std::vector<std::vector<int>> children(n);
  for (size_t l = 0; l < n; ++l)
    if (parent[l] >= 0 && !layers[l].empty() && !layers[size_t(parent[l])].empty())
      children[size_t(parent[l])].push_back(int(l));
  auto isChild = [&](size_t l) {
    return parent[l] >= 0 && !layers[size_t(parent[l])].empty();
  };
  // sub[l][i]: the best cost of layer l's subtree with l on candidate i.
  std::vector<std::vector<double>> sub(n);
  auto bestChild = [&](int ch, size_t i) {
    double best = std::numeric_limits<double>::infinity();
    size_t arg = 0;
    for (size_t j = 0; j < layers[size_t(ch)].size(); ++j) {
      double v = edge[size_t(ch)][i][j] + sub[size_t(ch)][j];
      if (v < best) {
        best = v;
        arg = j;
      }
    }
    return std::make_pair(best, arg);
  };
  auto pick = [&](double lambda, std::vector<size_t> &choice) {
    for (size_t l = n; l-- > 0;) {
      sub[l].assign(layers[l].size(), 0.0);
      for (size_t i = 0; i < layers[l].size(); ++i) {
        const ConvPlanChoice &c = layers[l][i];
        double v = c.cycles + lambda * double(c.nodeWeightBytes);
        for (int ch : children[l])
          v += bestChild(ch, i).first;
        sub[l][i] = v;
      }
    }
    choice.assign(n, SIZE_MAX);
    int64_t bytes = 0;
    for (size_t l = 0; l < n; ++l) {
      if (layers[l].empty())
        continue;
      if (isChild(l)) {
        choice[l] = bestChild(int(l), choice[size_t(parent[l])]).second;
      } else {
        // Ties (equal score) go to the smaller footprint.
        size_t arg = 0;
        for (size_t i = 1; i < layers[l].size(); ++i)
          if (sub[l][i] < sub[l][arg] ||
              (sub[l][i] == sub[l][arg] &&
               layers[l][i].nodeWeightBytes < layers[l][arg].nodeWeightBytes))
            arg = i;
        choice[l] = arg;
      }
      bytes += layers[l][choice[l]].nodeWeightBytes;
    }
    return bytes;
  };
  std::vector<size_t> choice;
  if (pick(0.0, choice) <= weightBudget)
    return choice;
  double lo = 0.0, hi = 1.0;
  std::vector<size_t> tmp;
  while (pick(hi, tmp) > weightBudget && hi < 1e9)
    hi *= 4;
  // The footprint falls as lambda grows; bisect for the smallest lambda
  // (the fastest plans) whose footprint fits.
  for (int iter = 0; iter < 50; ++iter) {
    double mid = 0.5 * (lo + hi);
    if (pick(mid, tmp) > weightBudget)
      lo = mid;
    else
      hi = mid;
  }
  pick(hi, choice);
  return choice;
}

void dojo::d1::pruneCandidates(std::vector<ConvPlanChoice> &candidates,
                               size_t fastest, size_t front) {
  if (candidates.size() <= fastest + front)
    return;
  std::vector<size_t> idx(candidates.size());
  for (size_t i = 0; i < idx.size(); ++i)
    idx[i] = i;
  std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
    return candidates[a].cycles < candidates[b].cycles;
  });
  std::vector<bool> keep(candidates.size(), false);
  for (size_t i = 0; i < fastest; ++i)
    keep[idx[i]] = true;
  // The Pareto front in order of cycles: each kept one uses fewer weight
  // bytes than every faster one. Evenly thinned if it is long.
  std::vector<size_t> pareto;
  int64_t least = std::numeric_limits<int64_t>::max();
  for (size_t i : idx)
    if (candidates[i].nodeWeightBytes < least) {
      least = candidates[i].nodeWeightBytes;
      pareto.push_back(i);
    }
  for (size_t k = 0; k < std::min(front, pareto.size()); ++k)
    keep[pareto[k * pareto.size() / std::min(front, pareto.size())]] = true;
  keep[pareto.back()] = true; // the least memory, always
  std::vector<ConvPlanChoice> kept;
  for (size_t i : idx)
    if (keep[i])
      kept.push_back(std::move(candidates[i]));
  candidates = std::move(kept);
}

namespace {

/// The chunks of a dimension of `extent` cut as enumerateBlocks cuts it.
llvm::SmallVector<std::pair<int64_t, int64_t>, 16>
chunks(int64_t extent, int64_t unit, int64_t split) {
  int64_t size = firstChunk(extent, unit, split);
  llvm::SmallVector<std::pair<int64_t, int64_t>, 16> out;
  for (int64_t lo = 0; lo < extent; lo += size)
    out.push_back({lo, std::min(extent, lo + size)});
  return out;
}

/// Mean over the ranges of how many producer chunks of `size` each
/// overlaps, and their mean length.
std::pair<double, double>
meanOverlap(llvm::ArrayRef<std::pair<int64_t, int64_t>> ranges, int64_t size) {
  double count = 0, length = 0;
  for (auto [a, b] : ranges) {
    if (b <= a)
      continue;
    count += double((b - 1) / size - a / size + 1);
    length += double(b - a);
  }
  double n = double(std::max<size_t>(1, ranges.size()));
  return {count / n, length / n};
}

} // namespace

double dojo::d1::redistributionCycles(const ConvProblem &producer,
                                      const ConvPlanChoice &pc,
                                      const ConvProblem &consumer,
                                      const ConvPlanChoice &cc,
                                      const TargetModel &t, int64_t nodes) {
  unsigned spatial = consumer.out.size();
  if (consumer.in.size() != spatial || consumer.pads.size() != spatial ||
      producer.out.size() != spatial || pc.split.size() != spatial + 2 ||
      cc.split.size() != spatial + 2)
    return 0;
  // The chunking of both layers' outputs, as the candidates were costed.
  Evaluator pe(producer, t, nodes, 0), ce(consumer, t, nodes, 0);
  // Per dimension: the consumer's read ranges and the producer's chunk size.
  double sources = 1, elems = 1;
  auto account = [&](llvm::ArrayRef<std::pair<int64_t, int64_t>> ranges,
                     unsigned producerDim) {
    auto [count, length] = meanOverlap(
        ranges, firstChunk(pe.shape[producerDim], pe.units[producerDim],
                           pc.split[producerDim]));
    sources *= count;
    elems *= length;
  };
  // Batch: the same rows.
  account(chunks(consumer.batch, 1, cc.split[0]), 0);
  // Channels: each input-channel part reads its slice of all channels.
  llvm::SmallVector<std::pair<int64_t, int64_t>, 16> parts;
  for (int64_t j = 0; j < cc.parts; ++j)
    parts.push_back({j * consumer.cin / cc.parts,
                     (j + 1) * consumer.cin / cc.parts});
  account(parts, 1);
  for (unsigned i = 0; i < spatial; ++i) {
    llvm::SmallVector<std::pair<int64_t, int64_t>, 16> windows;
    for (auto [lo, hi] : chunks(consumer.out[i], ce.units[2 + i], cc.split[2 + i]))
      windows.push_back(windowRange(lo, hi, consumer.strides[i],
                                    consumer.pads[i], consumer.kernel[i],
                                    consumer.dilations[i], consumer.in[i]));
    account(windows, 2 + i);
  }
  // A producer with input-channel parts leaves each block in slices on its
  // parts' nodes.
  sources *= double(pc.parts);
  int64_t consumerPieces = ce.blocks(cc.split);
  int64_t producerPieces = pe.blocks(pc.split) * pc.parts;
  int64_t elemBytes =
      consumer.weightElemBytes == 2 && (consumer.cin / cc.parts) % 2 == 0 ? 2
                                                                          : 4;
  double total = elems * double(elemBytes) * double(consumerPieces);
  // Sources beyond the piece's own node sit about sqrt(k) hops away.
  double hops = 0.8 * std::sqrt(std::max(0.0, sources - 1));
  double links = 2.0 * (double(t.rows) * (t.cols - 1) +
                        double(t.cols) * (t.rows - 1));
  double linkTime = 16 * total * hops / (links * t.linkBytesPerCycle);
  double injectTime = total / double(std::min<int64_t>(producerPieces, nodes)) /
                      t.injectBytesPerCycle;
  double extra = std::max(linkTime, injectTime) -
                 (cc.transfer - kStepLatency);
  return double(cc.rounds) * std::max(0.0, extra);
}
