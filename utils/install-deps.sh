#!/usr/bin/env bash
# Installs everything dojo-cc needs on Debian 12 (bookworm): the LLVM/MLIR 22
# toolchain, ONNX, FlatBuffers, fmt, GoogleTest, pybind11, the Python
# reference stack (torch, onnx, numpy) and onnxruntime-node for reference
# outputs. Safe to run repeatedly: packages already present are skipped, and
# apt-get update runs only when something is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  # C++ toolchain and libraries (toolchain-notes "Short list").
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools clang-22 lld-22
  libonnx-dev libonnx-testdata protobuf-compiler libprotobuf-dev libfmt-dev
  googletest libgtest-dev ninja-build ccache cmake g++
  # Binary format and Python module.
  flatbuffers-compiler libflatbuffers-dev pybind11-dev python3-dev python3-pytest
  # Python reference side; OpenBLAS makes Debian's torch 5-20x faster.
  python3-onnx python3-numpy python3-torch python3-torchvision libopenblas0-pthread
)

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  SUDO=(sudo)
fi

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  if [ "$status" != "install ok installed" ]; then
    missing+=("$pkg")
  fi
done
# npm drives the onnxruntime-node install; Debian's nodejs/npm suffice if the
# machine has no node at all.
if ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: installing ${#missing[@]} package(s): ${missing[*]}"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all apt packages present"
fi

# onnxruntime-node: the postinstall step would fetch CUDA files from outside
# the npm registry, so it is skipped; the CPU binaries ship in the package.
ORT_DIR=utils/ort
wanted=$(sed -n 's/.*"onnxruntime-node": *"\([^"]*\)".*/\1/p' "$ORT_DIR/package.json")
have=""
if [ -f "$ORT_DIR/node_modules/onnxruntime-node/package.json" ]; then
  have=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' \
    "$ORT_DIR/node_modules/onnxruntime-node/package.json" | head -n1)
fi
if [ "$have" != "$wanted" ]; then
  echo "install-deps: installing onnxruntime-node $wanted into $ORT_DIR"
  (cd "$ORT_DIR" && ONNXRUNTIME_NODE_INSTALL=skip npm install --no-audit --no-fund)
else
  echo "install-deps: onnxruntime-node $have present"
fi
