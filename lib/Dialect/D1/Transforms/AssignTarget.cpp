//===- AssignTarget.cpp - Attach the target description to a module -------===//
#include "dojo/Dialect/D1/Transforms/Passes.h"

namespace dojo::d1 {
#define GEN_PASS_DEF_D1ASSIGNTARGET
#include "dojo/Dialect/D1/Transforms/Passes.h.inc"
} // namespace dojo::d1

using namespace mlir;
using namespace dojo;

namespace {
struct AssignTargetPass
    : dojo::d1::impl::D1AssignTargetBase<AssignTargetPass> {
  using D1AssignTargetBase::D1AssignTargetBase;
  void runOnOperation() override {
    std::optional<TargetModel> t = TargetModel::byName(target);
    if (!t) {
      getOperation().emitError()
          << "unknown target '" << target << "' (expected d1 or mesh-RxC)";
      return signalPassFailure();
    }
    std::string err = t->applyOverrides(targetOpts);
    if (!err.empty()) {
      getOperation().emitError() << err;
      return signalPassFailure();
    }
    getOperation()->setAttr(d1::kTargetAttrName,
                            StringAttr::get(&getContext(), t->toSpec()));
    if (dtype != "f32" && dtype != "bf16") {
      getOperation().emitError()
          << "unknown dtype '" << dtype << "' (expected f32 or bf16)";
      return signalPassFailure();
    }
    getOperation()->setAttr("d1.dtype", StringAttr::get(&getContext(), dtype));
  }
};
} // namespace
