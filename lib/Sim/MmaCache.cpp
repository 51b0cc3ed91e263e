//===- MmaCache.cpp - Reuse of packed Mma operand panels ------------------===//
//
// See MmaCache.h. runMma is the data effect of Mma: the cached path for
// panels of up to PanelCache::kMaxK steps, the chunked kernel otherwise.
//
//===----------------------------------------------------------------------===//
#include "Machine.h"

namespace dojo::sim::detail {

const float *PanelCache::get(int role, const uint8_t *sram,
                             const SramWrites &w, const uint8_t *base,
                             int64_t k, int64_t sk, int64_t st, int64_t cnt,
                             int64_t elemBytes, uint8_t kind, PackFn pack) {
  std::vector<Slot> &table = slots_[role];
  if (table.empty())
    table.resize(size_t(1) << kSlotBits[role]);
  // The timing side checked the operand's span, so it is inside the SRAM.
  const int64_t shape[2] = {k, cnt}, strides[2] = {sk, st};
  int64_t lo = 0, hi = 0;
  if (role == 0)
    stridedSpan(base - sram, 2, shape, strides, elemBytes, lo, hi);
  // A weight panel whose bytes the node has not written since loading is
  // keyed by the image bytes they were loaded from, which every node that
  // holds a copy of them finds; its bytes are then those of the image, so
  // sharing needs no other check. (Windows are activations, written at run
  // time, so B panels skip the lookup.)
  const uint8_t *key = base;
  const SramWrites *owner = &w;
  if (role == 0)
    if (const uint8_t *src = w.image.source(lo, hi))
      if (w.unchangedSince(0, lo, hi)) {
        key = src + ((base - sram) - lo);
        owner = nullptr;
      }
  uint64_t h = uint64_t(reinterpret_cast<uintptr_t>(key));
  h ^= uint64_t(sk) * 0x9e3779b97f4a7c15ull ^ uint64_t(st) << 20 ^
       uint64_t(k) << 40 ^ uint64_t(cnt) << 56;
  h *= 0xff51afd7ed558ccdull;
  Slot &s = table[size_t(h >> (64 - kSlotBits[role]))];
  if (s.base == key && s.writes == owner && s.k == k && s.sk == sk &&
      s.st == st && s.cnt == cnt && s.kind == kind &&
      (!owner || w.unchangedSince(s.packedAt, s.lo, s.hi)))
    return s.data.get();
  if (role != 0)
    stridedSpan(base - sram, 2, shape, strides, elemBytes, lo, hi);
  if (s.capacity < 8 * k) {
    s.data.reset(new float[size_t(8 * k)]);
    s.capacity = 8 * k;
  }
  pack(s.data.get(), base, k, sk, st, cnt);
  ++packs_;
  s.base = key;
  s.writes = owner;
  s.k = k;
  s.sk = sk;
  s.st = st;
  s.cnt = cnt;
  s.kind = kind;
  s.packedAt = w.seq;
  s.lo = lo;
  s.hi = hi;
  return s.data.get();
}

void runMma(const Decoded &dd, float *acc, const uint8_t *sram, int64_t aAddr,
            int64_t bAddr, const SramWrites &w, PanelCache *cache) {
  const isa::MmaDesc &d = dd.mma;
  const MmaPanelKernels &p = dd.panels;
  // The outer reduction levels run as the single-level Mmas they stand for,
  // in order, each accumulating into `acc`: the same operations in the same
  // order. Each tap row is its own panel, so the cache still reuses the
  // rows that neighbouring output tiles share.
  for (int64_t q3 = 0; q3 < d.k3; ++q3)
    for (int64_t q2 = 0; q2 < d.k2; ++q2) {
      const uint8_t *a = sram + aAddr + q2 * d.aSk2 + q3 * d.aSk3;
      const uint8_t *b = sram + bAddr + q2 * d.bSk2 + q3 * d.bSk3;
      if (!cache || d.k > PanelCache::kMaxK) {
        dd.mmaKernel(acc, a, b, d);
        continue;
      }
      const float *pa = cache->get(0, sram, w, a, d.k, d.aSk, d.aSi, d.m,
                                   d.aStorage ? 2 : 4, p.kindA, p.packA);
      const float *pb = cache->get(1, sram, w, b, d.k, d.bSk, d.bSj, d.n,
                                   d.bStorage ? 2 : 4, p.kindB, p.packB);
      p.compute(acc, pa, pb, d.k, d.m, d.n);
    }
}

} // namespace dojo::sim::detail
