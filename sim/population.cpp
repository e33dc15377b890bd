#include "sim/population.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>

#include "sim/distribution.hpp"
#include "sim/errors.hpp"
#include "sim/random.hpp"

namespace attune::sim {

std::vector<std::uint32_t> Population::relationships_of_infant(std::size_t infant) const {
  std::vector<std::uint32_t> out;
  for (auto [e, end] = boost::in_edges(infant_vertex[infant], network); e != end; ++e)
    out.push_back(network[*e].relationship);
  return out;
}

std::uint32_t add_relationship(Population& pop, std::uint32_t caregiver, std::uint32_t infant) {
  const auto id = static_cast<std::uint32_t>(pop.relationships.size());
  boost::add_edge(pop.caregiver_vertex[caregiver], pop.infant_vertex[infant], TieEdge{id}, pop.network);
  pop.relationships.push_back({caregiver, infant});
  return id;
}

namespace {

std::uint32_t choose_profile(const Scenario& s, std::uint64_t caregiver) {
  double total = 0;
  for (const Profile& p : s.profiles) total += p.weight;
  const Stream stream(s.seed, caregiver, Purpose::profile_choice);
  const double u = uniform_co(low32(stream.at(0).w[0])) * total;
  double cumulative = 0;
  for (std::size_t i = 0; i < s.profiles.size(); ++i) {
    cumulative += s.profiles[i].weight;
    if (u < cumulative) return static_cast<std::uint32_t>(i);
  }
  return static_cast<std::uint32_t>(s.profiles.size() - 1);
}

}  // namespace

CaregiverDraws::CaregiverDraws(const Scenario& s, const ParamTables& tables)
    : seed_(s.seed), tables_(tables) {
  CorrelationFactor f = correlation_factor(s.correlations);
  if (!f.params.empty() && f.lower.empty())
    throw InputError("the population's correlations cannot hold together (not positive definite)");
  params_ = std::move(f.params);
  lower_ = std::move(f.lower);
}

std::size_t CaregiverDraws::position(std::size_t k) const {
  return static_cast<std::size_t>(std::find(params_.begin(), params_.end(), k) - params_.begin());
}

double CaregiverDraws::draw(std::span<const Distribution> dists, std::uint64_t caregiver,
                            std::size_t k) const {
  const std::size_t at = position(k);
  if (at == params_.size())
    return sample(dists[k], tables_.caregiver[k], Stream(seed_, caregiver, Purpose::caregiver_draw, k));
  // Her mixed normal score for k: row `at` of the Cholesky factor times the scores of the
  // correlated parameters up to k, each from that parameter's own stream.
  const std::size_t n = params_.size();
  double x = 0;
  for (std::size_t j = 0; j <= at; ++j) {
    std::uint64_t counter = 0;
    x += lower_[at * n + j] *
         sample_normal(Stream(seed_, caregiver, Purpose::caregiver_draw, params_[j]), counter);
  }
  const boost::math::normal_distribution<double> unit;
  return quantile(dists[k], tables_.caregiver[k], boost::math::cdf(unit, x));
}

void CaregiverDraws::draw_all(std::span<const Distribution> dists, std::uint64_t caregiver,
                              std::span<double> out) const {
  for (std::size_t k = 0; k < out.size(); ++k) out[k] = draw(dists, caregiver, k);
}

std::uint32_t draw_caregiver(const Scenario& s, const CaregiverDraws& draws, std::uint64_t id,
                             std::span<double> values) {
  const std::uint32_t profile = choose_profile(s, id);
  draws.draw_all(s.profiles[profile].caregiver, id, values);
  return profile;
}

Population build_population(const Scenario& s, const ParamTables& tables) {
  Population pop;
  const auto n = static_cast<std::size_t>(s.infants);
  pop.caregiver_params = tables.caregiver.size();
  pop.caregiver_values.resize(n * pop.caregiver_params);
  pop.caregiver_profile.resize(n);
  const CaregiverDraws draws(s, tables);
  for (std::size_t c = 0; c < n; ++c) {
    pop.caregiver_vertex.push_back(
        boost::add_vertex(AgentVertex{AgentKind::caregiver, static_cast<std::uint32_t>(c)}, pop.network));
    pop.caregiver_profile[c] = draw_caregiver(
        s, draws, c, {pop.caregiver_values.data() + c * pop.caregiver_params, pop.caregiver_params});
  }
  for (std::size_t i = 0; i < n; ++i)
    pop.infant_vertex.push_back(
        boost::add_vertex(AgentVertex{AgentKind::infant, static_cast<std::uint32_t>(i)}, pop.network));
  for (std::size_t i = 0; i < n; ++i)
    add_relationship(pop, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i));
  return pop;
}

}  // namespace attune::sim
