//===- MmaDot.h - BF16 Mma panels for the host's dot-product unit ---------===//
//
// Private to lib/Sim. Hosts with AVX512-BF16 run the multiply-add loop of a
// BF16 Mma with VDPBF16PS, which adds two BF16 products to an FP32 lane per
// instruction. Its panels hold BF16 pairs instead of widened FP32s
// (MmaDot.cpp explains when that is exactly the ISA's arithmetic).
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_LIB_SIM_MMADOT_H
#define DOJO_LIB_SIM_MMADOT_H

#include "MmaCache.h"
#include "dojo/Target/ISA.h"

namespace dojo::sim::detail {

/// Whether the host has the BF16 dot-product instructions MmaDot.cpp uses.
bool hostHasBF16Dot();

/// The pair-panel kernels for `d` (packA, packB, compute and the panel
/// kinds), or false when `d` is not a BF16 Mma with at least two k steps.
/// Only call it when hostHasBF16Dot().
bool dotPanelKernels(const isa::MmaDesc &d, PackFn &packA, PackFn &packB,
                     PanelMmaFn &compute, uint8_t &kindA, uint8_t &kindB);

/// Floats a pair panel of `k` steps occupies: 8 BF16 pairs per two k steps
/// and one word that records whether every value is in the range where the
/// dot product is exact. At most 8 * k for k >= 2, the size of an FP32
/// panel, so the panel cache's buffers fit either form.
inline int64_t dotPanelFloats(int64_t k) { return 8 * ((k + 1) / 2) + 1; }

} // namespace dojo::sim::detail

#endif // DOJO_LIB_SIM_MMADOT_H
