//===- Executable.h - In-memory form of a compiled .d1 binary -------------===//
//
// The compiler fills an Executable and writes it with writeExecutable; the
// simulator and the Python module read it with readExecutable, which
// verifies the FlatBuffer and every cross reference (routes, descriptors,
// segment and blob bounds) so that a corrupt file is rejected with a message
// instead of crashing the simulator.
//
// Constant data (weights) lives in blobs: immutable byte strings that the
// Executable does not copy. A blob points into storage the Executable keeps
// alive (a read-only mapping of the file it was read from, an MLIR attribute
// the compiler owns, or a buffer added with addBlob), so the simulator copies
// weights from the file straight into node SRAM.
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_BINARY_EXECUTABLE_H
#define DOJO_BINARY_EXECUTABLE_H

#include "dojo/Target/ISA.h"
#include "dojo/Target/TargetModel.h"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace dojo::bin {

constexpr uint32_t kFormatVersion = 2;

/// An immutable constant byte string. The writer stores each distinct content
/// once, however many segments reference it.
struct Blob {
  const uint8_t *data = nullptr;
  int64_t size = 0;
  /// Where the bytes lie in the file they were read from (-1 when built in
  /// memory); diagnostics about a corrupt binary quote it.
  int64_t fileOffset = -1;
};

/// `length` bytes of blob `blob`, starting at `offset`, placed at byte
/// address `addr` (of a node's SRAM or of HBM) before execution. Memory
/// starts zeroed, so writers leave zero bytes out of segments.
struct Segment {
  int64_t addr = 0;
  uint32_t blob = 0;
  int64_t offset = 0;
  int64_t length = 0;
};

struct DebugRange {
  int32_t beginPc = 0, endPc = 0, name = 0;
};

struct NodeCode {
  int node = 0;
  std::vector<isa::Insn> code;
  std::vector<std::vector<int64_t>> descs;
  std::vector<Segment> sramInit;
  std::vector<DebugRange> debug;
  int64_t sramPeak = 0;
  /// End of the highest SRAM range the compiler initialised, zeros included
  /// (segments leave zeros out); the simulator counts it as touched.
  int64_t sramInitEnd = 0;
};

struct TensorIO {
  std::string name;
  int dtype = 1; ///< ONNX TensorProto.DataType (1 = FLOAT)
  std::vector<int64_t> shape;
  int64_t hbmAddr = 0;
  int64_t numElements() const {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
};

struct Executable {
  uint32_t version = kFormatVersion;
  TargetModel target;
  std::string source;
  int64_t hbmBytes = 0;
  std::vector<TensorIO> inputs, outputs;
  std::vector<NodeCode> nodes;
  std::vector<std::vector<int>> routes;
  std::vector<std::string> names;
  /// Constant data placed in HBM before execution (weights that the
  /// compiler streams in instead of keeping resident in SRAM).
  std::vector<Segment> hbmInit;
  /// Constant byte strings referenced by segments.
  std::vector<Blob> blobs;
  /// Owners of the bytes `blobs` point into. Shared, so that copies of an
  /// Executable stay valid.
  std::vector<std::shared_ptr<const void>> storage;

  /// Adds a blob holding `bytes` (moved into `storage`); returns its index.
  uint32_t addBlob(std::vector<uint8_t> bytes);
  /// Adds a blob viewing `size` bytes at `data`, which the caller keeps alive
  /// for as long as this Executable and its copies (or adds to `storage`).
  uint32_t addBlobView(const uint8_t *data, int64_t size);
  /// The first byte a segment copies (verify() proved it in bounds).
  const uint8_t *bytesOf(const Segment &s) const {
    return blobs[s.blob].data + s.offset;
  }
};

/// The [begin, end) byte ranges of `bytes` left after cutting out every run
/// of at least `minZeroRun` zero bytes: what a segment must store when the
/// destination memory starts zeroed.
std::vector<std::pair<int64_t, int64_t>>
nonZeroRanges(const uint8_t *bytes, int64_t size, int64_t minZeroRun = 64);

/// The bytes of the file writeExecutable writes: a size-prefixed FlatBuffer,
/// then the blob data region (docs/binary-format.md).
std::vector<uint8_t> serialize(const Executable &exe);
/// Parses and verifies. On failure returns false and sets `error` to a
/// one-line message (without the file name). The blobs of `exe` point into
/// `data` when `owner` keeps it alive, and into a copy otherwise.
bool deserialize(const uint8_t *data, size_t size, Executable &exe,
                 std::string &error,
                 std::shared_ptr<const void> owner = nullptr);
/// File helpers; errors are "FILE: message". writeExecutable streams blob
/// bytes from where they lie instead of assembling the file in memory;
/// readExecutable maps the file and leaves the blobs in the mapping.
bool writeExecutable(const std::string &path, const Executable &exe,
                     std::string &error);
bool readExecutable(const std::string &path, Executable &exe,
                    std::string &error);
/// Cross-checks an Executable against its target (node ids, descriptor
/// references, routes, SRAM bounds). Returns "" or the first problem.
std::string verify(const Executable &exe);

} // namespace dojo::bin

#endif // DOJO_BINARY_EXECUTABLE_H
