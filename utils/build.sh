#!/usr/bin/env bash
# Configures and builds dojo-cc in ./build (Release, Ninja, 2 jobs).
# Extra arguments are passed to ninja, e.g. `./utils/build.sh dojo-cc`.
set -euo pipefail
cd "$(dirname "$0")/.."

extra=()
# Debian's interpreter is the one with numpy, onnx and torch; pin it so the
# Python module and the test drivers do not pick up another python3 on PATH.
if [ -x /usr/bin/python3 ]; then
  extra+=(-DPython3_EXECUTABLE=/usr/bin/python3)
fi
# Let ccache share hits between build directories of the same checkout.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"

cmake -G Ninja -S . -B build -DCMAKE_BUILD_TYPE=Release "${extra[@]}"
ninja -C build -j"${DOJO_JOBS:-2}" "$@"
