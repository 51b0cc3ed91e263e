#!/usr/bin/env python3
"""Writes Resize and Reduce models whose scales, roi or axes are graph inputs.

Each case is one node whose value operand (Resize scales or a crop's roi,
ReduceSum axes) is computed at run time, so dojo-cc cannot fold
it: the compiled program must read it on the mesh. Reference outputs come
from ONNX's own reference code (interpolate_nd, the code that produced the
official Resize test data) or numpy. Every case gets test_data_set_0 and a
test_data_set_1 with other operand values giving the same output shape, to
show that one compiled program follows the values.

Usage: make_runtime_operand_models.py OUT_DIR   (Debian's python3 with onnx)
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from onnx.backend.test.case.node.resize import (cubic_coeffs, interpolate_nd,
                                                linear_coeffs, nearest_coeffs)

# Share the node-test writer without leaving a __pycache__ in the source tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from node_test_data import save_node_test  # noqa: E402


def add_data_set(out_dir, name, index, inputs, outputs):
    """Writes test_data_set_<index> next to the one save_node_test wrote."""
    data = os.path.join(out_dir, name, f"test_data_set_{index}")
    os.makedirs(data, exist_ok=True)
    for kind, arrays in (("input", inputs), ("output", outputs)):
        for i, array in enumerate(arrays):
            onnx.save_tensor(numpy_helper.from_array(array),
                             os.path.join(data, f"{kind}_{i}.pb"))


def resize(out_dir, name, shape, mode, ctm, coeffs, values, out_shape,
           crop=False, sizes=None, extrapolation=0.0, a=-0.75,
           exclude=0, nearest="round_prefer_floor"):
    """`values`: two scale (or, with crop, roi) vectors, one per data set."""
    x = np.random.default_rng(len(name)).standard_normal(shape).astype(np.float32)
    sets = []
    for v in values:
        v = np.array(v, np.float32)
        kw = {"coordinate_transformation_mode": ctm, "exclude_outside": bool(exclude)}
        if crop:
            kw.update(roi=v, extrapolation_value=extrapolation)
            y = interpolate_nd(x, coeffs, output_size=sizes, **kw)
        else:
            y = interpolate_nd(x, coeffs, scale_factors=v, **kw)
        assert list(y.shape) == out_shape, (name, y.shape)
        sets.append(([x, v], [y.astype(np.float32)]))
    n = len(values[0])
    if crop:
        ins = ["x", "roi", "", "sizes"]
        inputs = [helper.make_tensor_value_info("roi", TensorProto.FLOAT, [n])]
        inits = [numpy_helper.from_array(np.array(sizes, np.int64), "sizes")]
    else:
        ins = ["x", "", "scales"]
        inputs = [helper.make_tensor_value_info("scales", TensorProto.FLOAT, [n])]
        inits = []
    attrs = dict(mode=mode, coordinate_transformation_mode=ctm, cubic_coeff_a=a,
                 exclude_outside=exclude, extrapolation_value=extrapolation,
                 nearest_mode=nearest)
    node = helper.make_node("Resize", ins, ["y"], name="resize", **attrs)
    graph = helper.make_graph(
        [node], name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)] + inputs,
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, out_shape)], inits)
    save_node_test(out_dir, name, graph, 13, *sets[0])
    add_data_set(out_dir, name, 1, *sets[1])


def reduce(out_dir, name, op, shape, values, opset):
    """`values`: two axes vectors giving the same keepdims=0 result shape."""
    x = np.random.default_rng(len(name)).standard_normal(shape).astype(np.float32)
    fn = {"ReduceSum": np.sum, "ReduceMean": np.mean, "ReduceMax": np.max}[op]
    sets = []
    for v in values:
        axes = np.array(v, np.int64)
        y = fn(x, axis=tuple(int(a) for a in axes), keepdims=False)
        sets.append(([x, axes], [np.asarray(y, np.float32)]))
    out_shape = list(sets[0][1][0].shape)
    node = helper.make_node(op, ["x", "axes"], ["y"], name="reduce", keepdims=0)
    graph = helper.make_graph(
        [node], name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape),
         helper.make_tensor_value_info("axes", TensorProto.INT64, [len(values[0])])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, out_shape)])
    save_node_test(out_dir, name, graph, opset, *sets[0])
    add_data_set(out_dir, name, 1, *sets[1])


def main():
    out = sys.argv[1]
    # More channels than vector lanes, two images, down- and upsampling.
    resize(out, "rt_linear_batch_channels", [2, 20, 3, 5], "linear", "half_pixel",
           linear_coeffs, [[1, 1, 1.7, 0.6], [1, 1, 1.9, 0.7]], [2, 20, 5, 3])
    # Three spatial dimensions, 64 taps, exclude_outside renormalisation.
    resize(out, "rt_cubic_3d_exclude", [1, 2, 3, 4, 5], "cubic", "half_pixel",
           lambda r: cubic_coeffs(r, A=-0.5), [[1, 1, 1.5, 1.4, 0.8],
                                               [1, 1, 1.6, 1.3, 0.9]],
           [1, 2, 4, 5, 4], a=-0.5, exclude=1)
    # pytorch_half_pixel with an output of one (scale * in = 1: -0.5).
    resize(out, "rt_nearest_ceil_pytorch", [1, 3, 5, 3], "nearest",
           "pytorch_half_pixel", lambda r: nearest_coeffs(r, mode="ceil"),
           [[1, 1, 0.2, 2.0], [1, 1, 0.3, 2.2]], [1, 3, 1, 6], nearest="ceil")
    resize(out, "rt_nearest_prefer_ceil_asym", [1, 2, 4, 4], "nearest",
           "asymmetric", lambda r: nearest_coeffs(r, mode="round_prefer_ceil"),
           [[1, 1, 0.75, 2.5], [1, 1, 0.8, 2.6]], [1, 2, 3, 10],
           nearest="round_prefer_ceil")
    resize(out, "rt_cubic_align_corners", [1, 2, 7, 5], "cubic", "align_corners",
           cubic_coeffs, [[1, 1, 0.7, 1.3], [1, 1, 0.65, 1.25]], [1, 2, 4, 6])
    resize(out, "rt_linear_asymmetric", [1, 2, 4, 6], "linear", "asymmetric",
           linear_coeffs, [[1, 1, 1.5, 0.5], [1, 1, 1.7, 0.6]], [1, 2, 6, 3])
    # A run-time crop box, partly outside the input.
    resize(out, "rt_crop_cubic", [1, 2, 6, 7], "cubic", "tf_crop_and_resize",
           cubic_coeffs, [[0, 0, 0.1, -0.2, 1, 1, 0.9, 1.3],
                          [0, 0, -0.3, 0.2, 1, 1, 0.6, 0.8]],
           [1, 2, 5, 9], crop=True, sizes=[1, 2, 5, 9], extrapolation=-3.0)
    # Coordinates far outside the input with exclude_outside: no tap
    # inside, the extrapolation value all the same.
    resize(out, "rt_crop_cubic_exclude", [1, 3, 5, 4], "cubic", "tf_crop_and_resize",
           lambda r: cubic_coeffs(r, A=-0.5), [[0, 0, -1.5, 0.3, 1, 1, 2.5, 0.9],
                                               [0, 0, 0.2, -2, 1, 1, 0.7, 3]],
           [1, 3, 6, 5], crop=True, sizes=[1, 3, 6, 5], extrapolation=4.0, a=-0.5,
           exclude=1)
    # Two (and three) axis sets fit the declared shapes.
    reduce(out, "rt_reduce_sum_neg_axis", "ReduceSum", [2, 3, 3, 2], [[-2], [1]], 13)
    reduce(out, "rt_reduce_sum_two_axes", "ReduceSum", [3, 3, 3], [[2, 0], [-2, -1]], 13)


if __name__ == "__main__":
    main()
