#!/usr/bin/python3
"""Exports torchvision's 3-D CNNs (random weights) to ONNX for larger runs.

Writes models/generated/<name>.onnx (git-ignored: each is 45-130 MB) plus
models/generated/<name>/test_data_set_0/{input_0.pb,output_0.pb}. The output
is computed by onnxruntime-node when it is installed, otherwise by torch.
Weights are random (weights=None, torch.manual_seed(0)): no download is
needed or attempted.

    /usr/bin/python3 utils/export_video_models.py [--models r3d_18,mc3_18,r2plus1d_18]
        [--clip TxHxW]

--models also takes s3d, mvit_v1_b, mvit_v2_s and the swin3d_* (see
EXTRA_MODELS and docs/video-models.md). --clip exports the same architecture
for another clip, written as NAME_TxHxW (e.g. mvit_v1_b_4x32x32).
"""

import argparse
import os
import sys

import numpy as np
import torch
import torchvision
from torchvision.models import video

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_default_model import ROOT, ort_reference, save_tensor  # noqa: E402

MODELS = ("r3d_18", "mc3_18", "r2plus1d_18")
INPUT_SHAPE = (1, 3, 8, 112, 112)
# Models that cannot run on 8 x 112 x 112 clips and the clip they get instead.
# Exported only on request. s3d's temporal kernels need 16 frames; the MViTs'
# learned positional embeddings are sized for 16 x 224 x 224 (8 x 56 x 56
# patches), so no other clip is accepted. The Swin3Ds pad every stage to
# whole windows and accept any clip; 8 x 112 x 112 is the smallest one that
# still fills a whole temporal window (8) after the 2-frame patch embedding.
EXTRA_MODELS = {
    "s3d": (1, 3, 16, 224, 224),
    "mvit_v1_b": (1, 3, 16, 224, 224),
    "mvit_v2_s": (1, 3, 16, 224, 224),
    "swin3d_t": (1, 3, 8, 112, 112),
    "swin3d_s": (1, 3, 8, 112, 112),
    "swin3d_b": (1, 3, 8, 112, 112),
}
# The Swin3Ds appeared in torchvision 0.15.
OPSET = 17


def build_model(name, clip_kwargs):
    """torchvision's factory for `name`; clip_kwargs override the clip the
    MViT factories hard-code (they pass spatial_size/temporal_size to
    mvit._mvit themselves, so the override goes there)."""
    if not clip_kwargs:
        return getattr(video, name)(weights=None)
    build = video.mvit._mvit

    def build_for_clip(*args, **kwargs):
        kwargs.update(clip_kwargs)
        return build(*args, **kwargs)

    video.mvit._mvit = build_for_clip
    try:
        return getattr(video, name)(weights=None)
    finally:
        video.mvit._mvit = build


def export(name, out_dir, clip=None):
    if not hasattr(video, name):
        sys.exit(f"error: torchvision {torchvision.__version__} has no video model "
                 f"'{name}' (the Swin3Ds need torchvision >= 0.15)")
    torch.manual_seed(0)
    kwargs = {}
    shape = EXTRA_MODELS.get(name, INPUT_SHAPE)
    out_name = name
    if clip:
        # The MViTs size their positional embeddings from the clip, so a
        # smaller clip needs the same architecture built for it.
        shape = (1, 3) + clip
        out_name = f"{name}_{'x'.join(map(str, clip))}"
        if name.startswith("mvit"):
            kwargs = {"temporal_size": clip[0], "spatial_size": clip[1:]}
    model = build_model(name, kwargs).eval()
    x = torch.randn(shape, generator=torch.Generator().manual_seed(1))
    name = out_name
    path = os.path.join(out_dir, f"{name}.onnx")
    # Without no_grad the tracer keeps every activation for autograd: the
    # MViTs then need more than 20 GB at their 16 x 224 x 224 clip.
    with torch.no_grad():
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
    parser.add_argument("--clip", default="",
                        help="TxHxW clip instead of the model's default (written as "
                        "NAME_TxHxW; the MViTs are built for that clip)")
    parser.add_argument("--out-dir", default=os.path.join(ROOT, "models", "generated"))
    args = parser.parse_args()
    names = [n for n in args.models.split(",") if n]
    unknown = [n for n in names if n not in MODELS and n not in EXTRA_MODELS]
    if unknown:
        sys.exit(f"error: unknown model(s): {', '.join(unknown)}")
    os.makedirs(args.out_dir, exist_ok=True)
    clip = tuple(int(v) for v in args.clip.split("x")) if args.clip else None
    if clip is not None and len(clip) != 3:
        sys.exit("error: --clip takes TxHxW, e.g. 4x32x32")
    for name in names:
        export(name, args.out_dir, clip)


if __name__ == "__main__":
    main()
