// Minimal reader and writer for serialized onnx.TensorProto messages, the
// format of the ONNX test-data files (input_N.pb / output_N.pb).
//
// A hand-written protobuf decoder keeps the reference runner free of any
// dependency beyond onnxruntime-node itself. Only the fields that dense
// numeric tensors use are understood; anything else (external data, string
// tensors) is rejected with a clear error instead of being misread.

'use strict';

// TensorProto field numbers (onnx/onnx.proto).
const F_DIMS = 1, F_DATA_TYPE = 2, F_FLOAT_DATA = 4, F_INT32_DATA = 5,
      F_STRING_DATA = 6, F_INT64_DATA = 7, F_NAME = 8, F_RAW_DATA = 9,
      F_DOUBLE_DATA = 10, F_UINT64_DATA = 11, F_EXTERNAL_DATA = 13;

// ONNX element types this runner supports, with their onnxruntime-node
// type names, typed-array constructors and the repeated field that holds
// them when raw_data is absent.
const DTYPES = {
  1: { ort: 'float32', Array: Float32Array, field: F_FLOAT_DATA },
  2: { ort: 'uint8', Array: Uint8Array, field: F_INT32_DATA },
  3: { ort: 'int8', Array: Int8Array, field: F_INT32_DATA },
  5: { ort: 'int16', Array: Int16Array, field: F_INT32_DATA },
  6: { ort: 'int32', Array: Int32Array, field: F_INT32_DATA },
  7: { ort: 'int64', Array: BigInt64Array, field: F_INT64_DATA },
  9: { ort: 'bool', Array: Uint8Array, field: F_INT32_DATA },
  11: { ort: 'float64', Array: Float64Array, field: F_DOUBLE_DATA },
  13: { ort: 'uint64', Array: BigUint64Array, field: F_UINT64_DATA },
};
const ORT_TO_ONNX = Object.fromEntries(
    Object.entries(DTYPES).map(([k, v]) => [v.ort, Number(k)]));

class Reader {
  constructor(buf) { this.buf = buf; this.pos = 0; }
  done() { return this.pos >= this.buf.length; }
  varint() {
    let result = 0n, shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw new Error('truncated varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 70n) throw new Error('varint too long');
    }
  }
  bytes(n) {
    if (n < 0 || this.pos + n > this.buf.length)
      throw new Error('length-delimited field runs past the end');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

// Decodes one TensorProto into {name, dataType, dims, data (typed array)}.
function decodeTensor(buf) {
  const r = new Reader(buf);
  const t = { name: '', dataType: 0, dims: [], raw: null, repeated: [] };
  const packedVarints = (bytes, out) => {
    const sub = new Reader(bytes);
    while (!sub.done()) out.push(sub.varint());
  };
  while (!r.done()) {
    const key = Number(r.varint());
    const field = key >>> 3, wire = key & 7;
    if (wire === 0) {
      const v = r.varint();
      if (field === F_DIMS) t.dims.push(BigInt.asIntN(64, v));
      else if (field === F_DATA_TYPE) t.dataType = Number(v);
      else if (field === F_INT32_DATA || field === F_INT64_DATA ||
               field === F_UINT64_DATA) t.repeated.push(v);
    } else if (wire === 2) {
      const bytes = r.bytes(Number(r.varint()));
      if (field === F_DIMS) {
        const tmp = [];
        packedVarints(bytes, tmp);
        for (const v of tmp) t.dims.push(BigInt.asIntN(64, v));
      } else if (field === F_NAME) {
        t.name = Buffer.from(bytes).toString('utf8');
      } else if (field === F_RAW_DATA) {
        t.raw = bytes;
      } else if (field === F_FLOAT_DATA) {
        const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
        for (let i = 0; i + 4 <= bytes.length; i += 4)
          t.repeated.push(dv.getFloat32(i, true));
      } else if (field === F_DOUBLE_DATA) {
        const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
        for (let i = 0; i + 8 <= bytes.length; i += 8)
          t.repeated.push(dv.getFloat64(i, true));
      } else if (field === F_INT32_DATA || field === F_INT64_DATA ||
                 field === F_UINT64_DATA) {
        packedVarints(bytes, t.repeated);
      } else if (field === F_STRING_DATA) {
        throw new Error('string tensors are not supported');
      } else if (field === F_EXTERNAL_DATA) {
        throw new Error('tensors with external data are not supported');
      }
    } else if (wire === 5) {
      const bytes = r.bytes(4);
      if (field === F_FLOAT_DATA)
        t.repeated.push(new DataView(bytes.buffer, bytes.byteOffset, 4)
                            .getFloat32(0, true));
    } else if (wire === 1) {
      const bytes = r.bytes(8);
      if (field === F_DOUBLE_DATA)
        t.repeated.push(new DataView(bytes.buffer, bytes.byteOffset, 8)
                            .getFloat64(0, true));
    } else {
      throw new Error(`unsupported protobuf wire type ${wire}`);
    }
  }
  const info = DTYPES[t.dataType];
  if (!info) throw new Error(`unsupported TensorProto data_type ${t.dataType}`);
  const dims = t.dims.map(Number);
  const count = dims.reduce((a, b) => a * b, 1);
  let data;
  if (t.raw) {
    const bpe = info.Array.BYTES_PER_ELEMENT;
    if (t.raw.length !== count * bpe)
      throw new Error(`raw_data has ${t.raw.length} bytes, shape needs ${count * bpe}`);
    // Copy into an aligned buffer: raw_data may sit at any byte offset.
    const copy = new Uint8Array(t.raw);
    data = new info.Array(copy.buffer, 0, count);
  } else {
    if (t.repeated.length !== count)
      throw new Error(`tensor has ${t.repeated.length} values, shape needs ${count}`);
    data = new info.Array(count);
    for (let i = 0; i < count; ++i) {
      const v = t.repeated[i];
      if (info.Array === BigInt64Array) data[i] = BigInt.asIntN(64, BigInt(v));
      else if (info.Array === BigUint64Array) data[i] = BigInt.asUintN(64, BigInt(v));
      else data[i] = typeof v === 'bigint' ? Number(BigInt.asIntN(64, v)) : v;
    }
  }
  return { name: t.name, dataType: t.dataType, dims, data };
}

function encodeVarint(value, out) {
  let v = BigInt.asUintN(64, BigInt(value));
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) b |= 0x80;
    out.push(b);
  } while (v !== 0n);
}

// Encodes {name, dataType, dims, data} as a TensorProto with raw_data.
function encodeTensor({ name, dataType, dims, data }) {
  const head = [];
  for (const d of dims) { encodeVarint((F_DIMS << 3) | 0, head); encodeVarint(d, head); }
  encodeVarint((F_DATA_TYPE << 3) | 0, head);
  encodeVarint(dataType, head);
  const nameBytes = Buffer.from(name || '', 'utf8');
  encodeVarint((F_NAME << 3) | 2, head);
  encodeVarint(nameBytes.length, head);
  const raw = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const rawHead = [];
  encodeVarint((F_RAW_DATA << 3) | 2, rawHead);
  encodeVarint(raw.length, rawHead);
  return Buffer.concat([Buffer.from(head), nameBytes, Buffer.from(rawHead), raw]);
}

module.exports = { decodeTensor, encodeTensor, DTYPES, ORT_TO_ONNX };
