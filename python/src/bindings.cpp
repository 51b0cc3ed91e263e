//===- bindings.cpp - Python module _dojo: compile and simulate -----------===//
//
// A thin pybind11 layer over the compiler and simulator libraries. Tensors
// cross the boundary as (name, onnx_dtype, shape, raw bytes) tuples so that
// this module needs no NumPy headers; the pure-Python package `dojo` turns
// them into ndarrays. Failures raise _dojo.CompileError or
// _dojo.SimulationError carrying the one-line diagnostic text.
//
//===----------------------------------------------------------------------===//

#include "dojo/Binary/Executable.h"
#include "dojo/Compiler/Compiler.h"
#include "dojo/Sim/Simulator.h"

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

namespace py = pybind11;

namespace {

/// Thrown from C++ and translated to the Python exception of the same name.
struct CompileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct SimulationError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

using PyTensor =
    std::tuple<std::string, int, std::vector<int64_t>, py::bytes>;

py::bytes compile(const std::string &modelPath, const std::string &target,
                  const std::string &dtype, const std::string &targetOpts) {
  dojo::CompileOptions options;
  options.modelPath = modelPath;
  options.target = target;
  options.dtype = dtype;
  options.targetOverrides = targetOpts;
  dojo::bin::Executable exe;
  std::string error;
  std::vector<uint8_t> bytes;
  {
    // Compilation can take seconds; let other Python threads run.
    py::gil_scoped_release release;
    if (dojo::compileModel(options, exe, error))
      bytes = dojo::bin::serialize(exe);
  }
  if (bytes.empty())
    throw CompileError(error.empty() ? "compilation failed" : error);
  return py::bytes(reinterpret_cast<const char *>(bytes.data()), bytes.size());
}

dojo::bin::Executable load(const py::bytes &binary) {
  std::string_view view = binary;
  dojo::bin::Executable exe;
  std::string error;
  if (!dojo::bin::deserialize(reinterpret_cast<const uint8_t *>(view.data()),
                              view.size(), exe, error))
    throw SimulationError("invalid binary: " + error);
  return exe;
}

py::list describe(const std::vector<dojo::bin::TensorIO> &ios) {
  py::list out;
  for (const auto &io : ios)
    out.append(py::make_tuple(io.name, io.dtype, io.shape));
  return out;
}

/// Returns {"inputs": [(name, dtype, shape)], "outputs": [...], "target": spec,
/// "source": model name} so Python can prepare correctly typed inputs.
py::dict inspect(const py::bytes &binary) {
  dojo::bin::Executable exe = load(binary);
  py::dict info;
  info["inputs"] = describe(exe.inputs);
  info["outputs"] = describe(exe.outputs);
  info["target"] = exe.target.toSpec();
  info["source"] = exe.source;
  return info;
}

/// Runs `binary` on `inputs`; returns (outputs, stats as JSON text).
std::tuple<std::vector<PyTensor>, std::string>
run(const py::bytes &binary, const std::vector<PyTensor> &inputs,
    int64_t maxInstructions) {
  dojo::bin::Executable exe = load(binary);
  std::vector<dojo::sim::HostTensor> hostInputs;
  hostInputs.reserve(inputs.size());
  for (const auto &[name, dtype, shape, data] : inputs) {
    dojo::sim::HostTensor t;
    t.name = name;
    t.dtype = dtype;
    t.shape = shape;
    std::string_view view = data;
    t.data.assign(view.begin(), view.end());
    hostInputs.push_back(std::move(t));
  }
  std::vector<dojo::sim::HostTensor> hostOutputs;
  dojo::sim::Stats stats;
  std::string error;
  dojo::sim::Options options;
  options.maxInstructions = maxInstructions;
  bool ok;
  {
    py::gil_scoped_release release;
    ok = dojo::sim::run(exe, hostInputs, hostOutputs, stats, error, options);
  }
  if (!ok)
    throw SimulationError(error.empty() ? "simulation failed" : error);
  std::vector<PyTensor> outputs;
  for (const auto &t : hostOutputs)
    outputs.emplace_back(
        t.name, t.dtype, t.shape,
        py::bytes(reinterpret_cast<const char *>(t.data.data()), t.data.size()));
  return {std::move(outputs), stats.toJson()};
}

} // namespace

PYBIND11_MODULE(_dojo, m) {
  m.doc() = "dojo-cc compiler and D1 simulator (low-level bindings)";
  py::register_exception<CompileError>(m, "CompileError");
  py::register_exception<SimulationError>(m, "SimulationError");
  m.def("compile", &compile, py::arg("model_path"), py::arg("target"),
        py::arg("dtype"), py::arg("target_opts"),
        "Compiles an ONNX model file; returns the .d1 binary as bytes.");
  m.def("inspect", &inspect, py::arg("binary"),
        "Describes a binary's inputs, outputs and target.");
  m.def("run", &run, py::arg("binary"), py::arg("inputs"),
        py::arg("max_instructions") = 0,
        "Simulates a binary; returns (outputs, stats_json).");
}
