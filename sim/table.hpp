// A column table: what the HDF5 writer stores as a compound dataset and what the summary reads.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace attune::sim {

struct Column {
  enum Kind { int64, float64, text };
  std::string name;
  Kind kind = float64;
  std::size_t text_width = 1;  // bytes of a fixed-length text cell
  std::vector<std::int64_t> ints;
  std::vector<double> reals;
  std::vector<std::string> texts;

  std::size_t size() const {
    return kind == int64 ? ints.size() : kind == float64 ? reals.size() : texts.size();
  }
};

struct Table {
  std::deque<Column> columns;  // a deque: add() keeps earlier references valid

  std::size_t rows() const { return columns.empty() ? 0 : columns.front().size(); }
  const Column* find(std::string_view name) const {
    for (const auto& c : columns)
      if (c.name == name) return &c;
    return nullptr;
  }
  Column& add(std::string name, Column::Kind kind, std::size_t text_width = 1) {
    columns.push_back(Column{std::move(name), kind, text_width, {}, {}, {}});
    return columns.back();
  }
};

}  // namespace attune::sim
