//===- Serialize.cpp - Executable <-> .d1 file bytes ----------------------===//
//
// A file is a size-prefixed FlatBuffer holding everything but constant data,
// then a data region holding each distinct blob once (Layout.h). The
// FlatBuffer verifier runs before any field is read and every blob and
// segment reference is bounds-checked, so a truncated or hostile file is
// rejected instead of being dereferenced. After conversion the in-memory
// Executable is cross-checked by verify() so that every consumer (simulator,
// Python module) can trust indices and addresses.
//
//===----------------------------------------------------------------------===//
#include "Layout.h"
#include "Parallel.h"
#include "dojo/Binary/dojo_binary_generated.h"

#include <bit>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <string_view>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unordered_map>

namespace dojo::bin {

namespace {

using detail::alignData;
using detail::BlobLayout;

/// The bytes of a descriptor, viewed in place (no copy), as a key.
std::string_view wordsOf(std::span<const int64_t> w) {
  return std::string_view(reinterpret_cast<const char *>(w.data()),
                          w.size() * sizeof(int64_t));
}

/// The FlatBuffer part of a file (with its size prefix) for `exe`, whose
/// blobs are placed as `layout` says.
flatbuffers::DetachedBuffer buildMetadata(const Executable &exe,
                                          const BlobLayout &layout) {
  flatbuffers::FlatBufferBuilder fbb(1 << 16);
  // Writing every field, defaults included, keeps the int64 hbm_bytes in
  // every buffer, so every buffer is 8-byte aligned in length.
  fbb.ForceDefaults(true);
  auto makeIO = [&](const std::vector<TensorIO> &ios) {
    std::vector<flatbuffers::Offset<fb::TensorIO>> out;
    for (const TensorIO &io : ios)
      out.push_back(fb::CreateTensorIODirect(fbb, io.name.c_str(), io.dtype,
                                             &io.shape, io.hbmAddr));
    return fbb.CreateVector(out);
  };
  auto makeSegments = [&](const std::vector<Segment> &segs) {
    std::vector<fb::Segment> out;
    out.reserve(segs.size());
    for (const Segment &s : segs) {
      // A dangling index stays dangling so that the reader rejects it.
      uint32_t blob = s.blob < layout.fileIndex.size()
                          ? layout.fileIndex[s.blob]
                          : UINT32_MAX;
      out.emplace_back(s.addr, s.offset, s.length, blob, 0);
    }
    return fbb.CreateVectorOfStructs(out);
  };
  auto inputs = makeIO(exe.inputs);
  auto outputs = makeIO(exe.outputs);

  // FlatBuffers allows several references to one table, so equal
  // descriptors (nodes running the same kernel on the same addresses) are
  // written once and shared. Keys view the Executable's words in place.
  std::unordered_map<std::string_view, flatbuffers::Offset<fb::Desc>>
      descCache;
  std::vector<flatbuffers::Offset<fb::NodeCode>> nodes;
  for (const NodeCode &nc : exe.nodes) {
    std::vector<fb::Insn> code;
    code.reserve(nc.code.size());
    for (const isa::Insn &in : nc.code)
      code.emplace_back(uint16_t(in.op), in.a, in.b, in.c, in.d, 0, in.imm);
    auto codeVec = fbb.CreateVectorOfStructs(code);
    std::vector<flatbuffers::Offset<fb::Desc>> descs;
    descs.reserve(nc.descs.size());
    for (size_t i = 0; i < nc.descs.size(); ++i) {
      std::span<const int64_t> words = nc.descs[i];
      auto [it, inserted] = descCache.try_emplace(wordsOf(words));
      if (inserted)
        it->second =
            fb::CreateDesc(fbb, fbb.CreateVector(words.data(), words.size()));
      descs.push_back(it->second);
    }
    auto descsVec = fbb.CreateVector(descs);
    auto segs = makeSegments(nc.sramInit);
    std::vector<fb::DebugRange> debug;
    for (const DebugRange &d : nc.debug)
      debug.emplace_back(d.beginPc, d.endPc, d.name);
    auto debugVec = fbb.CreateVectorOfStructs(debug);
    nodes.push_back(fb::CreateNodeCode(fbb, nc.node, codeVec, descsVec,
                                       segs, debugVec, nc.sramPeak,
                                       nc.sramInitEnd));
  }
  auto nodesVec = fbb.CreateVector(nodes);

  std::vector<flatbuffers::Offset<fb::Route>> routes;
  for (const auto &r : exe.routes)
    routes.push_back(fb::CreateRouteDirect(fbb, &r));
  auto routesVec = fbb.CreateVector(routes);
  auto names = fbb.CreateVectorOfStrings(exe.names);
  auto target = fbb.CreateString(exe.target.toSpec());
  auto source = fbb.CreateString(exe.source);
  auto hbmInit = makeSegments(exe.hbmInit);
  std::vector<fb::Blob> blobs;
  for (size_t f = 0; f < layout.source.size(); ++f)
    blobs.emplace_back(layout.offset[f], exe.blobs[layout.source[f]].size);
  auto blobsVec = fbb.CreateVectorOfStructs(blobs);
  auto root = fb::CreateBinary(fbb, exe.version, target, source, exe.hbmBytes,
                               inputs, outputs, nodesVec, routesVec, names,
                               hbmInit, blobsVec, layout.dataBytes);
  fb::FinishSizePrefixedBinaryBuffer(fbb, root);
  return fbb.Release();
}

/// Calls `sink(bytes, size)` for every byte of the file in order: the
/// metadata, padding, then each blob and its padding.
bool emitFile(const Executable &exe,
              const std::function<bool(const uint8_t *, size_t)> &sink) {
  BlobLayout layout = detail::layoutBlobs(exe);
  flatbuffers::DetachedBuffer meta = buildMetadata(exe, layout);
  static const uint8_t zeros[detail::kDataAlign] = {};
  auto pad = [&](int64_t n) { return n == 0 || sink(zeros, size_t(n)); };
  if (!sink(meta.data(), meta.size()) ||
      !pad(alignData(int64_t(meta.size())) - int64_t(meta.size())))
    return false;
  for (uint32_t b : layout.source) {
    const Blob &blob = exe.blobs[b];
    if ((blob.size > 0 && !sink(blob.data, size_t(blob.size))) ||
        !pad(alignData(blob.size) - blob.size))
      return false;
  }
  return true;
}

} // namespace

std::vector<uint8_t> serialize(const Executable &exe) {
  std::vector<uint8_t> out;
  emitFile(exe, [&](const uint8_t *p, size_t n) {
    out.insert(out.end(), p, p + n);
    return true;
  });
  return out;
}

namespace {

/// Copies a FlatBuffer vector of scalars (absent = empty).
template <typename T, typename V>
std::vector<T> toVector(const flatbuffers::Vector<V> *v) {
  std::vector<T> out;
  if (v)
    out.assign(v->begin(), v->end());
  return out;
}

std::string str(const flatbuffers::String *s) { return s ? s->str() : ""; }

void convertIO(const flatbuffers::Vector<flatbuffers::Offset<fb::TensorIO>> *v,
               std::vector<TensorIO> &out) {
  out.clear();
  if (!v)
    return;
  for (const fb::TensorIO *io : *v) {
    TensorIO t;
    t.name = str(io->name());
    t.dtype = io->dtype();
    t.shape = toVector<int64_t>(io->shape());
    t.hbmAddr = io->hbm_addr();
    out.push_back(std::move(t));
  }
}

void convertSegments(const flatbuffers::Vector<const fb::Segment *> *v,
                     std::vector<Segment> &out) {
  if (!v)
    return;
  out.reserve(v->size());
  for (const fb::Segment *s : *v)
    out.push_back({s->addr(), s->blob(), s->offset(), s->length()});
}

std::string corrupt(size_t size) {
  return "truncated or corrupt (" + std::to_string(size) + " bytes)";
}

/// Files of format version 1 were an unprefixed FlatBuffer (identifier at
/// bytes 4..7) whose root table started with the version field. Reads that
/// field with bounds checks so that an old binary gets a version message.
std::string oldFormatError(const uint8_t *data, size_t size) {
  flatbuffers::Verifier verifier(data, size);
  const auto *root = flatbuffers::GetRoot<flatbuffers::Table>(data);
  constexpr flatbuffers::voffset_t kVersionField = 4;
  if (!verifier.VerifyAlignment(0, sizeof(flatbuffers::uoffset_t)) ||
      flatbuffers::ReadScalar<flatbuffers::uoffset_t>(data) >= size ||
      !root->VerifyTableStart(verifier) ||
      !root->VerifyField<uint32_t>(verifier, kVersionField, 4))
    return corrupt(size);
  return "format version " +
         std::to_string(root->GetField<uint32_t>(kVersionField, 0)) +
         " is not supported (expected " + std::to_string(kFormatVersion) +
         "); recompile the model";
}

/// Converts one node. With `inPlace` its descriptors view their words in
/// the buffer (which the Executable then keeps alive) instead of copying
/// them.
void convertNode(const fb::NodeCode &src, NodeCode &nc, bool inPlace) {
  nc.node = src.node();
  nc.sramPeak = src.sram_peak();
  // A FlatBuffer Insn and an isa::Insn have the same little-endian layout,
  // so on such hosts the program is used in place (or copied in one go
  // when the caller's buffer does not outlive the Executable or is
  // misaligned).
  static_assert(sizeof(fb::Insn) == sizeof(isa::Insn) &&
                offsetof(isa::Insn, a) == 2 && offsetof(isa::Insn, d) == 5 &&
                offsetof(isa::Insn, imm) == 8);
  if (const auto *code = src.code();
      code && std::endian::native == std::endian::little) {
    const auto *first = reinterpret_cast<const isa::Insn *>(code->Data());
    if (inPlace &&
        reinterpret_cast<uintptr_t>(first) % alignof(isa::Insn) == 0)
      nc.code.setView(first, code->size());
    else
      nc.code.assign(first, first + code->size());
  } else if (code) {
    nc.code.reserve(code->size());
    for (const fb::Insn *in : *code) {
      isa::Insn i;
      i.op = isa::Op(in->op());
      i.a = in->a();
      i.b = in->b();
      i.c = in->c();
      i.d = in->d();
      i.imm = in->imm();
      nc.code.push_back(i);
    }
  }
  if (const auto *descs = src.descs()) {
    nc.descs.reserve(descs->size());
    for (const fb::Desc *d : *descs) {
      const flatbuffers::Vector<int64_t> *w = d->words();
      std::span<const int64_t> words;
      if (w)
        words = {reinterpret_cast<const int64_t *>(w->Data()), w->size()};
      // FlatBuffers aligns a vector of longs to 8 bytes from the start of
      // the buffer; a caller's buffer that is itself misaligned is copied.
      if (inPlace && std::endian::native == std::endian::little &&
          reinterpret_cast<uintptr_t>(words.data()) % alignof(int64_t) == 0)
        nc.descs.pushView(words.data(), words.size());
      else
        nc.descs.push_back(toVector<int64_t>(w));
    }
  }
  convertSegments(src.sram_init(), nc.sramInit);
  nc.sramInitEnd = src.sram_init_end();
  if (const auto *debug = src.debug())
    for (const fb::DebugRange *d : *debug)
      nc.debug.push_back({d->begin_pc(), d->end_pc(), d->name()});
}

} // namespace

bool deserialize(const uint8_t *data, size_t size, Executable &exe,
                 std::string &error, std::shared_ptr<const void> owner) {
  // The size prefix and root offset come first, the identifier at bytes
  // 8..11; anything shorter cannot be a binary.
  if (size < 12 || size >= FLATBUFFERS_MAX_BUFFER_SIZE) {
    error = corrupt(size);
    return false;
  }
  if (fb::BinaryBufferHasIdentifier(data)) {
    error = oldFormatError(data, size);
    return false;
  }
  if (!fb::SizePrefixedBinaryBufferHasIdentifier(data)) {
    error = "not a dojo binary (missing D1BN identifier)";
    return false;
  }
  size_t metaSize =
      size_t(flatbuffers::ReadScalar<flatbuffers::uoffset_t>(data)) + 4;
  if (metaSize > size) {
    error = corrupt(size);
    return false;
  }
  // Large models carry many descriptor tables; the default table cap (one
  // million) is a safety net we raise, not a format limit.
  flatbuffers::Verifier::Options opts;
  opts.max_tables = 1u << 30;
  flatbuffers::Verifier verifier(data, metaSize, opts);
  if (!fb::VerifySizePrefixedBinaryBuffer(verifier)) {
    error = corrupt(size);
    return false;
  }
  const fb::Binary *root = fb::GetSizePrefixedBinary(data);
  if (root->version() != kFormatVersion) {
    error = "format version " + std::to_string(root->version()) +
            " is not supported (expected " + std::to_string(kFormatVersion) +
            "); recompile the model";
    return false;
  }
  // The data region follows the FlatBuffer at a 64-byte boundary and runs
  // to the end of the file, so any truncation changes the length.
  int64_t dataStart = detail::alignData(int64_t(metaSize));
  int64_t dataBytes = root->data_bytes();
  if (dataBytes < 0 || int64_t(size) - dataStart != dataBytes) {
    error = corrupt(size) + ": the header promises a " +
            std::to_string(dataBytes) + "-byte data region at file offset " +
            std::to_string(dataStart);
    return false;
  }
  Executable out;
  out.version = root->version();
  if (std::string err = TargetModel::fromSpec(str(root->target()), out.target);
      !err.empty()) {
    error = "bad target description: " + err;
    return false;
  }
  // Blobs point into the caller's bytes when `owner` keeps them alive, else
  // into one copy of the data region.
  const uint8_t *region = data + dataStart;
  // Descriptors stay in `data` only when `owner` keeps it alive.
  const bool inPlace = owner != nullptr;
  if (!owner && dataBytes > 0) {
    auto copy = std::make_shared<std::vector<uint8_t>>(region, region + dataBytes);
    region = copy->data();
    owner = std::move(copy);
  }
  if (owner)
    out.storage.push_back(std::move(owner));
  if (const auto *blobs = root->blobs()) {
    out.blobs.reserve(blobs->size());
    for (flatbuffers::uoffset_t i = 0; i < blobs->size(); ++i) {
      const fb::Blob *b = blobs->Get(i);
      int64_t off = b->offset(), len = b->size();
      if (off < 0 || len < 0 || off > dataBytes || len > dataBytes - off) {
        error = "blob " + std::to_string(i) + " [" + std::to_string(off) +
                ", +" + std::to_string(len) + ") lies outside the " +
                std::to_string(dataBytes) +
                "-byte data region at file offset " + std::to_string(dataStart);
        return false;
      }
      out.blobs.push_back({region + off, len, dataStart + off});
    }
  }
  out.source = str(root->source());
  out.hbmBytes = root->hbm_bytes();
  convertIO(root->inputs(), out.inputs);
  convertIO(root->outputs(), out.outputs);
  if (const auto *nodes = root->nodes()) {
    out.nodes.resize(nodes->size());
    detail::parallelFor(nodes->size(), [&](size_t i) {
      convertNode(*nodes->Get(flatbuffers::uoffset_t(i)), out.nodes[i],
                  inPlace);
    });
  }
  if (const auto *routes = root->routes())
    for (const fb::Route *r : *routes)
      out.routes.push_back(toVector<int>(r->nodes()));
  if (const auto *names = root->names())
    for (const flatbuffers::String *s : *names)
      out.names.push_back(str(s));
  convertSegments(root->hbm_init(), out.hbmInit);
  if (std::string err = verify(out); !err.empty()) {
    error = err;
    return false;
  }
  out.verified = true;
  exe = std::move(out);
  return true;
}

bool writeExecutable(const std::string &path, const Executable &exe,
                     std::string &error) {
  // Write a sibling temporary and rename it over the target, so readers never
  // observe a half-written binary and a failed write leaves no output.
  std::string tmpl = path + ".tmp.XXXXXX";
  std::vector<char> tmp(tmpl.begin(), tmpl.end());
  tmp.push_back('\0');
  int fd = mkstemp(tmp.data());
  if (fd < 0) {
    error = path + ": cannot create: " + std::strerror(errno);
    return false;
  }
  auto fail = [&](const char *what) {
    error = path + ": " + what + ": " + std::strerror(errno);
    ::close(fd);
    ::unlink(tmp.data());
    return false;
  };
  // Blob bytes go from where they lie (MLIR attributes, a mapped input
  // file) straight to the file: the image is never assembled in memory.
  bool written = emitFile(exe, [&](const uint8_t *p, size_t size) {
    size_t done = 0;
    while (done < size) {
      ssize_t n = ::write(fd, p + done, size - done);
      if (n < 0) {
        if (errno == EINTR)
          continue;
        return false;
      }
      done += size_t(n);
    }
    return true;
  });
  if (!written)
    return fail("write failed");
  // mkstemp creates the file 0600; binaries are ordinary build outputs.
  if (::fchmod(fd, 0644) != 0)
    return fail("cannot set permissions");
  if (::close(fd) != 0) {
    error = path + ": write failed: " + std::strerror(errno);
    ::unlink(tmp.data());
    return false;
  }
  if (std::rename(tmp.data(), path.c_str()) != 0) {
    error = path + ": cannot rename temporary file: " + std::strerror(errno);
    ::unlink(tmp.data());
    return false;
  }
  return true;
}

bool readExecutable(const std::string &path, Executable &exe,
                    std::string &error) {
  FILE *f = std::fopen(path.c_str(), "rb");
  if (!f) {
    error = path + ": cannot open: " + std::strerror(errno);
    return false;
  }
  std::vector<uint8_t> bytes;
  struct stat st;
  bool regular =
      ::fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
  if (regular) {
    // Decode from a read-only mapping of the file and leave the blobs in
    // it: the simulator copies weights from the page cache straight into
    // node SRAM. The mapping lives as long as the Executable (and copies).
    size_t size = size_t(st.st_size);
    void *map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fileno(f), 0);
    if (map != MAP_FAILED) {
      std::fclose(f);
      std::shared_ptr<const void> owner(
          map, [size](const void *p) { ::munmap(const_cast<void *>(p), size); });
      std::string err;
      const auto *bytes = static_cast<const uint8_t *>(map);
      if (!deserialize(bytes, size, exe, err, std::move(owner))) {
        error = path + ": " + err;
        return false;
      }
      return true;
    }
    bytes.reserve(size);
  }
  uint8_t chunk[1 << 16];
  size_t n;
  while ((n = std::fread(chunk, 1, sizeof(chunk), f)) > 0)
    bytes.insert(bytes.end(), chunk, chunk + n);
  bool readError = std::ferror(f);
  int readErrno = errno;
  std::fclose(f);
  if (readError) {
    error = path + ": read failed: " + std::strerror(readErrno);
    return false;
  }
  std::string err;
  if (!deserialize(bytes.data(), bytes.size(), exe, err)) {
    error = path + ": " + err;
    return false;
  }
  return true;
}

} // namespace dojo::bin
