// Counter-based random streams (Philox4x64-10 from Random123).
//
// Every random number in attune is a pure function of (seed, id, purpose, counter): no engine
// is owned by a thread and nothing is consumed in sequence, so results cannot depend on how
// work is split between threads. Uniforms, normals and exponentials are converted here, by code
// the project controls, so that they are the same with every standard library.
#pragma once

#include <Random123/philox.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <vector>

namespace attune::sim {

// What a stream is for; part of the counter so that streams for different purposes never meet.
enum class Purpose : std::uint64_t {
  dynamics = 1,        // per-step draws of one infant's interactions
  caregiver_draw = 2,  // a caregiver's parameters, one sub-stream per parameter
  profile_choice = 3,  // which population profile a caregiver comes from
  run_seed = 4,        // a sweep run's seed from the master seed
  design = 5,          // random designs (Latin hypercube, Morris)
  protocol = 6,        // a protocol's steps beyond the session it replaces
  arm_choice = 7,      // which arm an infant is randomized to
  bootstrap = 8,       // resampling in attune compare
};

struct Block {
  std::uint64_t w[4];
};

class Stream {
 public:
  Stream(std::uint64_t seed, std::uint64_t id, Purpose purpose, std::uint64_t sub = 0)
      : key_{{seed, id}}, purpose_(static_cast<std::uint64_t>(purpose)), sub_(sub) {}

  // The 256 random bits at position `counter` of this stream.
  Block at(std::uint64_t counter) const {
    r123::Philox4x64::ctr_type c{{counter, purpose_, sub_, 0}};
    const auto r = philox_(c, key_);
    return Block{{r.v[0], r.v[1], r.v[2], r.v[3]}};
  }

 private:
  r123::Philox4x64 philox_;
  r123::Philox4x64::key_type key_;
  std::uint64_t purpose_;
  std::uint64_t sub_;
};

inline constexpr double kTwoPow32Inv = 1.0 / 4294967296.0;
inline constexpr double kTwoPi = 6.283185307179586476925286766559;

inline std::uint32_t low32(std::uint64_t w) { return static_cast<std::uint32_t>(w); }
inline std::uint32_t high32(std::uint64_t w) { return static_cast<std::uint32_t>(w >> 32); }

// U[0,1) with 32-bit resolution.
inline double uniform_co(std::uint32_t u) { return static_cast<double>(u) * kTwoPow32Inv; }
// U(0,1]: never zero, so that log() is finite.
inline double uniform_oc(std::uint32_t u) { return (static_cast<double>(u) + 1.0) * kTwoPow32Inv; }

// Exp(1) by inversion; u in (0,1].
inline double exponential(std::uint32_t u) { return -std::log(uniform_oc(u)); }

// Two independent N(0,1) by the Box–Muller transform of two 32-bit uniforms.
// |N| is bounded by sqrt(64 ln 2) ≈ 6.66; the tail beyond has probability ~3e-11.
inline void normal_pair(std::uint32_t a, std::uint32_t b, double& n1, double& n2) {
  const double radius = std::sqrt(-2.0 * std::log(uniform_oc(a)));
  const double angle = kTwoPi * uniform_co(b);
  n1 = radius * std::cos(angle);
  n2 = radius * std::sin(angle);
}

// The first seed given twice in a list of seeds (replicates must be independent: a repeated seed
// repeats its runs and counts them twice), if any. For seeds:, --seeds and the like.
inline std::optional<std::uint64_t> repeated_seed(const std::vector<std::uint64_t>& seeds) {
  for (auto it = seeds.begin(); it != seeds.end(); ++it)
    if (std::find(seeds.begin(), it, *it) != it) return *it;
  return std::nullopt;
}

}  // namespace attune::sim
