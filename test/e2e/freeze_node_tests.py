#!/usr/bin/env python3
"""Copies ONNX node tests with their parameter inputs frozen into constants.

Many official node tests feed an operator's parameters (Resize's scales and
roi, for example) as graph inputs, which makes them run-time values. Models
exported for inference carry them as constants. This script rewrites each
given test so that every graph input except the first becomes an
initializer holding the value from test_data_set_0, and writes the test
(model.onnx plus test_data_set_0 with the remaining input and the reference
outputs, unchanged) to OUT/<test name>. The outputs are still the ONNX
reference results, so the frozen test checks the same computation.

Usage: freeze_node_tests.py --out DIR TEST_DIR...
Needs Debian's python3 with the onnx package.
"""

import argparse
import os
import shutil
import sys

import onnx


def freeze(test_dir, out_root):
    name = os.path.basename(os.path.normpath(test_dir))
    model = onnx.load(os.path.join(test_dir, "model.onnx"))
    data = os.path.join(test_dir, "test_data_set_0")
    out = os.path.join(out_root, name)
    out_data = os.path.join(out, "test_data_set_0")
    os.makedirs(out_data, exist_ok=True)
    graph = model.graph
    inputs = list(graph.input)
    for k, value in enumerate(inputs):
        src = os.path.join(data, f"input_{k}.pb")
        if k == 0:
            shutil.copy(src, os.path.join(out_data, "input_0.pb"))
            continue
        tensor = onnx.load_tensor(src)
        tensor.name = value.name
        graph.initializer.append(tensor)
        graph.input.remove(value)
    for f in os.listdir(data):
        if f.startswith("output_"):
            shutil.copy(os.path.join(data, f), os.path.join(out_data, f))
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, "model.onnx"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("tests", nargs="+")
    args = parser.parse_args()
    for t in args.tests:
        if not os.path.isfile(os.path.join(t, "model.onnx")):
            sys.exit(f"freeze_node_tests: {t} has no model.onnx")
        freeze(t, args.out)


if __name__ == "__main__":
    main()
