//===- MmaCache.h - Reuse of packed Mma operand panels --------------------===//
//
// Private to lib/Sim. Before its multiply-add loop the host Mma kernel
// packs each operand into a dense FP32 panel (Mma.cpp), which costs about as
// much as the arithmetic. Convolutions use every panel many times: a weight
// panel once per output position, an input window once per group of eight
// output channels. The cache keeps packed panels keyed by where and how
// they were read, and each node's data side records which SRAM blocks it
// wrote and when (SramWrites), so a panel is reused only while no byte it
// was packed from has been written since. Packing is a pure function of
// those bytes, so a reused panel is bit for bit the one packing would give.
//
// Weight (A) panels are also shared between the nodes a worker runs: while
// a node has not written the bytes of a panel since loading, they are a
// copy of a range of the binary's image (ImageMap.h), and the panel is
// keyed by that range instead, so nodes holding the same replicated weights
// pack it once. r3d_18 BF16 packs 304k A panels of 13k distinct contents
// otherwise.
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_LIB_SIM_MMACACHE_H
#define DOJO_LIB_SIM_MMACACHE_H

#include "ImageMap.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace dojo::sim::detail {

/// Packs X[k][t] = element at base + k * sk + t * st (k < kc, t < 8) into
/// panel[8k + t] as FP32, repeating column 0 for t >= cnt (Mma.cpp).
using PackFn = void (*)(float *panel, const uint8_t *base, int64_t kc,
                        int64_t sk, int64_t st, int64_t cnt);
/// acc[i][j] += sum_k pa[8k + i] * pb[8k + j] in k order, each product and
/// sum rounded, for i < m, j < n (Mma.cpp).
using PanelMmaFn = void (*)(float *acc, const float *pa, const float *pb,
                            int64_t k, int64_t m, int64_t n);

/// The SRAM blocks a node's data side wrote, each stamped with the write
/// sequence number of its last write. Written only by the thread that owns
/// the node's data side.
struct SramWrites {
  static constexpr int kBlockBits = 9;
  std::vector<uint64_t> stamp; ///< by block
  uint64_t seq = 0;            ///< writes so far
  /// Where the node's SRAM bytes were loaded from, set once at load; bytes
  /// whose blocks are stamped 0 still hold those images.
  ImageMap image;

  void init(int64_t sramBytes) {
    stamp.assign(size_t((sramBytes >> kBlockBits) + 1), 0);
  }
  /// Records a write of SRAM bytes [lo, hi).
  void mark(int64_t lo, int64_t hi) {
    if (lo >= hi)
      return;
    ++seq;
    for (int64_t b = lo >> kBlockBits; b <= (hi - 1) >> kBlockBits; ++b)
      stamp[size_t(b)] = seq;
  }
  /// Whether no byte of [lo, hi) was written after write number `t`.
  bool unchangedSince(uint64_t t, int64_t lo, int64_t hi) const {
    for (int64_t b = lo >> kBlockBits; b <= (hi - 1) >> kBlockBits; ++b)
      if (stamp[size_t(b)] > t)
        return false;
    return true;
  }
};

/// Packed panels of one thread's Mma operands, direct-mapped by a hash of
/// their key, with separate tables for A and B panels so that fetching one
/// operand never evicts the other.
class PanelCache {
public:
  /// Panels of more k steps than this are packed in chunks, uncached.
  static constexpr int64_t kMaxK = 2048;

  /// The panel of operand `role` (0 = A, 1 = B) at `base`, inside the SRAM
  /// `sram` whose writes `w` records, packed with `pack` (elements of kind
  /// `kind`, `elemBytes` wide), from the cache when still valid. A panels
  /// whose bytes still hold their load image (w.image) are shared with any
  /// SramWrites whose image range is the same: the image bytes must stay
  /// mapped, unchanged, while the cache lives.
  const float *get(int role, const uint8_t *sram, const SramWrites &w,
                   const uint8_t *base, int64_t k, int64_t sk, int64_t st,
                   int64_t cnt, int64_t elemBytes, uint8_t kind, PackFn pack);

  /// Packs so far (for tests: whether a get reused a panel).
  int64_t packs() const { return packs_; }

private:
  struct Slot {
    /// The SRAM address of the panel's origin, or for a shared panel
    /// (writes == null) the image address its bytes were loaded from.
    const uint8_t *base = nullptr;
    const SramWrites *writes = nullptr;
    int64_t k = 0, sk = 0, st = 0, cnt = 0;
    uint8_t kind = 0;
    uint64_t packedAt = 0;
    int64_t lo = 0, hi = 0; ///< SRAM bytes it was packed from
    std::unique_ptr<float[]> data;
    int64_t capacity = 0; ///< floats
  };
  static constexpr int kSlotBits[2] = {10, 8}; ///< weights outnumber windows
  std::vector<Slot> slots_[2];
  int64_t packs_ = 0;
};

} // namespace dojo::sim::detail

#endif // DOJO_LIB_SIM_MMACACHE_H
