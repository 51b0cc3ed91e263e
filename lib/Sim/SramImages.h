//===- SramImages.h - Initial SRAM contents, shared until written ---------===//
//
// Private to lib/Sim. A model's initial SRAM images (bin::NodeCode::sramInit)
// are mostly weights replicated over many nodes: r3d_18 copies 67 MB of
// blobs into 289 MB of SRAM, and faulting in and filling those fresh pages
// was most of loading it. Instead, every distinct run of whole pages inside
// a segment is written once into an anonymous in-memory file (memfd) and
// mapped copy-on-write over the SRAM arena: nodes share the pages until
// one writes them, when the kernel copies that page. Bytes are the same as
// with a copy; only the partial pages at a segment's ends are copied.
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_LIB_SIM_SRAMIMAGES_H
#define DOJO_LIB_SIM_SRAMIMAGES_H

#include "dojo/Binary/Executable.h"

namespace dojo::sim::detail {

/// Faults in the whole pages of [p, p + bytes) for writing in one system
/// call (MADV_POPULATE_WRITE, Linux 5.14), which is about 30% cheaper than
/// one fault per page. It changes no byte; where the kernel lacks it the
/// pages fault in on first use as before.
void populatePages(void *p, size_t bytes);

class SramImages {
public:
  /// Node `id`'s SRAM starts at `arena + id * stride`.
  SramImages(const bin::Executable &exe, uint8_t *arena, int64_t stride);
  ~SramImages();
  SramImages(const SramImages &) = delete;
  SramImages &operator=(const SramImages &) = delete;
  /// Writes the shared pages (the serial part). Call once, before fill().
  /// Never throws: without memory for its bookkeeping it leaves segments to
  /// be copied.
  void prepare();
  /// Places the images of exe.nodes[index]. Threads may fill different
  /// nodes at the same time.
  void fill(size_t index) const;
  /// Segments that prepare() chose to map (the rest are copied).
  int64_t mappedSegments() const { return mapped_; }
  /// Bytes prepare() wrote to the shared file.
  int64_t fileBytes() const { return end_; }

private:
  void share();
  const bin::Executable &exe_;
  uint8_t *arena_;
  int64_t stride_;
  int fd_ = -1;
  int64_t mapped_ = 0, end_ = 0;
  /// By node index and segment: where the segment's whole pages lie in the
  /// memfd, or -1 to copy the segment.
  std::vector<std::vector<int64_t>> fileOffset_;
};

} // namespace dojo::sim::detail

#endif // DOJO_LIB_SIM_SRAMIMAGES_H
