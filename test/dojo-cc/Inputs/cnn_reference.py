"""Writes a small CNN as ONNX plus an input and its numpy-computed output.

Usage: cnn_reference.py KIND OUT_DIR [--perturb]

Creates OUT_DIR/model.onnx and OUT_DIR/data/{input_0,output_0}.pb. The
reference output is computed here with numpy (convolution, relu, global
average pooling, flatten, gemm), independently of the compiler, so the
simulator's result can be checked against it. --perturb adds 0.5 to one
reference element, to check that a wrong answer is caught.

Kinds:
  small_cnn  the importer tests' small_cnn (1x3x8x8, one conv): fits one node
  wide_cnn   1x4x16x16 through two convolutions (16 and 8 channels, the
             second with stride 2) and a 10-way gemm: enough work to be
             split over every node of a 4x4 mesh
  deep_cnn   1x128x6x6 through two 128-channel 3x3 convolutions and a
             10-way gemm: few positions, many weights, the shape of a video
             network's last stage (d1-tile splits its input channels)
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

# Reuse the importer tests' model builders without leaving a __pycache__ in
# the source tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "Import", "Inputs"))
import make_model  # noqa: E402


def conv2d(x, w, b, stride, pad):
    """Direct NCHW convolution with symmetric zero padding."""
    n, c, h, wd = x.shape
    co, ci, kh, kw = w.shape
    assert ci == c
    xp = np.zeros((n, c, h + 2 * pad, wd + 2 * pad), dtype=np.float64)
    xp[:, :, pad:pad + h, pad:pad + wd] = x
    ho = (h + 2 * pad - kh) // stride + 1
    wo = (wd + 2 * pad - kw) // stride + 1
    y = np.zeros((n, co, ho, wo), dtype=np.float64)
    for i in range(ho):
        for j in range(wo):
            patch = xp[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
            y[:, :, i, j] = np.einsum("nckl,ockl->no", patch, w)
    return y + b.reshape(1, co, 1, 1)


def relu(x):
    return np.maximum(x, 0.0)


def gap_flatten(x):
    return x.mean(axis=(2, 3))


def gemm_bt(a, w, b):
    """Gemm with transB=1: a @ w.T + b."""
    return a @ w.T + b


def initializers(model):
    return {t.name: numpy_helper.to_array(t).astype(np.float64)
            for t in model.graph.initializer}


def small_cnn(rng):
    model = make_model.build("small_cnn")
    p = initializers(model)
    x = rng.uniform(-1.0, 1.0, size=(1, 3, 8, 8)).astype(np.float32)
    y = relu(conv2d(x.astype(np.float64), p["w"], p["b"], 1, 1))
    y = gemm_bt(gap_flatten(y), p["fw"], p["fb"])
    return model, x, y


def two_conv_cnn(rng, channels, size, c1, c2, stride2, scales):
    """conv(3x3, pad 1) -> relu -> conv(3x3, pad 1, stride2) -> relu ->
    global average pool -> flatten -> 10-way gemm, on a 1 x channels x
    size x size input; `scales` are the spreads of w1, w2 and fw."""
    def param(name, shape, scale):
        data = rng.normal(0.0, scale, size=shape).astype(np.float32)
        return numpy_helper.from_array(data, name)

    inits = [param("w1", [c1, channels, 3, 3], scales[0]),
             param("b1", [c1], 0.1),
             param("w2", [c2, c1, 3, 3], scales[1]), param("b2", [c2], 0.1),
             param("fw", [10, c2], scales[2]), param("fb", [10], 0.1)]
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="conv1",
                         pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
        helper.make_node("Conv", ["r1", "w2", "b2"], ["c2"], name="conv2",
                         pads=[1, 1, 1, 1], strides=[stride2, stride2]),
        helper.make_node("Relu", ["c2"], ["r2"], name="relu2"),
        helper.make_node("GlobalAveragePool", ["r2"], ["p"], name="pool"),
        helper.make_node("Flatten", ["p"], ["f"], name="flatten"),
        helper.make_node("Gemm", ["f", "fw", "fb"], ["logits"], name="fc",
                         transB=1),
    ]
    shape = [1, channels, size, size]
    model = make_model.model(nodes, [make_model.f32("x", shape)],
                             [make_model.f32("logits", [1, 10])], inits)
    p = initializers(model)
    x = rng.uniform(-1.0, 1.0, size=shape).astype(np.float32)
    y = relu(conv2d(x.astype(np.float64), p["w1"], p["b1"], 1, 1))
    y = relu(conv2d(y, p["w2"], p["b2"], stride2, 1))
    y = gemm_bt(gap_flatten(y), p["fw"], p["fb"])
    return model, x, y


def wide_cnn(rng):
    return two_conv_cnn(rng, 4, 16, 16, 8, 2, (0.25, 0.1, 0.5))


def deep_cnn(rng):
    return two_conv_cnn(rng, 128, 6, 128, 128, 1, (0.03, 0.03, 0.2))


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 2:
        raise SystemExit(__doc__)
    kind, out_dir = args
    builders = {"small_cnn": small_cnn, "wide_cnn": wide_cnn,
                "deep_cnn": deep_cnn}
    if kind not in builders:
        raise SystemExit(f"cnn_reference.py: unknown kind '{kind}'")
    model, x, y = builders[kind](np.random.default_rng(1234))
    onnx.checker.check_model(model)
    y = y.astype(np.float32)
    if "--perturb" in sys.argv:
        y.flat[3] += 0.5
    data = os.path.join(out_dir, "data")
    os.makedirs(data, exist_ok=True)
    onnx.save(model, os.path.join(out_dir, "model.onnx"))
    for name, value, fname in (("x", x, "input_0.pb"),
                               ("logits", y, "output_0.pb")):
        tensor = numpy_helper.from_array(value, name)
        with open(os.path.join(data, fname), "wb") as f:
            f.write(tensor.SerializeToString())


if __name__ == "__main__":
    main()
