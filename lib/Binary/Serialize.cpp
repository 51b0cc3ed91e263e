//===- Serialize.cpp - Executable <-> FlatBuffer bytes and files ----------===//
//
// The FlatBuffer verifier runs before any field is read, so a truncated or
// hostile file is rejected instead of being dereferenced. After conversion
// the in-memory Executable is cross-checked by verify() so that every
// consumer (simulator, Python module) can trust indices and addresses.
//
//===----------------------------------------------------------------------===//
#include "dojo/Binary/Executable.h"
#include "dojo/Binary/dojo_binary_generated.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace dojo::bin {

std::vector<uint8_t> serialize(const Executable &exe) {
  flatbuffers::FlatBufferBuilder fbb(1 << 16);
  // Writing every field, defaults included, keeps the int64 hbm_bytes in
  // every buffer, so every buffer is 8-byte aligned in length; deserialize
  // relies on that to catch truncations that only cut trailing padding.
  fbb.ForceDefaults(true);
  auto makeIO = [&](const std::vector<TensorIO> &ios) {
    std::vector<flatbuffers::Offset<fb::TensorIO>> out;
    for (const TensorIO &io : ios)
      out.push_back(fb::CreateTensorIODirect(fbb, io.name.c_str(), io.dtype,
                                             &io.shape, io.hbmAddr));
    return fbb.CreateVector(out);
  };
  auto inputs = makeIO(exe.inputs);
  auto outputs = makeIO(exe.outputs);

  std::vector<flatbuffers::Offset<fb::NodeCode>> nodes;
  for (const NodeCode &nc : exe.nodes) {
    std::vector<fb::Insn> code;
    code.reserve(nc.code.size());
    for (const isa::Insn &in : nc.code)
      code.emplace_back(uint16_t(in.op), in.a, in.b, in.c, in.d, 0, in.imm);
    std::vector<flatbuffers::Offset<fb::Desc>> descs;
    for (const auto &words : nc.descs)
      descs.push_back(fb::CreateDescDirect(fbb, &words));
    std::vector<flatbuffers::Offset<fb::Segment>> segs;
    for (const Segment &s : nc.sramInit)
      segs.push_back(fb::CreateSegmentDirect(fbb, s.addr, &s.data));
    std::vector<fb::DebugRange> debug;
    for (const DebugRange &d : nc.debug)
      debug.emplace_back(d.beginPc, d.endPc, d.name);
    nodes.push_back(fb::CreateNodeCodeDirect(fbb, nc.node, &code, &descs,
                                             &segs, &debug, nc.sramPeak));
  }
  auto nodesVec = fbb.CreateVector(nodes);

  std::vector<flatbuffers::Offset<fb::Route>> routes;
  for (const auto &r : exe.routes)
    routes.push_back(fb::CreateRouteDirect(fbb, &r));
  auto routesVec = fbb.CreateVector(routes);
  auto names = fbb.CreateVectorOfStrings(exe.names);
  auto target = fbb.CreateString(exe.target.toSpec());
  auto source = fbb.CreateString(exe.source);

  std::vector<flatbuffers::Offset<fb::Segment>> hbmSegs;
  for (const Segment &s : exe.hbmInit)
    hbmSegs.push_back(fb::CreateSegmentDirect(fbb, s.addr, &s.data));
  auto hbmInit = fbb.CreateVector(hbmSegs);
  auto root = fb::CreateBinary(fbb, exe.version, target, source, exe.hbmBytes,
                               inputs, outputs, nodesVec, routesVec, names,
                               hbmInit);
  fb::FinishBinaryBuffer(fbb, root);
  return std::vector<uint8_t>(fbb.GetBufferPointer(),
                              fbb.GetBufferPointer() + fbb.GetSize());
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

void convertNode(const fb::NodeCode &src, NodeCode &nc) {
  nc.node = src.node();
  nc.sramPeak = src.sram_peak();
  if (const auto *code = src.code()) {
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
  if (const auto *descs = src.descs())
    for (const fb::Desc *d : *descs)
      nc.descs.push_back(toVector<int64_t>(d->words()));
  if (const auto *segs = src.sram_init())
    for (const fb::Segment *s : *segs)
      nc.sramInit.push_back({s->addr(), toVector<uint8_t>(s->data())});
  if (const auto *debug = src.debug())
    for (const fb::DebugRange *d : *debug)
      nc.debug.push_back({d->begin_pc(), d->end_pc(), d->name()});
}

} // namespace

bool deserialize(const uint8_t *data, size_t size, Executable &exe,
                 std::string &error) {
  // The identifier sits at bytes 4..7; anything shorter cannot be a binary.
  if (size < 8 || size >= FLATBUFFERS_MAX_BUFFER_SIZE) {
    error = "truncated or corrupt (" + std::to_string(size) + " bytes)";
    return false;
  }
  // Trailing alignment padding is not covered by the FlatBuffer verifier;
  // the length check catches a cut that removed only padding.
  if (size % 8 != 0) {
    error = "truncated or corrupt (" + std::to_string(size) + " bytes)";
    return false;
  }
  if (!fb::BinaryBufferHasIdentifier(data)) {
    error = "not a dojo binary (missing D1BN identifier)";
    return false;
  }
  // Large models carry many descriptor and segment tables; the default
  // table cap (one million) is a safety net we raise, not a format limit.
  flatbuffers::Verifier::Options opts;
  opts.max_tables = 1u << 30;
  flatbuffers::Verifier verifier(data, size, opts);
  if (!fb::VerifyBinaryBuffer(verifier)) {
    error = "truncated or corrupt (" + std::to_string(size) + " bytes)";
    return false;
  }
  const fb::Binary *root = fb::GetBinary(data);
  if (root->version() != kFormatVersion) {
    error = "format version " + std::to_string(root->version()) +
            " is not supported (expected " + std::to_string(kFormatVersion) +
            "); recompile the model";
    return false;
  }
  Executable out;
  out.version = root->version();
  if (std::string err = TargetModel::fromSpec(str(root->target()), out.target);
      !err.empty()) {
    error = "bad target description: " + err;
    return false;
  }
  out.source = str(root->source());
  out.hbmBytes = root->hbm_bytes();
  convertIO(root->inputs(), out.inputs);
  convertIO(root->outputs(), out.outputs);
  if (const auto *nodes = root->nodes())
    for (const fb::NodeCode *n : *nodes) {
      out.nodes.emplace_back();
      convertNode(*n, out.nodes.back());
    }
  if (const auto *routes = root->routes())
    for (const fb::Route *r : *routes)
      out.routes.push_back(toVector<int>(r->nodes()));
  if (const auto *names = root->names())
    for (const flatbuffers::String *s : *names)
      out.names.push_back(str(s));
  if (const auto *segs = root->hbm_init())
    for (const fb::Segment *s : *segs) {
      Segment seg;
      seg.addr = s->addr();
      seg.data = toVector<uint8_t>(s->data());
      out.hbmInit.push_back(std::move(seg));
    }
  if (std::string err = verify(out); !err.empty()) {
    error = err;
    return false;
  }
  exe = std::move(out);
  return true;
}

bool writeExecutable(const std::string &path, const Executable &exe,
                     std::string &error) {
  std::vector<uint8_t> bytes = serialize(exe);
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
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return fail("write failed");
    }
    done += size_t(n);
  }
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
    // Binaries of large models run to hundreds of megabytes: decode them
    // straight from a read-only mapping of the file instead of copying
    // them into a buffer first (the decoder copies what it keeps).
    size_t size = size_t(st.st_size);
    void *map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fileno(f), 0);
    if (map != MAP_FAILED) {
      std::fclose(f);
      ::madvise(map, size, MADV_SEQUENTIAL);
      std::string err;
      bool ok = deserialize(static_cast<const uint8_t *>(map), size, exe, err);
      ::munmap(map, size);
      if (!ok)
        error = path + ": " + err;
      return ok;
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
