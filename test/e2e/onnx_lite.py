"""Just enough protobuf decoding to inspect ONNX files without the onnx package.

The end-to-end drivers run under whatever interpreter lit provides, which
may lack onnx and numpy; they only need a model's op types and opset and a
tensor's element type, shape and float values, which this module reads from
the wire format directly.
"""

import struct

# ONNX TensorProto.DataType names, for messages.
DTYPE_NAMES = {
    0: "UNDEFINED", 1: "FLOAT", 2: "UINT8", 3: "INT8", 4: "UINT16", 5: "INT16",
    6: "INT32", 7: "INT64", 8: "STRING", 9: "BOOL", 10: "FLOAT16", 11: "DOUBLE",
    12: "UINT32", 13: "UINT64", 14: "COMPLEX64", 15: "COMPLEX128", 16: "BFLOAT16",
}


class DecodeError(Exception):
    pass


def _varint(buf, pos):
    result = shift = 0
    while True:
        if pos >= len(buf):
            raise DecodeError("truncated varint")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7
        if shift > 70:
            raise DecodeError("varint too long")


def fields(buf):
    """Yields (field_number, wire_type, value) for one message's bytes.

    Varints are ints, length-delimited fields are bytes, fixed32/fixed64 are
    their raw 4/8 bytes.
    """
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 2:
            size, pos = _varint(buf, pos)
            if pos + size > len(buf):
                raise DecodeError("length-delimited field runs past the end")
            value, pos = buf[pos:pos + size], pos + size
        elif wire == 5:
            value, pos = buf[pos:pos + 4], pos + 4
        elif wire == 1:
            value, pos = buf[pos:pos + 8], pos + 8
        else:
            raise DecodeError(f"unsupported wire type {wire}")
        if pos > len(buf):
            raise DecodeError("truncated field")
        yield field, wire, value


def _packed_varints(data):
    pos, out = 0, []
    while pos < len(data):
        v, pos = _varint(data, pos)
        out.append(v)
    return out


def model_info(path):
    """Returns {"ops": [op_type, ...], "opset": default-domain version}."""
    with open(path, "rb") as f:
        buf = f.read()
    ops, opset = [], None
    for field, wire, value in fields(buf):
        if field == 7 and wire == 2:  # ModelProto.graph
            for gf, gw, gv in fields(value):
                if gf == 1 and gw == 2:  # GraphProto.node
                    for nf, nw, nv in fields(gv):
                        if nf == 4 and nw == 2:  # NodeProto.op_type
                            ops.append(nv.decode("utf-8", "replace"))
        elif field == 8 and wire == 2:  # ModelProto.opset_import
            domain, version = "", None
            for of, ow, ov in fields(value):
                if of == 1 and ow == 2:
                    domain = ov.decode("utf-8", "replace")
                elif of == 2 and ow == 0:
                    version = ov
            if domain in ("", "ai.onnx"):
                opset = version
    return {"ops": ops, "opset": opset}


def read_tensor(path):
    """Returns {"name", "dtype", "dims", "floats"} of a TensorProto file.

    "floats" is a list of Python floats for FLOAT tensors, else None.
    """
    with open(path, "rb") as f:
        buf = f.read()
    t = {"name": "", "dtype": 0, "dims": [], "floats": None}
    raw, float_data = None, []
    for field, wire, value in fields(buf):
        if field == 1:
            if wire == 0:
                t["dims"].append(value)
            else:
                t["dims"].extend(_packed_varints(value))
        elif field == 2 and wire == 0:
            t["dtype"] = value
        elif field == 8 and wire == 2:
            t["name"] = value.decode("utf-8", "replace")
        elif field == 9 and wire == 2:
            raw = value
        elif field == 4:
            if wire == 2:
                float_data.extend(struct.unpack(f"<{len(value) // 4}f", value))
            elif wire == 5:
                float_data.append(struct.unpack("<f", value)[0])
    if t["dtype"] == 1:
        if raw is not None:
            t["floats"] = list(struct.unpack(f"<{len(raw) // 4}f", raw))
        else:
            t["floats"] = float_data
    return t
