// The population as a care network: caregivers and infants are vertices, relationships are
// edges (Boost.Graph). Relationship state (the model's internal working model) is an exterior
// edge property: a contiguous array indexed by the edge's relationship id, so that the hot loop
// reads plain arrays while the structure stays a graph that can hold households, daycare groups
// and generations.
#pragma once

#include <boost/graph/adjacency_list.hpp>
#include <cstdint>
#include <span>
#include <vector>

#include "sim/distribution.hpp"
#include "sim/scenario.hpp"

namespace attune::sim {

enum class AgentKind : std::uint8_t { caregiver, infant };

struct AgentVertex {
  AgentKind kind;
  std::uint32_t id;  // caregiver id or infant id (separate numberings)
};

struct TieEdge {
  std::uint32_t relationship;  // index into relationship-indexed arrays
};

// Edges point from caregiver to infant.
using CareNetwork =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, AgentVertex, TieEdge>;

struct Relationship {
  std::uint32_t caregiver;
  std::uint32_t infant;
};

struct Population {
  CareNetwork network;
  std::vector<CareNetwork::vertex_descriptor> infant_vertex;
  std::vector<CareNetwork::vertex_descriptor> caregiver_vertex;
  std::vector<std::uint32_t> caregiver_profile;  // index into Scenario::profiles
  std::vector<double> caregiver_values;          // caregivers × parameters, row-major
  std::size_t caregiver_params = 0;
  std::vector<Relationship> relationships;  // by relationship id

  std::size_t infants() const { return infant_vertex.size(); }
  std::size_t caregivers() const { return caregiver_vertex.size(); }
  std::span<const double> caregiver(std::size_t id) const {
    return {caregiver_values.data() + id * caregiver_params, caregiver_params};
  }
  // Relationship ids of an infant's caregivers, in the order the edges were added.
  std::vector<std::uint32_t> relationships_of_infant(std::size_t infant) const;
};

// A caregiver's parameters: each from its own keyed stream, so a caregiver keeps her rank in each
// parameter's distribution whatever the others are. Parameters the scenario correlates
// (Scenario::correlations) are drawn through a Gaussian copula: their normal scores are mixed by
// the Cholesky factor of the correlation matrix and mapped back through each parameter's own
// distribution, so every marginal distribution stays as given. A scenario without correlations
// draws exactly what it drew before they existed.
class CaregiverDraws {
 public:
  CaregiverDraws(const Scenario& s, const ParamTables& tables);
  // Parameter k of caregiver `caregiver` when her distributions are `dists` (one per parameter).
  double draw(std::span<const Distribution> dists, std::uint64_t caregiver, std::size_t k) const;
  void draw_all(std::span<const Distribution> dists, std::uint64_t caregiver, std::span<double> out) const;

 private:
  std::size_t position(std::size_t k) const;
  std::uint64_t seed_;
  ParamTables tables_;
  std::vector<std::size_t> params_;  // correlated parameters, ascending
  std::vector<double> lower_;        // Cholesky factor of their correlation matrix
};

// Draws the scenario's population: one caregiver per infant (caregiver i cares for infant i),
// each caregiver's profile and parameters from its own keyed streams.
Population build_population(const Scenario& s, const ParamTables& tables);

// One caregiver alone, as build_population draws her: her parameters into `values` (table
// order) and her profile returned. A process simulating a slice of the population (a run
// divided among ranks) draws only its own caregivers this way, with the same numbers.
std::uint32_t draw_caregiver(const Scenario& s, const CaregiverDraws& draws, std::uint64_t id,
                             std::span<double> values);

// Adds a caregiver→infant relationship and returns its id.
std::uint32_t add_relationship(Population& pop, std::uint32_t caregiver, std::uint32_t infant);

}  // namespace attune::sim
