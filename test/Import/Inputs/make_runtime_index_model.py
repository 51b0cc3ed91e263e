"""Writes small ONNX models whose index operands are graph inputs.

Usage: make_runtime_index_model.py KIND OUT.onnx

Kinds: gather_int32 (run-time int32 indices into a constant table),
slice_undeclared (run-time starts, no declared or inferable output shape),
pad_reflect (run-time pads in reflect mode), pad_undeclared (the same
without a declared output shape).
"""

import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def main(kind, path):
    inputs, inits, nodes = [], [], []
    outputs = [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["y0", "y1"])]
    if kind == "gather_int32":
        table = np.arange(12, dtype=np.float32).reshape(4, 3)
        inits.append(numpy_helper.from_array(table, "table"))
        inputs.append(helper.make_tensor_value_info("idx", TensorProto.INT32, [2, 5]))
        nodes.append(helper.make_node("Gather", ["table", "idx"], ["y"], axis=0))
        outputs = [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 5, 3])]
    elif kind == "slice_undeclared":
        inputs.append(helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, 6]))
        inputs.append(helper.make_tensor_value_info("starts", TensorProto.INT64, [1]))
        inits.append(numpy_helper.from_array(np.array([3], np.int64), "ends"))
        nodes.append(helper.make_node("Slice", ["x", "starts", "ends"], ["y"]))
    elif kind in ("pad_reflect", "pad_undeclared"):
        inputs.append(helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, 6]))
        inputs.append(helper.make_tensor_value_info("pads", TensorProto.INT64, [4]))
        nodes.append(helper.make_node("Pad", ["x", "pads"], ["y"], mode="reflect"))
        if kind == "pad_reflect":
            outputs = [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4, 8])]
    else:
        raise SystemExit("unknown kind " + kind)
    graph = helper.make_graph(nodes, kind, inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, path)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
