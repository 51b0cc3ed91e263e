//===- ProgramBuilder.h - Emitting one node's instruction stream ----------===//
//
// A tiny assembler: registers from a free list, descriptors deduplicated in
// the node's table, and counted loops whose pointer registers advance by a
// fixed stride per iteration and are restored on exit, so loop nests
// compose without multiplications.
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_LIB_DIALECT_D1_TRANSFORMS_PROGRAMBUILDER_H
#define DOJO_LIB_DIALECT_D1_TRANSFORMS_PROGRAMBUILDER_H

#include "dojo/Target/ISA.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"

#include <cassert>
#include <cstring>
#include "llvm/ADT/Hashing.h"
#include "llvm/Support/ErrorHandling.h"

#include <map>
#include <unordered_map>
#include <string>
#include <vector>

namespace dojo::d1 {

class ProgramBuilder {
public:
  explicit ProgramBuilder(int lanes) : lanes(lanes) {}

  int lanes;
  std::vector<isa::Insn> code;
  std::vector<std::vector<int64_t>> descs;
  std::vector<int32_t> debug; ///< (begin, end, name) triples
  std::vector<std::string> names;

  void emit(isa::Op op, int a = 0, int b = 0, int c = 0, int64_t imm = 0) {
    isa::Insn insn;
    insn.op = op;
    insn.a = uint8_t(a);
    insn.b = uint8_t(b);
    insn.c = uint8_t(c);
    insn.imm = imm;
    code.push_back(insn);
  }

  /// Allocates a scalar register. Kernels need fewer than 26, so running out
  /// is a compiler bug; stop loudly rather than emit wrong code in release
  /// builds, where asserts are off.
  int reg() {
    for (int r = 1; r < isa::kNumScalarRegs; ++r)
      if (!(used & (1u << r))) {
        used |= 1u << r;
        return r;
      }
    llvm::report_fatal_error("d1-codegen: a kernel ran out of scalar registers");
  }
  void free(int r) { used &= ~(1u << r); }

  int li(int64_t value) {
    int r = reg();
    emit(isa::Op::Li, r, 0, 0, value);
    return r;
  }
  /// r = base + offset in a fresh register.
  int offset(int base, int64_t off) {
    int r = reg();
    emit(isa::Op::Addi, r, base, 0, off);
    return r;
  }

  /// A register holding base + off for an instruction to read, or for a
  /// loop to step and restore: `base` itself when `off` is 0, so that no
  /// copy is emitted. Give it back with release(r, base).
  int at(int base, int64_t off) { return off ? offset(base, off) : base; }
  void release(int r, int base) {
    if (r != base)
      free(r);
  }

  int desc(const std::vector<int64_t> &words) {
    auto it = descIndex.find(words);
    if (it != descIndex.end())
      return it->second;
    int idx = int(descs.size());
    descs.push_back(words);
    descIndex[words] = idx;
    return idx;
  }

  using Ptrs = llvm::ArrayRef<std::pair<int, int64_t>>;
  /// Runs `body` `count` times, advancing each pointer register by its
  /// stride after every iteration and restoring it afterwards.
  /// Short loops around short bodies (a convolution's kernel-height taps,
  /// say) are unrolled: the counter, compare and branch would cost as much
  /// as the body's own work.
  static constexpr int64_t kMaxUnroll = 4;
  static constexpr size_t kMaxUnrolledBody = 24;

  void loop(int64_t count, Ptrs ptrs, llvm::function_ref<void()> body) {
    if (count <= 0)
      return;
    if (count == 1) {
      body();
      return;
    }
    // Register 0 stands for "no pointer" (an absent optional operand).
    auto advance = [&](int64_t times) {
      for (auto [r, stride] : ptrs)
        if (stride && r)
          emit(isa::Op::Addi, r, r, 0, stride * times);
    };
    // The body is emitted once, with the loop's registers reserved; its
    // size decides between unrolling and a real loop.
    int counter = reg(), limit = reg();
    size_t start = code.size();
    body();
    if (count <= kMaxUnroll && code.size() - start <= kMaxUnrolledBody) {
      free(counter);
      free(limit);
      for (int64_t i = 1; i < count; ++i) {
        advance(1);
        body();
      }
      advance(-(count - 1));
      return;
    }
    // A real loop: put the counter's set-up in front of the body already
    // emitted, moving the body's own branch targets and debug ranges.
    isa::Insn set[2];
    set[0].op = set[1].op = isa::Op::Li;
    set[0].a = uint8_t(counter);
    set[1].a = uint8_t(limit);
    set[1].imm = count;
    code.insert(code.begin() + int64_t(start), set, set + 2);
    for (size_t k = start + 2; k < code.size(); ++k) {
      isa::Op op = code[k].op;
      if ((op == isa::Op::Blt || op == isa::Op::Bne || op == isa::Op::Jmp) &&
          code[k].imm >= int64_t(start))
        code[k].imm += 2;
    }
    // Ranges opened at `start` itself include the set-up, as they did
    // when it was emitted first.
    for (size_t k = 0; k + 2 < debug.size(); k += 3)
      for (size_t e = k; e < k + 2; ++e)
        if (debug[e] > int32_t(start))
          debug[e] += 2;
    if (debugBegin > int(start))
      debugBegin += 2;
    int64_t top = int64_t(start) + 2;
    advance(1);
    emit(isa::Op::Addi, counter, counter, 0, 1);
    emit(isa::Op::Blt, counter, limit, 0, top);
    advance(-count);
    free(counter);
    free(limit);
  }

  /// Walks `count` FP32 elements a vector at a time: `full()` for each
  /// complete chunk (in a loop, each of `ptrs` advancing one vector), then
  /// `last(offset)` once for the partial chunk with VL = count % lanes.
  void vectorChunks(int64_t count, llvm::ArrayRef<int> ptrs,
                    llvm::function_ref<void()> full,
                    llvm::function_ref<void(int64_t offset)> last) {
    int64_t step = lanes * 4, n = count / lanes, rem = count % lanes;
    llvm::SmallVector<std::pair<int, int64_t>, 8> advance;
    for (int r : ptrs)
      advance.push_back({r, step});
    loop(n, advance, full);
    if (rem) {
      emit(isa::Op::VSetVl, 0, 0, 0, rem);
      last(n * step);
      emit(isa::Op::VSetVl, 0, 0, 0, lanes);
    }
  }
  /// The same with one body taking the byte offset of its chunk.
  void vectorChunks(int64_t count, llvm::ArrayRef<int> ptrs,
                    llvm::function_ref<void(int64_t offset)> body) {
    vectorChunks(count, ptrs, [&] { body(0); }, body);
  }

  /// Attributes instructions emitted until endDebug() to `name`.
  void beginDebug(const std::string &name) {
    auto it = std::find(names.begin(), names.end(), name);
    debugName = int(it - names.begin());
    if (it == names.end())
      names.push_back(name);
    debugBegin = int(code.size());
  }
  void endDebug() {
    if (int(code.size()) > debugBegin)
      debug.insert(debug.end(), {debugBegin, int(code.size()), debugName});
  }

private:
  uint32_t used = 1; ///< r0 is hardwired to zero
  struct WordsHash {
    size_t operator()(const std::vector<int64_t> &w) const {
      return llvm::hash_combine_range(w.begin(), w.end());
    }
  };
  std::unordered_map<std::vector<int64_t>, int, WordsHash> descIndex;
  int debugBegin = 0, debugName = 0;
};

/// Kernel parameter accessors (d1.kernel params dictionaries) and the bit
/// pattern of an FP32 immediate, shared by the kernel emitters.
inline int64_t paramInt(mlir::DictionaryAttr d, llvm::StringRef name) {
  return llvm::cast<mlir::IntegerAttr>(d.get(name)).getInt();
}
inline llvm::ArrayRef<int64_t> paramArr(mlir::DictionaryAttr d,
                                        llvm::StringRef name) {
  return llvm::cast<mlir::DenseI64ArrayAttr>(d.get(name)).asArrayRef();
}
inline bool paramBool(mlir::DictionaryAttr d, llvm::StringRef name) {
  return llvm::cast<mlir::BoolAttr>(d.get(name)).getValue();
}
inline float paramF32(mlir::DictionaryAttr d, llvm::StringRef name) {
  return float(llvm::cast<mlir::FloatAttr>(d.get(name)).getValueAsDouble());
}
inline int64_t floatBits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return int64_t(u);
}

/// Kernel emitters (KernelCodegen.cpp). Addresses are SRAM byte addresses of
/// the kernel's operand buffers, in operand order.
void emitConvKernel(ProgramBuilder &pb, mlir::DictionaryAttr params,
                    llvm::ArrayRef<int64_t> addrs, int64_t dtype);
void emitMatmulKernel(ProgramBuilder &pb, mlir::DictionaryAttr params,
                      llvm::ArrayRef<int64_t> addrs, int64_t dtype);
void emitEltwiseKernel(ProgramBuilder &pb, mlir::DictionaryAttr params,
                       llvm::ArrayRef<int64_t> addrs);
/// True if the elementwise kernel implements function `fn`.
bool isKnownEltwise(llvm::StringRef fn);
void emitPoolKernel(ProgramBuilder &pb, mlir::DictionaryAttr params,
                    llvm::ArrayRef<int64_t> addrs);
void emitReduceKernel(ProgramBuilder &pb, mlir::DictionaryAttr params,
                      llvm::ArrayRef<int64_t> addrs);
void emitSoftmaxKernel(ProgramBuilder &pb, mlir::DictionaryAttr params,
                       llvm::ArrayRef<int64_t> addrs);
void emitLayerNormKernel(ProgramBuilder &pb, mlir::DictionaryAttr params,
                         llvm::ArrayRef<int64_t> addrs);
void emitLerpKernel(ProgramBuilder &pb, mlir::DictionaryAttr params,
                    llvm::ArrayRef<int64_t> addrs);
void emitAvgPoolKernel(ProgramBuilder &pb, mlir::DictionaryAttr params,
                       llvm::ArrayRef<int64_t> addrs);
void emitFill(ProgramBuilder &pb, int64_t addr, int64_t bytes, float value);
/// Run-time indexed copies (KernelDynamic.cpp).
void emitDynGatherKernel(ProgramBuilder &pb, mlir::DictionaryAttr params,
                         llvm::ArrayRef<int64_t> addrs);
void emitDynSliceKernel(ProgramBuilder &pb, mlir::DictionaryAttr params,
                        llvm::ArrayRef<int64_t> addrs);
void emitDynPadKernel(ProgramBuilder &pb, mlir::DictionaryAttr params,
                      llvm::ArrayRef<int64_t> addrs);
/// Resize with run-time scales or roi (KernelResizeDynamic.cpp).
void emitDynResizeKernel(ProgramBuilder &pb, mlir::DictionaryAttr params,
                         llvm::ArrayRef<int64_t> addrs);
/// Fills the strided regions of a d1.fill (six integers each, see D1Ops.td)
/// of the buffer at `addr`.
void emitFillRegions(ProgramBuilder &pb, int64_t addr,
                     llvm::ArrayRef<int64_t> regions, float value);

} // namespace dojo::d1

#endif
