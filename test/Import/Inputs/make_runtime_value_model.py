"""Writes small ONNX models whose Resize scales or Reduce axes are graph inputs.

Usage: make_runtime_value_model.py KIND OUT.onnx

Kinds: resize_short_scales (3 run-time scales for a rank-4 input),
resize_undeclared (run-time scales, no declared output shape),
resize_channels (a declared output that resizes the channel dimension),
reduce_many (run-time axes for which ten axis sets fit the declared shape),
reduce_two (run-time axes, a rank-4 input where two axis sets fit).
"""

import sys

import onnx
from onnx import TensorProto, helper


def value(name, dtype, shape):
    return helper.make_tensor_value_info(name, dtype, shape)


def main(kind, path):
    opset = 13
    if kind.startswith("resize"):
        scales = 3 if kind == "resize_short_scales" else 4
        inputs = [value("x", TensorProto.FLOAT, [1, 2, 3, 4]),
                  value("scales", TensorProto.FLOAT, [scales])]
        node = helper.make_node("Resize", ["x", "", "scales"], ["y"], mode="linear")
        shape = {"resize_undeclared": ["y0", "y1", "y2", "y3"],
                 "resize_channels": [1, 4, 6, 8]}.get(kind, [1, 2, 6, 8])
    elif kind in ("reduce_many", "reduce_two"):
        x = [2, 2, 2, 2, 2] if kind == "reduce_many" else [4, 3, 3, 5]
        inputs = [value("x", TensorProto.FLOAT, x),
                  value("axes", TensorProto.INT64, [2 if kind == "reduce_many" else 1])]
        node = helper.make_node("ReduceSum", ["x", "axes"], ["y"], keepdims=0)
        shape = [2, 2, 2] if kind == "reduce_many" else [4, 3, 5]
    else:
        raise SystemExit("unknown kind " + kind)
    graph = helper.make_graph([node], kind, inputs,
                              [value("y", TensorProto.FLOAT, shape)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    onnx.checker.check_model(model)
    onnx.save(model, path)


if __name__ == "__main__":
    main(*sys.argv[1:])
