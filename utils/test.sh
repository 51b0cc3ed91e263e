#!/usr/bin/env bash
# Installs the dependencies, builds dojo-cc and runs every test: ctest runs
# the GoogleTest unit tests and the lit suite (which includes the ONNX node
# tests, the default-model check and the Python package tests).
set -euo pipefail
cd "$(dirname "$0")/.."
./utils/install-deps.sh
./utils/build.sh
ctest --test-dir build --output-on-failure -j"${DOJO_JOBS:-2}"

# The Python tests normally run inside the lit suite (test/e2e/python.test).
# If no lit suite is registered with ctest, run them here directly.
# (grep reads all of ctest's output: `grep -q` would exit at the first match
# and, under pipefail, ctest's broken pipe would fail the test.)
if ! ctest --test-dir build -N | grep -i 'lit' >/dev/null; then
  echo "test.sh: no lit suite under ctest; running the Python tests directly"
  PYTHONPATH=build/python PYTHONDONTWRITEBYTECODE=1 \
    /usr/bin/python3 -m pytest -q -p no:cacheprovider python/tests
fi
