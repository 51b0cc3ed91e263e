#!/usr/bin/env python3
"""Writes Resize models beyond the official node tests, with reference outputs.

Each case is one Resize node with constant scales or sizes (and roi), a
random input and the output of ONNX's own reference implementation
(onnx.backend.test.case.node.resize.interpolate_nd, the code that produced
the official test data), in the node-test layout: OUT/<case>/model.onnx and
test_data_set_0/{input_0,output_0}.pb. The cases cover what the official
tests do not: cubic over three spatial dimensions (64 taps) with
exclude_outside, several channels and images, and tf_crop_and_resize
extrapolating with cubic and nearest modes.

Usage: make_resize_models.py OUT_DIR   (needs Debian's python3 with onnx)
"""

import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper
from onnx.backend.test.case.node.resize import (cubic_coeffs, interpolate_nd,
                                                linear_coeffs, nearest_coeffs)

# Share the node-test writer without leaving a __pycache__ in the source tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from node_test_data import save_node_test  # noqa: E402


def write(out_dir, name, shape, mode, ctm, coeffs, scales=None, sizes=None,
          roi=None, extrapolation=0.0, a=-0.75, exclude=0):
    x = np.random.default_rng(len(name)).standard_normal(shape).astype(np.float32)
    kw = {"coordinate_transformation_mode": ctm, "exclude_outside": bool(exclude)}
    if roi is not None:
        # float32, as the model stores it, so both sides see the same box.
        kw.update(roi=np.array(roi, np.float32), extrapolation_value=extrapolation)
    if sizes is not None:
        y = interpolate_nd(x, coeffs, output_size=sizes, **kw)
    else:
        y = interpolate_nd(x, coeffs, scale_factors=np.array(scales), **kw)
    y = y.astype(np.float32)
    inits = [numpy_helper.from_array(np.array(roi or [], np.float32), "roi")]
    if sizes is not None:
        inits.append(numpy_helper.from_array(np.array(sizes, np.int64), "sizes"))
        ins = ["x", "roi", "", "sizes"]
    else:
        inits.append(numpy_helper.from_array(np.array(scales, np.float32), "scales"))
        ins = ["x", "roi", "scales"]
    node = helper.make_node("Resize", ins, ["y"], name="resize", mode=mode,
                            coordinate_transformation_mode=ctm, cubic_coeff_a=a,
                            exclude_outside=exclude, extrapolation_value=extrapolation)
    graph = helper.make_graph(
        [node], name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, list(y.shape))], inits)
    save_node_test(out_dir, name, graph, 13, [x], [y])


def main():
    out = sys.argv[1]
    write(out, "resize_cubic_3d_exclude", [1, 2, 3, 4, 5], "cubic", "half_pixel",
          lambda r: cubic_coeffs(r, A=-0.5), scales=[1, 1, 1.5, 1.4, 0.8], a=-0.5, exclude=1)
    write(out, "resize_cubic_batch_channels", [2, 5, 4, 5], "cubic", "pytorch_half_pixel",
          cubic_coeffs, scales=[1, 1, 2.3, 1.7])
    write(out, "resize_cubic_align_fractional", [1, 2, 7, 5], "cubic", "align_corners",
          cubic_coeffs, scales=[1, 1, 0.7, 1.3])
    roi = [0, 0, 0.1, -0.2, 1, 1, 0.9, 1.3]
    write(out, "resize_crop_cubic", [1, 2, 6, 7], "cubic", "tf_crop_and_resize",
          cubic_coeffs, sizes=[1, 2, 5, 9], roi=roi, extrapolation=-3.0)
    write(out, "resize_crop_nearest", [1, 2, 6, 7], "nearest", "tf_crop_and_resize",
          nearest_coeffs, sizes=[1, 2, 5, 9], roi=roi, extrapolation=2.5)


if __name__ == "__main__":
    main()
