//===- VerifyTest.cpp - Every verify() rule rejects what it should --------===//
#include "TestUtil.h"

#include <functional>

using namespace dojo;
using namespace dojo::test;

namespace {

/// Node 0 sends to node 3 over (0,0)->(0,1)->(1,1); node 3 waits, runs a
/// matrix op and halts. Valid as built; each test breaks one thing.
bin::Executable validExe() {
  bin::Executable exe = makeExe();
  exe.routes = {{0, 1, 3}};
  exe.names = {"n"};
  exe.inputs = {{"x", 1, {4}, 0}};
  exe.outputs = {{"y", 1, {4}, 16}};
  Asm p0(exe, 0);
  p0.data(4096, {1, 2, 3, 4});
  p0.dma(4096, 8192, copy1d(isa::DmaMode::SramToSram, 4, 0, 3, 0));
  p0.halt();
  Asm p3(exe, 3);
  p3.emit(Op::SemWait, 0, 0, 0, 1);
  p3.emit(Op::MLd, 0, 1, 0, p3.desc(isa::encode(isa::AccDesc())));
  p3.emit(Op::Mma, 0, 1, 2, p3.desc(isa::encode(isa::MmaDesc())));
  p3.halt();
  p3.code().debug = {{0, 4, 0}};
  return exe;
}

/// Applies `breakIt` to a valid executable and expects verify() to return
/// exactly `message`.
void expectRejected(const std::function<void(bin::Executable &)> &breakIt,
                    const std::string &message) {
  bin::Executable exe = validExe();
  breakIt(exe);
  EXPECT_EQ(bin::verify(exe), message);
}

/// Sets word `w` of descriptor `i` to `value`.
void setWord(bin::DescTable &t, size_t i, size_t w, int64_t value) {
  std::vector<int64_t> words(t[i].begin(), t[i].end());
  words.at(w) = value;
  t.replace(i, words);
}

/// Truncates or zero-extends descriptor `i` to `size` words.
void resizeDesc(bin::DescTable &t, size_t i, size_t size) {
  std::vector<int64_t> words(t[i].begin(), t[i].end());
  words.resize(size);
  t.replace(i, words);
}

isa::Insn &insn(bin::Executable &exe, size_t node, size_t pc) {
  return exe.nodes[node].code[pc];
}

TEST(Verify, ValidExecutablePasses) { EXPECT_EQ(bin::verify(validExe()), ""); }

TEST(Verify, NodeIds) {
  expectRejected([](auto &e) { e.nodes[1].node = 4; },
                 "program for node id 4 outside the 2x2 mesh");
  expectRejected([](auto &e) { e.nodes[1].node = 0; },
                 "node (0,0) has two programs");
  expectRejected(
      [](auto &e) { EXPECT_EQ(e.target.applyOverrides("disabled=1:1"), ""); },
      "route 0 visits disabled node (1,1)");
  expectRejected(
      [](auto &e) {
        EXPECT_EQ(e.target.applyOverrides("disabled=1:1"), "");
        e.routes = {{0, 1}};
        e.nodes[0].descs.replace(0, isa::encode(copy1d(isa::DmaMode::SramToSram, 4, 0, 1, 0)));
      },
      "node (1,1) is disabled but has a program");
}

TEST(Verify, RegisterFields) {
  expectRejected([](auto &e) { insn(e, 0, 0).a = 32; },
                 "node (0,0) pc 0 `li r32, #4096`: register field out of range");
  expectRejected([](auto &e) { insn(e, 1, 1).a = 4; },
                 "node (1,1) pc 1 `mld a4, [r1], d0`: register field out of range");
  expectRejected(
      [](auto &e) { insn(e, 0, 0) = isa::Insn{Op::LdF, 32, 1, 0, 0, 0}; },
      "node (0,0) pc 0 `ldf r32, [r1 + 0]`: register field out of range");
  expectRejected(
      [](auto &e) { insn(e, 0, 0) = isa::Insn{Op::Mul, 1, 2, 40, 0, 0}; },
      "node (0,0) pc 0 `mul r1, r2, r40`: register field out of range");
  expectRejected([](auto &e) { insn(e, 1, 0).a = 16; },
                 "node (1,1) pc 0 `semwait s16, #1`: semaphore s16 does not exist");
  expectRejected(
      [](auto &e) {
        insn(e, 0, 0) = isa::Insn{Op::VSetVl, 0, 0, 0, 0, 17};
      },
      "node (0,0) pc 0 `vsetvl #17`: vector length 17 outside 1..16");
  expectRejected([](auto &e) { insn(e, 0, 0).op = Op::NumOps; },
                 "node (0,0) pc 0 `<invalid>`: invalid opcode " +
                     std::to_string(int(Op::NumOps)));
}

TEST(Verify, DescriptorReferences) {
  expectRejected([](auto &e) { insn(e, 1, 1).imm = 5; },
                 "node (1,1) pc 1 `mld a0, [r1], d5`: descriptor d5 does not exist");
  expectRejected([](auto &e) { insn(e, 1, 1).imm = 1; },
                 "node (1,1) pc 1 `mld a0, [r1], d1`: d1: descriptor is not a "
                 "valid accumulator descriptor");
  expectRejected([](auto &e) { setWord(e.nodes[1].descs, 1, 1, 9); },
                 "node (1,1) pc 2 `mma a0, [r1], [r2], d1`: d1: matrix "
                 "descriptor shape out of range");
  expectRejected([](auto &e) { setWord(e.nodes[0].descs, 0, 3, 1); },
                 "node (0,0) pc 2 `dma [r30] -> [r31], d0`: DMA descriptor d0 "
                 "names missing route 1");
  expectRejected([](auto &e) { setWord(e.nodes[0].descs, 0, 2, 1); },
                 "node (0,0) pc 2 `dma [r30] -> [r31], d0`: DMA descriptor d0 "
                 "uses route 0, which does not end at node 1");
  expectRejected(
      [](auto &e) {
        e.routes = {{1, 3}};
      },
      "node (0,0) pc 2 `dma [r30] -> [r31], d0`: DMA descriptor d0 uses route "
      "0, which starts at another node");
  expectRejected(
      [](auto &e) {
        isa::DmaDesc d = copy1d(isa::DmaMode::SramToSram, 4, 0, 3, 0);
        d.dstStrides[0] = 0;
        e.nodes[0].descs.replace(0, isa::encode(d));
      },
      "node (0,0) pc 2 `dma [r30] -> [r31], d0`: DMA descriptor d0 has a zero "
      "destination stride");
}

TEST(Verify, MatrixOperandStorage) {
  auto withMma = [](int64_t dtype, int64_t aStorage, int64_t bStorage) {
    return [=](bin::Executable &e) {
      isa::MmaDesc d;
      d.dtype = dtype;
      d.aStorage = aStorage;
      d.bStorage = bStorage;
      e.nodes[1].descs.replace(1, isa::encode(d));
    };
  };
  bin::Executable ok = validExe();
  withMma(1, 1, 1)(ok);
  EXPECT_EQ(bin::verify(ok), "");
  expectRejected(withMma(0, 1, 0),
                 "node (1,1) pc 2 `mma a0, [r1], [r2], d1`: d1: matrix "
                 "descriptor: BF16 operand storage needs the BF16 data type");
  expectRejected(withMma(1, 0, 2),
                 "node (1,1) pc 2 `mma a0, [r1], [r2], d1`: d1: matrix "
                 "descriptor has an unknown operand storage");
  // A descriptor of the previous 9-word layout is rejected, not misread.
  expectRejected([](auto &e) { resizeDesc(e.nodes[1].descs, 1, 9); },
                 "node (1,1) pc 2 `mma a0, [r1], [r2], d1`: d1: descriptor is "
                 "not a valid matrix descriptor");
}

TEST(Verify, SpecialVectorOpsAndSelectors) {
  auto with = [](isa::Insn in) {
    return [in](bin::Executable &e) { insn(e, 0, 0) = in; };
  };
  // Valid forms pass, including the last selector of each kind.
  for (isa::Insn in :
       {isa::Insn{Op::VDiv, 31, 0, 1, 0, 0}, isa::Insn{Op::VPow, 1, 2, 3, 0, 0},
        isa::Insn{Op::VSel, 1, 2, 3, 0, 0},
        isa::Insn{Op::VFunc, 1, 2, 0, 0, int64_t(isa::VFn::Trunc)},
        isa::Insn{Op::VCmp, 1, 2, 3, 0, int64_t(isa::CmpPred::Ge)},
        isa::Insn{Op::VRed, 1, 2, 0, 0, int64_t(isa::RedKind::Min)},
        isa::Insn{Op::VStRep, 1, 2, 0, 0, 1},
        isa::Insn{Op::VStRep, 31, 2, 0, 0, int64_t(1) << 32}}) {
    bin::Executable exe = validExe();
    with(in)(exe);
    EXPECT_EQ(bin::verify(exe), "") << isa::format(in);
  }
  expectRejected(with({Op::VDiv, 1, 2, 32, 0, 0}),
                 "node (0,0) pc 0 `vdiv v1, v2, v32`: register field out of range");
  expectRejected(with({Op::VSel, 32, 2, 3, 0, 0}),
                 "node (0,0) pc 0 `vsel v32, v2, v3`: register field out of range");
  expectRejected(with({Op::VRed, 1, 40, 0, 0, 0}),
                 "node (0,0) pc 0 `vred v1, v40, #0`: register field out of range");
  expectRejected(with({Op::VFunc, 1, 2, 0, 0, 16}),
                 "node (0,0) pc 0 `vfunc v1, v2, #16`: unknown vector function 16");
  expectRejected(with({Op::VFunc, 1, 2, 0, 0, -1}),
                 "node (0,0) pc 0 `vfunc v1, v2, #-1`: unknown vector function -1");
  expectRejected(with({Op::VCmp, 1, 2, 3, 0, 6}),
                 "node (0,0) pc 0 `vcmp v1, v2, v3, #6`: unknown comparison "
                 "predicate 6");
  expectRejected(with({Op::VRed, 1, 2, 0, 0, 3}),
                 "node (0,0) pc 0 `vred v1, v2, #3`: unknown reduction 3");
  expectRejected(with({Op::VStRep, 1, 2, 0, 0, 0}),
                 "node (0,0) pc 0 `vstrep v1, [r2], #0`: vstrep count 0 "
                 "outside 1..2^32");
  expectRejected(with({Op::VStRep, 32, 2, 0, 0, 4}),
                 "node (0,0) pc 0 `vstrep v32, [r2], #4`: register field out "
                 "of range");
}

TEST(Verify, ConvertingDmaNeedsSourceSizedElements) {
  auto withTypes = [](int64_t elem, int64_t st, int64_t dt) {
    return [=](bin::Executable &e) {
      isa::DmaDesc d = copy1d(isa::DmaMode::SramToSram, 4, 0, 3, 0);
      d.elemBytes = elem;
      d.srcType = st;
      d.dstType = dt;
      e.nodes[0].descs.replace(0, isa::encode(d));
    };
  };
  bin::Executable ok = validExe();
  withTypes(8, 7, 1)(ok); // INT64 -> FLOAT
  EXPECT_EQ(bin::verify(ok), "");
  bin::Executable raw = validExe();
  withTypes(8, 1, 1)(raw); // equal types: a raw copy of any element size
  EXPECT_EQ(bin::verify(raw), "");
  expectRejected(withTypes(4, 7, 1),
                 "node (0,0) pc 2 `dma [r30] -> [r31], d0`: DMA descriptor d0 "
                 "converts from int64 but has 4-byte elements");
  bin::Executable half = validExe();
  withTypes(4, 1, 10)(half); // FLOAT -> FLOAT16
  EXPECT_EQ(bin::verify(half), "");
  expectRejected(withTypes(4, 1, 8),
                 "node (0,0) pc 2 `dma [r30] -> [r31], d0`: d0: DMA descriptor "
                 "has an unsupported element type");
}

TEST(Verify, ControlFlow) {
  expectRejected([](auto &e) { insn(e, 0, 0) = isa::Insn{Op::Jmp, 0, 0, 0, 0, -1}; },
                 "node (0,0) pc 0 `jmp @-1`: branch target -1 out of range");
  expectRejected([](auto &e) { e.nodes[1].code.pop_back(); e.nodes[1].debug.clear(); },
                 "node (1,1) pc 2 runs past the end of the program");
  expectRejected(
      [](auto &e) { e.nodes[1].code[3] = isa::Insn{Op::Jmp, 0, 0, 0, 0, 0}; },
      "node (1,1) program has no reachable halt");
  expectRejected([](auto &e) { e.nodes[1].code.clear(); e.nodes[1].debug.clear(); },
                 "node (1,1) program is empty");
}

TEST(Verify, RoutesSegmentsDebugAndIO) {
  expectRejected([](auto &e) { e.routes[0] = {0, 3}; },
                 "route 0 jumps from (0,0) to (1,1), which are not neighbours");
  expectRejected([](auto &e) { e.routes.push_back({}); }, "route 1 is empty");
  expectRejected([](auto &e) { e.routes.push_back({0, 7}); },
                 "route 1 visits node id 7 outside the mesh");
  expectRejected([](auto &e) { e.nodes[0].sramInit[0].addr = 4000; },
                 "node (0,0) SRAM segment 0 [4000, +16) lies outside [4096, 262144)");
  expectRejected([](auto &e) { e.nodes[0].sramInit[0].addr = 262144 - 8; },
                 "node (0,0) SRAM segment 0 [262136, +16) lies outside [4096, 262144)");
  expectRejected([](auto &e) { e.nodes[0].sramInit[0].blob = 7; },
                 "node (0,0) SRAM segment 0 [4096, +16) references missing "
                 "blob 7 (the binary has 1)");
  expectRejected([](auto &e) { e.nodes[0].sramInit[0].offset = 1; },
                 "node (0,0) SRAM segment 0 [4096, +16) takes [1, +16) of "
                 "blob 0, which has 16 bytes");
  expectRejected([](auto &e) { e.nodes[0].sramInit[0].length = -1; },
                 "node (0,0) SRAM segment 0 [4096, +-1) takes [0, +-1) of "
                 "blob 0, which has 16 bytes");
  expectRejected(
      [](auto &e) {
        e.nodes[0].sramInit.push_back({4104, 0, 0, 8});
      },
      "node (0,0) SRAM segments 0 and 1 overlap at address 4104");
  expectRejected([](auto &e) { e.nodes[0].sramInitEnd = 262145; },
                 "node (0,0) initialised SRAM end 262145 lies outside [0, "
                 "262144]");
  expectRejected([](auto &e) { e.hbmInit.push_back({65530, 0, 0, 16}); },
                 "HBM segment 0 [65530, +16) lies outside [0, 65536)");
  expectRejected([](auto &e) { e.nodes[1].debug[0].name = 1; },
                 "node (1,1) debug range [0, 4) is invalid");
  expectRejected([](auto &e) { e.outputs[0].hbmAddr = e.hbmBytes - 8; },
                 "output 0 'y' at HBM [65528, +16) lies outside the 65536-byte "
                 "HBM image");
  expectRejected([](auto &e) { e.inputs[0].dtype = 8; },
                 "input 0 'x' has unsupported data type 8");
  expectRejected([](auto &e) { e.hbmBytes = e.target.hbmBytes + 1; },
                 "HBM image of 34359738369 bytes exceeds the target's 34359738368");
}

} // namespace
