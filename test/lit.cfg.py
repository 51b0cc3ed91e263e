# -*- Python -*-
import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "DOJO"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.dojo_obj_root, "test")

llvm_config.use_default_substitutions()
# `not`, `count` and FileCheck live in LLVM's tool dir, which is not on PATH.
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
# Debian's python3 has numpy, onnx and torch; the pyenv one on PATH does not.
config.substitutions.append(("%python", "/usr/bin/python3"))
config.substitutions.append(("%dojo_bin_dir", config.dojo_bin_dir))
config.substitutions.append(("%dojo_src_dir", config.dojo_src_dir))
config.environment["PYTHONPATH"] = os.path.join(config.dojo_obj_root, "python")

# The official ONNX node tests (Debian's libonnx-testdata).
onnx_node_tests = "/usr/share/libonnx-testdata/data/node"
config.substitutions.append(("%onnx_node_tests", onnx_node_tests))
if os.path.isdir(onnx_node_tests):
    config.available_features.add("onnx-testdata")

tool_dirs = [config.dojo_bin_dir, config.llvm_tools_dir]
tools = ["dojo-opt", "dojo-cc", "dojo-sim", "dojo-translate"]
llvm_config.add_tool_substitutions(tools, tool_dirs)
