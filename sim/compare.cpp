#include "sim/compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <tuple>

#include "sim/errors.hpp"
#include "sim/random.hpp"

namespace attune::sim::compare {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kPi = 3.14159265358979323846;
const double kLogOddsToD = std::sqrt(3.0) / kPi;  // logistic sd: ln OR → d (Chinn 2000)

double square(double x) { return x * x; }

struct Moments {
  std::size_t n = 0;
  double mean = kNaN, var = kNaN;  // var: unbiased (n − 1)
};

Moments moments(const std::vector<double>& x) {
  Moments m;
  m.n = x.size();
  if (x.empty()) return m;
  m.mean = std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size());
  if (x.size() < 2) return m;
  double ss = 0;
  for (double v : x) ss += square(v - m.mean);
  m.var = ss / static_cast<double>(x.size() - 1);
  return m;
}

// Uniform indices in [0, n) for the bootstrap: 8 per Philox block, by multiply-shift of 32 bits.
class Resampler {
 public:
  explicit Resampler(std::uint64_t resample) : stream_(kBootstrapSeed, resample, Purpose::bootstrap) {}
  std::size_t next(std::size_t n) {
    if (pos_ % 8 == 0) block_ = stream_.at(pos_ / 8);
    const std::uint64_t w = block_.w[(pos_ % 8) / 2];
    const std::uint32_t u = (pos_ % 2 == 0) ? low32(w) : high32(w);
    ++pos_;
    return static_cast<std::size_t>((static_cast<std::uint64_t>(u) * n) >> 32);
  }

 private:
  Stream stream_;
  Block block_{};
  std::uint64_t pos_ = 0;
};

// The percentile interval of `stats` (NaN resamples dropped); NaN when fewer than half remain.
std::pair<double, double> percentile_interval(std::vector<double> stats, std::size_t resamples) {
  stats.erase(std::remove_if(stats.begin(), stats.end(), [](double v) { return !std::isfinite(v); }),
              stats.end());
  if (stats.empty() || 2 * stats.size() < resamples) return {kNaN, kNaN};
  return {quantile(stats, 0.025), quantile(stats, 0.975)};
}

// Σ c_i mean_i over the pooled sd.
double pooled_d(const std::vector<Moments>& m, const std::vector<double>& c) {
  double num = 0, ss = 0, df = 0;
  for (std::size_t i = 0; i < m.size(); ++i) {
    num += c[i] * m[i].mean;
    ss += static_cast<double>(m[i].n - 1) * m[i].var;
    df += static_cast<double>(m[i].n - 1);
  }
  const double sp = std::sqrt(ss / df);
  return sp > 0 ? num / sp : kNaN;
}

}  // namespace

double t_quantile(double p, double df) {
  if (!(df > 0) || !std::isfinite(df)) return kNaN;
  return boost::math::quantile(boost::math::students_t_distribution<double>(df), p);
}

Effect no_effect() {
  return Effect{kNaN, kNaN, kNaN, "", kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, false};
}

Interval wilson(std::size_t k, std::size_t n) {
  if (n == 0) return {kNaN, kNaN, kNaN};
  const double nn = static_cast<double>(n);
  const double p = static_cast<double>(k) / nn;
  const double z2 = kZ95 * kZ95;
  const double centre = (p + z2 / (2 * nn)) / (1 + z2 / nn);
  const double half = kZ95 / (1 + z2 / nn) * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
  // The limits are exactly 0 for k = 0 and 1 for k = n (the formula can miss by a rounding).
  return {p, k == 0 ? 0.0 : std::max(0.0, centre - half), k == n ? 1.0 : std::min(1.0, centre + half)};
}

Interval mean_interval(const std::vector<double>& x) {
  const Moments m = moments(x);
  if (m.n < 2) return {m.mean, kNaN, kNaN};
  const double half =
      t_quantile(0.975, static_cast<double>(m.n - 1)) * std::sqrt(m.var / static_cast<double>(m.n));
  return {m.mean, m.mean - half, m.mean + half};
}

double quantile(std::vector<double>& x, double q) {
  if (x.empty()) return kNaN;
  std::sort(x.begin(), x.end());
  const double h = static_cast<double>(x.size() - 1) * q;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, x.size() - 1);
  return x[lo] + (h - static_cast<double>(lo)) * (x[hi] - x[lo]);
}

Effect proportion_contrast(const std::vector<Count>& groups, const std::vector<double>& c) {
  Effect e = no_effect();
  e.effect_size_name = "cohen_h";
  for (const auto& g : groups)
    if (g.n == 0) return e;
  // Difference: MOVER-Wilson (Newcombe 1998a method 10 for two groups; Zou & Donner 2008).
  double theta = 0, below = 0, above = 0;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const Interval w = wilson(groups[i].k, groups[i].n);
    theta += c[i] * w.estimate;
    const double to_low = square(c[i] * (w.estimate - w.low)), to_high = square(c[i] * (w.high - w.estimate));
    below += c[i] > 0 ? to_low : to_high;
    above += c[i] > 0 ? to_high : to_low;
  }
  e.difference = theta;
  e.ci_low = theta - std::sqrt(below);
  e.ci_high = theta + std::sqrt(above);
  // Cohen's h on the arcsine scale, var(2 asin √p̂) ≈ 1/n.
  double h = 0, h_var = 0;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const double p = static_cast<double>(groups[i].k) / static_cast<double>(groups[i].n);
    h += c[i] * 2 * std::asin(std::sqrt(p));
    h_var += square(c[i]) / static_cast<double>(groups[i].n);
  }
  e.effect_size = h;
  e.es_ci_low = h - kZ95 * std::sqrt(h_var);
  e.es_ci_high = h + kZ95 * std::sqrt(h_var);
  // Odds and risk ratios: 0.5 added to every cell of every group when any cell is zero.
  bool zero_cell = false, zero_k = false;
  for (const auto& g : groups) {
    zero_cell = zero_cell || g.k == 0 || g.k == g.n;
    zero_k = zero_k || g.k == 0;
  }
  double lor = 0, lor_var = 0, lrr = 0, lrr_var = 0;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const double add = zero_cell ? 0.5 : 0.0, k = static_cast<double>(groups[i].k) + add,
                 m = static_cast<double>(groups[i].n - groups[i].k) + add;
    lor += c[i] * std::log(k / m);
    lor_var += square(c[i]) * (1 / k + 1 / m);
    const double add_rr = zero_k ? 0.5 : 0.0, kr = static_cast<double>(groups[i].k) + add_rr,
                 nr = static_cast<double>(groups[i].n) + 2 * add_rr;
    lrr += c[i] * std::log(kr / nr);
    lrr_var += square(c[i]) * (1 / kr - 1 / nr);
  }
  // No group has the property: no ratio; every group has it: the risk ratio is 1, the odds none.
  if (std::all_of(groups.begin(), groups.end(), [](const Count& g) { return g.k == 0; })) return e;
  e.corrected = zero_k;
  if (!std::all_of(groups.begin(), groups.end(), [](const Count& g) { return g.k == g.n; })) {
    e.corrected = zero_cell;
    e.log_odds_d = lor * kLogOddsToD;
    e.lod_ci_low = (lor - kZ95 * std::sqrt(lor_var)) * kLogOddsToD;
    e.lod_ci_high = (lor + kZ95 * std::sqrt(lor_var)) * kLogOddsToD;
  }
  e.risk_ratio = std::exp(lrr);
  e.rr_ci_low = std::exp(lrr - kZ95 * std::sqrt(lrr_var));
  e.rr_ci_high = std::exp(lrr + kZ95 * std::sqrt(lrr_var));
  return e;
}

Effect paired_proportion_contrast(const PairedCounts& p) {
  Effect e = no_effect();
  e.effect_size_name = "cohen_h";
  const std::size_t n = p.both + p.group_only + p.reference_only + p.neither;
  if (n == 0) return e;
  const double a = static_cast<double>(p.both), b = static_cast<double>(p.group_only),
               c = static_cast<double>(p.reference_only), d = static_cast<double>(p.neither),
               nn = static_cast<double>(n);
  const Interval w1 = wilson(p.both + p.group_only, n), w0 = wilson(p.both + p.reference_only, n);
  // Newcombe (1998b) method 10: Wilson limits of each margin, corrected by their correlation φ.
  const double margins = (a + b) * (c + d) * (a + c) * (b + d);
  const double phi = margins > 0 ? (a * d - b * c) / std::sqrt(margins) : 0.0;
  const double dl1 = w1.estimate - w1.low, du1 = w1.high - w1.estimate;
  const double dl0 = w0.estimate - w0.low, du0 = w0.high - w0.estimate;
  e.difference = (b - c) / nn;
  e.ci_low = e.difference - std::sqrt(std::max(0.0, dl1 * dl1 - 2 * phi * dl1 * du0 + du0 * du0));
  e.ci_high = e.difference + std::sqrt(std::max(0.0, du1 * du1 - 2 * phi * du1 * dl0 + dl0 * dl0));
  // Cohen's h; the two arcsines correlate by φ (delta method).
  e.effect_size = 2 * std::asin(std::sqrt(w1.estimate)) - 2 * std::asin(std::sqrt(w0.estimate));
  const double h_se = std::sqrt(std::max(0.0, 2 - 2 * phi) / nn);
  e.es_ci_low = e.effect_size - kZ95 * h_se;
  e.es_ci_high = e.effect_size + kZ95 * h_se;
  // McNemar's conditional odds ratio b/c (0.5 added to both when one is zero; none without
  // discordant pairs).
  const bool zero_discordant = p.group_only == 0 || p.reference_only == 0;
  if (p.group_only + p.reference_only > 0) {
    const double bb = b + (zero_discordant ? 0.5 : 0.0), cc = c + (zero_discordant ? 0.5 : 0.0);
    const double lor = std::log(bb / cc), lor_se = std::sqrt(1 / bb + 1 / cc);
    e.log_odds_d = lor * kLogOddsToD;
    e.lod_ci_low = (lor - kZ95 * lor_se) * kLogOddsToD;
    e.lod_ci_high = (lor + kZ95 * lor_se) * kLogOddsToD;
    e.corrected = zero_discordant;
  }
  // Risk ratio (a+b)/(a+c), var ln RR = (b + c)/((a+b)(a+c)); 0.5 per cell when a margin is zero.
  if (a + b == 0 && a + c == 0) return e;  // no pair has the property: no ratio
  const bool zero_margin = a + b == 0 || a + c == 0;
  const double x = zero_margin ? 0.5 : 0.0;
  const double r1 = a + b + 2 * x, r0 = a + c + 2 * x;
  const double lrr = std::log(r1 / r0), lrr_se = std::sqrt((b + c + 2 * x) / (r1 * r0));
  e.corrected = e.corrected || zero_margin;
  e.risk_ratio = std::exp(lrr);
  e.rr_ci_low = std::exp(lrr - kZ95 * lrr_se);
  e.rr_ci_high = std::exp(lrr + kZ95 * lrr_se);
  return e;
}

Effect mean_contrast(const std::vector<std::vector<double>>& groups, const std::vector<double>& c,
                     int resamples) {
  Effect e = no_effect();
  e.effect_size_name = "cohen_d";
  std::vector<Moments> m;
  m.reserve(groups.size());
  for (const auto& g : groups) m.push_back(moments(g));
  if (std::any_of(m.begin(), m.end(), [](const Moments& x) { return x.n < 2; })) {
    if (std::all_of(m.begin(), m.end(), [](const Moments& x) { return x.n > 0; })) {
      e.difference = 0;
      for (std::size_t i = 0; i < m.size(); ++i) e.difference += c[i] * m[i].mean;
    }
    return e;
  }
  // Welch–Satterthwaite.
  double diff = 0, var = 0, df_den = 0;
  for (std::size_t i = 0; i < m.size(); ++i) {
    diff += c[i] * m[i].mean;
    const double v = square(c[i]) * m[i].var / static_cast<double>(m[i].n);
    var += v;
    df_den += v * v / static_cast<double>(m[i].n - 1);
  }
  e.difference = diff;
  if (var > 0) {
    const double half = t_quantile(0.975, var * var / df_den) * std::sqrt(var);
    e.ci_low = diff - half;
    e.ci_high = diff + half;
  } else {
    e.ci_low = e.ci_high = diff;
  }
  e.effect_size = pooled_d(m, c);
  if (std::isnan(e.effect_size) || resamples <= 0) return e;
  std::vector<double> stats(static_cast<std::size_t>(resamples));
  std::vector<Moments> bm(m.size());
  std::vector<double> sample;
  for (std::size_t r = 0; r < stats.size(); ++r) {
    Resampler draw(r);
    for (std::size_t i = 0; i < groups.size(); ++i) {
      sample.resize(groups[i].size());
      for (auto& v : sample) v = groups[i][draw.next(groups[i].size())];
      bm[i] = moments(sample);
    }
    stats[r] = pooled_d(bm, c);
  }
  std::tie(e.es_ci_low, e.es_ci_high) =
      percentile_interval(std::move(stats), static_cast<std::size_t>(resamples));
  return e;
}

Effect paired_mean_contrast(const std::vector<double>& group, const std::vector<double>& reference,
                            int resamples) {
  Effect e = no_effect();
  e.effect_size_name = "d_z";
  std::vector<double> diff(group.size());
  for (std::size_t i = 0; i < diff.size(); ++i) diff[i] = group[i] - reference[i];
  const Interval ci = mean_interval(diff);
  e.difference = ci.estimate;
  e.ci_low = ci.low;
  e.ci_high = ci.high;
  const Moments m = moments(diff);
  if (m.n < 2) return e;
  if (m.var == 0) {  // every pair differs by the same amount
    e.ci_low = e.ci_high = m.mean;
    return e;
  }
  e.effect_size = m.mean / std::sqrt(m.var);
  if (resamples <= 0) return e;
  std::vector<double> stats(static_cast<std::size_t>(resamples)), sample(diff.size());
  for (std::size_t r = 0; r < stats.size(); ++r) {
    Resampler draw(r);
    for (auto& v : sample) v = diff[draw.next(diff.size())];
    const Moments b = moments(sample);
    stats[r] = b.var > 0 ? b.mean / std::sqrt(b.var) : kNaN;
  }
  std::tie(e.es_ci_low, e.es_ci_high) =
      percentile_interval(std::move(stats), static_cast<std::size_t>(resamples));
  return e;
}

// ---------------------------------------------------------------------------------------------
// Grouping a table

std::string cell_text(const Column& c, std::size_t row) {
  if (c.kind == Column::text) return c.texts[row];
  if (c.kind == Column::int64) return fmt::format("{}", c.ints[row]);
  return fmt::format("{}", c.reals[row]);
}

std::vector<std::string> default_levels(const Column& c) {
  std::vector<std::string> out;
  if (c.kind == Column::text) {
    for (const auto& s : c.texts)
      if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
    return out;
  }
  std::vector<double> values;
  for (std::size_t i = 0; i < c.size(); ++i) {
    const double v = c.kind == Column::int64 ? static_cast<double>(c.ints[i]) : c.reals[i];
    if (!std::isnan(v)) values.push_back(v);
  }
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  for (double v : values)
    out.push_back(c.kind == Column::int64 ? fmt::format("{}", static_cast<std::int64_t>(v))
                                          : fmt::format("{}", v));
  return out;
}

namespace {

const Column& need(const Table& t, const std::string& name, const char* role) {
  const Column* c = t.find(name);
  if (!c) throw InputError(fmt::format("no column '{}' ({})", name, role));
  return *c;
}

std::string joined(const std::vector<std::string>& names, const std::vector<std::string>& values) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i)
    out += fmt::format("{}{}{}", out.empty() ? "" : ", ", names.size() > 1 ? names[i] + "=" : "", values[i]);
  return out;
}

// One analysed quantity: a numeric column, or one category of a text column.
struct Measure {
  std::string name;
  const Column* column;
  std::string category;  // empty for a numeric column
  bool valid(std::size_t row) const { return column->kind == Column::text || std::isfinite(value(row)); }
  double value(std::size_t row) const {
    if (column->kind == Column::text) return column->texts[row] == category ? 1.0 : 0.0;
    return column->kind == Column::int64 ? static_cast<double>(column->ints[row]) : column->reals[row];
  }
};

struct Layout {
  std::vector<GroupResult> groups;  // every cell of the grid, row-major
  std::vector<std::size_t> cell;    // of each row; npos: no group
  std::size_t levels1 = 1, levels2 = 1;
};

constexpr std::size_t kNone = static_cast<std::size_t>(-1);

Layout layout(const Table& t, const Spec& spec) {
  Layout l;
  std::vector<const Column*> cols;
  std::vector<std::vector<std::string>> levels;
  for (std::size_t i = 0; i < spec.by.size(); ++i) {
    cols.push_back(&need(t, spec.by[i], "grouping"));
    levels.push_back(i < spec.levels.size() && !spec.levels[i].empty() ? spec.levels[i]
                                                                       : default_levels(*cols.back()));
  }
  l.levels1 = levels[0].size();
  l.levels2 = levels.size() > 1 ? levels[1].size() : 1;
  for (std::size_t i = 0; i < l.levels1; ++i)
    for (std::size_t j = 0; j < l.levels2; ++j) {
      std::vector<std::string> v{levels[0][i]};
      if (levels.size() > 1) v.push_back(levels[1][j]);
      l.groups.push_back(GroupResult{joined(spec.by, v), v, 0, {kNaN, kNaN, kNaN}});
    }
  l.cell.assign(t.rows(), kNone);
  for (std::size_t r = 0; r < t.rows(); ++r) {
    std::size_t index = 0;
    for (std::size_t i = 0; i < cols.size() && index != kNone; ++i) {
      const auto it = std::find(levels[i].begin(), levels[i].end(), cell_text(*cols[i], r));
      index = it == levels[i].end()
                  ? kNone
                  : index * levels[i].size() + static_cast<std::size_t>(it - levels[i].begin());
    }
    l.cell[r] = index;
    if (index != kNone) ++l.groups[index].n;
  }
  return l;
}

struct Analysis {
  const Spec& spec;
  const Layout& l;
  std::vector<const Column*> pair_cols;

  std::string key(std::size_t row) const {
    std::string k;
    for (const Column* c : pair_cols) k += cell_text(*c, row) + '\x1f';
    return k;
  }

  OutcomeResult run(const Measure& m, const std::vector<std::size_t>& rows,
                    const std::string& stratum) const {
    OutcomeResult out{
        m.name,  m.column->name,
        stratum, m.column->kind == Column::text ? OutcomeResult::proportion : OutcomeResult::mean,
        {},      {}};
    const bool prop = out.kind == OutcomeResult::proportion;
    std::vector<std::vector<std::size_t>> members(l.groups.size());
    for (std::size_t r : rows)
      if (l.cell[r] != kNone && m.valid(r)) members[l.cell[r]].push_back(r);
    std::vector<std::vector<double>> values(l.groups.size());
    std::vector<Count> counts(l.groups.size());
    for (std::size_t g = 0; g < l.groups.size(); ++g) {
      for (std::size_t r : members[g]) values[g].push_back(m.value(r));
      const auto k = static_cast<std::size_t>(std::count(values[g].begin(), values[g].end(), 1.0));
      counts[g] = {k, values[g].size()};
      GroupResult gr = l.groups[g];
      gr.n = values[g].size();
      gr.value = prop ? wilson(k, gr.n) : mean_interval(values[g]);
      out.groups.push_back(gr);
    }
    for (std::size_t g = 1; g < l.groups.size(); ++g) {
      ContrastResult c{l.groups[g].group, l.groups[0].group, "difference", 0, no_effect()};
      if (pair_cols.empty()) {
        c.n = counts[g].n + counts[0].n;
        c.effect = prop ? proportion_contrast({counts[g], counts[0]}, {1, -1})
                        : mean_contrast({values[g], values[0]}, {1, -1}, spec.resamples);
      } else {
        std::map<std::string, std::size_t> reference;
        for (std::size_t r : members[0])
          if (!reference.emplace(key(r), r).second)
            throw InputError(fmt::format("rows of group '{}' repeat the pairing key ({})", l.groups[0].group,
                                         fmt::join(spec.pair_by, ", ")));
        std::vector<double> x, y;
        std::map<std::string, std::size_t> seen;
        for (std::size_t r : members[g]) {
          if (!seen.emplace(key(r), r).second)
            throw InputError(fmt::format("rows of group '{}' repeat the pairing key ({})", l.groups[g].group,
                                         fmt::join(spec.pair_by, ", ")));
          const auto it = reference.find(key(r));
          if (it == reference.end()) continue;
          x.push_back(m.value(r));
          y.push_back(m.value(it->second));
        }
        c.n = x.size();
        if (prop) {
          PairedCounts pc{0, 0, 0, 0};
          for (std::size_t i = 0; i < x.size(); ++i)
            ++(x[i] > 0 ? (y[i] > 0 ? pc.both : pc.group_only) : (y[i] > 0 ? pc.reference_only : pc.neither));
          c.effect = paired_proportion_contrast(pc);
        } else {
          c.effect = paired_mean_contrast(x, y, spec.resamples);
        }
      }
      out.contrasts.push_back(std::move(c));
    }
    // The interactions of a two-factor grid (independent groups): each (i, j) against the first
    // levels, (ij − i0) − (0j − 00).
    if (pair_cols.empty() && spec.by.size() == 2)
      for (std::size_t i = 1; i < l.levels1; ++i)
        for (std::size_t j = 1; j < l.levels2; ++j) {
          const std::size_t cells[] = {i * l.levels2 + j, i * l.levels2, j, 0};
          const std::vector<double> coef{1, -1, -1, 1};
          ContrastResult c{l.groups[cells[0]].group, l.groups[0].group, "interaction", 0, no_effect()};
          std::vector<Count> cc;
          std::vector<std::vector<double>> vv;
          for (std::size_t k : cells) {
            cc.push_back(counts[k]);
            vv.push_back(values[k]);
            c.n += counts[k].n;
          }
          c.effect = prop ? proportion_contrast(cc, coef) : mean_contrast(vv, coef, spec.resamples);
          out.contrasts.push_back(std::move(c));
        }
    return out;
  }
};

}  // namespace

Result compare(const Table& t, const Spec& spec) {
  if (spec.by.empty() || spec.by.size() > 2) throw InputError("compare: one or two grouping columns");
  const Layout l = layout(t, spec);
  std::size_t nonempty = 0;
  for (const auto& g : l.groups) nonempty += g.n > 0 ? 1 : 0;
  if (l.groups.size() < 2 || nonempty < 2) {
    std::string names;
    for (const auto& g : l.groups)
      if (g.n > 0) names += fmt::format("{}'{}'", names.empty() ? "" : ", ", g.group);
    throw InputError(fmt::format("--by {}: only {} group{} with rows{}; nothing to compare",
                                 fmt::join(spec.by, ","), nonempty, nonempty == 1 ? "" : "s",
                                 names.empty() ? "" : " (" + names + ")"));
  }
  Analysis a{spec, l, {}};
  for (const auto& name : spec.pair_by) a.pair_cols.push_back(&need(t, name, "pairing"));

  // Strata, in order of first appearance.
  std::vector<const Column*> strata;
  for (const auto& name : spec.strata) strata.push_back(&need(t, name, "stratum"));
  std::vector<std::string> stratum_names;
  std::vector<std::vector<std::size_t>> stratum_rows;
  for (std::size_t r = 0; r < t.rows(); ++r) {
    std::string name;
    for (const Column* c : strata) name += (name.empty() ? "" : ", ") + c->name + "=" + cell_text(*c, r);
    const auto at = static_cast<std::size_t>(std::find(stratum_names.begin(), stratum_names.end(), name) -
                                             stratum_names.begin());
    if (at == stratum_names.size()) {
      stratum_names.push_back(name);
      stratum_rows.emplace_back();
    }
    stratum_rows[at].push_back(r);
  }

  std::vector<Measure> measures;
  for (const auto& name : spec.outcomes) {
    const Column& c = need(t, name, "outcome");
    if (c.kind != Column::text) {
      measures.push_back({name, &c, ""});
      continue;
    }
    std::vector<std::string> cats = spec.categories.empty() ? default_levels(c) : spec.categories;
    for (const auto& cat : cats) measures.push_back({cat, &c, cat});
  }

  Result res;
  res.by = spec.by;
  res.paired = !spec.pair_by.empty();
  res.groups = l.groups;
  for (std::size_t s = 0; s < stratum_names.size(); ++s)
    for (const auto& m : measures) res.outcomes.push_back(a.run(m, stratum_rows[s], stratum_names[s]));
  return res;
}

}  // namespace attune::sim::compare
