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
#include <span>
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

/// A node's descriptors, each a run of int64 words (ISA.h). Descriptors
/// added with push_back are stored back to back in one array; those read
/// from a file stay where they lie in its mapping, so reading a binary with
/// hundreds of thousands of descriptors neither copies their words nor
/// allocates (and later frees) one vector per descriptor.
class DescTable {
public:
  size_t size() const { return refs_.size(); }
  bool empty() const { return refs_.empty(); }
  std::span<const int64_t> operator[](size_t i) const {
    const Ref &r = refs_[i];
    return {r.view ? r.view : owned_.data() + r.offset, r.size};
  }
  void reserve(size_t descs) { refs_.reserve(descs); }
  /// Appends a copy of `words`.
  void push_back(std::span<const int64_t> words);
  /// Appends a descriptor viewing `size` words at `words`, which the caller
  /// keeps alive for as long as this table and its copies (the reader
  /// points into the file mapping that Executable::storage owns).
  void pushView(const int64_t *words, size_t size);
  /// Replaces descriptor `i` by a copy of `words` (of any length).
  void replace(size_t i, std::span<const int64_t> words);
  /// Equal when every descriptor has the same words, wherever they lie.
  friend bool operator==(const DescTable &x, const DescTable &y);

private:
  /// A descriptor: `size` words at `view`, or at `offset` of `owned_` when
  /// `view` is null (an offset survives the array's reallocation and the
  /// table's copies).
  struct Ref {
    const int64_t *view = nullptr;
    uint32_t offset = 0, size = 0;
  };
  Ref append(std::span<const int64_t> words);
  std::vector<int64_t> owned_;
  std::vector<Ref> refs_;
};

/// A node's program. Instructions appended with push_back are stored in an
/// owned array; a program read from a file is used where it lies in the
/// mapping (a FlatBuffer instruction has isa::Insn's layout), so reading a
/// binary neither copies nor faults in fresh pages for its code (r3d_18:
/// 32 MB). A viewed program becomes an owned copy on its first change.
class InsnTable {
public:
  size_t size() const { return view_ ? viewSize_ : owned_.size(); }
  bool empty() const { return size() == 0; }
  const isa::Insn *data() const { return view_ ? view_ : owned_.data(); }
  const isa::Insn *begin() const { return data(); }
  const isa::Insn *end() const { return data() + size(); }
  const isa::Insn &operator[](size_t i) const { return data()[i]; }
  isa::Insn &operator[](size_t i) { return own()[i]; }
  const isa::Insn &back() const { return data()[size() - 1]; }
  void push_back(const isa::Insn &in) { own().push_back(in); }
  void pop_back() { own().pop_back(); }
  void reserve(size_t n) { own().reserve(n); }
  void clear() {
    view_ = nullptr;
    viewSize_ = 0;
    owned_.clear();
  }
  /// Replaces the program by a copy of [first, last).
  void assign(const isa::Insn *first, const isa::Insn *last) {
    clear();
    owned_.assign(first, last);
  }
  /// Replaces the program by a view of `size` instructions at `insns`,
  /// which the caller keeps alive for as long as this table and its copies
  /// (the reader points into the file mapping that Executable::storage
  /// owns).
  void setView(const isa::Insn *insns, size_t size) {
    clear();
    view_ = insns;
    viewSize_ = size;
  }

private:
  std::vector<isa::Insn> &own() {
    if (view_) {
      owned_.assign(view_, view_ + viewSize_);
      view_ = nullptr;
      viewSize_ = 0;
    }
    return owned_;
  }
  const isa::Insn *view_ = nullptr; ///< null: the program is owned_
  size_t viewSize_ = 0;
  std::vector<isa::Insn> owned_;
};

struct NodeCode {
  int node = 0;
  InsnTable code;
  DescTable descs;
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
  /// Set by deserialize() once verify() has accepted the contents, so that
  /// sim::run does not check a binary read from disk a second time. False
  /// for an Executable built in memory; whoever changes an Executable that
  /// was read must clear it.
  bool verified = false;
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
/// Parses and verifies (setting `exe.verified`). On failure returns false
/// and sets `error` to a one-line message (without the file name). The blobs
/// and descriptor words of `exe` point into `data` when `owner` keeps it
/// alive, and into copies otherwise.
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
