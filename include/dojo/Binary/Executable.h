//===- Executable.h - In-memory form of a compiled .d1 binary -------------===//
//
// The compiler fills an Executable and writes it with writeExecutable; the
// simulator and the Python module read it with readExecutable, which
// verifies the FlatBuffer and every cross reference (routes, descriptors,
// segment bounds) so that a corrupt file is rejected with a message instead
// of crashing the simulator.
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_BINARY_EXECUTABLE_H
#define DOJO_BINARY_EXECUTABLE_H

#include "dojo/Target/ISA.h"
#include "dojo/Target/TargetModel.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dojo::bin {

constexpr uint32_t kFormatVersion = 1;

struct Segment {
  int64_t addr = 0;
  std::vector<uint8_t> data;
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
};

/// Serializes to FlatBuffer bytes.
std::vector<uint8_t> serialize(const Executable &exe);
/// Parses and verifies. On failure returns false and sets `error` to a
/// one-line message (without the file name).
bool deserialize(const uint8_t *data, size_t size, Executable &exe,
                 std::string &error);
/// File helpers; errors are "FILE: message".
bool writeExecutable(const std::string &path, const Executable &exe,
                     std::string &error);
bool readExecutable(const std::string &path, Executable &exe,
                    std::string &error);
/// Cross-checks an Executable against its target (node ids, descriptor
/// references, routes, SRAM bounds). Returns "" or the first problem.
std::string verify(const Executable &exe);

} // namespace dojo::bin

#endif // DOJO_BINARY_EXECUTABLE_H
