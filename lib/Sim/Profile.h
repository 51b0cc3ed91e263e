//===- Profile.h - Per-thread CPU time of a run (DOJO_SIM_PROFILE) --------===//
//
// Private to lib/Sim. With the environment variable DOJO_SIM_PROFILE set,
// simulate() prints to stderr the wall time of the event loop and the CPU
// time of the timing side and of every worker, which tells whether the one
// timing thread or the data side is a run's critical path. Unset, it costs
// one getenv per run.
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_LIB_SIM_PROFILE_H
#define DOJO_LIB_SIM_PROFILE_H

#include "Replay.h"

#include <ctime>

namespace dojo::sim::detail {

/// Seconds on clock `id` (clock_gettime).
double clockSeconds(clockid_t id);
/// CPU seconds the calling thread has used since it started.
double threadCpuSeconds();

class SimProfile {
public:
  SimProfile();
  /// The event loop ended: records the timing side's CPU and wall time.
  void timingDone();
  /// Prints the profile (`replay`: null in sequential mode), with the
  /// transfers that shared an earlier gather.
  void report(const ReplayState *replay, int64_t gathersSaved) const;

private:
  bool enabled_ = false;
  double wall0_ = 0, cpu0_ = 0;
  double timingWall_ = 0, timingCpu_ = 0;
};

} // namespace dojo::sim::detail

#endif // DOJO_LIB_SIM_PROFILE_H
