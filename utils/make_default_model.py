#!/usr/bin/python3
"""Builds the bundled default video model, models/tiny_r3d.onnx, and its data set.

The model is a small R3D-style network (3-D ResNet: a strided stem, two
residual basic blocks, global average pooling and a classifier) with random
but fixed weights (torch.manual_seed(0)). BatchNorm layers get random running
statistics so that the exporter's Conv+BN folding produces non-trivial
weights and biases. The reference output is computed by onnxruntime-node via
utils/ort/run_ort.js; torch is used only if onnxruntime is not installed, and
models/tiny_r3d/reference.txt records which one made it.

Run with Debian's interpreter (it has torch and onnx):
    /usr/bin/python3 utils/make_default_model.py [--out-dir models]
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper
import torch
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INPUT_SHAPE = (1, 3, 8, 32, 32)
OPSET = 17


def conv_bn(cin, cout, kernel, stride, padding):
    """Conv3d without bias followed by BatchNorm3d, as in torchvision's R3D."""
    return [nn.Conv3d(cin, cout, kernel, stride, padding, bias=False),
            nn.BatchNorm3d(cout)]


class BasicBlock(nn.Module):
    """Two 3x3x3 convolutions with a residual connection (R3D basic block)."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.body = nn.Sequential(
            *conv_bn(cin, cout, 3, stride, 1), nn.ReLU(inplace=False),
            *conv_bn(cout, cout, 3, 1, 1))
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(*conv_bn(cin, cout, 1, stride, 0))
        self.relu = nn.ReLU(inplace=False)

    def forward(self, x):
        skip = x if self.downsample is None else self.downsample(x)
        return self.relu(self.body(x) + skip)


class TinyR3D(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.stem = nn.Sequential(
            *conv_bn(3, 16, (3, 7, 7), (1, 2, 2), (1, 3, 3)), nn.ReLU(inplace=False))
        self.layer1 = BasicBlock(16, 16, 1)
        self.layer2 = BasicBlock(16, 32, 2)
        self.pool = nn.AdaptiveAvgPool3d(1)
        self.flatten = nn.Flatten(1)
        self.fc = nn.Linear(32, num_classes)

    def forward(self, x):
        x = self.layer2(self.layer1(self.stem(x)))
        return self.fc(self.flatten(self.pool(x)))


def build_model():
    torch.manual_seed(0)
    model = TinyR3D()
    # Fresh BatchNorm layers are the identity; give them realistic statistics
    # so the folded convolutions differ from the raw ones.
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm3d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 2.0)
    return model.eval()


def save_tensor(array, name, path):
    tensor = numpy_helper.from_array(np.ascontiguousarray(array), name)
    with open(path, "wb") as f:
        f.write(tensor.SerializeToString())


def ort_reference(model_path, data_dir):
    """Runs run_ort.js; returns the output array, or None if ORT is missing."""
    runner = os.path.join(ROOT, "utils", "ort", "run_ort.js")
    if not shutil.which("node") or not os.path.isdir(
            os.path.join(ROOT, "utils", "ort", "node_modules", "onnxruntime-node")):
        return None
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(["node", runner, model_path, data_dir, out], check=True,
                       stdout=subprocess.DEVNULL)
        return numpy_helper.to_array(onnx.load_tensor(os.path.join(out, "output_0.pb")))


def ort_version():
    lock = os.path.join(ROOT, "utils", "ort", "node_modules", "onnxruntime-node",
                        "package.json")
    import json
    with open(lock) as f:
        return json.load(f)["version"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", default=os.path.join(ROOT, "models"))
    args = parser.parse_args()

    model = build_model()
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(INPUT_SHAPE, generator=gen)
    with torch.no_grad():
        torch_out = model(x).numpy()

    os.makedirs(args.out_dir, exist_ok=True)
    model_path = os.path.join(args.out_dir, "tiny_r3d.onnx")
    torch.onnx.export(model, x, model_path, opset_version=OPSET,
                      input_names=["input"], output_names=["logits"],
                      do_constant_folding=True)
    onnx.checker.check_model(onnx.load(model_path))

    data_dir = os.path.join(args.out_dir, "tiny_r3d", "test_data_set_0")
    os.makedirs(data_dir, exist_ok=True)
    save_tensor(x.numpy(), "input", os.path.join(data_dir, "input_0.pb"))

    ref = ort_reference(model_path, data_dir)
    if ref is not None:
        diff = float(np.abs(ref - torch_out).max())
        source = (f"onnxruntime-node {ort_version()} (utils/ort/run_ort.js, CPU); "
                  f"max |ort - torch| = {diff:.3g}")
    else:
        ref = torch_out
        source = f"torch {torch.__version__} (onnxruntime-node was not installed)"
    save_tensor(ref.astype(np.float32), "logits", os.path.join(data_dir, "output_0.pb"))
    with open(os.path.join(args.out_dir, "tiny_r3d", "reference.txt"), "w") as f:
        f.write(f"output_0.pb was computed by {source}\n")

    ops = {}
    for node in onnx.load(model_path).graph.node:
        ops[node.op_type] = ops.get(node.op_type, 0) + 1
    size = os.path.getsize(model_path)
    print(f"wrote {model_path} ({size} bytes, opset {OPSET}); ops: "
          + ", ".join(f"{k} {v}" for k, v in sorted(ops.items())))
    print(f"reference: {source}")
    if size >= 1 << 20:
        sys.exit("error: the default model must stay below 1 MB")


if __name__ == "__main__":
    main()
