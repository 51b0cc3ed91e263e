"""Exports a small vision transformer with torchvision's own model class.

Usage: make_tiny_vit.py OUT_DIR

torchvision.models.VisionTransformer with vit_b_16's structure (patch
embedding convolution, class token, position embedding, pre-norm encoder
blocks with multi-head attention and GELU MLPs, linear head) but 32x32
images, 8x8 patches, 2 layers of width 64, so the test runs in seconds.
Every parameter is drawn at random (torchvision zeroes the head, which would
make any output match), exported by torch at opset 17 and saved with one
input and PyTorch's output as OUT_DIR/tiny_vit/{model.onnx,test_data_set_0}.
"""

import os
import sys

import torch
import torchvision

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node_test_data  # noqa: E402


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    torch.manual_seed(0)
    model = torchvision.models.VisionTransformer(
        image_size=32, patch_size=8, num_layers=2, num_heads=2, hidden_dim=64,
        mlp_dim=128, num_classes=10).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn_like(p) * 0.2)
    x = torch.randn(1, 3, 32, 32)
    out = os.path.join(sys.argv[1], "tiny_vit")
    os.makedirs(out, exist_ok=True)
    torch.onnx.export(model, x, os.path.join(out, "model.onnx"),
                      opset_version=17, input_names=["x"], output_names=["y"])
    with torch.no_grad():
        y = model(x).numpy()
    node_test_data.save_test_data(sys.argv[1], "tiny_vit", [x.numpy()], [y])

if __name__ == "__main__":
    main()
