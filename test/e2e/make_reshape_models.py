#!/usr/bin/env python3
"""Writes Reshape models whose blocks d1-tile may cut along inner dimensions.

A reshape block is a set of contiguous row-major runs (see the ReshapeOp rule
of getOpGeometry and Distributor::lowerReshapeCopy): the outermost non-unit
output dimension and the following ones with at least 64 elements inside
them may be split. Each case reshapes a computed tensor (so the input is
spread over the mesh in its producer's blocks) and feeds the result to
another layer (which reads the reshape's blocks), with numpy references.

Usage: make_reshape_models.py OUT_DIR   (Debian's python3 with onnx)
"""

import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

# Share the node-test writer without leaving a __pycache__ in the source tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from node_test_data import save_node_test  # noqa: E402


def case(out_dir, name, in_shape, out_shape, perm=None):
    """x -> [Transpose perm] -> Relu -> Reshape(out_shape) -> Add(bias)."""
    rng = np.random.default_rng(len(name))
    x = rng.standard_normal(in_shape).astype(np.float32)
    bias = rng.standard_normal(out_shape).astype(np.float32)
    nodes = []
    src = "x"
    t = x
    if perm is not None:
        nodes.append(helper.make_node("Transpose", ["x"], ["t"], perm=perm))
        src = "t"
        t = np.transpose(x, perm)
    nodes.append(helper.make_node("Relu", [src], ["r"]))
    nodes.append(helper.make_node("Reshape", ["r", "shape"], ["s"]))
    nodes.append(helper.make_node("Add", ["s", "bias"], ["y"]))
    y = (np.maximum(t, 0).reshape(out_shape) + bias).astype(np.float32)
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(in_shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, list(out_shape))],
        [numpy_helper.from_array(np.array(out_shape, np.int64), "shape"),
         numpy_helper.from_array(bias, "bias")])
    save_node_test(out_dir, name, graph, 13, [x], [y])


def main():
    out = sys.argv[1]
    # The 64 of 2x64x64 is split although the 2 is not cut to single rows:
    # each block is two runs.
    case(out, "reshape_inner_rows", (2, 4096), (2, 64, 64))
    # MViT's pooling reshape at a smaller size: heads x channels x frames
    # may all be cut, the 7 x 7 rows may not.
    case(out, "reshape_heads", (1, 96, 2, 392), (2, 96, 8, 7, 7),
         perm=(0, 2, 1, 3))
    # Odd extents: runs start inside the input's rows and cross them.
    case(out, "reshape_odd", (15, 693), (5, 3, 9, 7, 11))
    # Tokens x channels split into heads, with a unit dimension in front.
    case(out, "reshape_tokens", (785, 96), (1, 785, 2, 48))


if __name__ == "__main__":
    main()
