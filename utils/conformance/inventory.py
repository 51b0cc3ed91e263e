"""Finds the ONNX conformance tests and describes each one.

A test is a directory holding model.onnx and one or more test_data_set_N/
directories of input_K.pb / output_K.pb files. For every test this module
reads the model's op types, which op the test is about (its "group" in the
per-op report), whether all its ops are in the issue's op list ("in scope"),
and whether its graph inputs and outputs are plain tensors: dojo-sim reads
only TensorProto files, so tests with sequence, map or optional values are
reported as unsupported without running anything.

Decoding uses test/e2e/onnx_lite.py (standard library only) so the harness
runs under any Python 3 interpreter.
"""

import os
import sys

_REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(_REPO, "test", "e2e"))
import onnx_lite  # noqa: E402

DATA_ROOT = "/usr/share/libonnx-testdata/data"
SUITES = ("node", "pytorch-converted", "pytorch-operator")

# The op list of issue 3: the target is a 95% pass rate over the tests whose
# ops all come from this list.
SCOPE_OPS = (
    "Conv", "ConvTranspose", "BatchNormalization", "MaxPool", "AveragePool",
    "GlobalAveragePool", "GlobalMaxPool", "ReduceMean", "ReduceSum", "ReduceMax",
    "Relu", "LeakyRelu", "Clip", "Sigmoid", "Tanh", "Erf", "Gelu", "HardSigmoid",
    "HardSwish", "Softplus", "Exp", "Log", "Sqrt", "Reciprocal", "Neg", "Abs",
    "Pow", "Add", "Sub", "Mul", "Div", "Min", "Max", "Where", "Equal", "Gemm",
    "MatMul", "Softmax", "LogSoftmax", "LayerNormalization", "Reshape",
    "Flatten", "Transpose", "Squeeze", "Unsqueeze", "Concat", "Split", "Slice",
    "Pad", "Expand", "Gather", "Cast", "Identity", "Dropout", "Constant",
    "ConstantOfShape", "Shape", "Resize",
)
SCOPE_SET = frozenset(SCOPE_OPS)

# Ops that only move or reinterpret data. When a model has several ops, the
# test is filed under its last op that is not one of these, which for the
# pytorch-converted models is the op the test is named after (AvgPool1d is
# Unsqueeze -> AveragePool -> Squeeze, Linear_no_bias is Transpose -> MatMul).
_PLUMBING = frozenset((
    "Constant", "Identity", "Reshape", "Squeeze", "Unsqueeze", "Transpose",
    "Flatten", "Cast", "Shape", "Gather", "Concat", "Slice", "Split",
))

# Tolerance overrides: test name -> (rtol, atol) with the reason. Everything
# else uses the ONNX backend-test defaults (rtol 1e-3, atol 1e-7). Keep this
# table short and every entry justified.
DEFAULT_RTOL = 1e-3
DEFAULT_ATOL = 1e-7
TOLERANCE_OVERRIDES = {
    # The ONNX 1.12 reference output truncates FP32 to BFLOAT16; ONNX and
    # dojo-cc round to nearest even (docs/decisions.md, decision 20), which
    # differs by at most one BF16 ulp (2^-8 relative).
    "test_cast_FLOAT_to_BFLOAT16": (8e-3, 1e-7),
}

# Tests whose reference data cannot be used, with the reason; they are
# reported as skipped (counted apart from passes and failures). Keep every
# entry justified by what is wrong with the data itself.
_UNINITIALIZED_DOUBLE = (
    "reference data is uninitialized DOUBLE memory (values such as 9e223 and "
    "6.9e-310) outside FP32's range; dojo-cc computes DOUBLE in FP32 lanes "
    "(docs/decisions.md, decision 20)")
_LIKE_SHAPE = (
    "the data file of input 'like' has shape [1] but the model declares "
    "[3,4] (CastLike reads only its type); a runtime checking input shapes, "
    "as dojo-sim does, must reject it")
DATA_ISSUES = {
    "test_castlike_BFLOAT16_to_FLOAT": _LIKE_SHAPE,
    "test_castlike_BFLOAT16_to_FLOAT_expanded": _LIKE_SHAPE,
    "test_castlike_FLOAT_to_BFLOAT16": _LIKE_SHAPE,
    "test_castlike_FLOAT_to_BFLOAT16_expanded": _LIKE_SHAPE,
    "test_operator_add_broadcast": _UNINITIALIZED_DOUBLE,
    "test_operator_add_size1_right_broadcast": _UNINITIALIZED_DOUBLE,
    "test_operator_add_size1_singleton_broadcast": _UNINITIALIZED_DOUBLE,
    "test_operator_addconstant": _UNINITIALIZED_DOUBLE,
}

# TypeProto value fields (onnx.proto): which kind of value a graph input or
# output carries.
_TYPE_KINDS = {1: "tensor", 4: "sequence", 5: "map", 8: "sparse tensor", 9: "optional"}


class TestInfo:
    """What the harness knows about one test directory before running it."""

    def __init__(self, suite, path):
        self.suite = suite
        self.path = path
        self.name = os.path.basename(path)
        self.ops = []            # op types of the top-level graph, in order
        self.group = "?"         # op the test is filed under in the report
        self.in_scope = False
        self.data_sets = []      # absolute paths of test_data_set_N
        self.unsupported = None  # reason the harness cannot run it at all
        self.skip = None         # reason the test directory is unusable
        self.rtol, self.atol = TOLERANCE_OVERRIDES.get(
            self.name, (DEFAULT_RTOL, DEFAULT_ATOL))

    def to_json(self):
        return {"test": self.name, "suite": self.suite, "path": self.path,
                "ops": self.ops, "group": self.group, "in_scope": self.in_scope}


def _graph_io_kinds(model_path):
    """Returns [(direction, name, kind)] for the graph's inputs and outputs."""
    with open(model_path, "rb") as f:
        buf = f.read()
    result = []
    for field, wire, value in onnx_lite.fields(buf):
        if field != 7 or wire != 2:  # ModelProto.graph
            continue
        for gf, gw, gv in onnx_lite.fields(value):
            if gw != 2 or gf not in (11, 12):  # GraphProto.input / output
                continue
            name, kind = "", "untyped"
            for vf, vw, vv in onnx_lite.fields(gv):
                if vf == 1 and vw == 2:
                    name = vv.decode("utf-8", "replace")
                elif vf == 2 and vw == 2:  # ValueInfoProto.type
                    for tf, tw, _ in onnx_lite.fields(vv):
                        if tw == 2 and tf in _TYPE_KINDS:
                            kind = _TYPE_KINDS[tf]
            result.append(("input" if gf == 11 else "output", name, kind))
    return result


def _single_group(ops):
    """Picks the op a model is about from its own op list."""
    distinct = list(dict.fromkeys(ops))
    if not distinct:
        return "(empty graph)"
    main = [op for op in distinct if op != "Constant"]
    if len(main) == 1:
        return main[0]
    if not main:
        return "Constant"
    real = [op for op in ops if op not in _PLUMBING]
    return real[-1] if real else main[-1]


def describe(suite, path):
    """Reads one test directory; never raises for a malformed test."""
    info = TestInfo(suite, path)
    model = os.path.join(path, "model.onnx")
    if not os.path.isfile(model):
        info.skip = "no model.onnx"
        return info
    info.data_sets = sorted(
        (os.path.join(path, d) for d in os.listdir(path)
         if d.startswith("test_data_set_") and os.path.isdir(os.path.join(path, d))),
        key=lambda d: int(d.rsplit("_", 1)[1]) if d.rsplit("_", 1)[1].isdigit() else 0)
    if not info.data_sets:
        info.skip = "no test_data_set_N directory"
    if info.name in DATA_ISSUES:
        info.skip = DATA_ISSUES[info.name]
    try:
        info.ops = onnx_lite.model_info(model)["ops"]
        io_kinds = _graph_io_kinds(model)
    except (OSError, onnx_lite.DecodeError) as e:
        info.skip = f"model.onnx is unreadable ({e})"
        return info
    info.in_scope = bool(info.ops) and all(op in SCOPE_SET for op in info.ops)
    for direction, name, kind in io_kinds:
        if kind != "tensor":
            info.unsupported = (f"graph {direction} '{name}' is a {kind} value; "
                                "dojo-sim exchanges only TensorProto data")
            break
    info.group = _single_group(info.ops)
    return info


def discover(suites, root=DATA_ROOT):
    """Returns [TestInfo] for every test of the given suites, sorted by suite and name."""
    tests = []
    for suite in suites:
        suite_dir = os.path.join(root, suite)
        if not os.path.isdir(suite_dir):
            raise FileNotFoundError(f"{suite_dir}: no such test suite directory")
        for name in sorted(os.listdir(suite_dir)):
            path = os.path.join(suite_dir, name)
            if os.path.isdir(path):
                tests.append(describe(suite, path))
    # An _expanded test is the function-body decomposition of its plain
    # sibling; file it under the sibling's op so both count for that op.
    by_name = {(t.suite, t.name): t for t in tests}
    for t in tests:
        if t.name.endswith("_expanded"):
            sibling = by_name.get((t.suite, t.name[:-len("_expanded")]))
            if sibling is not None and sibling.ops:
                t.group = sibling.group
    return tests
