"""Writes generated models in the ONNX node-test layout.

The model generators here (make_*_models.py) build one graph each with
reference data from PyTorch or ONNX's own reference code; this module turns
a graph and its data into OUT/<name>/model.onnx plus
test_data_set_0/{input_<i>,output_<i>}.pb, the layout run_node_tests.py and
dojo-sim --inputs/--expected read. It needs Debian's python3 with onnx.
"""

import os

import onnx
from onnx import helper, numpy_helper


def save_node_test(out_dir, name, graph, opset, inputs, outputs):
    """Checks `graph` as a model of the default domain at `opset` and writes
    it with the arrays `inputs` and `outputs` as test data set 0."""
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    onnx.checker.check_model(model)
    save_test_data(out_dir, name, inputs, outputs)
    onnx.save(model, os.path.join(out_dir, name, "model.onnx"))


def save_test_data(out_dir, name, inputs, outputs):
    """Writes the arrays `inputs` and `outputs` as test data set 0 of
    OUT/<name>."""
    data = os.path.join(out_dir, name, "test_data_set_0")
    os.makedirs(data, exist_ok=True)
    for kind, arrays in (("input", inputs), ("output", outputs)):
        for i, array in enumerate(arrays):
            onnx.save_tensor(numpy_helper.from_array(array),
                             os.path.join(data, f"{kind}_{i}.pb"))
