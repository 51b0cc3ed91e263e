//===- TensorFile.h - ONNX TensorProto files <-> HostTensor ---------------===//
//
// dojo-sim reads and writes the ONNX test-data layout (input_K.pb,
// output_K.pb, each a serialized onnx.TensorProto). Only this file knows
// about protobuf; the simulator sees raw little-endian bytes.
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_TOOLS_DOJO_SIM_TENSORFILE_H
#define DOJO_TOOLS_DOJO_SIM_TENSORFILE_H

#include "dojo/Sim/Simulator.h"

#include <string>

namespace dojo::tools {

/// Reads a serialized TensorProto (raw_data or the typed repeated fields).
/// Returns "" or a one-line error naming the file.
std::string readTensorFile(const std::string &path, sim::HostTensor &out);

/// Writes `t` as a TensorProto with raw_data. Returns "" or an error.
std::string writeTensorFile(const std::string &path, const sim::HostTensor &t);

/// Element `i` of `t` converted to double, for numeric comparisons. Returns
/// false for data types that have no numeric reading here (e.g. complex).
bool elementAsDouble(const sim::HostTensor &t, int64_t i, double &out);

} // namespace dojo::tools

#endif // DOJO_TOOLS_DOJO_SIM_TENSORFILE_H
