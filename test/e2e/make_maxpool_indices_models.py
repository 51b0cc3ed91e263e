#!/usr/bin/env python3
"""Writes MaxPool models with the Indices output and PyTorch reference data.

torch.nn.functional.max_poolNd(return_indices=True) gives each maximum's
flat position within its (n, c) plane, row-major; ONNX adds the batch and
channel offsets n * C * plane + c * plane, and with storage_order=1 counts
the plane column-major. Cases: 1-D, 2-D with padding and ceil_mode, 2-D
dilated with storage_order=1, 3-D with ceil_mode; several images and
channels. Layout: OUT/<case>/model.onnx, test_data_set_0/{input_0,
output_0, output_1}.pb.

Usage: make_maxpool_indices_models.py OUT_DIR   (Debian's python3: onnx, torch)
"""

import os
import sys

import numpy as np
import torch
from onnx import TensorProto, helper

# Share the node-test writer without leaving a __pycache__ in the source tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from node_test_data import save_node_test  # noqa: E402


def make(name, shape, k, s, p, d, ceil, order):
    x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    sp = len(shape) - 2
    fn = [None, torch.nn.functional.max_pool1d, torch.nn.functional.max_pool2d,
          torch.nn.functional.max_pool3d][sp]
    y, i = fn(torch.from_numpy(x), k, s, p, d, ceil_mode=bool(ceil), return_indices=True)
    y = y.numpy()
    i = i.numpy().astype(np.int64)
    if order:  # column-major within the plane
        sizes = shape[2:]
        coords = np.unravel_index(i, sizes)
        i = sum(coords[j] * int(np.prod(sizes[:j])) for j in range(sp))
    plane = int(np.prod(shape[2:]))
    n, c = np.meshgrid(np.arange(shape[0]), np.arange(shape[1]), indexing="ij")
    i = i + ((n * shape[1] + c) * plane).reshape(shape[0], shape[1], *([1] * sp))
    node = helper.make_node("MaxPool", ["x"], ["y", "z"], kernel_shape=[k] * sp,
                            strides=[s] * sp, pads=[p] * (2 * sp), dilations=[d] * sp,
                            ceil_mode=ceil, storage_order=order)
    g = helper.make_graph(
        [node], name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, y.shape),
         helper.make_tensor_value_info("z", TensorProto.INT64, i.shape)])
    save_node_test(OUT, name, g, 12, [x], [y, i])


OUT = sys.argv[1]
make("maxpool_idx_2d", [2, 3, 7, 8], 3, 2, 1, 1, 1, 0)
make("maxpool_idx_2d_colmajor_dilated", [2, 3, 7, 8], 2, 1, 1, 2, 0, 1)
make("maxpool_idx_3d", [1, 2, 5, 6, 4], 2, 2, 0, 1, 1, 0)
make("maxpool_idx_1d", [2, 4, 9], 3, 2, 1, 1, 0, 0)
