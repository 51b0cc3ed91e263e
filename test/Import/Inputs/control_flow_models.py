"""Models for Loop unrolling and sequence lowering over run-time tensors.

build_control_flow(kind) returns a ModelProto or None; make_model.py calls it.
"""

from onnx import TensorProto, helper

from issue3_models import f32, floats, ints, model, out

I64 = TensorProto.INT64
BOOL = TensorProto.BOOL


def accumulate_body(cond_from_input=True):
    """acc' = acc + x * float(iter); scans acc' (x is an outer run-time value).
    The condition is passed through, or computed from the data when
    cond_from_input is False (then the iteration count is not known)."""
    nodes = [helper.make_node("Cast", ["i"], ["fi"], to=TensorProto.FLOAT),
             helper.make_node("Mul", ["x", "fi"], ["xi"]),
             helper.make_node("Add", ["acc", "xi"], ["acc_out"]),
             helper.make_node("Relu", ["acc_out"], ["scan_out"])]
    if cond_from_input:
        nodes.append(helper.make_node("Identity", ["c"], ["c_out"]))
    else:
        nodes += [helper.make_node("ReduceSum", ["acc_out"], ["s"], keepdims=0),
                  helper.make_node("Less", ["s", "limit"], ["c_out"])]
    return helper.make_graph(
        nodes, "body",
        [helper.make_tensor_value_info("i", I64, []),
         helper.make_tensor_value_info("c", BOOL, []), f32("acc", [2])],
        [helper.make_tensor_value_info("c_out", BOOL, []), f32("acc_out", [2]),
         f32("scan_out", [2])])


def sequence_body():
    """Appends row `i` of the outer run-time x to the carried sequence, the
    way PyTorch exports a list comprehension over a tensor."""
    nodes = [helper.make_node("Gather", ["x", "i"], ["row"], axis=0),
             helper.make_node("Neg", ["row"], ["neg"]),
             helper.make_node("SequenceInsert", ["seq", "neg"], ["seq_out"]),
             helper.make_node("Identity", ["c"], ["c_out"])]
    seq_type = helper.make_tensor_sequence_value_info("seq", TensorProto.FLOAT, None)
    seq_out_type = helper.make_tensor_sequence_value_info("seq_out", TensorProto.FLOAT, None)
    return helper.make_graph(
        nodes, "body",
        [helper.make_tensor_value_info("i", I64, []),
         helper.make_tensor_value_info("c", BOOL, []), seq_type],
        [helper.make_tensor_value_info("c_out", BOOL, []), seq_out_type])


def build_control_flow(kind):
    if kind == "unroll_loop":
        # Three iterations over the run-time x: acc = 0 + 0x + 1x + 2x and
        # the scan stacks relu of each partial sum.
        nodes = [helper.make_node("Loop", ["trip", "cond", "acc0"], ["accN", "scan"],
                                  name="loop", body=accumulate_body())]
        return model(nodes, [f32("x", [2])], [out("accN", 1), out("scan", 2)],
                     [ints("trip", 3), helper.make_tensor("cond", BOOL, [], [1]),
                      floats("acc0", [0.0, 0.0])])
    if kind == "unroll_while":
        # No trip count: the body computes its condition from the iteration
        # number (continue while i + 1 < 3), so it runs three times.
        body = helper.make_graph(
            [helper.make_node("Add", ["i", "one"], ["next"]),
             helper.make_node("Less", ["next", "three"], ["c_out"]),
             helper.make_node("Add", ["acc", "x"], ["acc_out"])],
            "body",
            [helper.make_tensor_value_info("i", I64, []),
             helper.make_tensor_value_info("c", BOOL, []), f32("acc", [2])],
            [helper.make_tensor_value_info("c_out", BOOL, []), f32("acc_out", [2])])
        nodes = [helper.make_node("Loop", ["", "cond", "x"], ["y"], name="while",
                                  body=body)]
        return model(nodes, [f32("x", [2])], [out("y", 1)],
                     [helper.make_tensor("cond", BOOL, [], [1]), ints("one", 1),
                      ints("three", 3)])
    if kind == "unroll_nested_if":
        # The body's If reads the body's carried value from its branch: the
        # reference must follow the renaming of each copy.
        then_g = helper.make_graph([helper.make_node("Neg", ["acc"], ["t"])], "then", [],
                                   [f32("t", [2])])
        else_g = helper.make_graph([helper.make_node("Relu", ["acc"], ["e"])], "else", [],
                                   [f32("e", [2])])
        body = helper.make_graph(
            [helper.make_node("If", ["yes"], ["acc_out"], then_branch=then_g,
                              else_branch=else_g),
             helper.make_node("Identity", ["c"], ["c_out"])],
            "body",
            [helper.make_tensor_value_info("i", I64, []),
             helper.make_tensor_value_info("c", BOOL, []), f32("acc", [2])],
            [helper.make_tensor_value_info("c_out", BOOL, []), f32("acc_out", [2])])
        nodes = [helper.make_node("Loop", ["trip", "", "x"], ["y"], name="loop",
                                  body=body)]
        return model(nodes, [f32("x", [2])], [out("y", 1)],
                     [ints("trip", 2), helper.make_tensor("yes", BOOL, [], [1])])
    if kind == "unroll_loop_sequence":
        # The MViT pattern: a Loop fills a sequence with run-time tensors,
        # ConcatFromSequence stacks it, SequenceAt/Length read it.
        nodes = [helper.make_node("SequenceEmpty", [], ["seq0"], name="empty",
                                  dtype=TensorProto.FLOAT),
                 helper.make_node("Loop", ["trip", "", "seq0"], ["seqN"], name="loop",
                                  body=sequence_body()),
                 helper.make_node("ConcatFromSequence", ["seqN"], ["y"], name="stack",
                                  axis=1, new_axis=1),
                 helper.make_node("SequenceAt", ["seqN", "last"], ["z"], name="at"),
                 helper.make_node("SequenceLength", ["seqN"], ["n"], name="len")]
        return model(nodes, [f32("x", [3, 4])],
                     [out("y", 2), out("z", 1), out("n", 0, I64)],
                     [ints("trip", 3), ints("last", -1)])
    if kind == "split_to_sequence":
        # A run-time tensor split into a sequence, one element erased, the
        # rest concatenated back: x[0:2] ++ x[4:5] along axis 0.
        nodes = [helper.make_node("SplitToSequence", ["x", "two"], ["s"], name="split",
                                  axis=0),
                 helper.make_node("SequenceErase", ["s", "one"], ["s2"], name="erase"),
                 helper.make_node("ConcatFromSequence", ["s2"], ["y"], name="cat", axis=0),
                 helper.make_node("SplitToSequence", ["x"], ["t"], name="rows", axis=0,
                                  keepdims=0),
                 helper.make_node("SequenceAt", ["t", "one"], ["r"], name="row1")]
        return model(nodes, [f32("x", [5, 3])], [out("y", 2), out("r", 1)],
                     [ints("two", 2), ints("one", 1)])
    if kind == "loop_runtime_condition":
        # The condition depends on the data: the count is not known.
        nodes = [helper.make_node("Loop", ["trip", "cond", "acc0"], ["accN", "scan"],
                                  name="data_loop", body=accumulate_body(False))]
        return model(nodes, [f32("x", [2])], [out("accN", 1)],
                     [ints("trip", 3), helper.make_tensor("cond", BOOL, [], [1]),
                      floats("acc0", [0.0, 0.0]), floats("limit", 10.0)])
    if kind == "loop_runtime_trip":
        # The trip count is a graph input.
        nodes = [helper.make_node("Loop", ["trip", "cond", "acc0"], ["accN", "scan"],
                                  name="input_loop", body=accumulate_body())]
        return model(nodes, [f32("x", [2]), helper.make_tensor_value_info("trip", I64, [])],
                     [out("accN", 1)],
                     [helper.make_tensor("cond", BOOL, [], [1]),
                      floats("acc0", [0.0, 0.0])])
    if kind == "sequence_runtime_position":
        # SequenceAt at a position computed at run time from the data.
        nodes = [helper.make_node("SplitToSequence", ["x"], ["s"], name="split", axis=0),
                 helper.make_node("ReduceMax", ["x"], ["m"], name="max", keepdims=0),
                 helper.make_node("Cast", ["m"], ["p"], name="cast", to=I64),
                 helper.make_node("SequenceAt", ["s", "p"], ["y"], name="pick")]
        return model(nodes, [f32("x", [3, 3])], [out("y", 2)])
    return None
