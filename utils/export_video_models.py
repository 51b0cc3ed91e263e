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


def _add_rel_pos_by_pad(attn, q, q_thw, k_thw, rel_pos_h, rel_pos_w, rel_pos_t):
    """torchvision 0.14's mvit._add_rel_pos without its in-place slice update.

    The original ends with `attn[:, :, 1:, 1:] += rel_pos`, which torch
    1.13's TorchScript exporter turns into index tensors over the whole
    attention matrix that its shape inference materializes (10 GB for
    mvit_v2_s at 16 x 224 x 224). Padding the relative positions with a zero
    row and column for the class token and adding them computes the same
    values with one Pad and one Add. The rest is the original's code."""
    q_t, q_h, q_w = q_thw
    k_t, k_h, k_w = k_thw
    dh = int(2 * max(q_h, k_h) - 1)
    dw = int(2 * max(q_w, k_w) - 1)
    dt = int(2 * max(q_t, k_t) - 1)

    def dist(q_n, k_n):
        q_ratio = max(k_n / q_n, 1.0)
        k_ratio = max(q_n / k_n, 1.0)
        return (torch.arange(q_n)[:, None] * q_ratio
                - (torch.arange(k_n)[None, :] + (1.0 - k_n)) * k_ratio)

    interpolate = video.mvit._interpolate
    Rh = interpolate(rel_pos_h, dh)[dist(q_h, k_h).long()]
    Rw = interpolate(rel_pos_w, dw)[dist(q_w, k_w).long()]
    Rt = interpolate(rel_pos_t, dt)[dist(q_t, k_t).long()]
    B, n_head, _, dim = q.shape
    r_q = q[:, :, 1:].reshape(B, n_head, q_t, q_h, q_w, dim)
    # The original's einsums "bythwc,hkc->bythwk" and "bythwc,wkc->bythwk"
    # as batched matrix products over h (resp. w), like its rel_q_t below.
    rel_h_q = torch.matmul(
        r_q.permute(3, 0, 1, 2, 4, 5).reshape(q_h, B * n_head * q_t * q_w, dim),
        Rh.transpose(1, 2)).reshape(q_h, B, n_head, q_t, q_w, k_h).permute(
            1, 2, 3, 0, 4, 5)
    rel_w_q = torch.matmul(
        r_q.permute(4, 0, 1, 2, 3, 5).reshape(q_w, B * n_head * q_t * q_h, dim),
        Rw.transpose(1, 2)).reshape(q_w, B, n_head, q_t, q_h, k_w).permute(
            1, 2, 3, 4, 0, 5)
    r_q = r_q.permute(2, 0, 1, 3, 4, 5).reshape(q_t, B * n_head * q_h * q_w, dim)
    rel_q_t = torch.matmul(r_q, Rt.transpose(1, 2)).transpose(0, 1)
    rel_q_t = rel_q_t.view(B, n_head, q_h, q_w, q_t, k_t).permute(0, 1, 4, 2, 3, 5)
    rel_pos = (
        rel_h_q[:, :, :, :, :, None, :, None]
        + rel_w_q[:, :, :, :, :, None, None, :]
        + rel_q_t[:, :, :, :, :, :, None, None]
    ).reshape(B, n_head, q_t * q_h * q_w, k_t * k_h * k_w)
    return attn + torch.nn.functional.pad(rel_pos, (1, 0, 1, 0))


def _squeeze_by_select(x, target_dim, expand_dim, tensor_dim):
    """torchvision's mvit._squeeze with `select` instead of `squeeze`.

    The dimension was inserted by _unsqueeze, so its size is 1; torch 1.13
    exports `squeeze(dim)` of a traced shape as an If whose output shape
    annotation is wrong (onnxruntime rejects mvit_v2_s's pool_skip), while
    `select` exports as a plain Gather."""
    if tensor_dim == target_dim - 1:
        x = x.select(expand_dim, 0)
    return x


def _attention_forward(self, x, thw):
    """torchvision 0.14's MultiscaleAttention.forward, whose residual pooling
    `_add_shortcut(x, q, ...)` updates `x[:, :, 1:, :]` in place (exported
    as ScatterND); here the shortcut is padded with a zero class-token row
    and added. The rest is the original's code."""
    B, N, C = x.shape
    q, k, v = self.qkv(x).reshape(B, N, 3, self.num_heads,
                                  self.head_dim).transpose(1, 3).unbind(dim=2)
    if self.pool_k is not None:
        k, k_thw = self.pool_k(k, thw)
    else:
        k_thw = thw
    if self.pool_v is not None:
        v = self.pool_v(v, thw)[0]
    if self.pool_q is not None:
        q, thw = self.pool_q(q, thw)
    attn = torch.matmul(self.scaler * q, k.transpose(2, 3))
    if self.rel_pos_h is not None and self.rel_pos_w is not None and \
            self.rel_pos_t is not None:
        attn = video.mvit._add_rel_pos(attn, q, thw, k_thw, self.rel_pos_h,
                                       self.rel_pos_w, self.rel_pos_t)
    attn = attn.softmax(dim=-1)
    x = torch.matmul(attn, v)
    if self.residual_pool:
        if self.residual_with_cls_embed:
            x = x + q
        else:
            x = x + torch.nn.functional.pad(q[:, :, 1:, :], (0, 0, 1, 0))
    x = x.transpose(1, 2).reshape(B, -1, self.output_dim)
    x = self.project(x)
    return x, thw


# The originals, restored after the export (the equivalence check runs the
# unpatched model).
_ORIGINAL = {}


def patch_mvit_v2():
    """Swaps in the export-friendly versions above (same values)."""
    if not _ORIGINAL:
        _ORIGINAL["_add_rel_pos"] = video.mvit._add_rel_pos
        _ORIGINAL["_squeeze"] = video.mvit._squeeze
        _ORIGINAL["forward"] = video.mvit.MultiscaleAttention.forward
    video.mvit._add_rel_pos = _add_rel_pos_by_pad
    video.mvit._squeeze = _squeeze_by_select
    video.mvit.MultiscaleAttention.forward = _attention_forward


def unpatch_mvit_v2():
    if _ORIGINAL:
        video.mvit._add_rel_pos = _ORIGINAL["_add_rel_pos"]
        video.mvit._squeeze = _ORIGINAL["_squeeze"]
        video.mvit.MultiscaleAttention.forward = _ORIGINAL["forward"]


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
    patched = name.startswith("mvit_v2")
    if patched:
        patch_mvit_v2()
    try:
        with torch.no_grad():
            torch.onnx.export(model, x, path, opset_version=OPSET,
                              input_names=["input"], output_names=["logits"],
                              do_constant_folding=True)
    finally:
        unpatch_mvit_v2()
    data_dir = os.path.join(out_dir, name, "test_data_set_0")
    os.makedirs(data_dir, exist_ok=True)
    save_tensor(x.numpy(), "input", os.path.join(data_dir, "input_0.pb"))
    ref = ort_reference(path, data_dir)
    source = "onnxruntime"
    if ref is None:
        with torch.no_grad():
            ref = model(x).numpy()
        source = "torch"
    if patched and source == "onnxruntime":
        # The export ran patched functions: check the exported model against
        # torchvision's own, unpatched forward pass.
        with torch.no_grad():
            want = model(x).numpy()
        err = float(np.abs(ref - want).max() / max(np.abs(want).max(), 1e-30))
        print(f"{name}: onnxruntime vs unpatched torch: maxabs/max|ref| {err:.1e}")
        if err > 1e-4:
            sys.exit(f"error: the patched export of {name} does not match torch")
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
