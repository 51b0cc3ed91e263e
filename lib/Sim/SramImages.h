//===- SramImages.h - Placing the initial SRAM contents --------------------===//
//
// Private to lib/Sim. A model's initial SRAM images (bin::NodeCode::sramInit)
// are mostly weights replicated over many nodes: r3d_18 copies 67 MB of
// blobs into 289 MB of SRAM, and faulting in and filling those fresh pages
// is most of loading it. Nodes are independent, so several threads can
// place them at once.
//
// Sharing replicated pages copy-on-write from an in-memory file was tried
// and removed: SRAM that held a weight is reused for activations once the
// weight is dead, and every first write to a shared page then cost a page
// copy and a TLB shootdown across the simulator's threads (about 7% of a
// run's CPU on r3d_18), more than the copies it saved.
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

/// Copies exe.nodes[index]'s SRAM images into its SRAM, which starts at
/// `arena + node id * stride`. Threads may place different nodes at the
/// same time.
void placeSramImages(const bin::Executable &exe, size_t index, uint8_t *arena,
                     int64_t stride);

} // namespace dojo::sim::detail

#endif // DOJO_LIB_SIM_SRAMIMAGES_H
