"""Writes an input data set for an official ONNX node test with one input
replaced: index_data.py TEST_DIR INPUT_INDEX VALUES OUT_DIR [--gather].

The other inputs are copied from TEST_DIR/test_data_set_0; input
INPUT_INDEX gets VALUES (comma-separated integers) in its own shape and
type, so a test can feed out-of-range indices to a compiled model. With
--gather, output_0.pb gets the expected result of an axis-0 Gather of
input 0 by input 1 (numpy's take), for checking valid edge indices.
"""

import glob
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def main(test_dir, index, values, out_dir, *flags):
    os.makedirs(out_dir, exist_ok=True)
    src = os.path.join(test_dir, "test_data_set_0")
    for f in glob.glob(os.path.join(src, "input_*.pb")):
        shutil.copy(f, out_dir)
    path = os.path.join(out_dir, "input_%s.pb" % index)
    t = onnx.TensorProto()
    with open(path, "rb") as fh:
        t.ParseFromString(fh.read())
    old = numpy_helper.to_array(t)
    new = np.array([int(v) for v in values.split(",")], dtype=old.dtype)
    new = new.reshape(old.shape)
    with open(path, "wb") as fh:
        fh.write(numpy_helper.from_array(new, t.name).SerializeToString())
    if "--gather" in flags:
        arrays = []
        for i in (0, 1):
            ti = onnx.TensorProto()
            with open(os.path.join(out_dir, "input_%d.pb" % i), "rb") as fh:
                ti.ParseFromString(fh.read())
            arrays.append(numpy_helper.to_array(ti))
        y = np.take(arrays[0], arrays[1], axis=0)
        ref = onnx.TensorProto()
        with open(os.path.join(src, "output_0.pb"), "rb") as fh:
            ref.ParseFromString(fh.read())
        with open(os.path.join(out_dir, "output_0.pb"), "wb") as fh:
            fh.write(numpy_helper.from_array(y, ref.name).SerializeToString())


if __name__ == "__main__":
    main(*sys.argv[1:])
