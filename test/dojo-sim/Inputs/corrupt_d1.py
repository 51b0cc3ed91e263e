"""Writes a corrupted copy of a .d1 binary (format version 2) for negative tests.

usage: corrupt_d1.py MODE IN.d1 OUT.d1

The binary is a size-prefixed FlatBuffer followed by the blob data region
(docs/binary-format.md). This script reads just enough of the FlatBuffer
(root table, vtables, vectors of structs) to find the blob table and the
first SRAM segment, then damages one field:

  blob-size      blob 0 claims more bytes than the data region holds
  missing-blob   the first SRAM segment names a blob that does not exist
  blob-overrun   the first SRAM segment takes one byte more than its blob has
  sram-overflow  the first SRAM segment ends past the node's SRAM
  cut-data       the last 64 bytes of the data region are cut off
  version1       a minimal FlatBuffer of the old unprefixed layout (version 1)
"""
import struct
import sys

# Field indices in dojo_binary.fbs (table Binary, table NodeCode).
BINARY_NODES, BINARY_BLOBS = 6, 10
NODECODE_SRAM_INIT = 3
SEGMENT_SIZE, BLOB_SIZE = 32, 16


def u32(b, at):
    return struct.unpack_from("<I", b, at)[0]


def field(b, table, index):
    """Absolute position of field `index` of the table at `table`, or None."""
    vtable = table - struct.unpack_from("<i", b, table)[0]
    vsize = struct.unpack_from("<H", b, vtable)[0]
    slot = 4 + 2 * index
    if slot >= vsize:
        return None
    off = struct.unpack_from("<H", b, vtable + slot)[0]
    return table + off if off else None


def vector(b, pos):
    """(length, first element position) of the vector referenced at `pos`."""
    vec = pos + u32(b, pos)
    return u32(b, vec), vec + 4


def main():
    mode, src, dst = sys.argv[1:4]
    if mode == "version1":
        # Root offset, identifier, a vtable (6 bytes, table of 8 bytes,
        # field 0 at +4), then the table: its vtable offset and version 1.
        data = struct.pack("<I4sHHHHiI", 16, b"D1BN", 6, 8, 4, 0, 8, 1)
        open(dst, "wb").write(data)
        return
    b = bytearray(open(src, "rb").read())
    root = 4 + u32(b, 4)
    nblobs, blobs = vector(b, field(b, root, BINARY_BLOBS))
    assert nblobs > 0, "the model has no constant data"
    nnodes, nodes = vector(b, field(b, root, BINARY_NODES))
    segment = None
    for i in range(nnodes):
        node = nodes + 4 * i
        node += u32(b, node)
        n, first = vector(b, field(b, node, NODECODE_SRAM_INIT))
        if n:
            segment = first
            break
    assert segment is not None, "no node has initial SRAM data"
    addr, offset, length, blob = struct.unpack_from("<qqqI", b, segment)
    if mode == "blob-size":
        struct.pack_into("<q", b, blobs + 8, 1 << 40)
    elif mode == "missing-blob":
        struct.pack_into("<I", b, segment + 24, nblobs + 5)
    elif mode == "blob-overrun":
        size = struct.unpack_from("<q", b, blobs + BLOB_SIZE * blob + 8)[0]
        struct.pack_into("<qq", b, segment + 8, 0, size + 1)
    elif mode == "sram-overflow":
        struct.pack_into("<q", b, segment, (1 << 40) - 8)
    elif mode == "cut-data":
        del b[-64:]
    else:
        sys.exit("unknown mode " + mode)
    open(dst, "wb").write(bytes(b))


if __name__ == "__main__":
    main()
