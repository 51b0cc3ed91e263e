"""Writes small ONNX models with non-FLOAT element types for the lit tests.

Usage: dtype_models.py KIND OUT.onnx [DATA_DIR]

With DATA_DIR, also writes input_*.pb / output_*.pb test data computed with
numpy (the ONNX reference semantics), in the layout dojo-sim --inputs reads.
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 15


def vi(name, dtype, shape):
    return helper.make_tensor_value_info(name, dtype, shape)


def model(nodes, inputs, outputs, inits=(), opset=OPSET):
    graph = helper.make_graph(nodes, "g", inputs, outputs, list(inits))
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    onnx.checker.check_model(m)
    return m


U8, I8, I16, I32, F16, F64, BF16 = (TensorProto.UINT8, TensorProto.INT8,
                                    TensorProto.INT16, TensorProto.INT32,
                                    TensorProto.FLOAT16, TensorProto.DOUBLE,
                                    TensorProto.BFLOAT16)


def build(kind):
    """Returns (model, inputs, outputs); inputs/outputs are numpy arrays or None."""
    if kind == "uint8_arith":
        # (x - y) wraps, then * 3 wraps, then / y truncates: every step of
        # uint8 arithmetic in one graph.
        nodes = [helper.make_node("Sub", ["x", "y"], ["d"], name="sub_u8"),
                 helper.make_node("Mul", ["d", "three"], ["m"], name="mul_u8"),
                 helper.make_node("Div", ["m", "y"], ["z"], name="div_u8")]
        three = numpy_helper.from_array(np.array([3], np.uint8), "three")
        m = model(nodes, [vi("x", U8, [2, 8]), vi("y", U8, [2, 8])],
                  [vi("z", U8, [2, 8])], [three])
        rng = np.random.default_rng(0)
        x = rng.integers(0, 256, (2, 8), dtype=np.uint8)
        y = rng.integers(1, 256, (2, 8), dtype=np.uint8)
        z = ((x - y) * np.uint8(3)) // y
        return m, [x, y], [z]
    if kind == "int8_arith":
        # Signed wrap (-128 - 1 = 127) and truncating division (-7 / 2 = -3).
        nodes = [helper.make_node("Sub", ["x", "y"], ["d"], name="sub_i8"),
                 helper.make_node("Div", ["d", "two"], ["z"], name="div_i8")]
        two = numpy_helper.from_array(np.array([2], np.int8), "two")
        m = model(nodes, [vi("x", I8, [16]), vi("y", I8, [16])],
                  [vi("z", I8, [16])], [two])
        x = np.array([-128, 127, -7, 5, 0, 100, -100, 3, 1, -1, 64, -64, 9, -9,
                      120, -120], np.int8)
        y = np.array([1, -1, 0, 12, 1, -100, 100, 10, 2, -2, -64, 64, 0, 0,
                      -8, 8], np.int8)
        d = (x.astype(np.int64) - y).astype(np.int8)  # two's complement wrap
        z = np.trunc(d.astype(np.float64) / 2).astype(np.int8)
        return m, [x, y], [z]
    if kind == "f16_cast":
        # FLOAT16 in, a FLOAT16 constant, a cast through BFLOAT16 in the
        # middle of the graph (must round), DOUBLE out.
        c = numpy_helper.from_array(np.array([0.5, 1.5, -2.25, 3.0], np.float16), "c")
        nodes = [helper.make_node("Mul", ["x", "c"], ["m"], name="mul_f16"),
                 helper.make_node("Cast", ["m"], ["b"], name="to_bf16", to=BF16),
                 helper.make_node("Cast", ["b"], ["y"], name="to_f64", to=F64)]
        m = model(nodes, [vi("x", F16, [4])], [vi("y", F64, [4])], [c])
        x = np.array([1.001, 2.0, 3.3, -1.0], np.float16)
        prod = (x * np.array([0.5, 1.5, -2.25, 3.0], np.float16)).astype(np.float32)
        bits = prod.view(np.uint32)
        rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000).view(np.float32)
        return m, [x], [rounded.astype(np.float64)]
    if kind == "pow_runtime":
        # Pow with a run-time INT32 exponent, and an INT32 base with a
        # FLOAT exponent (integer result rounds).
        nodes = [helper.make_node("Pow", ["x", "e"], ["y"], name="pow_f_i"),
                 helper.make_node("Pow", ["n", "f"], ["z"], name="pow_i_f")]
        m = model(nodes, [vi("x", TensorProto.FLOAT, [3]), vi("e", I32, [3]),
                          vi("n", I32, [3]), vi("f", TensorProto.FLOAT, [3])],
                  [vi("y", TensorProto.FLOAT, [3]), vi("z", I32, [3])])
        x = np.array([1.5, 2.0, -3.0], np.float32)
        e = np.array([2, -1, 3], np.int32)
        n = np.array([5, 3, 7], np.int32)
        f = np.array([3.0, 4.0, 2.0], np.float32)
        return m, [x, e, n, f], [np.power(x, e).astype(np.float32),
                                 np.power(n, f).astype(np.int32)]
    if kind == "maxpool_int32_pad":
        # Handlers that build f32 IR get f32 views: an INT32 Pad, a UINT8
        # MaxPool.
        nodes = [helper.make_node("Pad", ["x", "pads"], ["p"], name="pad_i32",
                                  mode="edge"),
                 helper.make_node("MaxPool", ["u"], ["q"], name="pool_u8",
                                  kernel_shape=[2, 2])]
        pads = numpy_helper.from_array(np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64), "pads")
        m = model(nodes, [vi("x", I32, [1, 1, 2, 2]), vi("u", U8, [1, 1, 3, 3])],
                  [vi("p", I32, [1, 1, 4, 4]), vi("q", U8, [1, 1, 2, 2])], [pads])
        x = np.array([[[[1, -2], [300000, 4]]]], np.int32)
        u = np.arange(9, dtype=np.uint8).reshape(1, 1, 3, 3) * 25
        p = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)), mode="edge")
        q = np.array([[[[100, 125], [175, 200]]]], np.uint8)
        return m, [x, u], [p, q]
    if kind == "f16_round":
        # FLOAT -> FLOAT16 rounding at the output DMA (y16) and on the vector
        # unit in the middle of the graph (y32): ties to even, overflow to
        # infinity from 65520 on, subnormals, NaN, values that vanish.
        nodes = [helper.make_node("Cast", ["x"], ["y16"], name="out_f16", to=F16),
                 helper.make_node("Cast", ["x"], ["h"], name="mid_f16", to=F16),
                 helper.make_node("Cast", ["h"], ["y32"], name="back_f32",
                                  to=TensorProto.FLOAT)]
        x = np.array([1.0 + 2.0**-11, 1.0 + 3 * 2.0**-11, 65504.0, 65519.99,
                      65520.0, -1e6, 2.0**-24, 2.0**-25, 3 * 2.0**-26,
                      2.0**-26, 1e-3, -0.1, 0.0, -0.0, np.inf, np.nan],
                     np.float32)
        m = model(nodes, [vi("x", TensorProto.FLOAT, [16])],
                  [vi("y16", F16, [16]), vi("y32", TensorProto.FLOAT, [16])])
        with np.errstate(over="ignore"):
            y16 = x.astype(np.float16)
        return m, [x], [y16, y16.astype(np.float32)]
    if kind == "cast_string":
        node = helper.make_node("Cast", ["x"], ["y"], name="to_str", to=TensorProto.STRING)
        return model([node], [vi("x", TensorProto.FLOAT, [2])],
                     [vi("y", TensorProto.STRING, [2])]), None, None
    if kind == "complex_input":
        node = helper.make_node("Identity", ["x"], ["y"], name="id_c")
        return model([node], [vi("x", TensorProto.COMPLEX64, [2])],
                     [vi("y", TensorProto.COMPLEX64, [2])]), None, None
    raise SystemExit(f"dtype_models.py: unknown kind '{kind}'")


def main():
    if len(sys.argv) not in (3, 4):
        raise SystemExit(__doc__)
    m, inputs, outputs = build(sys.argv[1])
    onnx.save(m, sys.argv[2])
    if len(sys.argv) == 4 and inputs is not None:
        data = sys.argv[3]
        os.makedirs(data, exist_ok=True)
        for prefix, arrays, infos in (("input", inputs, m.graph.input),
                                      ("output", outputs, m.graph.output)):
            for i, (a, info) in enumerate(zip(arrays, infos)):
                t = numpy_helper.from_array(a, info.name)
                with open(os.path.join(data, f"{prefix}_{i}.pb"), "wb") as f:
                    f.write(t.SerializeToString())


if __name__ == "__main__":
    main()
