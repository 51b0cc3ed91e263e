"""Models for the issue-3 operator set and the constant folder.

build_issue3(kind) returns a ModelProto or None; make_model.py calls it.
"""

import os

import numpy as np
from onnx import TensorProto, helper, numpy_helper

I64 = TensorProto.INT64


def f32(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def out(name, rank, dtype=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, dtype, [f"{name}_d{i}" for i in range(rank)])


def arange(name, shape, scale=0.1):
    data = (np.arange(int(np.prod(shape)), dtype=np.float32) * scale).reshape(shape)
    return numpy_helper.from_array(data, name)


def ints(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


def floats(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.float32), name)


def model(nodes, inputs, outputs, inits=(), opset=13):
    graph = helper.make_graph(nodes, "test", inputs, outputs, list(inits))
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    return m


def unary(op, shape=(2, 3), opset=13, **attrs):
    node = helper.make_node(op, ["x"], ["y"], name="n0", **attrs)
    return model([node], [f32("x", list(shape))], [out("y", len(shape))], opset=opset)


def one(op, ins, x_shape, inits=(), opset=13, outs=1, out_type=TensorProto.FLOAT,
        out_rank=None, **attrs):
    names = [f"y{i}" if outs > 1 else "y" for i in range(outs)]
    node = helper.make_node(op, ins, names, name="n0", **attrs)
    rank = len(x_shape) if out_rank is None else out_rank
    return model([node], [f32("x", list(x_shape))],
                 [out(n, rank, out_type) for n in names], inits, opset)


def loop_body():
    # Carried i64 value v -> v * 2; scan output v + iter.
    nodes = [helper.make_node("Mul", ["v_in", "two"], ["v_out"]),
             helper.make_node("Add", ["v_in", "iter"], ["scan_out"]),
             helper.make_node("Identity", ["cond_in"], ["cond_out"])]
    return helper.make_graph(
        nodes, "body",
        [helper.make_tensor_value_info("iter", I64, []),
         helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
         helper.make_tensor_value_info("v_in", I64, [1])],
        [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
         helper.make_tensor_value_info("v_out", I64, [1]),
         helper.make_tensor_value_info("scan_out", I64, [1])],
        [ints("two", [2])])


def build_issue3(kind):
    simple_unary = {"sigmoid": "Sigmoid", "tanh": "Tanh", "erf": "Erf", "exp": "Exp",
                    "log": "Log", "sqrt": "Sqrt", "reciprocal": "Reciprocal", "neg": "Neg",
                    "abs": "Abs", "floor": "Floor", "ceil": "Ceil", "round": "Round",
                    "softplus": "Softplus", "hard_swish": "HardSwish"}
    if kind in simple_unary:
        return unary(simple_unary[kind], opset=14)
    if kind == "leaky_relu":
        return unary("LeakyRelu", alpha=0.2)
    if kind == "hard_sigmoid":
        return unary("HardSigmoid", alpha=0.25)
    if kind == "clip_attrs":
        return unary("Clip", opset=6, min=-1.0, max=2.0)
    if kind == "clip_inputs":
        return one("Clip", ["x", "", "hi"], [2, 3], [floats("hi", 6.0)])
    if kind in ("sub", "mul", "div", "pow", "equal", "less", "greater"):
        op = {"sub": "Sub", "mul": "Mul", "div": "Div", "pow": "Pow", "equal": "Equal",
              "less": "Less", "greater": "Greater"}[kind]
        t = TensorProto.BOOL if kind in ("equal", "less", "greater") else TensorProto.FLOAT
        return one(op, ["x", "b"], [2, 3, 4], [arange("b", [3, 1])], out_type=t)
    if kind == "pow_int_exponent":
        return one("Pow", ["x", "e"], [2, 3], [ints("e", 2)])
    if kind == "max_variadic":
        node = helper.make_node("Max", ["x", "a", "b"], ["y"], name="n0")
        return model([node], [f32("x", [2, 3])], [out("y", 2)],
                     [arange("a", [3]), arange("b", [2, 1])])
    if kind == "mul_legacy":
        return one("Mul", ["x", "b"], [2, 3, 4], [arange("b", [3])], opset=6,
                   broadcast=1, axis=1)
    if kind == "where":
        nodes = [helper.make_node("Greater", ["x", "zero"], ["c"], name="cmp"),
                 helper.make_node("Where", ["c", "x", "neg"], ["y"], name="sel")]
        return model(nodes, [f32("x", [2, 3])], [out("y", 2)],
                     [floats("zero", 0.0), floats("neg", [-1.0, -2.0, -3.0])])
    if kind == "cast":
        nodes = [helper.make_node("Cast", ["x"], ["i"], name="to_i64", to=I64),
                 helper.make_node("Cast", ["i"], ["f"], name="to_f32", to=TensorProto.FLOAT),
                 helper.make_node("Cast", ["f"], ["y"], name="same", to=TensorProto.FLOAT)]
        return model(nodes, [f32("x", [4])], [out("i", 1, I64), out("y", 1)])
    if kind == "maxpool":
        return one("MaxPool", ["x"], [1, 2, 7, 7], kernel_shape=[3, 3], strides=[2, 2],
                   pads=[1, 1, 1, 1], ceil_mode=1)
    if kind == "maxpool1d_dilated":
        return one("MaxPool", ["x"], [1, 2, 9], kernel_shape=[2], dilations=[2], opset=12)
    if kind == "avgpool3d_same":
        return one("AveragePool", ["x"], [1, 1, 5, 6, 7], kernel_shape=[2, 3, 3],
                   strides=[2, 2, 2], auto_pad="SAME_UPPER", count_include_pad=1)
    if kind == "maxpool_indices":
        node = helper.make_node("MaxPool", ["x"], ["y", "idx"], name="mp", kernel_shape=[2, 2])
        return model([node], [f32("x", [1, 1, 4, 4])], [out("y", 4), out("idx", 4, I64)])
    if kind == "maxpool_indices_huge":
        # 4097^2 > 2^24 elements: flat indices would not be exact in FP32.
        node = helper.make_node("MaxPool", ["x"], ["y", "idx"], name="mp", kernel_shape=[2, 2])
        return model([node], [f32("x", [1, 1, 4097, 4097])], [out("y", 4), out("idx", 4, I64)])
    if kind == "global_max_pool":
        return one("GlobalMaxPool", ["x"], [1, 3, 4, 5])
    if kind == "reduce_mean":
        return one("ReduceMean", ["x"], [2, 3, 4], axes=[-1, 1], keepdims=0, out_rank=1)
    if kind == "reduce_sum_input":
        return one("ReduceSum", ["x", "axes"], [2, 3, 4], [ints("axes", [1])])
    if kind == "reduce_max_all":
        return one("ReduceMax", ["x"], [2, 3, 4], keepdims=1)
    if kind == "reduce_sum_noop":
        return one("ReduceSum", ["x"], [2, 3], noop_with_empty_axes=1)
    if kind == "softmax13":
        return one("Softmax", ["x"], [2, 3, 4], axis=1)
    if kind == "log_softmax_legacy":
        return one("LogSoftmax", ["x"], [2, 3, 4], opset=11, axis=1)
    if kind == "softmax_legacy_last":
        return one("Softmax", ["x"], [2, 3, 4], opset=11, axis=2)
    if kind == "layer_norm":
        node = helper.make_node("LayerNormalization", ["x", "s", "b"], ["y"], name="ln",
                                axis=-1, epsilon=1e-3)
        return model([node], [f32("x", [2, 3, 4])], [out("y", 3)],
                     [arange("s", [4]), arange("b", [4])], opset=17)
    if kind == "layer_norm_stats":
        node = helper.make_node("LayerNormalization", ["x", "s"], ["y", "m", "inv"], name="ln",
                                axis=1)
        return model([node], [f32("x", [2, 3, 4])], [out("y", 3), out("m", 3), out("inv", 3)],
                     [arange("s", [3, 4])], opset=17)
    if kind == "conv_transpose":
        return one("ConvTranspose", ["x", "w", "b"], [1, 2, 3, 3],
                   [arange("w", [2, 3, 3, 3]), arange("b", [3])], strides=[2, 2],
                   pads=[1, 1, 1, 1], output_padding=[1, 1])
    if kind == "conv_transpose_output_shape":
        return one("ConvTranspose", ["x", "w"], [1, 1, 3, 3], [arange("w", [1, 2, 3, 3])],
                   strides=[3, 2], output_shape=[8, 6])
    if kind == "conv_transpose_1d_same":
        return one("ConvTranspose", ["x", "w"], [1, 2, 5], [arange("w", [2, 2, 3])],
                   strides=[2], auto_pad="SAME_UPPER", group=2)
    if kind in ("batchnorm_fold", "batchnorm_plain"):
        bn_in = "c" if kind == "batchnorm_fold" else "x"
        nodes = []
        if kind == "batchnorm_fold":
            nodes.append(helper.make_node("Conv", ["x", "w"], ["c"], name="conv"))
        nodes.append(helper.make_node("BatchNormalization", [bn_in, "g", "beta", "mean", "var"],
                                      ["y"], name="bn", epsilon=0.5))
        inits = [floats("g", [1.0, 2.0]), floats("beta", [0.5, -0.5]),
                 floats("mean", [1.0, 0.0]), floats("var", [1.5, 3.5])]
        if kind == "batchnorm_fold":
            inits.append(floats("w", np.ones([2, 1, 1, 1])))
        return model(nodes, [f32("x", [1, 1 if kind == "batchnorm_fold" else 2, 2, 2])],
                     [out("y", 4)], inits)
    if kind == "reshape":
        return one("Reshape", ["x", "s"], [2, 3, 4], [ints("s", [0, -1])], opset=14, out_rank=2)
    if kind == "transpose":
        return one("Transpose", ["x"], [2, 3, 4], perm=[2, 0, 1])
    if kind == "squeeze_unsqueeze":
        nodes = [helper.make_node("Unsqueeze", ["x", "ax"], ["u"], name="unsq"),
                 helper.make_node("Squeeze", ["u", "ax2"], ["y"], name="sq")]
        return model(nodes, [f32("x", [2, 3])], [out("u", 4), out("y", 3)],
                     [ints("ax", [0, -1]), ints("ax2", [0])])
    if kind == "concat":
        node = helper.make_node("Concat", ["x", "c"], ["y"], name="cat", axis=-1)
        return model([node], [f32("x", [2, 3])], [out("y", 2)], [arange("c", [2, 2])])
    if kind == "split":
        return one("Split", ["x", "sp"], [2, 6], [ints("sp", [1, 5])], outs=2, axis=1)
    if kind == "split_equal":
        return one("Split", ["x"], [7, 2], outs=3, opset=11)
    if kind == "slice":
        return one("Slice", ["x", "st", "en", "ax", "sp"], [4, 10],
                   [ints("st", [-1, 1]), ints("en", [-2**63, 2**63 - 1]),
                    ints("ax", [0, 1]), ints("sp", [-1, 3])])
    if kind == "pad":
        return one("Pad", ["x", "p", "v"], [2, 3], [ints("p", [1, 0, 0, 2]), floats("v", 1.5)])
    if kind == "pad_negative":
        return one("Pad", ["x", "p"], [4, 5], [ints("p", [-1, 1, 0, -2])], mode="edge")
    if kind == "expand":
        return one("Expand", ["x", "s"], [3, 1], [ints("s", [2, 1, 4])], out_rank=3)
    if kind == "gather":
        return one("Gather", ["x", "i"], [4, 3], [ints("i", [[0, -1]])], axis=0, out_rank=3)
    if kind == "gather_dynamic":
        node = helper.make_node("Gather", ["x", "i"], ["y"], name="emb")
        return model([node], [f32("x", [4, 3]), helper.make_tensor_value_info("i", I64, [2])],
                     [out("y", 2)])
    if kind == "dropout":
        node = helper.make_node("Dropout", ["x"], ["y", "mask"], name="drop")
        return model([node], [f32("x", [2, 2])], [out("y", 2), out("mask", 2, TensorProto.BOOL)])
    if kind == "constant_forms":
        nodes = [helper.make_node("Constant", [], ["a"], name="ca", value_floats=[1.0, 2.0]),
                 helper.make_node("Constant", [], ["s"], name="cs", value_ints=[1, 2]),
                 helper.make_node("Constant", [], ["f"], name="cf", value_float=3.0),
                 helper.make_node("Reshape", ["a", "s"], ["r"], name="rs"),
                 helper.make_node("Mul", ["x", "r"], ["m"], name="mul"),
                 helper.make_node("Add", ["m", "f"], ["y"], name="add")]
        return model(nodes, [f32("x", [1, 2])], [out("y", 2)])
    if kind == "constant_of_shape":
        nodes = [helper.make_node("ConstantOfShape", ["s"], ["c"], name="cos",
                                  value=helper.make_tensor("v", TensorProto.FLOAT, [1], [0.5])),
                 helper.make_node("Add", ["x", "c"], ["y"], name="add")]
        return model(nodes, [f32("x", [2, 3])], [out("y", 2)], [ints("s", [2, 3])])
    if kind == "resize_nearest":
        return one("Resize", ["x", "", "sc"], [1, 1, 2, 3], [floats("sc", [1, 1, 2, 1.5])],
                   mode="nearest", nearest_mode="floor",
                   coordinate_transformation_mode="asymmetric")
    if kind == "resize_linear_sizes":
        return one("Resize", ["x", "", "", "sz"], [1, 1, 4, 4], [ints("sz", [1, 1, 3, 8])],
                   mode="linear", coordinate_transformation_mode="align_corners")
    if kind == "resize_cubic":
        return one("Resize", ["x", "", "sc"], [1, 1, 2, 2], [floats("sc", [1, 1, 2, 2])],
                   mode="cubic")
    if kind == "upsample":
        return one("Upsample", ["x", "sc"], [1, 1, 2, 2], [floats("sc", [1, 1, 2, 3])],
                   opset=9, mode="nearest")
    if kind == "resize_cubic_attrs":
        return one("Resize", ["x", "", "sc"], [1, 1, 2, 2], [floats("sc", [1, 1, 2, 2])],
                   mode="cubic", cubic_coeff_a=-0.5, exclude_outside=1)
    if kind == "resize_cubic_channels":
        # Interpolating across channels: the importer accepts it, the mesh
        # lowering does not.
        return one("Resize", ["x", "", "sc"], [1, 2, 2, 2], [floats("sc", [1, 2, 1, 1])],
                   mode="cubic")
    if kind == "resize_crop_bad_roi":
        return one("Resize", ["x", "roi", "", "sz"], [1, 1, 4, 4],
                   [floats("roi", [0, 0, 1, 1]), ints("sz", [1, 1, 3, 3])],
                   mode="linear", coordinate_transformation_mode="tf_crop_and_resize")
    if kind == "resize_tf_nn":
        return one("Resize", ["x", "roi", "sc", "sz"], [1, 1, 4, 4],
                   [floats("roi", []), floats("sc", []), ints("sz", [1, 1, 3, 2])],
                   opset=11, mode="nearest", coordinate_transformation_mode="tf_half_pixel_for_nn")
    if kind == "resize_crop":
        return one("Resize", ["x", "roi", "", "sz"], [1, 2, 4, 4],
                   [floats("roi", [0, 0, 0.25, 0.5, 1, 1, 0.75, 1.5]),
                    ints("sz", [1, 2, 3, 3])],
                   mode="linear",
                   coordinate_transformation_mode="tf_crop_and_resize", extrapolation_value=7.0)
    if kind == "resize_crop_runtime_roi":
        node = helper.make_node("Resize", ["x", "roi", "", "sz"], ["y"], name="n0", mode="cubic",
                                coordinate_transformation_mode="tf_crop_and_resize")
        return model([node], [f32("x", [1, 1, 4, 4]), f32("roi", [8])], [out("y", 4)],
                     [ints("sz", [1, 1, 3, 3])])
    if kind in ("batchnorm_training", "batchnorm_training_legacy"):
        legacy = kind == "batchnorm_training_legacy"
        node = helper.make_node("BatchNormalization", ["x", "g", "beta", "mean", "var"],
                                ["y", "rm", "rv"] + (["sm", "sv"] if legacy else []),
                                name="bn", epsilon=0.5,
                                **({} if legacy else {"training_mode": 1, "momentum": 0.75}))
        inits = [floats("g", [1.0, 2.0]), floats("beta", [0.5, -0.5]),
                 floats("mean", [1.0, 0.0]), floats("var", [1.5, 3.5])]
        outs = [out("y", 4)] + [out(n, 1) for n in (["rm", "rv", "sm", "sv"] if legacy
                                                     else ["rm", "rv"])]
        return model([node], [f32("x", [2, 2, 3, 3])], outs, inits, 9 if legacy else 15)
    # --- constant folding ---
    if kind == "fold_shape_reshape":
        # y = x.reshape(x.shape[0], -1) as PyTorch exports it.
        nodes = [helper.make_node("Shape", ["x"], ["s"], name="shape"),
                 helper.make_node("Gather", ["s", "zero"], ["n"], name="gather", axis=0),
                 helper.make_node("Unsqueeze", ["n", "ax0"], ["n1"], name="unsq"),
                 helper.make_node("Concat", ["n1", "minus1"], ["shp"], name="cat", axis=0),
                 helper.make_node("Reshape", ["x", "shp"], ["y"], name="reshape")]
        return model(nodes, [f32("x", [2, 3, 4])], [out("y", 2)],
                     [ints("zero", 0), ints("ax0", [0]), ints("minus1", [-1])])
    if kind == "fold_loop":
        # A Loop with trip count 3 doubles [1] and scans v + iter: the
        # result feeds a Reshape shape, so folding must evaluate it.
        nodes = [helper.make_node("Loop", ["trip", "", "v0"], ["vN", "scan"], name="loop",
                                  body=loop_body()),
                 helper.make_node("Concat", ["vN", "scan_flat"], ["shp"], name="cat", axis=0),
                 helper.make_node("Reshape", ["scan", "m1"], ["scan_flat"], name="flat"),
                 helper.make_node("Reshape", ["x", "shp2"], ["y"], name="reshape"),
                 helper.make_node("Slice", ["shp", "s0", "s1"], ["shp2"], name="take2")]
        nodes = [nodes[0], nodes[2], nodes[1], nodes[4], nodes[3]]
        return model(nodes, [f32("x", [1, 8])], [out("y", 2)],
                     [ints("trip", 3), ints("v0", [1]), ints("m1", [-1]),
                      ints("s0", [0]), ints("s1", [2])])
    if kind == "fold_if":
        then_g = helper.make_graph([helper.make_node("Relu", ["x"], ["t"])], "then", [],
                                   [f32("t", [2])])
        else_g = helper.make_graph([helper.make_node("Neg", ["x"], ["e"])], "else", [],
                                   [f32("e", [2])])
        nodes = [helper.make_node("Equal", ["a", "b"], ["c"], name="eq"),
                 helper.make_node("If", ["c"], ["y"], name="if", then_branch=then_g,
                                  else_branch=else_g)]
        return model(nodes, [f32("x", [2])], [out("y", 1)], [ints("a", 3), ints("b", 3)])
    if kind == "fold_sequence":
        nodes = [helper.make_node("SplitToSequence", ["s"], ["seq"], name="split", axis=0),
                 helper.make_node("SequenceInsert", ["seq", "extra"], ["seq2"], name="ins"),
                 helper.make_node("SequenceAt", ["seq2", "pos"], ["last"], name="at"),
                 helper.make_node("ConcatFromSequence", ["seq2"], ["shp"], name="cat", axis=0),
                 helper.make_node("Reshape", ["x", "shp"], ["y"], name="reshape")]
        return model(nodes, [f32("x", [24])], [out("y", 3), out("last", 1, I64)],
                     [ints("s", [2, 3]), ints("extra", [4]), ints("pos", -1)])
    if kind == "fold_initializer_subgraph":
        # Weight preprocessing on initializers folds to one constant.
        nodes = [helper.make_node("Transpose", ["w"], ["wt"], name="t", perm=[1, 0]),
                 helper.make_node("Mul", ["wt", "two"], ["w2"], name="scale"),
                 helper.make_node("MatMul", ["x", "w2"], ["y"], name="mm")]
        return model(nodes, [f32("x", [1, 3])], [out("y", 2)],
                     [arange("w", [2, 3], 1.0), floats("two", 2.0)])
    if kind == "fold_dynamic_loop":
        # The trip count depends on the input data: nothing to fold.
        nodes = [helper.make_node("ReduceMax", ["x"], ["m"], name="max", keepdims=0),
                 helper.make_node("Cast", ["m"], ["trip"], name="cast", to=I64),
                 helper.make_node("Loop", ["trip", "", "v0"], ["vN", "scan"], name="loop",
                                  body=loop_body())]
        return model(nodes, [f32("x", [2])], [out("vN", 1, I64)], [ints("v0", [1])])
    if kind == "dynamic_video":
        node = helper.make_node("Conv", ["x", "w"], ["y"], name="conv")
        return model([node], [f32("x", ["N", 3, "T", 8, 8])], [out("y", 5)],
                     [arange("w", [2, 3, 1, 3, 3])])
    if kind == "external_data":
        return None  # Written by write_external() below.
    return None


def write_external(path, offset_mode):
    """Saves a Conv model whose weight lives in 'weights.bin' next to it,
    either the whole file or at an offset inside it."""
    w = (np.arange(2 * 3 * 3 * 3, dtype=np.float32) * 0.5).reshape([2, 3, 3, 3])
    tensor = numpy_helper.from_array(w, "w")
    tensor.ClearField("raw_data")
    tensor.data_location = TensorProto.EXTERNAL
    directory = os.path.dirname(os.path.abspath(path))
    prefix = b"HEADER--" if offset_mode else b""
    with open(os.path.join(directory, "weights.bin"), "wb") as f:
        f.write(prefix + w.tobytes() + (b"trailer" if offset_mode else b""))
    entries = [("location", "weights.bin")]
    if offset_mode:
        entries += [("offset", str(len(prefix))), ("length", str(w.nbytes))]
    for k, v in entries:
        e = tensor.external_data.add()
        e.key, e.value = k, v
    node = helper.make_node("Conv", ["x", "w"], ["y"], name="conv")
    m = model([node], [f32("x", [1, 3, 4, 4])], [out("y", 4)], [tensor])
    return m
