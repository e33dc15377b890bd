// Sample statistics for the statistical tests, with the standard errors their tolerances use.
#pragma once

#include <cmath>
#include <cstddef>

namespace attune::test {

// Running mean and central moments up to the fourth (Pébay's one-pass update), so that long
// traces need not be stored.
class Moments {
 public:
  void add(double x) {
    const double n1 = static_cast<double>(n_);
    ++n_;
    const double n = static_cast<double>(n_);
    const double delta = x - mean_;
    const double dn = delta / n;
    const double dn2 = dn * dn;
    const double term = delta * dn * n1;
    mean_ += dn;
    m4_ += term * dn2 * (n * n - 3 * n + 3) + 6 * dn2 * m2_ - 4 * dn * m3_;
    m3_ += term * dn * (n - 2) - 3 * dn * m2_;
    m2_ += term;
  }
  std::size_t count() const { return n_; }
  double mean() const { return mean_; }
  double variance() const { return m2_ / static_cast<double>(n_ - 1); }  // unbiased
  // Standard error of the mean and of the sample variance, for independent samples.
  double mean_se() const { return std::sqrt(variance() / static_cast<double>(n_)); }
  double variance_se() const {
    const double n = static_cast<double>(n_);
    const double v = m2_ / n;
    return std::sqrt((m4_ / n - v * v) / n);
  }

 private:
  std::size_t n_ = 0;
  double mean_ = 0, m2_ = 0, m3_ = 0, m4_ = 0;
};

// Running Pearson correlation of pairs (Welford's co-moment update).
class Correlation {
 public:
  void add(double x, double y) {
    ++n_;
    const double n = static_cast<double>(n_);
    const double dx = x - mx_;
    const double dy = y - my_;
    mx_ += dx / n;
    my_ += dy / n;
    cxy_ += dx * (y - my_);
    vx_ += dx * (x - mx_);
    vy_ += dy * (y - my_);
  }
  double value() const { return cxy_ / std::sqrt(vx_ * vy_); }
  std::size_t count() const { return n_; }

 private:
  std::size_t n_ = 0;
  double mx_ = 0, my_ = 0, cxy_ = 0, vx_ = 0, vy_ = 0;
};

}  // namespace attune::test
