//===- TestUtil.h - A tiny assembler for hand-written test programs -------===//
//
// Tests build Executables directly (no compiler): an Asm appends
// instructions and descriptors to one node's program, and helpers describe
// HBM inputs/outputs, since results leave the mesh through HBM exactly as
// in compiled models.
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_UNITTESTS_SIM_TESTUTIL_H
#define DOJO_UNITTESTS_SIM_TESTUTIL_H

#include "dojo/Binary/Executable.h"
#include "dojo/Sim/Simulator.h"

#include <algorithm>
#include <cstring>
#include <gtest/gtest.h>
#include <initializer_list>
#include <string>

namespace dojo::test {

using isa::Op;

/// Scratch registers the helpers use; test programs avoid them.
constexpr int kTmpA = 30, kTmpB = 31;

inline bin::Executable makeExe(const std::string &name = "mesh-2x2",
                               const std::string &overrides = "") {
  bin::Executable exe;
  exe.target = *TargetModel::byName(name);
  if (!overrides.empty()) {
    EXPECT_EQ(exe.target.applyOverrides(overrides), "");
  }
  exe.hbmBytes = 1 << 16;
  exe.source = "handwritten";
  return exe;
}

inline int64_t floatBits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return int64_t(u);
}

/// Appends code to the program of one node (creating it on first use).
class Asm {
public:
  Asm(bin::Executable &exe, int node) : exe_(exe) {
    for (size_t i = 0; i < exe.nodes.size(); ++i)
      if (exe.nodes[i].node == node)
        index_ = i;
    if (index_ == size_t(-1)) {
      index_ = exe.nodes.size();
      exe.nodes.emplace_back();
      exe.nodes.back().node = node;
    }
  }
  bin::NodeCode &code() { return exe_.nodes[index_]; }
  int pc() { return int(code().code.size()); }

  int emit(Op op, int a = 0, int b = 0, int c = 0, int64_t imm = 0) {
    isa::Insn in;
    in.op = op;
    in.a = uint8_t(a);
    in.b = uint8_t(b);
    in.c = uint8_t(c);
    in.imm = imm;
    code().code.push_back(in);
    return pc() - 1;
  }
  int64_t desc(std::vector<int64_t> words) {
    code().descs.push_back(std::move(words));
    return int64_t(code().descs.size()) - 1;
  }
  void li(int r, int64_t v) { emit(Op::Li, r, 0, 0, v); }
  void halt() { emit(Op::Halt); }
  /// Places raw bytes in SRAM before the run (as one blob and segment).
  void bytes(int64_t addr, std::vector<uint8_t> data) {
    int64_t size = int64_t(data.size());
    uint32_t blob = exe_.addBlob(std::move(data));
    code().sramInit.push_back({addr, blob, 0, size});
    code().sramInitEnd = std::max(code().sramInitEnd, addr + size);
  }
  /// Places FP32 values in SRAM before the run.
  void data(int64_t addr, const std::vector<float> &vals) {
    std::vector<uint8_t> raw(vals.size() * 4);
    std::memcpy(raw.data(), vals.data(), raw.size());
    bytes(addr, std::move(raw));
  }
  /// Issues descriptor `d` from r[kTmpA] = src to r[kTmpB] = dst.
  void dma(int64_t src, int64_t dst, const isa::DmaDesc &d) {
    li(kTmpA, src);
    li(kTmpB, dst);
    emit(Op::Dma, kTmpA, kTmpB, 0, desc(isa::encode(d)));
  }
  /// Copies `floats` contiguous FP32 values from SRAM to HBM and waits.
  void toHbm(int64_t sram, int64_t hbm, int64_t floats, int sem = 15) {
    isa::DmaDesc d;
    d.mode = isa::DmaMode::SramToHbm;
    d.sem = sem;
    d.shape[0] = floats;
    d.srcStrides[0] = d.dstStrides[0] = 4;
    dma(sram, hbm, d);
    emit(Op::SemWait, sem, 0, 0, 1);
  }

private:
  bin::Executable &exe_;
  size_t index_ = size_t(-1);
};

/// A dense 1-D FP32 contiguous copy descriptor.
inline isa::DmaDesc copy1d(isa::DmaMode mode, int64_t floats, int64_t sem,
                           int64_t dstNode = -1, int64_t route = -1) {
  isa::DmaDesc d;
  d.mode = mode;
  d.sem = sem;
  d.dstNode = dstNode;
  d.route = route;
  d.shape[0] = floats;
  d.srcStrides[0] = d.dstStrides[0] = 4;
  return d;
}

inline void addOutput(bin::Executable &exe, const std::string &name,
                      int64_t hbmAddr, int64_t floats) {
  exe.outputs.push_back({name, 1, {floats}, hbmAddr});
}
inline void addInput(bin::Executable &exe, const std::string &name,
                     int64_t hbmAddr, int64_t floats) {
  exe.inputs.push_back({name, 1, {floats}, hbmAddr});
}

inline sim::HostTensor floatTensor(const std::string &name,
                                   const std::vector<float> &v) {
  sim::HostTensor t;
  t.name = name;
  t.dtype = 1;
  t.shape = {int64_t(v.size())};
  t.data.resize(v.size() * 4);
  std::memcpy(t.data.data(), v.data(), t.data.size());
  return t;
}

inline std::vector<float> floats(const sim::HostTensor &t) {
  std::vector<float> v(t.data.size() / 4);
  std::memcpy(v.data(), t.data.data(), v.size() * 4);
  return v;
}

/// Runs `exe`, failing the test on a simulator error.
struct RunResult {
  bool ok = false;
  std::string error;
  std::vector<sim::HostTensor> outputs;
  sim::Stats stats;
  std::vector<float> out(size_t i = 0) const { return floats(outputs.at(i)); }
  const sim::NodeStats &node(int id) const {
    for (const sim::NodeStats &n : stats.nodes)
      if (n.node == id)
        return n;
    throw std::runtime_error("no stats for node " + std::to_string(id));
  }
};

inline RunResult simulate(const bin::Executable &exe,
                          const std::vector<sim::HostTensor> &inputs = {},
                          const sim::Options &opts = {}) {
  RunResult r;
  r.ok = sim::run(exe, inputs, r.outputs, r.stats, r.error, opts);
  return r;
}

/// Runs `exe` with one simulator thread, then with each of `threadCounts`,
/// expecting every parallel run to give the sequential run's outputs and
/// statistics exactly; returns the sequential run for further checks.
inline RunResult
simulateAcrossThreads(const bin::Executable &exe,
                      const std::vector<sim::HostTensor> &inputs = {},
                      std::initializer_list<int> threadCounts = {2, 3}) {
  sim::Options sequential;
  sequential.threads = 1;
  RunResult ref = simulate(exe, inputs, sequential);
  if (!ref.ok)
    return ref;
  for (int threads : threadCounts) {
    SCOPED_TRACE("threads " + std::to_string(threads));
    sim::Options o;
    o.threads = threads;
    RunResult r = simulate(exe, inputs, o);
    EXPECT_TRUE(r.ok) << r.error;
    if (!r.ok)
      continue;
    EXPECT_EQ(r.outputs.size(), ref.outputs.size());
    for (size_t k = 0; k < r.outputs.size() && k < ref.outputs.size(); ++k)
      EXPECT_EQ(r.outputs[k].data, ref.outputs[k].data) << "output " << k;
    EXPECT_EQ(r.stats.toJson(), ref.stats.toJson());
  }
  return ref;
}

} // namespace dojo::test

#endif // DOJO_UNITTESTS_SIM_TESTUTIL_H
