//===- TargetModel.cpp - Named targets, overrides and spec strings --------===//
#include "dojo/Target/TargetModel.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <regex>
#include <sstream>

namespace dojo {

namespace {

/// One field of the target: how to read it from text and write it back.
struct Field {
  std::function<std::string(TargetModel &, const std::string &)> set;
  std::function<std::string(const TargetModel &)> get;
};

std::string parseInt64(const std::string &v, int64_t &out) {
  try {
    size_t pos = 0;
    long long x = std::stoll(v, &pos, 0);
    if (pos != v.size())
      return "not an integer: '" + v + "'";
    out = x;
    return "";
  } catch (...) {
    return "not an integer: '" + v + "'";
  }
}

Field intField(int TargetModel::*m) {
  return {[m](TargetModel &t, const std::string &v) {
            int64_t x;
            std::string err = parseInt64(v, x);
            if (err.empty())
              t.*m = int(x);
            return err;
          },
          [m](const TargetModel &t) { return std::to_string(t.*m); }};
}

Field int64Field(int64_t TargetModel::*m) {
  return {[m](TargetModel &t, const std::string &v) {
            return parseInt64(v, t.*m);
          },
          [m](const TargetModel &t) { return std::to_string(t.*m); }};
}

const std::vector<std::pair<std::string, Field>> &fields() {
  static const std::vector<std::pair<std::string, Field>> table = {
      {"name",
       {[](TargetModel &t, const std::string &v) {
          t.name = v;
          return std::string();
        },
        [](const TargetModel &t) { return t.name; }}},
      {"rows", intField(&TargetModel::rows)},
      {"cols", intField(&TargetModel::cols)},
      {"disabled",
       {[](TargetModel &t, const std::string &v) -> std::string {
          // Coordinates are `r:c` separated by ';' (ids are not used in text
          // because they change meaning when `cols` is overridden).
          std::vector<std::pair<int, int>> coords;
          std::stringstream ss(v);
          std::string item;
          while (std::getline(ss, item, ';')) {
            if (item.empty())
              continue;
            int r, c;
            char extra;
            if (std::sscanf(item.c_str(), "%d:%d%c", &r, &c, &extra) != 2 ||
                r < 0 || c < 0 || r >= 65536 || c >= 65536)
              return "disabled node '" + item + "' is not 'row:col'";
            coords.push_back({r, c});
          }
          t.disabled.clear();
          // Stored as coordinates first; ids are fixed up in finalize.
          for (auto [r, c] : coords)
            t.disabled.push_back(r * 65536 + c);
          return "";
        },
        [](const TargetModel &t) {
          std::string s;
          for (int id : t.disabled) {
            Coord c = t.coord(id);
            if (!s.empty())
              s += ";";
            s += std::to_string(c.row) + ":" + std::to_string(c.col);
          }
          return s;
        }}},
      {"sram_bytes", int64Field(&TargetModel::sramBytes)},
      {"reserved_bytes", int64Field(&TargetModel::reservedBytes)},
      {"mac_bf16", intField(&TargetModel::macsPerCycleBF16)},
      {"mac_f32", intField(&TargetModel::macsPerCycleF32)},
      {"vector_bytes", intField(&TargetModel::vectorBytes)},
      {"link_bytes", intField(&TargetModel::linkBytesPerCycle)},
      {"inject_bytes", intField(&TargetModel::injectBytesPerCycle)},
      {"hop_latency", intField(&TargetModel::hopLatency)},
      {"inject_latency", intField(&TargetModel::injectLatency)},
      {"eject_latency", intField(&TargetModel::ejectLatency)},
      {"dma_issue", intField(&TargetModel::dmaIssueCycles)},
      {"sfu_cycles", intField(&TargetModel::specialFunctionCycles)},
      {"barrier_latency", intField(&TargetModel::barrierLatency)},
      {"hbm_bytes_per_cycle", intField(&TargetModel::hbmBytesPerCycle)},
      {"hbm_latency", intField(&TargetModel::hbmLatency)},
      {"hbm_bytes", int64Field(&TargetModel::hbmBytes)},
      {"clock_ghz",
       {[](TargetModel &t, const std::string &v) -> std::string {
          try {
            size_t pos = 0;
            double x = std::stod(v, &pos);
            if (pos != v.size())
              return "not a number: '" + v + "'";
            t.clockGHz = x;
            return "";
          } catch (...) {
            return "not a number: '" + v + "'";
          }
        },
        [](const TargetModel &t) {
          std::ostringstream os;
          os << t.clockGHz;
          return os.str();
        }}},
  };
  return table;
}

/// Disabled entries are parsed as `row * 65536 + col` so that a `cols`
/// override given in the same string is honoured; convert them to ids,
/// rejecting coordinates outside the (possibly resized) mesh.
std::string finalizeDisabled(TargetModel &t) {
  for (int &id : t.disabled) {
    int r = id / 65536, c = id % 65536;
    if (r < 0 || r >= t.rows || c < 0 || c >= t.cols)
      return "disabled node " + std::to_string(r) + ":" + std::to_string(c) +
             " is outside the " + std::to_string(t.rows) + "x" +
             std::to_string(t.cols) + " mesh";
    id = r * t.cols + c;
  }
  std::sort(t.disabled.begin(), t.disabled.end());
  t.disabled.erase(std::unique(t.disabled.begin(), t.disabled.end()),
                   t.disabled.end());
  return "";
}

std::string applyPairs(TargetModel &t, const std::string &text) {
  std::stringstream ss(text);
  std::string item;
  bool sawDisabled = false;
  std::vector<int> oldDisabledCoords;
  // Keep existing disabled nodes as coordinates in case `cols` changes.
  for (int id : t.disabled) {
    Coord c = t.coord(id);
    oldDisabledCoords.push_back(c.row * 65536 + c.col);
  }
  while (std::getline(ss, item, ',')) {
    if (item.empty())
      continue;
    auto eq = item.find('=');
    if (eq == std::string::npos)
      return "target override '" + item + "' is not key=value";
    std::string key = item.substr(0, eq), value = item.substr(eq + 1);
    auto it = std::find_if(fields().begin(), fields().end(),
                           [&](auto &f) { return f.first == key; });
    if (it == fields().end()) {
      std::string known;
      for (auto &f : fields())
        known += (known.empty() ? "" : ", ") + f.first;
      return "unknown target field '" + key + "' (known: " + known + ")";
    }
    if (key == "disabled")
      sawDisabled = true;
    std::string err = it->second.set(t, value);
    if (!err.empty())
      return "target field '" + key + "': " + err;
  }
  if (!sawDisabled)
    t.disabled = oldDisabledCoords;
  if (std::string err = finalizeDisabled(t); !err.empty())
    return "target field 'disabled': " + err;
  return t.validate();
}

} // namespace

std::optional<TargetModel> TargetModel::byName(const std::string &name) {
  TargetModel t;
  if (name == "d1") {
    // The D1 die: 18 x 20 physical nodes of which 354 are enabled. Tesla did
    // not publish which six are harvested; these positions are a modelling
    // choice spread over the die (overridable with `disabled=`).
    t.name = "d1";
    t.rows = 18;
    t.cols = 20;
    for (Coord c : {Coord{2, 3}, Coord{5, 16}, Coord{8, 9}, Coord{11, 1},
                    Coord{14, 12}, Coord{16, 6}})
      t.disabled.push_back(t.nodeId(c));
    t.sramBytes = 1310720;
    t.reservedBytes = 64 * 1024;
    return t;
  }
  static const std::regex meshRe("mesh-([0-9]+)x([0-9]+)");
  std::smatch m;
  if (std::regex_match(name, m, meshRe)) {
    t.name = name;
    t.rows = std::stoi(m[1]);
    t.cols = std::stoi(m[2]);
    if (t.rows < 1 || t.cols < 1 || t.rows > 256 || t.cols > 256)
      return std::nullopt;
    // Test meshes keep the D1's rates but a small SRAM so that tiling and
    // overflow paths are exercised by small models.
    t.sramBytes = 256 * 1024;
    t.reservedBytes = 4 * 1024;
    return t;
  }
  return std::nullopt;
}

std::string TargetModel::applyOverrides(const std::string &overrides) {
  return applyPairs(*this, overrides);
}

std::string TargetModel::fromSpec(const std::string &spec, TargetModel &out) {
  out = TargetModel();
  out.disabled.clear();
  return applyPairs(out, spec);
}

std::string TargetModel::toSpec() const {
  std::string s;
  for (auto &f : fields()) {
    if (!s.empty())
      s += ",";
    s += f.first + "=" + f.second.get(*this);
  }
  return s;
}

std::string TargetModel::validate() const {
  if (rows < 1 || cols < 1)
    return "target mesh must have at least one row and one column";
  if (rows > 4096 || cols > 4096)
    return "target mesh is too large";
  for (int id : disabled)
    if (id < 0 || id >= numNodes())
      return "disabled node id " + std::to_string(id) + " is outside the " +
             std::to_string(rows) + "x" + std::to_string(cols) + " mesh";
  if (numEnabled() < 1)
    return "target has no enabled node";
  if (sramBytes <= 0 || reservedBytes < 0 || reservedBytes >= sramBytes)
    return "target SRAM size must exceed its reserved region";
  if (sramBytes % 64 || reservedBytes % 64)
    return "target SRAM sizes must be multiples of 64 bytes";
  if (macsPerCycleBF16 < 1 || macsPerCycleF32 < 1 || vectorBytes < 4 ||
      vectorBytes % 4)
    return "target compute rates must be positive";
  if (linkBytesPerCycle < 1 || injectBytesPerCycle < 1 || hbmBytesPerCycle < 1)
    return "target bandwidths must be positive";
  if (hopLatency < 0 || injectLatency < 0 || ejectLatency < 0 ||
      hbmLatency < 0 || dmaIssueCycles < 0 || barrierLatency < 0 ||
      specialFunctionCycles < 1)
    return "target latencies must not be negative";
  if (clockGHz <= 0)
    return "target clock must be positive";
  return "";
}

bool TargetModel::isEnabled(Coord c) const {
  if (!inMesh(c))
    return false;
  int id = nodeId(c);
  return std::find(disabled.begin(), disabled.end(), id) == disabled.end();
}

int TargetModel::numEnabled() const {
  int n = 0;
  for (int id = 0; id < numNodes(); ++id)
    n += isEnabled(id);
  return n;
}

std::vector<int> TargetModel::enabledNodesSnake() const {
  std::vector<int> out;
  for (int r = 0; r < rows; ++r)
    for (int i = 0; i < cols; ++i) {
      int c = (r % 2 == 0) ? i : cols - 1 - i;
      if (isEnabled(Coord{r, c}))
        out.push_back(nodeId(Coord{r, c}));
    }
  return out;
}

namespace {

int sgn(int v) { return (v > 0) - (v < 0); }
/// Division rounding toward negative infinity (the curve halves signed
/// extents).
int floorHalf(int v) { return v >= 0 ? v / 2 : -((-v + 1) / 2); }

/// Appends the cells of the rectangle at (x, y) spanned by the major axis
/// (ax, ay) and the minor axis (bx, by) in generalized Hilbert order. `x`
/// counts rows and `y` columns.
void gilbert(int x, int y, int ax, int ay, int bx, int by,
             std::vector<Coord> &out) {
  int w = std::abs(ax + ay), h = std::abs(bx + by);
  int dax = sgn(ax), day = sgn(ay), dbx = sgn(bx), dby = sgn(by);
  if (h == 1 || w == 1) {
    // A single row or column: walk it.
    int n = h == 1 ? w : h, dx = h == 1 ? dax : dbx, dy = h == 1 ? day : dby;
    for (int i = 0; i < n; ++i, x += dx, y += dy)
      out.push_back(Coord{x, y});
    return;
  }
  int ax2 = floorHalf(ax), ay2 = floorHalf(ay);
  int bx2 = floorHalf(bx), by2 = floorHalf(by);
  int w2 = std::abs(ax2 + ay2), h2 = std::abs(bx2 + by2);
  if (2 * w > 3 * h) {
    // Long rectangle: cut it in two along the major axis (an even first
    // half keeps the curve's ends on the right sides).
    if (w2 % 2 && w > 2) {
      ax2 += dax;
      ay2 += day;
    }
    gilbert(x, y, ax2, ay2, bx, by, out);
    gilbert(x + ax2, y + ay2, ax - ax2, ay - ay2, bx, by, out);
    return;
  }
  if (h2 % 2 && h > 2) {
    bx2 += dbx;
    by2 += dby;
  }
  // Standard case: up along the minor axis, across, and back down.
  gilbert(x, y, bx2, by2, ax2, ay2, out);
  gilbert(x + bx2, y + by2, ax, ay, bx - bx2, by - by2, out);
  gilbert(x + (ax - dax) + (bx2 - dbx), y + (ay - day) + (by2 - dby), -bx2,
          -by2, -(ax - ax2), -(ay - ay2), out);
}

} // namespace

std::vector<int> TargetModel::enabledNodesCurve() const {
  std::vector<Coord> cells;
  cells.reserve(size_t(numNodes()));
  // The major axis is the longer side. The curve's first step is along the
  // minor axis, so a square mesh takes rows as major and starts along its
  // first row, as the snake order does.
  if (rows >= cols)
    gilbert(0, 0, rows, 0, 0, cols, cells);
  else
    gilbert(0, 0, 0, cols, rows, 0, cells);
  std::vector<int> out;
  for (Coord c : cells)
    if (isEnabled(c))
      out.push_back(nodeId(c));
  return out;
}

} // namespace dojo
