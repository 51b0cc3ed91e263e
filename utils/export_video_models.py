#!/usr/bin/python3
"""Exports torchvision's 3-D CNNs (random weights) to ONNX for larger runs.

Writes models/generated/<name>.onnx (git-ignored: each is 45-130 MB) plus
models/generated/<name>/test_data_set_0/{input_0.pb,output_0.pb}. The output
is computed by onnxruntime-node when it is installed, otherwise by torch.
Weights are random (weights=None, torch.manual_seed(0)): no download is
needed or attempted.

    /usr/bin/python3 utils/export_video_models.py [--models r3d_18,mc3_18,r2plus1d_18]
"""

import argparse
import os
import sys

import numpy as np
import torch
from torchvision.models import video

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_default_model import ROOT, ort_reference, save_tensor  # noqa: E402

MODELS = ("r3d_18", "mc3_18", "r2plus1d_18")
INPUT_SHAPE = (1, 3, 8, 112, 112)
# Models that cannot run on 8 x 112 x 112 clips (s3d's temporal kernels need
# 16 frames) and the clip they get instead. Exported only on request.
EXTRA_MODELS = {"s3d": (1, 3, 16, 224, 224)}
OPSET = 17


def export(name, out_dir):
    torch.manual_seed(0)
    model = getattr(video, name)(weights=None).eval()
    shape = EXTRA_MODELS.get(name, INPUT_SHAPE)
    x = torch.randn(shape, generator=torch.Generator().manual_seed(1))
    path = os.path.join(out_dir, f"{name}.onnx")
    torch.onnx.export(model, x, path, opset_version=OPSET, input_names=["input"],
                      output_names=["logits"], do_constant_folding=True)
    data_dir = os.path.join(out_dir, name, "test_data_set_0")
    os.makedirs(data_dir, exist_ok=True)
    save_tensor(x.numpy(), "input", os.path.join(data_dir, "input_0.pb"))
    ref = ort_reference(path, data_dir)
    source = "onnxruntime"
    if ref is None:
        with torch.no_grad():
            ref = model(x).numpy()
        source = "torch"
    save_tensor(ref.astype(np.float32), "logits", os.path.join(data_dir, "output_0.pb"))
    print(f"{name}: {path} ({os.path.getsize(path) / 1e6:.1f} MB), reference by {source}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=",".join(MODELS),
                        help="comma-separated subset of " +
                        ", ".join(MODELS + tuple(EXTRA_MODELS)))
    parser.add_argument("--out-dir", default=os.path.join(ROOT, "models", "generated"))
    args = parser.parse_args()
    names = [n for n in args.models.split(",") if n]
    unknown = [n for n in names if n not in MODELS and n not in EXTRA_MODELS]
    if unknown:
        sys.exit(f"error: unknown model(s): {', '.join(unknown)}")
    os.makedirs(args.out_dir, exist_ok=True)
    for name in names:
        export(name, args.out_dir)


if __name__ == "__main__":
    main()
