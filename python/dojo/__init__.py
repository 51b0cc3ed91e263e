"""Python interface to dojo-cc: compile ONNX models for a simulated D1 mesh
and run them on the simulator.

    import dojo
    binary = dojo.compile("models/tiny_r3d.onnx", target="d1")
    outputs, stats = dojo.run(binary, [x])

Errors surface as dojo.CompileError / dojo.SimulationError whose message is
the compiler's or simulator's diagnostic.
"""

import json
import os

import numpy as np

from . import _dojo

CompileError = _dojo.CompileError
SimulationError = _dojo.SimulationError
# Report them as dojo.CompileError etc. rather than by the private module.
CompileError.__module__ = SimulationError.__module__ = __name__

__all__ = ["compile", "run", "inspect", "CompileError", "SimulationError"]

# ONNX TensorProto.DataType codes and their NumPy equivalents. BFLOAT16 (16)
# has no NumPy type; it is handled by converting to and from float32.
_NUMPY_DTYPES = {
    1: np.float32, 2: np.uint8, 3: np.int8, 4: np.uint16, 5: np.int16,
    6: np.int32, 7: np.int64, 9: np.bool_, 10: np.float16, 11: np.float64,
    12: np.uint32, 13: np.uint64,
}
_BFLOAT16 = 16


def compile(model_path, target="mesh-2x2", dtype="f32", target_opts=""):
    """Compiles the ONNX model at `model_path`; returns the .d1 binary bytes."""
    path = os.fspath(model_path)
    return _dojo.compile(path, target, dtype, target_opts)


def inspect(binary):
    """Returns the binary's inputs/outputs as lists of (name, dtype, shape)."""
    return _dojo.inspect(bytes(binary))


def _to_bf16_bits(array):
    """Rounds float32 values to bfloat16 (nearest even) and returns the bits."""
    bits = np.ascontiguousarray(array, dtype=np.float32).view(np.uint32)
    rounding = ((bits >> 16) & 1) + np.uint32(0x7FFF)
    return ((bits + rounding) >> 16).astype(np.uint16)


def _encode(array, dtype):
    if dtype == _BFLOAT16:
        return _to_bf16_bits(array).tobytes()
    np_type = _NUMPY_DTYPES.get(dtype)
    if np_type is None:
        raise SimulationError(f"binary expects unsupported ONNX dtype {dtype}")
    return np.ascontiguousarray(array, dtype=np_type).tobytes()


def _decode(dtype, shape, data):
    if dtype == _BFLOAT16:
        bits = np.frombuffer(data, dtype=np.uint16).astype(np.uint32) << 16
        return bits.view(np.float32).reshape(shape)
    np_type = _NUMPY_DTYPES.get(dtype)
    if np_type is None:
        raise SimulationError(f"simulator returned unsupported ONNX dtype {dtype}")
    return np.frombuffer(data, dtype=np_type).reshape(shape).copy()


def run(binary, inputs, max_instructions=0):
    """Simulates `binary` on `inputs` (array-likes, in the model's input order).

    Inputs are converted to the element type the binary expects; their shapes
    are passed through and checked by the simulator. Returns
    (list of output ndarrays, stats dict).
    """
    binary = bytes(binary)
    expected = _dojo.inspect(binary)["inputs"]
    inputs = list(inputs)
    if len(inputs) != len(expected):
        raise SimulationError(
            f"model has {len(expected)} input(s), {len(inputs)} given")
    packed = []
    for value, (name, dtype, _shape) in zip(inputs, expected):
        array = np.asarray(value)
        packed.append((name, dtype, [int(d) for d in array.shape],
                       _encode(array, dtype)))
    outputs, stats_json = _dojo.run(binary, packed, max_instructions)
    arrays = [_decode(dtype, shape, data) for _name, dtype, shape, data in outputs]
    return arrays, json.loads(stats_json)
