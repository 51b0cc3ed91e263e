//===- ISA.h - The per-node instruction set shared by codegen and the sim -===//
//
// Each enabled node runs its own instruction stream. The full description
// (semantics, costs, encodings) is docs/ISA.md; this header is the contract
// between the code generator and the simulator.
//
// Machine state per node:
//   - 32 scalar registers r0..r31 (int64); r0 always reads 0.
//   - 32 vector registers v0..v31 of `vectorBytes / 4` FP32 lanes (16 on D1),
//     and the active lane count VL set by VSETVL (lanes >= VL read/write 0 /
//     are not stored).
//   - 4 matrix accumulators a0..a3, each an 8x8 FP32 tile.
//   - 16 counting semaphores s0..s15.
//   - The node's SRAM, byte addressed, [0, sramBytes). Addresses below
//     reservedBytes hold code and descriptors and are not data-addressable.
//
// An instruction is 16 bytes: opcode, four 8-bit register fields and a 64-bit
// immediate. Long parameter lists (strides, shapes, routes) live in the
// program's descriptor table; an instruction names a descriptor by index in
// its immediate, like a DMA engine's descriptor ring.
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_TARGET_ISA_H
#define DOJO_TARGET_ISA_H

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace dojo::isa {

constexpr int kNumScalarRegs = 32;
constexpr int kNumVectorRegs = 32;
constexpr int kNumAccumulators = 4;
constexpr int kNumSemaphores = 16;
constexpr int kTile = 8;      ///< Accumulator tile is kTile x kTile.
constexpr int kMaxDmaRank = 6; ///< Dimensions of a DMA descriptor.

// Field names in comments: a, b, c, d are the four register fields; imm is
// the immediate. "rX" means a scalar register index, "vX" a vector register,
// "accX" an accumulator index, "D" a descriptor index.
enum class Op : uint16_t {
  Nop = 0,
  Halt,     ///< Stop this node.
  // ---- scalar / control (cost: scalarCycles each) -----------------------
  Li,       ///< r[a] = imm
  Addi,     ///< r[a] = r[b] + imm
  Add,      ///< r[a] = r[b] + r[c]
  Sub,      ///< r[a] = r[b] - r[c]
  Muli,     ///< r[a] = r[b] * imm
  Blt,      ///< if r[a] < r[b]: pc = imm
  Bne,      ///< if r[a] != r[b]: pc = imm
  Jmp,      ///< pc = imm
  // ---- vector unit, one 64 B register per op (cost 1 cycle) --------------
  VSetVl,   ///< VL = imm (1..lanes)
  VLd,      ///< v[a][l] = f32 SRAM[r[b] + imm + 4l] for l < VL, else 0
  VSt,      ///< f32 SRAM[r[b] + imm + 4l] = v[a][l] for l < VL
  VBcast,   ///< v[a][l] = f32 SRAM[r[b] + imm] for all l
  VSplat,   ///< v[a][l] = bit_cast<float>(uint32(imm)) for all l
  VAdd,     ///< v[a] = v[b] + v[c]
  VSub,     ///< v[a] = v[b] - v[c]
  VMul,     ///< v[a] = v[b] * v[c]
  VMax,     ///< v[a] = max(v[b], v[c])
  VMin,     ///< v[a] = min(v[b], v[c])
  VFma,     ///< v[a] = v[a] + v[b] * v[c]
  // ---- matrix unit ---------------------------------------------------------
  MZero,    ///< acc[a] = 0
  MLd,      ///< acc[a][i][j] = scale * f32 SRAM[r[b] + i*si + j*sj] for i<m,
            ///< j<n, else 0; descriptor AccDesc at imm
  Mma,      ///< acc[a][i][j] += sum_k<K A[i][k] * B[k][j], A at r[b], B at
            ///< r[c], MmaDesc at imm; cost ceil(8*8*K / macsPerCycle(dtype))
  MSt,      ///< f32 SRAM[r[b] + i*si + j*sj] = act(scale * acc[a][i][j]) for
            ///< i<m, j<n; AccDesc at imm
  // ---- DMA and synchronization -------------------------------------------
  Dma,      ///< start the transfer DmaDesc at imm from address r[a] to
            ///< address r[b]; the core continues after dmaIssueCycles
  SemWait,  ///< wait until sem[a] >= imm, then sem[a] -= imm
  SemSignal,///< sem[a] += imm on this node
  Barrier,  ///< wait until every enabled, not-halted node reaches a barrier
  // ---- vector unit, added for the full ONNX operator set ------------------
  // Special functions run on the vector unit's special-function pipe and cost
  // specialFunctionCycles; the others cost 1 like the vector ops above.
  VDiv,     ///< v[a] = v[b] / v[c]                        (special function)
  VPow,     ///< v[a] = pow(v[b], v[c])                    (special function)
  VFunc,    ///< v[a] = f(v[b]), f = VFn(imm)              (special function)
  VCmp,     ///< v[a] = (v[b] P v[c]) ? 1.0 : 0.0, P = CmpPred(imm)
  VSel,     ///< v[a] = v[b] != 0 ? v[c] : v[a]
  VRed,     ///< every lane of v[a] = R(v[b][0..VL)), R = RedKind(imm);
            ///< cost log2(lanes)
  // ---- scalar, added for run-time indices (cost: scalarCycles each) -------
  // Gather indices, Slice starts and Pad pads known only at run time are
  // FP32 tensors in SRAM like every other tensor; the scalar unit loads them
  // and computes addresses from them.
  LdF,      ///< r[a] = int64(trunc(f32 SRAM[r[b] + imm])), saturating at the
            ///< int64 range, NaN -> 0
  Mul,      ///< r[a] = r[b] * r[c]
  Slt,      ///< r[a] = r[b] < r[c] ? 1 : 0 (signed)
  Min,      ///< r[a] = min(r[b], r[c]) (signed)
  Max,      ///< r[a] = max(r[b], r[c]) (signed)
  // ---- vector unit, added for fills ----------------------------------------
  VStRep,   ///< f32 SRAM[r[b] + 4*VL*t + 4l] = v[a][l] for l < VL, t < imm
            ///< (imm >= 1): v[a] stored imm times back to back, one store
            ///< per cycle (cost imm). Zero-fills padded windows.
  NumOps
};

const char *opName(Op op);

struct Insn {
  Op op = Op::Nop;
  uint8_t a = 0, b = 0, c = 0, d = 0;
  int64_t imm = 0;
};
static_assert(sizeof(Insn) == 16, "instructions are 16 bytes");

/// Functions of VFunc. Round is round-half-to-even; Trunc rounds toward 0.
/// RoundF16 / RoundBF16 round the FP32 value to the nearest FLOAT16 /
/// BFLOAT16 value (ties to even; FLOAT16 overflow gives +-inf) and widen it
/// back, so a tensor of those types carries their precision in FP32 lanes.
enum class VFn : int64_t {
  Exp = 0, Log, Sqrt, Rsqrt, Recip, Tanh, Erf, Sigmoid, Abs, Neg, Floor,
  Ceil, Round, Trunc, RoundF16, RoundBF16, NumFns
};
/// Predicates of VCmp (IEEE comparisons: NaN compares unequal).
enum class CmpPred : int64_t { Eq = 0, Ne, Lt, Le, Gt, Ge, NumPreds };
/// Reductions of VRed. Max/Min propagate NaN.
enum class RedKind : int64_t { Sum = 0, Max, Min, NumKinds };

/// Activation applied by MSt.
enum class Act : int64_t { None = 0, Relu = 1 };

/// Descriptor kinds (first word of every descriptor).
enum class DescKind : int64_t { Acc = 1, Mma = 2, Dma = 3 };

/// MLd / MSt: an 8x8 tile view of SRAM. Strides are in bytes.
struct AccDesc {
  int64_t m = kTile, n = kTile;
  int64_t si = 0, sj = 0;
  float scale = 1.0f;
  Act act = Act::None;
};

/// Mma: A is m x K with strides (aSi, aSk), B is K x n with (bSk, bSj),
/// bytes. The reduction may walk up to two outer levels as well (the
/// matrix unit's address generator): K = k * k2 * k3, and reduction index
/// (q3, q2, q) with q < k innermost reads A[i] at q*aSk + q2*aSk2 + q3*aSk3
/// and B[.][j] at q*bSk + q2*bSk2 + q3*bSk3, accumulated in that order
/// (q3 outermost), exactly as k3 * k2 successive single-level Mmas would.
/// A convolution tile thus needs one instruction for all its taps instead
/// of one per kernel row and plane. With dtype BF16 each operand is rounded to bfloat16
/// (round-to-nearest-even) before the multiply; accumulation is FP32.
/// `aStorage` / `bStorage` say how each operand's elements are stored in
/// SRAM: 0 = FP32 (4 bytes), 1 = BF16 (2 bytes, the high half of an FP32,
/// widened exactly). BF16 storage requires dtype BF16.
struct MmaDesc {
  int64_t m = kTile, n = kTile, k = 1;
  int64_t aSi = 0, aSk = 4, bSk = 0, bSj = 4;
  int64_t dtype = 0; ///< 0 = F32, 1 = BF16 (dojo::MatDType)
  int64_t aStorage = 0, bStorage = 0;
  /// Outer reduction levels: counts (>= 1) and strides in bytes.
  int64_t k2 = 1, aSk2 = 0, bSk2 = 0;
  int64_t k3 = 1, aSk3 = 0, bSk3 = 0;
  /// The whole reduction length.
  int64_t kTotal() const { return k * k2 * k3; }
};

enum class DmaMode : int64_t {
  SramToSram = 0, ///< local SRAM -> SRAM of node `dstNode` along `route`
  HbmToSram = 1,  ///< HBM -> this node's SRAM (source address is in HBM)
  SramToHbm = 2,  ///< this node's SRAM -> HBM (destination address in HBM)
};

/// Dma: an up-to-6-D strided copy of `elemBytes`-byte elements. Dimension 0
/// is outermost. Strides are in bytes and may be zero or negative on the
/// source (to replicate or reverse) but not zero on the destination. On
/// completion the semaphore `sem` of the destination node (of this node for
/// HBM transfers) is incremented by one; `sem` = -1 signals nothing.
///
/// When `srcType` != `dstType` (ONNX TensorProto data type codes: 1 FLOAT,
/// 2 UINT8, 3 INT8, 4 UINT16, 5 INT16, 6 INT32, 7 INT64, 9 BOOL, 10 FLOAT16,
/// 11 DOUBLE, 12 UINT32, 13 UINT64, 16 BFLOAT16: to FLOAT16 / BF16 rounds
/// to nearest even, from them widens exactly) the engine converts each element's value on the
/// way ("convert" of the published D1 feature list): float to integer
/// truncates toward zero (saturating at the type's range, NaN -> 0), to BOOL
/// gives 1 for non-zero, integer to float rounds to nearest even. Source
/// strides step over source elements of size(srcType), destination strides
/// over size(dstType); `elemBytes` is size(srcType).
struct DmaDesc {
  DmaMode mode = DmaMode::SramToSram;
  int64_t dstNode = -1;
  int64_t route = -1; ///< index into the binary's route table (SramToSram)
  int64_t sem = 0;
  int64_t elemBytes = 4;
  int64_t rank = 1;
  std::array<int64_t, kMaxDmaRank> shape{};
  std::array<int64_t, kMaxDmaRank> srcStrides{};
  std::array<int64_t, kMaxDmaRank> dstStrides{};
  int64_t srcType = 1; ///< ONNX data type of source elements (1 = FLOAT)
  int64_t dstType = 1; ///< ONNX data type of destination elements
  int64_t bytes() const {
    int64_t n = elemBytes;
    for (int i = 0; i < rank; ++i)
      n *= shape[i];
    return n;
  }
};

/// Descriptors are stored as flat int64 words: [kind, fields...].
std::vector<int64_t> encode(const AccDesc &d);
std::vector<int64_t> encode(const MmaDesc &d);
std::vector<int64_t> encode(const DmaDesc &d);
/// Decoders return an error message, or "" on success; they check the kind,
/// the length and the ranges (m, n in 1..8, rank in 1..6, ...).
std::string decode(std::span<const int64_t> w, AccDesc &d);
std::string decode(std::span<const int64_t> w, MmaDesc &d);
std::string decode(std::span<const int64_t> w, DmaDesc &d);

/// One-line textual form of an instruction, e.g. "mma a0, r3, r4, #2".
std::string format(const Insn &insn);

} // namespace dojo::isa

#endif // DOJO_TARGET_ISA_H
