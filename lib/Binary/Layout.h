//===- Layout.h - Where blobs go in a .d1 file ------------------*- C++ -*-===//
//
// Shared by the writer and the reader: the FlatBuffer is followed by zero
// padding to a 64-byte boundary, then the data region, in which each blob
// starts 64-byte aligned. The writer decides the region's contents here.
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_LIB_BINARY_LAYOUT_H
#define DOJO_LIB_BINARY_LAYOUT_H

#include "dojo/Binary/Executable.h"

namespace dojo::bin::detail {

constexpr int64_t kDataAlign = 64;

inline int64_t alignData(int64_t v) {
  return (v + kDataAlign - 1) / kDataAlign * kDataAlign;
}

/// The distinct blob contents an Executable references, in order of first
/// reference (SRAM segments node by node, then HBM segments), so the output
/// is deterministic.
struct BlobLayout {
  /// Executable blob index -> file blob index (unreferenced blobs map to
  /// UINT32_MAX and are not written).
  std::vector<uint32_t> fileIndex;
  /// File blob index -> an Executable blob holding its content.
  std::vector<uint32_t> source;
  /// File blob index -> offset in the data region.
  std::vector<int64_t> offset;
  int64_t dataBytes = 0;
};

/// Deduplicates the referenced blobs by content.
BlobLayout layoutBlobs(const Executable &exe);

} // namespace dojo::bin::detail

#endif // DOJO_LIB_BINARY_LAYOUT_H
