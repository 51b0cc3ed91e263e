//===- DistributeOps.cpp - Per-layer lowering of the Distributor -----------===//
//
// For each layer block: stage operand regions in the layout the kernel wants
// (channels-last activations for convolution, row-major panels for matrix
// products), create the output buffer, and emit the d1.kernel with the
// geometry the code generator needs.
//
//===----------------------------------------------------------------------===//
#include "Distributor.h"
#include "dojo/Dialect/DNN/IR/DNNOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace dojo;
using namespace dojo::d1;

namespace {

/// How an elementwise result of some ONNX element type is finished on FP32
/// lanes: `fn` is the kernel function, `wrapBits` (8 or 16; 0 = none) asks
/// the kernel to reduce the result modulo 2^wrapBits, into the signed range
/// when `wrapSigned`. 32- and 64-bit integers are not wrapped: FP32 holds
/// them exactly only below 2^24 anyway (docs/decisions.md).
struct EltwiseFn {
  std::string fn;
  int64_t wrapBits = 0;
  bool wrapSigned = false;
};

/// The width of an integer type other than i1 (0 for floats and i1).
unsigned intBits(Type t) {
  auto i = dyn_cast<IntegerType>(t);
  return i && i.getWidth() > 1 ? i.getWidth() : 0;
}

/// Wrap-around for 8- and 16-bit integer results.
void setWrap(EltwiseFn &f, Type t) {
  unsigned bits = intBits(t);
  if (bits == 8 || bits == 16) {
    f.wrapBits = bits;
    f.wrapSigned = !t.isUnsignedInteger();
  }
}

/// True when every value of `from`, as the mesh holds it, is already a
/// value of `to`, so the cast moves nothing.
bool castIsExact(Type from, Type to) {
  if (to.isF32() || to.isF64())
    return true; // the mesh carries DOUBLE in FP32 lanes
  bool small = from.isInteger(1) || intBits(from) == 8;
  if (to.isF16() || to.isBF16())
    return from == to || small; // both hold every integer up to 256
  if (to.isInteger(1))
    return from.isInteger(1);
  if (llvm::isa<FloatType>(from))
    return false; // truncation
  unsigned tb = intBits(to), fb = intBits(from);
  if (from.isInteger(1) || tb >= 32)
    return true; // wide targets are not wrapped
  bool fu = from.isUnsignedInteger(), tu = to.isUnsignedInteger();
  // [0, 2^fb) or [-2^(fb-1), 2^(fb-1)) inside the target range.
  return fu == tu ? fb <= tb : (fu && fb < tb);
}

/// The kernel function for a dnn.cast that is not exact.
EltwiseFn castFn(Type from, Type to) {
  EltwiseFn f;
  if (to.isF16())
    f.fn = "round_f16";
  else if (to.isBF16())
    f.fn = "round_bf16";
  else if (to.isInteger(1))
    f.fn = "nonzero";
  else
    f.fn = llvm::isa<FloatType>(from) ? "trunc" : "identity";
  setWrap(f, to);
  return f;
}

} // namespace

bool Distributor::isIdentityCast(Operation *op) {
  auto cast = dyn_cast<dnn::CastOp>(op);
  return cast && castIsExact(cast.getInput().getType().getElementType(),
                             cast.getType().getElementType());
}


LogicalResult Distributor::lowerLayer(Operation *op) {
  // A tensor with no elements (a zero-sized split, an empty reshape) has no
  // blocks and costs nothing.
  if (op->getNumResults() == 1)
    if (auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
        type && type.hasStaticShape() && type.getNumElements() == 0) {
      dist[op->getResult(0)].shape.assign(type.getShape().begin(),
                                          type.getShape().end());
      return success();
    }
  if (llvm::isa<dnn::ReshapeOp>(op) && succeeded(lowerReshapeView(op)))
    return success();
  if (isIdentityCast(op)) {
    // FP32 carries every element type on the mesh: no data changes.
    auto it = dist.find(op->getOperand(0));
    if (it == dist.end())
      return op->emitError("operand is not mapped to the mesh");
    DistTensor copy = it->second;
    dist[op->getResult(0)] = copy;
    return success();
  }
  std::optional<OpGeometry> g = getOpGeometry(op);
  if (!g)
    return op->emitError() << "'" << op->getName()
                           << "' cannot be mapped to the D1 mesh";
  auto split = op->getAttrOfType<DenseI64ArrayAttr>(kSplitAttrName);
  if (!split || split.size() != int64_t(g->outShape.size()))
    return op->emitError("missing or malformed d1.split: run d1-tile first");
  std::vector<Box> blocks = enumerateBlocks(g->outShape, g->units, split.asArrayRef());
  if (auto parts = op->getAttrOfType<IntegerAttr>(kKSplitAttrName);
      parts && parts.getInt() > 1)
    return lowerConvKSplit(op, blocks, parts.getInt());
  DistTensor &out = dist[op->getResult(0)];
  out.shape = g->outShape;
  size_t n = order.size();
  FailureOr<std::vector<int>> where = pieceNodes(op, blocks.size());
  if (failed(where))
    return failure();
  for (size_t round = 0; round * n < blocks.size(); ++round) {
    StepOp step = newStep(op->getLoc());
    int stepIndex = int(step.getIndex());
    builder.setInsertionPointToEnd(&step.getBody().front());
    for (size_t i = round * n; i < std::min(blocks.size(), (round + 1) * n); ++i) {
      FailureOr<TensorBlock> block =
          lowerBlock(op, blocks[i], (*where)[i], stepIndex);
      if (failed(block))
        return failure();
      dist[op->getResult(0)].blocks.push_back(*block);
    }
  }
  return success();
}

FailureOr<TensorBlock> Distributor::lowerBlock(Operation *op, const Box &box,
                                         int nodeId, int step) {
  if (isDynamicMove(op))
    return lowerDynamic(op, box, nodeId, step);
  return llvm::TypeSwitch<Operation *, FailureOr<TensorBlock>>(op)
      .Case<dnn::ConvOp, dnn::ConvTransposeOp>(
          [&](auto) { return lowerConv(op, box, nodeId, step); })
      .Case<dnn::GemmOp, dnn::MatMulOp>(
          [&](auto) { return lowerMatmul(op, box, nodeId, step); })
      .Case<dnn::AddOp, dnn::ReluOp, dnn::UnaryOp, dnn::BinaryOp, dnn::WhereOp,
            dnn::CastOp>(
          [&](auto) { return lowerEltwise(op, box, nodeId, step); })
      .Case<dnn::BroadcastOp, dnn::TransposeOp, dnn::ConcatOp, dnn::SliceOp,
            dnn::PadOp, dnn::GatherOp>(
          [&](auto) { return lowerMove(op, box, nodeId, step); })
      .Case<dnn::ResizeOp>(
          [&](auto) { return lowerResize(op, box, nodeId, step); })
      .Case<dnn::DynamicResizeOp>(
          [&](auto) { return lowerDynamicResize(op, box, nodeId, step); })
      .Case<dnn::PoolOp>(
          [&](auto) { return lowerPool(op, box, nodeId, step); })
      .Case<dnn::ReduceOp, dnn::SoftmaxOp, dnn::LayerNormOp>(
          [&](auto) { return lowerRows(op, box, nodeId, step); })
      .Case<dnn::GlobalAvgPoolOp>(
          [&](auto) { return lowerAvgPool(op, box, nodeId, step); })
      .Case<dnn::ReshapeOp>(
          [&](auto) { return lowerReshapeCopy(op, box, nodeId, step); })
      .Default([&](Operation *) -> FailureOr<TensorBlock> {
        return op->emitError("no block lowering for this op");
      });
}

FailureOr<TensorBlock> Distributor::lowerConv(Operation *op, const Box &box,
                                        int nodeId, int step,
                                        const ConvPart &part) {
  // A transposed convolution is a convolution (stride 1, flipped and
  // transposed weights) over its input dilated by the stride: the staging
  // gather scatters input elements `stride` apart into a zeroed window.
  auto convT = dyn_cast<dnn::ConvTransposeOp>(op);
  Value input = op->getOperand(0), weight = op->getOperand(1);
  Value biasValue = convT ? convT.getBias() : cast<dnn::ConvOp>(op).getBias();
  int64_t group = convT ? convT.getGroup() : cast<dnn::ConvOp>(op).getGroup();
  StringRef act = convT ? StringRef("none") : cast<dnn::ConvOp>(op).getAct();
  if (!part.bias)
    biasValue = Value();
  if (!part.act)
    act = "none";
  auto realX = shapeOf(input);
  auto realW = shapeOf(weight);
  unsigned spatial = realX.size() - 2;
  SmallVector<int64_t, 5> x(realX.begin(), realX.end());
  SmallVector<int64_t, 5> w(realW.begin(), realW.end());
  SmallVector<int64_t, 3> strides, pads, dil, inDil(spatial, 1);
  if (convT) {
    w[0] = realW[1] * group;
    w[1] = realW[0] / group;
    for (unsigned i = 0; i < spatial; ++i) {
      int64_t s = convT.getStrides()[i], d = convT.getDilations()[i];
      inDil[i] = s;
      x[2 + i] = (realX[2 + i] - 1) * s + 1;
      strides.push_back(1);
      dil.push_back(d);
      pads.push_back(d * (realW[2 + i] - 1) - convT.getPads()[i]);
    }
  } else {
    auto conv = cast<dnn::ConvOp>(op);
    strides.assign(conv.getStrides().begin(), conv.getStrides().end());
    dil.assign(conv.getDilations().begin(), conv.getDilations().end());
    pads.assign(conv.getPads().begin(), conv.getPads().begin() + spatial);
  }
  int64_t cout = w[0], cinG = w[1], coPerGroup = cout / group;
  // A part of the input channels (d1.ksplit, ungrouped convolutions only):
  // the block reads and multiplies channels [cinLo, cinLo + cinG).
  int64_t cinLo = 0;
  if (part.cinHi >= 0) {
    assert(group == 1 && !convT && "channel parts need a plain convolution");
    cinLo = part.cinLo;
    cinG = part.cinHi - part.cinLo;
  }
  int64_t g0 = box.lo[1] / coPerGroup, g1 = (box.hi[1] - 1) / coPerGroup;
  int64_t groups = g1 - g0 + 1;
  int64_t cp = box.extent(1);
  int64_t cgp = groups > 1 ? coPerGroup : cp;
  int64_t coInGroup = box.lo[1] - g0 * coPerGroup;
  int64_t ci = groups * cinG;
  int64_t np = box.extent(0);

  // Input window of this block, channels-last: [n][spatial...][ci].
  SmallVector<int64_t, 3> win, outExt;
  for (unsigned i = 0; i < spatial; ++i) {
    outExt.push_back(box.extent(2 + i));
    win.push_back((outExt[i] - 1) * strides[i] + (w[2 + i] - 1) * dil[i] + 1);
  }
  // With the matrix unit in BF16 the staged input is stored as BF16 too
  // (the unit rounds it to BF16 anyway): half the SRAM and half the bytes
  // on the NoC, converted by the DMA engine. Elements must pair up into
  // 4-byte words for the vector unit's fills. A constant input is baked
  // into the SRAM image as FP32, so it keeps FP32 staging.
  bool bf16In = bf16Weights && ci % 2 == 0 &&
                !input.getDefiningOp<arith::ConstantOp>();
  int64_t xe = bf16In ? 2 : 4;
  SmallVector<int64_t, 3> winStride(spatial, ci * xe);
  for (int i = int(spatial) - 2; i >= 0; --i)
    winStride[i] = winStride[i + 1] * win[i + 1];
  int64_t inBytes = np * product(win) * ci * xe;
  SmallVector<ViewDim, 6> view;
  view.push_back({0, box.lo[0], np, product(win) * ci * xe});
  int64_t dstBase = 0;
  bool padded = false, allPadding = false;
  for (unsigned i = 0; i < spatial; ++i) {
    int64_t start = box.lo[2 + i] * strides[i] - pads[i];
    int64_t lo = std::max<int64_t>(0, start);
    int64_t hi = std::min<int64_t>(x[2 + i], start + win[i]);
    // Real input elements sit every inDil positions of the (virtual) input.
    int64_t s = inDil[i];
    int64_t r0 = (lo + s - 1) / s, r1 = hi > 0 ? (hi - 1) / s : -1;
    padded |= lo != start || hi != start + win[i] || s > 1;
    allPadding |= r1 < r0;
    dstBase += (r0 * s - start) * winStride[i];
    view.push_back({int(2 + i), r0, std::max<int64_t>(0, r1 - r0 + 1),
                    winStride[i] * s});
  }
  view.push_back({1, g0 * cinG + cinLo, ci, xe});
  Location loc = op->getLoc();
  // Only the window's borders that no transfer writes need the padding
  // value (its whole area would cost a store per 64 bytes of the window).
  SmallVector<int64_t, 24> fillRegions;
  if (padded && !allPadding &&
      llvm::all_of(inDil, [](int64_t s) { return s == 1; })) {
    SmallVector<int64_t, 3> a, b;
    for (unsigned i = 0; i < spatial; ++i) {
      // The interior starts where the real input does (stride-1 input).
      int64_t start = box.lo[2 + i] * strides[i] - pads[i];
      a.push_back(std::max<int64_t>(0, start) - start);
      b.push_back(a.back() + view[1 + i].extent);
    }
    for (int64_t n = 0; n < np; ++n)
      for (unsigned k = 0; k < spatial; ++k)
        for (auto [from, to] : {std::pair{int64_t(0), a[k]},
                                std::pair{b[k], win[k]}}) {
          if (to <= from)
            continue;
          // Outer spatial dimensions run over their interior only.
          int64_t offset = n * product(win) * ci * xe + from * winStride[k];
          SmallVector<std::pair<int64_t, int64_t>, 2> counts;
          for (unsigned j = 0; j < k; ++j) {
            offset += a[j] * winStride[j];
            counts.push_back({b[j] - a[j], winStride[j]});
          }
          while (counts.size() < 2)
            counts.insert(counts.begin(), {1, 0});
          fillRegions.append({offset, counts[0].first, counts[0].second,
                              counts[1].first, counts[1].second,
                              (to - from) * winStride[k]});
        }
  }
  // Sub-blocks in phases, each awaiting only the window rows it needs
  // (DistributeConvPhases.cpp).
  int64_t kvol = product(padTo3(ArrayRef<int64_t>(w).drop_front(2), 1));
  ConvPhases phases;
  if (!allPadding)
    phases = planConvPhases(input, view, outExt, win, strides,
                            ArrayRef<int64_t>(w).drop_front(2), dil,
                            np * product(outExt) * cp * cinG * kvol, inBytes);
  FailureOr<BufferOp> in;
  if (allPadding) {
    // Every tap reads padding: a zero buffer, no transfers.
    BufferOp b = newBuffer(nodeId, "pad", inBytes, step > 0 ? step - 1 : step, loc);
    FillOp::create(builder, loc, b, builder.getF32FloatAttr(0.0f),
                   DenseI64ArrayAttr());
    in = b;
  } else {
    int64_t firstRow = 0, rowStep = 1;
    if (phases.dim >= 0) {
      // Window row of the split dimension's first gathered element.
      unsigned i = unsigned(phases.dim);
      int64_t start = box.lo[2 + i] * strides[i] - pads[i];
      rowStep = inDil[i];
      firstRow = view[1 + i].lo * rowStep - start;
    }
    in = stagePhased(phases, firstRow, rowStep, input, view, dstBase, inBytes,
                     nodeId, step,
                     padded ? std::optional<float>(0.0f) : std::nullopt, loc,
                     opName(op) + "_in", fillRegions, bf16In ? 16 : 1);
  }
  if (failed(in))
    return failure();

  // Weights, as [group][kd][kh][co][kw][ci] so that the kw taps of one output
  // channel are contiguous and can be merged into one matrix instruction.
  auto wConst = weight.getDefiningOp<arith::ConstantOp>();
  auto wData = wConst ? dyn_cast<DenseElementsAttr>(wConst.getValue())
                      : DenseElementsAttr();
  SmallVector<int64_t, 3> k3 = padTo3(ArrayRef<int64_t>(w).drop_front(2), 1);
  int64_t wBytes = groups * kvol * cgp * cinG * 4;
  SmallVector<int64_t, 6> wStrides = rowMajorStrides(realW);
  BufferOp wBuf;
  if (!wData || mapStreamedConstant(weight)) {
    // Weights computed at run time (or fed as a model input) are gathered
    // like activations, one group at a time because the layout splits the
    // output-channel dimension into group and channel-in-group.
    wBuf = newBuffer(nodeId, opName(op) + "_w", wBytes, step, loc);
    int64_t wCo = k3[2] * cinG * 4, wKh = cgp * wCo, wKd = k3[1] * wKh;
    int64_t tapStride[3] = {wKd, wKh, cinG * 4};
    for (int64_t g = 0; g < groups; ++g) {
      // Conv weights are W[co][ci][k]; transposed-conv weights are
      // W[ci][co in group][k] read with every tap reversed.
      SmallVector<ViewDim, 5> view;
      int coDim = convT ? 1 : 0, ciDim = convT ? 0 : 1;
      int64_t coLo = convT ? coInGroup : (g0 + g) * coPerGroup + coInGroup;
      int64_t ciLo = convT ? (g0 + g) * cinG : cinLo;
      auto tap = [&](unsigned i, int64_t stride) {
        int64_t k = realW[2 + i];
        return convT ? ViewDim{int(2 + i), k - 1, k, stride, -1}
                     : ViewDim{int(2 + i), 0, k, stride};
      };
      unsigned firstTap = 3 - spatial;
      for (unsigned i = 0; i < spatial; ++i)
        if (firstTap + i < 2)
          view.push_back(tap(i, tapStride[firstTap + i]));
      view.push_back({coDim, coLo, cgp, wCo});
      if (spatial >= 1)
        view.push_back(tap(spatial - 1, cinG * 4));
      view.push_back({ciDim, ciLo, cinG, 4});
      if (failed(gatherInto(weight, view, wBuf, g * kvol * cgp * cinG * 4,
                            step, loc)))
        return failure();
    }
  } else {
    // Constant weights are baked into the node's SRAM image, once per node.
    std::string key;
    llvm::raw_string_ostream(key)
        << "w/" << weight.getAsOpaquePointer() << "/" << nodeId
        << "/" << g0 << "/" << groups << "/" << coInGroup << "/" << cgp
        << "/" << cinLo << "/" << cinG;
    if (auto it = constantCache.find(key); it != constantCache.end()) {
      wBuf = it->second;
    } else {
      std::vector<float> data(wBytes / 4);
      // Read the FP32 weights in place: copying the whole tensor for every
      // block made baking quadratic in the number of blocks.
      SmallVector<float> converted;
      const float *all = nullptr;
      bool splat = wData.isSplat();
      if (wData.getElementType().isF32()) {
        all = reinterpret_cast<const float *>(wData.getRawData().data());
      } else {
        for (APFloat v : wData.getValues<APFloat>())
          converted.push_back(float(v.convertToDouble()));
        all = converted.data();
        splat = false;
      }
      int64_t kOff = 3 - (w.size() - 2);
      size_t pos = 0;
      for (int64_t g = 0; g < groups; ++g)
        for (int64_t kd = 0; kd < k3[0]; ++kd)
          for (int64_t kh = 0; kh < k3[1]; ++kh)
            for (int64_t c = 0; c < cgp; ++c)
              for (int64_t kw = 0; kw < k3[2]; ++kw)
                for (int64_t i = 0; i < cinG; ++i) {
                  int64_t co = (g0 + g) * coPerGroup + coInGroup + c;
                  int64_t kidx[3] = {kd, kh, kw};
                  int64_t off;
                  if (convT) {
                    // W[g * Cin_g + ci][co % Cout_g][K - 1 - k]
                    off = ((g0 + g) * cinG + i) * wStrides[0] +
                          (co % coPerGroup) * wStrides[1];
                    for (unsigned s = 0; s < spatial; ++s)
                      off += (realW[2 + s] - 1 - kidx[s + kOff]) * wStrides[2 + s];
                  } else {
                    off = co * wStrides[0] + (cinLo + i) * wStrides[1];
                    for (unsigned s = 0; s < spatial; ++s)
                      off += kidx[s + kOff] * wStrides[2 + s];
                  }
                  data[pos++] = all[splat ? 0 : off];
                }
      ElementsAttr init;
      if (bf16Weights) {
        // BF16 storage halves the SRAM the weights take; the matrix unit
        // rounds to BF16 anyway, so the values are the same.
        std::vector<uint16_t> half(data.size());
        for (size_t i = 0; i < data.size(); ++i)
          half[i] = toBF16(data[i]);
        auto type = RankedTensorType::get({int64_t(half.size())},
                                          builder.getBF16Type());
        init = DenseElementsAttr::getFromRawBuffer(
            type, ArrayRef<char>(reinterpret_cast<const char *>(half.data()),
                                 half.size() * 2));
        wBytes = int64_t(half.size()) * 2;
      } else {
        auto type =
            RankedTensorType::get({int64_t(data.size())}, builder.getF32Type());
        init = DenseElementsAttr::get(type, ArrayRef<float>(data));
      }
      wBuf = newBuffer(nodeId, opName(op) + "_w", wBytes, 0, loc, init);
      constantCache[key] = wBuf;
    }
  }
  use(wBuf, step);

  SmallVector<Value, 4> operands = {*in, wBuf};
  bool hasBias = bool(biasValue);
  if (hasBias) {
    ViewDim bv{0, box.lo[1], cp, 4};
    FailureOr<BufferOp> bias = stage(biasValue, bv, 0, cp * 4, nodeId,
                                     step, std::nullopt, loc, opName(op) + "_b");
    if (failed(bias))
      return failure();
    operands.push_back(*bias);
  }
  TensorBlock out = makeOutputBlock(op, box, nodeId, step, /*channelsLast=*/true);
  operands.push_back(out.buffer);

  auto arr = [&](ArrayRef<int64_t> v) { return builder.getDenseI64ArrayAttr(v); };
  NamedAttrList params;
  params.append("n", builder.getI64IntegerAttr(np));
  params.append("groups", builder.getI64IntegerAttr(groups));
  params.append("cin", builder.getI64IntegerAttr(cinG));
  params.append("ci", builder.getI64IntegerAttr(ci));
  params.append("cg", builder.getI64IntegerAttr(cgp));
  params.append("cp", builder.getI64IntegerAttr(cp));
  params.append("out", arr(padTo3(outExt, 1)));
  params.append("win", arr(padTo3(win, 1)));
  params.append("kernel", arr(k3));
  params.append("strides", arr(padTo3(strides, 1)));
  params.append("dilations", arr(padTo3(dil, 1)));
  params.append("bias", builder.getBoolAttr(hasBias));
  params.append("act", builder.getStringAttr(act));
  params.append("xstorage", builder.getI64IntegerAttr(bf16In ? 1 : 0));
  params.append("wstorage",
                builder.getI64IntegerAttr(wBuf.getInit() && bf16Weights ? 1 : 0));
  // One kernel per sub-block, each computing its output positions along
  // the split dimension (padded to three like "out") in its phase.
  for (size_t c = 0; c < phases.count(); ++c) {
    NamedAttrList sub = params;
    if (phases.dim >= 0)
      sub.append("rows", arr({int64_t(phases.dim + 3 - spatial),
                              phases.bounds[c], phases.bounds[c + 1]}));
    auto kernel =
        KernelOp::create(builder, loc, builder.getStringAttr("conv"), operands,
                         sub.getDictionary(builder.getContext()));
    if (c > 0)
      kernel->setAttr(kPhaseAttrName, builder.getI64IntegerAttr(int64_t(c)));
  }
  return out;
}

FailureOr<TensorBlock> Distributor::lowerMatmul(Operation *op, const Box &box,
                                          int nodeId, int step) {
  Value a, b, c;
  bool transA = false, transB = false;
  float alpha = 1.0f, beta = 0.0f;
  StringRef act = "none";
  if (auto gemm = dyn_cast<dnn::GemmOp>(op)) {
    a = gemm.getA();
    b = gemm.getB();
    c = gemm.getC();
    transA = gemm.getTransA();
    transB = gemm.getTransB();
    alpha = gemm.getAlpha().convertToFloat();
    beta = gemm.getBeta().convertToFloat();
    act = gemm.getAct();
  } else {
    auto mm = cast<dnn::MatMulOp>(op);
    a = mm.getA();
    b = mm.getB();
  }
  auto out = shapeOf(op->getResult(0));
  unsigned r = out.size(), batchDims = r - 2;
  auto as = shapeOf(a), bs = shapeOf(b);
  int64_t k = transA ? as[as.size() - 2] : as.back();
  int64_t mp = box.extent(r - 2), np = box.extent(r - 1);
  int64_t batch = 1;
  for (unsigned d = 0; d < batchDims; ++d)
    batch *= box.extent(d);
  Location loc = op->getLoc();

  // Batch view dims of an operand of rank `rank` broadcast to the output.
  auto batchView = [&](ArrayRef<int64_t> shape, int64_t panel) {
    SmallVector<ViewDim, 6> view;
    int64_t stride = panel * 4;
    SmallVector<int64_t, 4> strides(batchDims);
    for (int d = int(batchDims) - 1; d >= 0; --d) {
      strides[d] = stride;
      stride *= box.extent(d);
    }
    int offset = int(r) - int(shape.size());
    for (unsigned d = 0; d < batchDims; ++d) {
      int opDim = int(d) - offset;
      if (opDim < 0 || (shape[opDim] == 1 && out[d] != 1))
        view.push_back({-1, 0, box.extent(d), strides[d]});
      else
        view.push_back({opDim, box.lo[d], box.extent(d), strides[d]});
    }
    return view;
  };
  int ra = as.size(), rb = bs.size();
  SmallVector<ViewDim, 6> aView = batchView(as, mp * k);
  aView.push_back({transA ? ra - 1 : ra - 2, box.lo[r - 2], mp, k * 4});
  aView.push_back({transA ? ra - 2 : ra - 1, 0, k, 4});
  SmallVector<ViewDim, 6> bView = batchView(bs, k * np);
  bView.push_back({transB ? rb - 1 : rb - 2, 0, k, np * 4});
  bView.push_back({transB ? rb - 2 : rb - 1, box.lo[r - 1], np, 4});
  FailureOr<BufferOp> aBuf = stage(a, aView, 0, batch * mp * k * 4, nodeId,
                                   step, std::nullopt, loc, opName(op) + "_a");
  if (failed(aBuf))
    return failure();
  FailureOr<BufferOp> bBuf = stage(b, bView, 0, batch * k * np * 4, nodeId,
                                   step, std::nullopt, loc, opName(op) + "_b");
  if (failed(bBuf))
    return failure();
  SmallVector<Value, 4> operands = {*aBuf, *bBuf};
  if (c) {
    auto cs = shapeOf(c);
    SmallVector<ViewDim, 2> cView;
    int offset = 2 - int(cs.size());
    for (unsigned d = 0; d < 2; ++d) {
      int opDim = int(d) - offset;
      int64_t ext = d == 0 ? mp : np, lo = box.lo[r - 2 + d];
      int64_t stride = d == 0 ? np * 4 : 4;
      if (opDim < 0 || (cs[opDim] == 1 && out[r - 2 + d] != 1))
        cView.push_back({-1, 0, ext, stride});
      else
        cView.push_back({opDim, lo, ext, stride});
    }
    FailureOr<BufferOp> cBuf = stage(c, cView, 0, mp * np * 4, nodeId, step,
                                     std::nullopt, loc, opName(op) + "_c");
    if (failed(cBuf))
      return failure();
    operands.push_back(*cBuf);
  }
  TensorBlock result = makeOutputBlock(op, box, nodeId, step, /*channelsLast=*/false);
  operands.push_back(result.buffer);
  NamedAttrList params;
  params.append("batch", builder.getI64IntegerAttr(batch));
  params.append("m", builder.getI64IntegerAttr(mp));
  params.append("n", builder.getI64IntegerAttr(np));
  params.append("k", builder.getI64IntegerAttr(k));
  params.append("alpha", builder.getF32FloatAttr(alpha));
  params.append("beta", builder.getF32FloatAttr(beta));
  params.append("bias", builder.getBoolAttr(bool(c)));
  params.append("act", builder.getStringAttr(act));
  KernelOp::create(builder, loc, builder.getStringAttr("matmul"), operands,
                   params.getDictionary(builder.getContext()));
  return result;
}

SmallVector<ViewDim, 6> Distributor::broadcastView(ArrayRef<int64_t> shape,
                                                  ArrayRef<int64_t> outShape,
                                                  const TensorBlock &out) {
  unsigned r = outShape.size();
  // Walk dimensions in the output's memory order so transfers merge.
  SmallVector<unsigned, 6> dims;
  for (unsigned d = 0; d < r; ++d)
    dims.push_back(d);
  llvm::stable_sort(dims, [&](unsigned x, unsigned y) {
    return out.strides[x] > out.strides[y];
  });
  int offset = int(r) - int(shape.size());
  SmallVector<ViewDim, 6> view;
  for (unsigned d : dims) {
    int opDim = int(d) - offset;
    if (opDim < 0 || (shape[opDim] == 1 && outShape[d] != 1))
      view.push_back({-1, 0, out.box.extent(d), out.strides[d]});
    else
      view.push_back({opDim, out.box.lo[d], out.box.extent(d), out.strides[d]});
  }
  return view;
}

FailureOr<TensorBlock> Distributor::lowerEltwise(Operation *op, const Box &box,
                                                 int nodeId, int step) {
  TensorBlock result =
      makeOutputBlock(op, box, nodeId, step, /*channelsLast=*/true);
  auto out = shapeOf(op->getResult(0));
  SmallVector<Value, 3> operands;
  for (Value v : op->getOperands()) {
    FailureOr<BufferOp> staged =
        stage(v, broadcastView(shapeOf(v), out, result), 0,
              box.numElements() * 4, nodeId, step, std::nullopt, op->getLoc(),
              opName(op) + "_x");
    if (failed(staged))
      return failure();
    operands.push_back(*staged);
  }
  operands.push_back(result.buffer);
  // The elementwise function, as the code generator names it, with the
  // integer semantics of the result type (docs/decisions.md): integer
  // division truncates, integer pow rounds, and 8/16-bit add, sub, mul,
  // div, pow, neg and abs wrap around.
  EltwiseFn kind{"relu"};
  StringRef act = "none";
  float alpha = 0.0f, beta = 0.0f;
  Type resultType = cast<RankedTensorType>(op->getResult(0).getType())
                        .getElementType();
  bool intResult = intBits(resultType) > 0;
  if (auto add = dyn_cast<dnn::AddOp>(op)) {
    act = add.getAct();
    kind.fn = "add";
  } else if (auto un = dyn_cast<dnn::UnaryOp>(op)) {
    kind.fn = un.getFn().str();
    alpha = un.getAlpha().convertToFloat();
    beta = un.getBeta().convertToFloat();
    if (intResult && (kind.fn == "neg" || kind.fn == "abs"))
      setWrap(kind, resultType);
  } else if (auto bin = dyn_cast<dnn::BinaryOp>(op)) {
    kind.fn = bin.getFn().str();
    if (intResult && (kind.fn == "add" || kind.fn == "sub" ||
                      kind.fn == "mul" || kind.fn == "div" ||
                      kind.fn == "pow")) {
      if (kind.fn == "div")
        kind.fn = "idiv";
      else if (kind.fn == "pow")
        kind.fn = "ipow";
      setWrap(kind, resultType);
    }
  } else if (llvm::isa<dnn::WhereOp>(op)) {
    kind.fn = "where";
  } else if (auto c = dyn_cast<dnn::CastOp>(op)) {
    kind = castFn(c.getInput().getType().getElementType(), resultType);
  }
  NamedAttrList params;
  params.append("count", builder.getI64IntegerAttr(box.numElements()));
  params.append("op", builder.getStringAttr(kind.fn));
  if (kind.wrapBits) {
    params.append("wrap_bits", builder.getI64IntegerAttr(kind.wrapBits));
    params.append("wrap_signed", builder.getBoolAttr(kind.wrapSigned));
  }
  params.append("act", builder.getStringAttr(act));
  params.append("alpha", builder.getF32FloatAttr(alpha));
  params.append("beta", builder.getF32FloatAttr(beta));
  KernelOp::create(builder, op->getLoc(), builder.getStringAttr("eltwise"),
                   operands, params.getDictionary(builder.getContext()));
  return result;
}

FailureOr<TensorBlock> Distributor::lowerAvgPool(Operation *op, const Box &box,
                                           int nodeId, int step) {
  auto pool = cast<dnn::GlobalAvgPoolOp>(op);
  auto in = shapeOf(pool.getInput());
  int64_t np = box.extent(0), cp = box.extent(1);
  int64_t positions = product(in.drop_front(2));
  SmallVector<ViewDim, 6> view;
  view.push_back({0, box.lo[0], np, positions * cp * 4});
  int64_t stride = cp * 4;
  SmallVector<ViewDim, 4> spatial;
  for (int d = int(in.size()) - 1; d >= 2; --d) {
    spatial.insert(spatial.begin(), {d, 0, in[d], stride});
    stride *= in[d];
  }
  view.append(spatial.begin(), spatial.end());
  view.push_back({1, box.lo[1], cp, 4});
  FailureOr<BufferOp> staged =
      stage(pool.getInput(), view, 0, np * positions * cp * 4, nodeId, step,
            std::nullopt, op->getLoc(), opName(op) + "_x");
  if (failed(staged))
    return failure();
  TensorBlock result = makeOutputBlock(op, box, nodeId, step, /*channelsLast=*/true);
  NamedAttrList params;
  params.append("n", builder.getI64IntegerAttr(np));
  params.append("positions", builder.getI64IntegerAttr(positions));
  params.append("c", builder.getI64IntegerAttr(cp));
  KernelOp::create(builder, op->getLoc(), builder.getStringAttr("avgpool"),
                   ValueRange{*staged, result.buffer},
                   params.getDictionary(builder.getContext()));
  return result;
}

LogicalResult Distributor::lowerReshapeView(Operation *op) {
  // A reshape that only inserts or removes unit dimensions keeps every
  // block's data where it is: re-index the blocks, move nothing.
  Value input = op->getOperand(0);
  auto it = dist.find(input);
  if (it == dist.end())
    return failure();
  auto in = shapeOf(input), out = shapeOf(op->getResult(0));
  SmallVector<unsigned> inDims, outDims;
  for (unsigned d = 0; d < in.size(); ++d)
    if (in[d] != 1)
      inDims.push_back(d);
  for (unsigned d = 0; d < out.size(); ++d)
    if (out[d] != 1)
      outDims.push_back(d);
  if (inDims.size() != outDims.size())
    return failure();
  for (unsigned i = 0; i < inDims.size(); ++i)
    if (in[inDims[i]] != out[outDims[i]])
      return failure();
  DistTensor view;
  view.shape.assign(out.begin(), out.end());
  for (const TensorBlock &b : it->second.blocks) {
    TensorBlock nb = b;
    nb.box = Box::full(out);
    nb.strides.assign(out.size(), 0);
    for (unsigned i = 0; i < inDims.size(); ++i) {
      nb.box.lo[outDims[i]] = b.box.lo[inDims[i]];
      nb.box.hi[outDims[i]] = b.box.hi[inDims[i]];
      nb.strides[outDims[i]] = b.strides[inDims[i]];
    }
    view.blocks.push_back(nb);
  }
  dist[op->getResult(0)] = view;
  return success();
}

FailureOr<TensorBlock> Distributor::lowerReshapeCopy(Operation *op, const Box &box,
                                               int nodeId, int step) {
  // A reshape keeps the row-major order. The block's box is whole along
  // every dimension inside its innermost cut one (see the ReshapeOp rule of
  // getOpGeometry), so it is a set of contiguous row-major runs of the
  // output, one per index of the dimensions outside that one; each run is a
  // contiguous range of the input too, and of the block's row-major buffer.
  TensorBlock result = makeOutputBlock(op, box, nodeId, step, /*channelsLast=*/false);
  auto in = shapeOf(op->getOperand(0)), out = shapeOf(op->getResult(0));
  SmallVector<int64_t, 6> outStrides = rowMajorStrides(out);
  SmallVector<int64_t, 6> inStrides = rowMajorStrides(in);
  // Copies the row-major range [first, last) of the input, cut into input
  // boxes, to byte `offset` + (position - first) * 4 of the block.
  auto copyRun = [&](int64_t first, int64_t last, int64_t offset) {
    int64_t pos = first;
    while (pos < last) {
      SmallVector<int64_t, 6> idx(in.size());
      int64_t rem = pos;
      for (unsigned d = 0; d < in.size(); ++d) {
        idx[d] = rem / inStrides[d];
        rem %= inStrides[d];
      }
      // The outermost dimension along which a run can start here: all
      // inner indices are zero.
      unsigned d = in.size() - 1;
      while (d > 0 && idx[d] == 0 && (last - pos) >= inStrides[d - 1])
        --d;
      int64_t count = std::min(in[d] - idx[d], (last - pos) / inStrides[d]);
      SmallVector<ViewDim, 6> view;
      for (unsigned j = 0; j < in.size(); ++j) {
        int64_t lo = j < d ? idx[j] : (j == d ? idx[j] : 0);
        int64_t ext = j < d ? 1 : (j == d ? count : in[j]);
        view.push_back({int(j), lo, ext, inStrides[j] * 4});
      }
      // Inner indices are zero here, so the view's first element is at
      // linear position `pos`, and its elements keep their input row-major
      // spacing in the output block.
      if (failed(gatherInto(op->getOperand(0), view, result.buffer,
                            offset + (pos - first) * 4, step, op->getLoc())))
        return failure();
      pos += count * inStrides[d];
    }
    return success();
  };
  unsigned rank = out.size();
  // `cut` is the innermost dimension the box does not cover whole; a run
  // spans the box along `cut` and everything inside it.
  unsigned cut = rank - 1;
  while (cut > 0 && box.lo[cut] == 0 && box.hi[cut] == out[cut])
    --cut;
  int64_t runLength = 1;
  for (unsigned d = cut; d < rank; ++d)
    runLength *= box.extent(d);
  int64_t runs = box.numElements() / runLength;
  SmallVector<int64_t, 6> idx(box.lo.begin(), box.lo.end());
  for (int64_t r = 0; r < runs; ++r) {
    int64_t first = 0;
    for (unsigned d = 0; d < rank; ++d)
      first += idx[d] * outStrides[d];
    if (failed(copyRun(first, first + runLength, r * runLength * 4)))
      return failure();
    // The next index of the dimensions outside `cut`, innermost fastest.
    for (int d = int(cut) - 1; d >= 0; --d) {
      if (++idx[d] < box.hi[d])
        break;
      idx[d] = box.lo[d];
    }
  }
  return result;
}
