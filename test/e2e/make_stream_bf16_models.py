"""Writes a depthwise 3-D convolution model whose BF16 weight blocks have an
odd number of elements (27 taps per channel), with an input and the numpy
reference output, for stream_bf16_odd.test.

Usage: make_stream_bf16_models.py OUT_DIR
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def depthwise_conv3d(x, w, stride, pad):
    """Reference: ONNX Conv with group == channels, zero padding."""
    n, c, t, h, wd = x.shape
    k = w.shape[2:]
    xp = np.pad(x, ((0, 0), (0, 0)) + tuple((pad, pad) for _ in range(3)))
    out = [(d + 2 * pad - kk) // s + 1 for d, kk, s in zip((t, h, wd), k, stride)]
    y = np.zeros((n, c) + tuple(out), dtype=np.float64)
    for a in range(k[0]):
        for b in range(k[1]):
            for e in range(k[2]):
                patch = xp[:, :, a:a + stride[0] * out[0]:stride[0],
                           b:b + stride[1] * out[1]:stride[1],
                           e:e + stride[2] * out[2]:stride[2]]
                y += patch * w[None, :, 0, a, b, e, None, None, None]
    return y.astype(np.float32)


def main():
    out_dir = sys.argv[1]
    rng = np.random.default_rng(0)
    # Five channels over a 1x1 mesh with little SRAM: d1-tile cuts the
    # channels into blocks of odd count, and d1-place-sram has to stream
    # their resident BF16 weights from HBM to fit the ReLU's blocks.
    c, t, hw = 5, 4, 28
    w = rng.standard_normal((c, 1, 3, 3, 3)).astype(np.float32)
    x = rng.standard_normal((1, c, t, hw, hw)).astype(np.float32)
    stride = (1, 2, 2)
    y = depthwise_conv3d(np.maximum(x, 0), w, stride, 1)
    nodes = [
        helper.make_node("Relu", ["x"], ["r"], name="relu"),
        helper.make_node("Conv", ["r", "w"], ["y"], name="dwconv", group=c,
                         kernel_shape=[3, 3, 3], pads=[1] * 6,
                         strides=list(stride)),
    ]
    graph = helper.make_graph(
        nodes, "stream_bf16_odd",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x.shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, list(y.shape))],
        [numpy_helper.from_array(w, "w")])
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", 17)])
    model_dir = os.path.join(out_dir, "stream_bf16_odd")
    data_dir = os.path.join(model_dir, "test_data_set_0")
    os.makedirs(data_dir, exist_ok=True)
    onnx.save(model, os.path.join(model_dir, "model.onnx"))
    onnx.save_tensor(numpy_helper.from_array(x),
                     os.path.join(data_dir, "input_0.pb"))
    onnx.save_tensor(numpy_helper.from_array(y),
                     os.path.join(data_dir, "output_0.pb"))


if __name__ == "__main__":
    main()
