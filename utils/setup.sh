#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a result: installs the
# dependencies, builds dojo-cc, compiles the bundled video model
# (models/tiny_r3d.onnx) for the full D1 chip and runs it on the simulator
# against its onnxruntime reference, printing the simulator's statistics.
set -euo pipefail
cd "$(dirname "$0")/.."
./utils/install-deps.sh
./utils/build.sh
exec /usr/bin/python3 test/e2e/run_default_model.py --bin build/bin --target d1 "$@"
