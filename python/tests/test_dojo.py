"""Tests of the Python package: compile and simulate the bundled default model.

Run with Debian's interpreter and the built package on the path:
    PYTHONPATH=build/python /usr/bin/python3 -m pytest python/tests
DOJO_SRC_DIR may point at the source tree (defaults to this file's repo).
"""

import os

import numpy as np
import onnx
from onnx import numpy_helper
import pytest

import dojo

SRC = os.environ.get(
    "DOJO_SRC_DIR",
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
MODEL = os.path.join(SRC, "models", "tiny_r3d.onnx")
DATA = os.path.join(SRC, "models", "tiny_r3d", "test_data_set_0")


def load(name):
    return numpy_helper.to_array(onnx.load_tensor(os.path.join(DATA, name)))


@pytest.fixture(scope="module")
def binary():
    return dojo.compile(MODEL, target="d1")


@pytest.fixture(scope="module")
def result(binary):
    return dojo.run(binary, [load("input_0.pb")])


def test_compile_returns_binary(binary):
    assert isinstance(binary, bytes) and len(binary) > 0
    info = dojo.inspect(binary)
    assert [tuple(i[2]) for i in info["inputs"]] == [(1, 3, 8, 32, 32)]
    assert [tuple(o[2]) for o in info["outputs"]] == [(1, 10)]


def test_default_model_matches_reference(result):
    outputs, _ = result
    ref = load("output_0.pb")
    assert len(outputs) == 1
    assert outputs[0].shape == ref.shape
    atol = 1e-4 * float(np.abs(ref).max())
    err = float(np.abs(outputs[0] - ref).max())
    assert err <= atol, f"max |sim - ref| = {err:.3g} > {atol:.3g}"


def test_stats_keys(result):
    _, stats = result
    for key in ("cycles", "instructions", "macs", "sram_peak_bytes", "noc_bytes",
                "hbm_bytes", "seconds", "nodes"):
        assert key in stats, key
    assert stats["cycles"] > 0
    assert stats["macs"] > 0


def test_compile_error_on_garbage(tmp_path):
    bad = tmp_path / "garbage.onnx"
    bad.write_bytes(b"this is not an onnx model\x00\xff" * 8)
    with pytest.raises(dojo.CompileError) as info:
        dojo.compile(bad, target="d1")
    assert str(info.value).strip(), "diagnostic text expected"


def test_compile_error_on_missing_file(tmp_path):
    with pytest.raises(dojo.CompileError):
        dojo.compile(tmp_path / "missing.onnx")


def test_compile_error_on_bad_target():
    with pytest.raises(dojo.CompileError):
        dojo.compile(MODEL, target="not-a-target")


def test_simulation_error_on_truncated_binary(binary):
    with pytest.raises(dojo.SimulationError):
        dojo.run(binary[: len(binary) // 2], [load("input_0.pb")])


def test_simulation_error_on_wrong_input_count(binary):
    with pytest.raises(dojo.SimulationError):
        dojo.run(binary, [])


def test_simulation_error_on_wrong_input_shape(binary):
    with pytest.raises(dojo.SimulationError):
        dojo.run(binary, [np.zeros((1, 3, 8, 16, 16), np.float32)])
