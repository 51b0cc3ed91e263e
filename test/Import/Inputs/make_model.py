"""Writes small ONNX models for the importer lit tests.

Usage: make_model.py KIND OUT.onnx

Each KIND builds one graph with onnx.helper. Weights are deterministic
(arange-based) so tests can check constant values. Some kinds are invalid on
purpose (garbage bytes, int64 tensors, dynamic dims, unsupported ops) to
exercise the importer's error paths.
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

OPSET = 13


def weights(name, shape, raw=True):
    """An f32 initializer holding 0.1 * arange, stored as raw_data or float_data."""
    data = (np.arange(int(np.prod(shape)), dtype=np.float32) * 0.1).reshape(shape)
    if raw:
        return numpy_helper.from_array(data, name)
    return helper.make_tensor(name, TensorProto.FLOAT, shape, data.flatten().tolist())


def f32(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def out(name, rank):
    """An output of known rank with symbolic dims, left to shape inference
    (the ONNX checker requires a shape on graph outputs)."""
    return f32(name, [f"{name}_d{i}" for i in range(rank)])


def model(nodes, inputs, outputs, inits=(), opset=OPSET):
    graph = helper.make_graph(nodes, "test", inputs, outputs, list(inits))
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 7
    return m


def conv(x_shape, w_shape, bias=True, name="conv0", **attrs):
    inputs = ["x", "w"] + (["b"] if bias else [])
    inits = [weights("w", w_shape)]
    if bias:
        inits.append(weights("b", [w_shape[0]], raw=False))
    node = helper.make_node("Conv", inputs, ["y"], name=name, **attrs)
    return model([node], [f32("x", x_shape)], [out("y", len(x_shape))], inits)


def build(kind):
    if kind == "conv1d":
        return conv([1, 2, 10], [4, 2, 3], strides=[2], pads=[1, 1], dilations=[1])
    if kind == "conv2d":
        return conv([1, 3, 8, 8], [4, 3, 3, 3], pads=[1, 1, 1, 1])
    if kind == "conv2d_nobias":
        return conv([1, 3, 8, 8], [4, 3, 3, 3], bias=False, strides=[2, 2])
    if kind == "conv3d":
        return conv([1, 2, 4, 6, 6], [3, 2, 3, 3, 3], pads=[1, 0, 1, 1, 0, 1],
                    strides=[1, 2, 2], dilations=[1, 1, 1])
    if kind == "conv3d_same_upper":
        return conv([1, 2, 5, 7, 7], [3, 2, 2, 2, 2], auto_pad="SAME_UPPER",
                    strides=[2, 2, 2])
    if kind == "conv2d_same_lower":
        return conv([1, 1, 5, 5], [1, 1, 2, 2], auto_pad="SAME_LOWER")
    if kind == "conv2d_valid":
        return conv([1, 1, 7, 7], [2, 1, 3, 3], auto_pad="VALID", dilations=[2, 2])
    if kind == "conv2d_group":
        return conv([1, 4, 6, 6], [6, 2, 3, 3], group=2, kernel_shape=[3, 3])
    if kind == "conv2d_depthwise":
        return conv([1, 3, 5, 5], [3, 1, 3, 3], group=3, pads=[1, 1, 1, 1])
    if kind == "relu":
        node = helper.make_node("Relu", ["x"], ["y"], name="relu0")
        return model([node], [f32("x", [2, 3])], [f32("y", [2, 3])])
    if kind == "add_bcast":
        node = helper.make_node("Add", ["x", "bias"], ["y"], name="add0")
        return model([node], [f32("x", [2, 3, 4])], [out("y", 3)],
                     [weights("bias", [3, 1])])
    if kind == "gemm":
        node = helper.make_node("Gemm", ["a", "b", "c"], ["y"], name="fc",
                                alpha=0.5, beta=2.0, transB=1)
        return model([node], [f32("a", [2, 4])], [out("y", 2)],
                     [weights("b", [3, 4]), weights("c", [3])])
    if kind == "gemm_noc":
        node = helper.make_node("Gemm", ["a", "b"], ["y"], name="fc", transA=1)
        return model([node], [f32("a", [4, 2]), f32("b", [4, 5])], [out("y", 2)])
    if kind == "matmul":
        node = helper.make_node("MatMul", ["a", "b"], ["y"], name="mm")
        return model([node], [f32("a", [2, 1, 3, 4]), f32("b", [5, 4, 6])],
                     [out("y", 4)])
    if kind == "matmul_1d":
        # A is a vector: [4] x [2, 4, 3] -> [2, 3].
        node = helper.make_node("MatMul", ["a", "b"], ["y"], name="mv")
        return model([node], [f32("a", [4]), f32("b", [2, 4, 3])], [out("y", 2)])
    if kind == "matmul_vv":
        node = helper.make_node("MatMul", ["a", "b"], ["y"], name="dot")
        return model([node], [f32("a", [4]), f32("b", [4])], [out("y", 0)])
    if kind == "flatten":
        node = helper.make_node("Flatten", ["x"], ["y"], name="flat", axis=2)
        return model([node], [f32("x", [2, 3, 4, 5])], [out("y", 2)])
    if kind == "flatten_neg":
        node = helper.make_node("Flatten", ["x"], ["y"], name="flat", axis=-3)
        return model([node], [f32("x", [2, 3, 4, 5])], [out("y", 2)])
    if kind == "gap":
        node = helper.make_node("GlobalAveragePool", ["x"], ["y"], name="pool")
        return model([node], [f32("x", [1, 8, 2, 5, 5])], [out("y", 5)])
    if kind == "identity":
        # y aliases x; z = relu(y) shows that later uses see x itself.
        nodes = [helper.make_node("Identity", ["x"], ["y"], name="id"),
                 helper.make_node("Relu", ["y"], ["z"], name="relu")]
        return model(nodes, [f32("x", [3])], [out("y", 1), out("z", 1)])
    if kind == "constant":
        value = helper.make_tensor("v", TensorProto.FLOAT, [2], [1.5, -2.0])
        nodes = [helper.make_node("Constant", [], ["c"], name="const0", value=value),
                 helper.make_node("Add", ["x", "c"], ["y"], name="add0")]
        return model(nodes, [f32("x", [2])], [out("y", 1)])
    if kind == "unnamed":
        nodes = [helper.make_node("Relu", ["x"], ["t"]),
                 helper.make_node("Relu", ["t"], ["y"])]
        return model(nodes, [f32("x", [2])], [out("y", 1)])
    if kind == "small_cnn":
        nodes = [
            helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv1",
                             pads=[1, 1, 1, 1]),
            helper.make_node("Relu", ["c"], ["r"], name="relu1"),
            helper.make_node("GlobalAveragePool", ["r"], ["p"], name="pool"),
            helper.make_node("Flatten", ["p"], ["f"], name="flatten"),
            helper.make_node("Gemm", ["f", "fw", "fb"], ["logits"], name="fc",
                             transB=1),
        ]
        inits = [weights("w", [4, 3, 3, 3]), weights("b", [4]),
                 weights("fw", [10, 4]), weights("fb", [10])]
        return model(nodes, [f32("x", [1, 3, 8, 8])],
                     [f32("logits", [1, 10])], inits)
    extra = build_issue3(kind)
    if extra is not None:
        return extra
    extra = build_control_flow(kind)
    if extra is not None:
        return extra
    # --- invalid models ---
    if kind == "unsupported":
        nodes = [helper.make_node("Relu", ["x"], ["r"], name="relu0"),
                 helper.make_node("Elu", ["r"], ["y"], name="probs")]
        return model(nodes, [f32("x", [2, 3])], [out("y", 2)])
    if kind == "unsupported_attr":
        # value_strings is valid ONNX but not an attribute the importer reads.
        node = helper.make_node("Constant", [], ["y"], name="strs", value_strings=["a"])
        return model([node], [], [helper.make_tensor_value_info("y", TensorProto.STRING, [1])])
    if kind == "old_opset":
        # Equal before opset 11 did not accept floats.
        node = helper.make_node("Equal", ["x", "x"], ["y"], name="eq_v7")
        return model([node], [helper.make_tensor_value_info("x", TensorProto.INT64, [2])],
                     [helper.make_tensor_value_info("y", TensorProto.BOOL, [2])], opset=7)
    if kind == "int64":
        # Integer adds are fine (dnn.binary); a Relu on int64 is not.
        nodes = [helper.make_node("Add", ["x", "x"], ["s"], name="add_int"),
                 helper.make_node("Relu", ["s"], ["y"], name="relu_int")]
        return model(nodes, [helper.make_tensor_value_info("x", TensorProto.INT64, [2])],
                     [helper.make_tensor_value_info("y", TensorProto.INT64, [2])])
    if kind == "f16":
        node = helper.make_node("Add", ["x", "x"], ["y"], name="add_f16")
        return model([node], [helper.make_tensor_value_info("x", TensorProto.FLOAT16, [2])],
                     [helper.make_tensor_value_info("y", TensorProto.FLOAT16, [2])])
    if kind == "f64_input_unused":
        node = helper.make_node("Relu", ["x"], ["y"], name="relu0")
        return model([node], [f32("x", [2]),
                              helper.make_tensor_value_info("ids", TensorProto.DOUBLE, [2])],
                     [out("y", 1)])
    if kind == "dynamic":
        node = helper.make_node("Add", ["x", "y"], ["z"], name="add0")
        return model([node], [f32("x", ["N", 3, 224, 224]), f32("y", [1, 3, 224, 224]),
                              helper.make_tensor_value_info("z0", TensorProto.FLOAT, [None, 3])],
                     [out("z", 4)])
    if kind == "conv_bad_kernel_shape":
        return conv([1, 3, 8, 8], [4, 3, 3, 3], kernel_shape=[5, 5])
    if kind == "conv_too_small":
        # The checker accepts it but a 3x3 kernel does not fit a 2x2 input.
        return conv([1, 1, 2, 2], [1, 1, 3, 3])
    raise SystemExit(f"make_model.py: unknown kind '{kind}'")


from issue3_models import build_issue3, write_external  # noqa: E402
from control_flow_models import build_control_flow  # noqa: E402


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    kind, out = sys.argv[1], sys.argv[2]
    if kind in ("external_data", "external_data_offset"):
        # onnx.save would re-check the file; write the proto directly.
        m = write_external(out, kind == "external_data_offset")
        with open(out, "wb") as f:
            f.write(m.SerializeToString())
        return
    if kind == "garbage":
        with open(out, "wb") as f:
            f.write(b"\xff\xff\xff\xff this is not a protobuf \x00\x01")
        return
    onnx.save(build(kind), out)


if __name__ == "__main__":
    main()
