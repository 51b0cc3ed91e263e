//===- Blobs.cpp - Constant byte strings of an Executable -----------------===//
//
// Blobs are views; these helpers create them and decide, for the writer,
// which distinct contents the file stores. Models replicate the same weights
// on every node that shares them, so content deduplication is what keeps a
// binary close to the size of the model's weights.
//
//===----------------------------------------------------------------------===//
#include "Layout.h"

#include <cstring>
#include <functional>
#include <string_view>
#include <unordered_map>

namespace dojo::bin {

uint32_t Executable::addBlob(std::vector<uint8_t> bytes) {
  auto owned = std::make_shared<std::vector<uint8_t>>(std::move(bytes));
  uint32_t index = addBlobView(owned->data(), int64_t(owned->size()));
  storage.push_back(std::move(owned));
  return index;
}

uint32_t Executable::addBlobView(const uint8_t *data, int64_t size) {
  blobs.push_back({data, size, -1});
  return uint32_t(blobs.size() - 1);
}

std::vector<std::pair<int64_t, int64_t>>
nonZeroRanges(const uint8_t *bytes, int64_t size, int64_t minZeroRun) {
  std::vector<std::pair<int64_t, int64_t>> out;
  int64_t begin = 0; // start of the current non-zero range
  int64_t i = 0;
  while (i < size) {
    if (bytes[i] != 0) {
      ++i;
      continue;
    }
    int64_t run = i;
    while (run < size && bytes[run] == 0)
      ++run;
    // Leading and trailing zeros are always cut; inner runs only when long
    // enough to pay for the extra segment.
    if (i == begin || run == size || run - i >= minZeroRun) {
      if (i > begin)
        out.push_back({begin, i});
      begin = run;
    }
    i = run;
  }
  if (size > begin)
    out.push_back({begin, size});
  return out;
}

namespace detail {

BlobLayout layoutBlobs(const Executable &exe) {
  BlobLayout out;
  out.fileIndex.assign(exe.blobs.size(), UINT32_MAX);
  // Content hash -> file blobs with that hash. Blobs sharing a pointer (the
  // compiler's views of one attribute) are found before hashing.
  std::unordered_multimap<size_t, uint32_t> byHash;
  std::unordered_map<const uint8_t *, std::vector<uint32_t>> byPointer;
  auto place = [&](uint32_t b) {
    if (b >= exe.blobs.size() || out.fileIndex[b] != UINT32_MAX)
      return;
    const Blob &blob = exe.blobs[b];
    for (uint32_t f : byPointer[blob.data])
      if (exe.blobs[out.source[f]].size == blob.size) {
        out.fileIndex[b] = f;
        return;
      }
    size_t h = std::hash<std::string_view>()(std::string_view(
        reinterpret_cast<const char *>(blob.data), size_t(blob.size)));
    auto [lo, hi] = byHash.equal_range(h);
    for (auto it = lo; it != hi; ++it) {
      const Blob &other = exe.blobs[out.source[it->second]];
      if (other.size == blob.size &&
          (blob.size == 0 ||
           std::memcmp(other.data, blob.data, size_t(blob.size)) == 0)) {
        out.fileIndex[b] = it->second;
        byPointer[blob.data].push_back(it->second);
        return;
      }
    }
    uint32_t f = uint32_t(out.source.size());
    out.fileIndex[b] = f;
    out.source.push_back(b);
    out.offset.push_back(out.dataBytes);
    out.dataBytes += alignData(blob.size);
    byHash.emplace(h, f);
    byPointer[blob.data].push_back(f);
  };
  for (const NodeCode &nc : exe.nodes)
    for (const Segment &s : nc.sramInit)
      place(s.blob);
  for (const Segment &s : exe.hbmInit)
    place(s.blob);
  return out;
}

} // namespace detail
} // namespace dojo::bin
