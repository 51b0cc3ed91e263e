//===- DmaCopy.h - The strided copies of DMA transfers --------------------===//
//
// Private to lib/Sim. A DMA gathers its strided source into a dense payload
// at issue time and scatters the payload into its strided destination at
// arrival (Dma.cpp, Replay.cpp). Most transfers of the models we run are
// small (a few hundred bytes to a few KB) and made of short rows, so the
// cost lies in per-row overhead: these loops first collapse the access
// into as few dimensions as it really has (StridedPlan) and copy short
// rows with fixed-size moves instead of calls into the C library. Nothing
// here checks bounds: callers checked the spans first.
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_LIB_SIM_DMACOPY_H
#define DOJO_LIB_SIM_DMACOPY_H

#include "Machine.h"

#include <cstring>

namespace dojo::sim::detail {

/// One side of a strided access with its dimensions collapsed: dimensions
/// of extent 1 are dropped, and a dimension whose stride equals the extent
/// times the stride of the next one is merged into it. The byte addresses
/// visited, and their order, are exactly those of the original dimensions
/// (row-major), so a copy through the plan moves the same bytes.
struct StridedPlan {
  int rank = 1;
  int64_t shape[isa::kMaxDmaRank] = {1};
  int64_t strides[isa::kMaxDmaRank] = {};
};

/// The collapsed form of the first `rank` dimensions `shape` / `strides`.
inline StridedPlan collapseDims(int rank, const int64_t *shape,
                                const int64_t *strides) {
  StridedPlan p;
  p.rank = 0;
  for (int i = 0; i < rank; ++i) {
    if (shape[i] == 1)
      continue;
    int64_t span;
    if (p.rank > 0 &&
        !__builtin_mul_overflow(shape[i], strides[i], &span) &&
        span == p.strides[p.rank - 1]) {
      p.shape[p.rank - 1] *= shape[i];
      p.strides[p.rank - 1] = strides[i];
      continue;
    }
    p.shape[p.rank] = shape[i];
    p.strides[p.rank] = strides[i];
    ++p.rank;
  }
  if (p.rank == 0) { // a single element
    p.rank = 1;
    p.shape[0] = 1;
    p.strides[0] = 0;
  }
  return p;
}

inline StridedPlan collapseDims(const isa::DmaDesc &d, const int64_t *strides) {
  return collapseDims(int(d.rank), d.shape.data(), strides);
}

/// Copies `n` bytes between non-overlapping buffers. Rows of up to 64
/// bytes (the usual destination rows of convolution tiles: 6 to 24 BF16 or
/// FP32 elements) take two possibly overlapping fixed-size moves, which
/// compile to a few register loads and stores.
inline void copyRow(uint8_t *to, const uint8_t *from, int64_t n) {
  auto two = [&](auto tag) {
    constexpr int64_t k = sizeof(tag);
    decltype(tag) a, b;
    std::memcpy(&a, from, k);
    std::memcpy(&b, from + n - k, k);
    std::memcpy(to, &a, k);
    std::memcpy(to + n - k, &b, k);
  };
  struct B16 { uint64_t x[2]; };
  struct B32 { uint64_t x[4]; };
  if (n > 64) {
    std::memcpy(to, from, size_t(n));
  } else if (n >= 32) {
    two(B32{});
  } else if (n >= 16) {
    two(B16{});
  } else if (n >= 8) {
    two(uint64_t{});
  } else if (n >= 4) {
    two(uint32_t{});
  } else {
    for (int64_t i = 0; i < n; ++i)
      to[i] = from[i];
  }
}

/// Moves one `E`-byte element (E a compile-time size where possible).
template <int64_t E> inline void copyElem(uint8_t *to, const uint8_t *from) {
  std::memcpy(to, from, size_t(E));
}

/// Calls `row(offset, rowIndex)` for every innermost row of `p`, whose
/// first element lies at byte `base + offset` of the strided side.
template <typename F>
inline void forEachRow(const StridedPlan &p, int64_t base, F &&row) {
  const int r = p.rank;
  if (r == 1) {
    row(base, int64_t(0));
    return;
  }
  // Offsets are unsigned, so that the step one stride past a dimension's
  // end (undone right away, or the last) cannot overflow.
  uint64_t off = uint64_t(base);
  if (r == 2) {
    for (int64_t i = 0; i < p.shape[0]; ++i, off += uint64_t(p.strides[0]))
      row(int64_t(off), i);
    return;
  }
  int64_t idx[isa::kMaxDmaRank] = {};
  int64_t rows = 1;
  for (int i = 0; i + 1 < r; ++i)
    rows *= p.shape[i];
  for (int64_t k = 0; k < rows; ++k) {
    row(int64_t(off), k);
    for (int i = r - 2; i >= 0; --i) {
      off += uint64_t(p.strides[i]);
      if (++idx[i] < p.shape[i])
        break;
      off -= uint64_t(p.strides[i]) * uint64_t(p.shape[i]);
      idx[i] = 0;
    }
  }
}

/// Copies between `mem` (strided as `p`, at `base`) and the dense buffer
/// `buf` of `E`-byte elements: gather when `Gather`, scatter otherwise.
template <bool Gather, int64_t E>
inline void stridedCopyElems(uint8_t *mem, int64_t base, const StridedPlan &p,
                             uint8_t *buf) {
  const int64_t inner = p.shape[p.rank - 1];
  const int64_t is = p.strides[p.rank - 1];
  const int64_t rowBytes = inner * E;
  if (is == E) {
    forEachRow(p, base, [&](int64_t off, int64_t k) {
      uint8_t *b = buf + k * rowBytes;
      if (Gather)
        copyRow(b, mem + off, rowBytes);
      else
        copyRow(mem + off, b, rowBytes);
    });
    return;
  }
  forEachRow(p, base, [&](int64_t off, int64_t k) {
    uint8_t *b = buf + k * rowBytes;
    uint8_t *m = mem + off;
    for (int64_t j = 0; j < inner; ++j, b += E) {
      if (Gather)
        copyElem<E>(b, m + j * is);
      else
        copyElem<E>(m + j * is, b);
    }
  });
}

/// Copies between `mem` (strided as `p`, at `base`) and the dense buffer
/// `buf` of `e`-byte elements: gather when `Gather`, scatter otherwise.
template <bool Gather>
void stridedCopy(uint8_t *mem, int64_t base, const StridedPlan &p, int64_t e,
                 uint8_t *buf) {
  switch (e) {
  case 1: stridedCopyElems<Gather, 1>(mem, base, p, buf); break;
  case 2: stridedCopyElems<Gather, 2>(mem, base, p, buf); break;
  case 4: stridedCopyElems<Gather, 4>(mem, base, p, buf); break;
  case 8: stridedCopyElems<Gather, 8>(mem, base, p, buf); break;
  default: { // other element sizes do not occur in decoded descriptors
    const int64_t inner = p.shape[p.rank - 1];
    const int64_t is = p.strides[p.rank - 1];
    forEachRow(p, base, [&](int64_t off, int64_t k) {
      uint8_t *b = buf + k * inner * e;
      for (int64_t j = 0; j < inner; ++j, b += e) {
        if (Gather)
          std::memcpy(b, mem + off + j * is, size_t(e));
        else
          std::memcpy(mem + off + j * is, b, size_t(e));
      }
    });
    break;
  }
  }
}

/// stridedCopy over the dimensions of `d` with `strides` (its source or
/// destination strides).
template <bool Gather>
void stridedCopy(uint8_t *mem, int64_t base, const isa::DmaDesc &d,
                 const int64_t *strides, int64_t e, uint8_t *buf) {
  stridedCopy<Gather>(mem, base, collapseDims(d, strides), e, buf);
}

/// Gathers FP32 elements from `mem` (strided as `p`, at `base`) into the
/// dense buffer `buf` as BFLOAT16, row by row without an intermediate
/// buffer.
inline void stridedGatherToBF16(const uint8_t *mem, int64_t base,
                                const StridedPlan &p, uint8_t *buf) {
  const int64_t inner = p.shape[p.rank - 1];
  const int64_t is = p.strides[p.rank - 1];
  forEachRow(p, base, [&](int64_t off, int64_t k) {
    const uint8_t *m = mem + off;
    uint8_t *b = buf + k * 2 * inner;
    if (is == 4) {
      floatsToBF16(m, b, inner);
    } else {
      for (int64_t j = 0; j < inner; ++j)
        floatsToBF16(m + j * is, b + 2 * j, 1);
    }
  });
}

inline void stridedGatherToBF16(const uint8_t *mem, int64_t base,
                                const isa::DmaDesc &d, const int64_t *strides,
                                uint8_t *buf) {
  stridedGatherToBF16(mem, base, collapseDims(d, strides), buf);
}

} // namespace dojo::sim::detail

#endif // DOJO_LIB_SIM_DMACOPY_H
