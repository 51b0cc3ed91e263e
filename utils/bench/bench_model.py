"""Facts about an ONNX model the benchmark needs, found without running it.

The roofline needs the number of multiply-accumulates the model requires, which
is a property of the graph, not of how the compiler lowered it: counting them
here (instead of taking the simulator's `macs`) means redundant work the
compiler adds shows up as lower utilization rather than as a higher bound.
"""

import math

import numpy as np
import onnx
from onnx import numpy_helper, shape_inference


def _np_dtype(elem_type):
    # onnx 1.12 (Debian) has only the `mapping` table, not helper.tensor_dtype_to_np_dtype.
    from onnx import mapping
    return np.dtype(mapping.TENSOR_TYPE_TO_NP_TYPE[elem_type])


def _shapes(model):
    """Maps every value name to its static shape (a list of ints), if known."""
    shapes = {}
    graph = model.graph
    for vi in list(graph.input) + list(graph.output) + list(graph.value_info):
        tt = vi.type.tensor_type
        # Shape inference leaves a value whose rank it could not find (e.g.
        # one computed from a Loop's or a sequence's output) without a shape
        # field: that is an unknown shape, not a scalar.
        if not tt.HasField("shape"):
            continue
        dims = tt.shape.dim
        if all(d.HasField("dim_value") for d in dims):
            shapes[vi.name] = [d.dim_value for d in dims]
    for init in graph.initializer:
        shapes[init.name] = list(init.dims)
    return shapes


def _attr(node, name, default):
    for a in node.attribute:
        if a.name == name:
            return onnx.helper.get_attribute_value(a)
    return default


def _has_matrix_work(attr):
    """Whether a graph attribute (a control-flow body) holds, at any depth, a
    node count_macs would count."""
    graphs = [attr.g] if attr.type == onnx.AttributeProto.GRAPH else list(attr.graphs)
    for g in graphs:
        for node in g.node:
            if node.op_type in ("Conv", "ConvTranspose", "Gemm", "MatMul"):
                return True
            if any(a.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS)
                   and _has_matrix_work(a) for a in node.attribute):
                return True
    return False


def count_macs(model):
    """Returns (macs, unknown_ops): MACs of Conv, ConvTranspose, Gemm and
    MatMul nodes, and the names of such nodes whose shapes were not static."""
    model = shape_inference.infer_shapes(model)
    shapes = _shapes(model)
    macs = 0
    unknown = []
    for node in model.graph.node:
        op = node.op_type
        if any(a.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS)
               and _has_matrix_work(a) for a in node.attribute):
            # A Loop, If or Scan body's MACs depend on run-time trip counts
            # and branches the graph alone does not give.
            unknown.append(node.name or op)
            continue
        if op not in ("Conv", "ConvTranspose", "Gemm", "MatMul"):
            continue
        ins = [shapes.get(n) for n in node.input[:2]]
        out = shapes.get(node.output[0])
        if out is None or any(s is None or len(s) == 0 for s in ins):
            unknown.append(node.name or op)
            continue
        if op == "Conv":
            # Every output element takes (Cin / group) * kernel-volume MACs.
            w = ins[1]
            macs += math.prod(out) * math.prod(w[1:])
        elif op == "ConvTranspose":
            # Every input element scatters into Cout/group * kernel outputs.
            x, w = ins
            macs += math.prod(x) * math.prod(w[1:])
        elif op == "Gemm":
            k = ins[0][0] if _attr(node, "transA", 0) else ins[0][1]
            macs += math.prod(out) * k
        else:
            macs += math.prod(out) * ins[0][-1]
    return macs, unknown


def io_bytes(model):
    """Bytes of the graph inputs (minus initializers) and outputs: what must
    cross HBM at least once whatever the compiler keeps resident on chip."""
    inits = {i.name for i in model.graph.initializer}
    total = 0
    for vi in list(model.graph.input) + list(model.graph.output):
        if vi.name in inits:
            continue
        tt = vi.type.tensor_type
        dims = [d.dim_value for d in tt.shape.dim]
        itemsize = _np_dtype(tt.elem_type).itemsize
        total += math.prod(dims) * itemsize
    return total


def weight_bytes(model):
    return sum(numpy_helper.to_array(i).nbytes for i in model.graph.initializer)


def input_specs(model):
    """(name, shape, numpy dtype) of each graph input that is not a weight."""
    inits = {i.name for i in model.graph.initializer}
    specs = []
    for vi in model.graph.input:
        if vi.name in inits:
            continue
        tt = vi.type.tensor_type
        specs.append((vi.name, [d.dim_value for d in tt.shape.dim],
                      _np_dtype(tt.elem_type)))
    return specs
