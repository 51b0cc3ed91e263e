//===- dojo-sim.cpp - Run a compiled .d1 binary on ONNX test data ---------===//
//
//   dojo-sim OUT.d1 --inputs DIR [--outputs DIR] [--expected DIR]
//            [--rtol R] [--atol A] [--stats FILE.json] [--print-stats]
//            [--max-instructions N] [--trace FILE.json] [--threads N]
//
// --threads N runs the nodes' data work on N host threads (default: 2, or
// fewer if the host has fewer); results and statistics do not depend on it.
// DIR follows the ONNX test-data layout (input_0.pb, ..., output_0.pb, ...).
// --trace writes a Chrome/Perfetto timeline (open it in ui.perfetto.dev).
// Every error is one line "dojo-sim: error: ..." and exit code 1; so is an
// output that does not match --expected.
//
//===----------------------------------------------------------------------===//
#include "TensorFile.h"
#include "dojo/Sim/DType.h"
#include "dojo/Sim/Simulator.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <sys/stat.h>

using namespace dojo;

namespace {

struct Args {
  std::string binary, inputs, outputs, expected, statsFile, traceFile;
  double rtol = 1e-3, atol = 1e-7; // the ONNX node tests' tolerances
  bool printStats = false;
  int64_t maxInstructions = 0;
  int threads = 0; ///< 0: sim::defaultThreads()
};

int fail(const std::string &msg) {
  std::fprintf(stderr, "dojo-sim: error: %s\n", msg.c_str());
  return 1;
}

const char *kUsage =
    "usage: dojo-sim FILE.d1 --inputs DIR [--outputs DIR] [--expected DIR] "
    "[--rtol R] [--atol A] [--stats FILE.json] [--print-stats] "
    "[--max-instructions N] [--trace FILE.json] [--threads N]";

std::string parseArgs(int argc, char **argv, Args &a) {
  for (int i = 1; i < argc; ++i) {
    std::string s = argv[i];
    auto value = [&](std::string &dst) -> std::string {
      if (i + 1 >= argc)
        return "option " + s + " needs a value";
      dst = argv[++i];
      return "";
    };
    auto number = [&](double &dst) -> std::string {
      std::string v;
      if (auto e = value(v); !e.empty())
        return e;
      char *end = nullptr;
      dst = std::strtod(v.c_str(), &end);
      if (v.empty() || *end || !(dst >= 0))
        return "option " + s + " needs a non-negative number, got '" + v + "'";
      return "";
    };
    std::string err;
    if (s == "--inputs") err = value(a.inputs);
    else if (s == "--outputs") err = value(a.outputs);
    else if (s == "--expected") err = value(a.expected);
    else if (s == "--stats") err = value(a.statsFile);
    else if (s == "--trace") err = value(a.traceFile);
    else if (s == "--rtol") err = number(a.rtol);
    else if (s == "--atol") err = number(a.atol);
    else if (s == "--print-stats") a.printStats = true;
    else if (s == "--max-instructions") {
      double n;
      err = number(n);
      a.maxInstructions = int64_t(n);
    } else if (s == "--threads") {
      double n;
      err = number(n);
      if (err.empty() && (n < 1 || n > 64 || n != std::floor(n)))
        err = "option --threads needs an integer from 1 to 64";
      a.threads = int(n);
    } else if (s == "-h" || s == "--help") {
      std::printf("%s\n", kUsage);
      std::exit(0);
    } else if (!s.empty() && s[0] == '-') err = "unknown option " + s;
    else if (a.binary.empty()) a.binary = s;
    else err = "unexpected argument '" + s + "'";
    if (!err.empty())
      return err;
  }
  if (a.binary.empty())
    return std::string("no binary given; ") + kUsage;
  if (a.inputs.empty())
    return std::string("--inputs DIR is required; ") + kUsage;
  return "";
}


/// Integer and BOOL types (everything but the floating-point ones).
bool isExactType(int dtype) {
  return dtype != 1 && dtype != 10 && dtype != 11 && dtype != 16 &&
         dtype != 14 && dtype != 15;
}

/// Compares one output with its expected tensor and prints the verdict.
/// Returns true when it matches.
bool compare(const sim::HostTensor &got, const sim::HostTensor &want,
             const Args &a) {
  std::string head = "output " + got.name + ": ";
  if (got.dtype != want.dtype || got.shape != want.shape) {
    std::printf("%sexpected %s %s, got %s %s MISMATCH\n", head.c_str(),
                sim::onnxDTypeName(want.dtype), sim::shapeText(want.shape).c_str(),
                sim::onnxDTypeName(got.dtype), sim::shapeText(got.shape).c_str());
    return false;
  }
  const int64_t elem = sim::onnxDTypeBytes(got.dtype);
  int64_t n = int64_t(got.data.size()) / elem;
  if (isExactType(got.dtype)) {
    // Integers and booleans have one right answer: compare element bytes.
    int64_t bad = 0;
    for (int64_t i = 0; i < n; ++i)
      bad += std::memcmp(got.data.data() + i * elem,
                         want.data.data() + i * elem, size_t(elem)) != 0;
    std::printf("%sexact comparison: %lld of %lld elements differ %s\n",
                head.c_str(), (long long)bad, (long long)n,
                bad ? "MISMATCH" : "OK");
    return bad == 0;
  }
  double maxAbs = 0, maxRel = 0;
  bool ok = true, numeric = true;
  for (int64_t i = 0; i < n && numeric; ++i) {
    double x, e;
    numeric = tools::elementAsDouble(got, i, x) &&
              tools::elementAsDouble(want, i, e);
    if (!numeric)
      break;
    if (std::isnan(x) || std::isnan(e)) {
      ok &= std::isnan(x) && std::isnan(e);
      continue;
    }
    // Equal values (also equal infinities, where rtol * |e| would be
    // inf or, with rtol 0, NaN) always match.
    if (x == e)
      continue;
    double err = std::fabs(x - e);
    maxAbs = std::max(maxAbs, err);
    if (e != 0)
      maxRel = std::max(maxRel, err / std::fabs(e));
    if (!(err <= a.atol + a.rtol * std::fabs(e)))
      ok = false;
  }
  if (!numeric) {
    // Types without a numeric reading (complex) must match byte for byte.
    ok = got.data == want.data;
    std::printf("%sbyte-exact comparison %s\n", head.c_str(),
                ok ? "OK" : "MISMATCH");
    return ok;
  }
  std::printf("%smax_abs_err=%.6g max_rel_err=%.6g (rtol %g, atol %g) %s\n",
              head.c_str(), maxAbs, maxRel, a.rtol, a.atol,
              ok ? "OK" : "MISMATCH");
  return ok;
}

void printStats(const sim::Stats &s) {
  std::printf("cycles            %lld (%.3f us)\n", (long long)s.cycles,
              s.seconds * 1e6);
  std::printf("instructions      %lld\n", (long long)s.instructions);
  std::printf("macs              %lld\n", (long long)s.macs);
  std::printf("utilization       %.4f\n", s.utilization);
  std::printf("sram peak bytes   %lld\n", (long long)s.sramPeakBytes);
  std::printf("noc bytes         %lld (busiest link %lld)\n",
              (long long)s.nocBytes, (long long)s.nocMaxLinkBytes);
  std::printf("hbm bytes         %lld\n", (long long)s.hbmBytes);
  std::printf("dma transfers     %lld\n", (long long)s.dmaTransfers);
  std::printf("node   cycles        busy          wait          macs\n");
  int cols = s.meshCols > 0 ? s.meshCols : 1;
  for (const sim::NodeStats &n : s.nodes)
    std::printf("(%d,%d)%*s%-13lld %-13lld %-13lld %lld\n", n.node / cols,
                n.node % cols, 1, "", (long long)n.cycles,
                (long long)n.busyCycles, (long long)n.waitCycles,
                (long long)n.macs);
}

/// The ONNX backend test data stores BFLOAT16 tensors as UINT16 bit
/// patterns (numpy has no bfloat16, see onnx/backend/test/case/node/cast.py):
/// a UINT16 file where the model has a BFLOAT16 tensor holds its bits.
void adoptBFloat16Bits(sim::HostTensor &t, int modelDType) {
  if (modelDType == 16 && t.dtype == 4)
    t.dtype = 16;
}

bool isDirectory(const std::string &p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

} // namespace

int main(int argc, char **argv) {
  Args a;
  if (std::string err = parseArgs(argc, argv, a); !err.empty())
    return fail(err);

  sim::profileMark("start");
  bin::Executable exe;
  std::string err;
  if (!bin::readExecutable(a.binary, exe, err))
    return fail(err);
  sim::profileMark("read");

  if (!isDirectory(a.inputs))
    return fail(a.inputs + ": not a directory");
  std::vector<sim::HostTensor> inputs(exe.inputs.size());
  for (size_t i = 0; i < exe.inputs.size(); ++i) {
    std::string path = a.inputs + "/input_" + std::to_string(i) + ".pb";
    if (std::string e = tools::readTensorFile(path, inputs[i]); !e.empty())
      return fail(e);
    adoptBFloat16Bits(inputs[i], exe.inputs[i].dtype);
  }

  std::vector<sim::HostTensor> outputs;
  sim::Stats stats;
  sim::Options opts;
  opts.maxInstructions = a.maxInstructions;
  opts.threads = a.threads;
  sim::Trace trace;
  if (!a.traceFile.empty())
    opts.trace = &trace;
  if (!sim::run(exe, inputs, outputs, stats, err, opts))
    return fail(err);
  if (!a.traceFile.empty()) {
    std::ofstream f(a.traceFile, std::ios::trunc);
    if (!(f << trace.toJson(exe)) || !f.flush())
      return fail(a.traceFile + ": cannot write");
  }

  std::printf("cycles=%lld instructions=%lld macs=%lld utilization=%.4f\n",
              (long long)stats.cycles, (long long)stats.instructions,
              (long long)stats.macs, stats.utilization);
  if (a.printStats)
    printStats(stats);
  if (!a.statsFile.empty()) {
    std::ofstream f(a.statsFile, std::ios::trunc);
    if (!(f << stats.toJson()) || !f.flush())
      return fail(a.statsFile + ": cannot write");
  }
  if (!a.outputs.empty()) {
    if (!isDirectory(a.outputs) && ::mkdir(a.outputs.c_str(), 0755) != 0)
      return fail(a.outputs + ": cannot create directory");
    for (size_t i = 0; i < outputs.size(); ++i) {
      std::string path = a.outputs + "/output_" + std::to_string(i) + ".pb";
      if (std::string e = tools::writeTensorFile(path, outputs[i]); !e.empty())
        return fail(e);
    }
  }
  bool allOk = true;
  if (!a.expected.empty()) {
    for (size_t i = 0; i < outputs.size(); ++i) {
      sim::HostTensor want;
      std::string path = a.expected + "/output_" + std::to_string(i) + ".pb";
      if (std::string e = tools::readTensorFile(path, want); !e.empty())
        return fail(e);
      adoptBFloat16Bits(want, outputs[i].dtype);
      allOk &= compare(outputs[i], want, a);
    }
  }
  std::fflush(stdout);
  sim::profileMark("results");
  return allOk ? 0 : 1;
}
