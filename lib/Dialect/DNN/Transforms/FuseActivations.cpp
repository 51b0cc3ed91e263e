//===- FuseActivations.cpp - Fold dnn.relu into its producer --------------===//
//
// See the description of `dnn-fuse-activations` in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "dojo/Dialect/DNN/IR/DNNOps.h"
#include "dojo/Dialect/DNN/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace dojo::dnn {
#define GEN_PASS_DEF_DNNFUSEACTIVATIONS
#include "dojo/Dialect/DNN/Transforms/Passes.h.inc"
} // namespace dojo::dnn

using namespace mlir;
using namespace dojo::dnn;

namespace {

/// Rewrites `relu(producer(...))` into `producer(...) {act = "relu"}` for
/// the ops that carry an `act` attribute.
struct FoldReluIntoProducer : OpRewritePattern<ReluOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ReluOp relu,
                                PatternRewriter &rewriter) const override {
    Value input = relu.getInput();
    Operation *producer = input.getDefiningOp();
    if (!producer || !isa<ConvOp, GemmOp, AddOp>(producer))
      return rewriter.notifyMatchFailure(relu, "producer has no act attribute");
    // Another user would observe the activation if we folded it.
    if (!input.hasOneUse())
      return rewriter.notifyMatchFailure(relu, "producer has other users");
    auto act = producer->getAttrOfType<StringAttr>("act");
    if (act && act.getValue() != "none")
      return rewriter.notifyMatchFailure(relu, "producer already activated");
    if (input.getType() != relu.getType())
      return rewriter.notifyMatchFailure(relu, "type mismatch");
    rewriter.modifyOpInPlace(producer, [&] {
      producer->setAttr("act", rewriter.getStringAttr("relu"));
    });
    rewriter.replaceOp(relu, input);
    return success();
  }
};

struct DNNFuseActivations
    : dojo::dnn::impl::DNNFuseActivationsBase<DNNFuseActivations> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldReluIntoProducer>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
