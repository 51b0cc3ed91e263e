//===- TargetModel.h - The one description of the D1 hardware -------------===//
//
// Every pass, verifier, the code generator and the simulator read hardware
// figures from this class and nowhere else. It is plain C++ (no MLIR or LLVM)
// so that the simulator and the Python module can use it without the compiler.
// A target is named (`d1`, `mesh-RxC`) and every field can be overridden with
// `key=value` pairs; the binary carries the full spec string so the simulator
// runs exactly what the compiler assumed.
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_TARGET_TARGETMODEL_H
#define DOJO_TARGET_TARGETMODEL_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dojo {

/// A node coordinate on the mesh. `row` grows southward, `col` eastward.
struct Coord {
  int row = 0;
  int col = 0;
  bool operator==(const Coord &o) const { return row == o.row && col == o.col; }
  bool operator!=(const Coord &o) const { return !(*this == o); }
};

/// Element types the matrix unit distinguishes. Storage in SRAM is always
/// FP32 in this version; BF16 rounds operands on their way into the unit.
enum class MatDType : int { F32 = 0, BF16 = 1 };

class TargetModel {
public:
  std::string name = "mesh-1x1";
  int rows = 1;
  int cols = 1;
  /// Disabled (harvested) nodes, as linear ids `row * cols + col`.
  std::vector<int> disabled;
  /// SRAM per node in bytes, and the low region reserved for code and
  /// descriptors. Buffers live in [reservedBytes, sramBytes).
  int64_t sramBytes = 64 * 1024;
  int64_t reservedBytes = 4 * 1024;
  /// Matrix unit multiply-accumulates per cycle. BF16 uses the 8x8x4 unit;
  /// FP32 matrix work runs on the vector unit's FMA lanes.
  int macsPerCycleBF16 = 256;
  int macsPerCycleF32 = 16;
  /// Width of one vector register and of one SRAM port access, in bytes.
  int vectorBytes = 64;
  /// Network-on-chip: bytes per cycle per link direction, per-node injection
  /// and ejection bandwidth, and latencies in cycles.
  int linkBytesPerCycle = 256;
  int injectBytesPerCycle = 64;
  int hopLatency = 2;
  int injectLatency = 4;
  int ejectLatency = 4;
  /// Cycles of one special-function vector op (vdiv, vpow, vfunc).
  int specialFunctionCycles = 4;
  /// Cost of the core issuing one DMA descriptor, in cycles.
  int dmaIssueCycles = 4;
  /// Cycles from the last node arriving at a mesh barrier to its release.
  int barrierLatency = 0; ///< 0 means derived: 2 * hopLatency * (rows + cols).
  /// Off-mesh memory (the DIP's HBM): bytes per cycle and access latency.
  int hbmBytesPerCycle = 400;
  int hbmLatency = 2000;
  int64_t hbmBytes = int64_t(32) << 30;
  /// Clock frequency, used only to convert cycles to seconds in reports.
  double clockGHz = 2.0;

  /// Returns the named target (`d1`, `mesh-RxC`), or std::nullopt.
  static std::optional<TargetModel> byName(const std::string &name);
  /// Applies comma-separated `key=value` overrides. `disabled` takes
  /// `r:c;r:c`. Returns an error message, or an empty string on success.
  std::string applyOverrides(const std::string &overrides);
  /// Parses a full spec as written by toSpec(). Returns an error message or "".
  static std::string fromSpec(const std::string &spec, TargetModel &out);
  /// Serializes every field as `name=...,rows=...,...`.
  std::string toSpec() const;
  /// Checks the figures are consistent (positive sizes, disabled in range).
  std::string validate() const;

  int numNodes() const { return rows * cols; }
  int nodeId(Coord c) const { return c.row * cols + c.col; }
  Coord coord(int id) const { return {id / cols, id % cols}; }
  bool inMesh(Coord c) const {
    return c.row >= 0 && c.row < rows && c.col >= 0 && c.col < cols;
  }
  bool isEnabled(Coord c) const;
  bool isEnabled(int id) const { return isEnabled(coord(id)); }
  int numEnabled() const;
  /// Enabled node ids in boustrophedon (snake) order, so that consecutive
  /// pieces of a layer land on neighbouring nodes.
  std::vector<int> enabledNodesSnake() const;
  /// Enabled node ids along a generalized Hilbert curve over the mesh (any
  /// rectangle, see Cervený's "gilbert"). Nodes close in this order are
  /// close on the mesh in both directions: a layer's pieces are numbered so
  /// that pieces exchanging data are near in the order, and the curve keeps
  /// them within a few hops, where the snake order puts every twentieth
  /// piece a row away and neighbours in the row up to a row's length apart.
  /// On a 2x2 mesh it is the snake order.
  std::vector<int> enabledNodesCurve() const;
  int64_t usableSramBytes() const { return sramBytes - reservedBytes; }
  int effectiveBarrierLatency() const {
    return barrierLatency > 0 ? barrierLatency : 2 * hopLatency * (rows + cols);
  }
  int macsPerCycle(MatDType t) const {
    return t == MatDType::BF16 ? macsPerCycleBF16 : macsPerCycleF32;
  }
  int vectorLanesF32() const { return vectorBytes / 4; }
  /// Peak MACs per cycle over all enabled nodes.
  double peakMacsPerCycle(MatDType t) const {
    return double(numEnabled()) * macsPerCycle(t);
  }
};

} // namespace dojo

#endif // DOJO_TARGET_TARGETMODEL_H
