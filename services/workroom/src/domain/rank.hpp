#pragma once
// Lexicographic ranks for a board's order (fractional indexing): strings over 0-9a-z, compared as
// plain strings, never ending in '0', so that there is always a rank strictly between any two and
// before any one. Moving an item computes one new rank between its new neighbours; nothing else is
// renumbered, so moves in different places never touch the same rows.
#include <string>
#include <string_view>

namespace marketplace::workroom {

/// True for a non-empty string of 0-9a-z not ending in '0'.
bool IsRank(std::string_view rank);

/// A rank strictly between `low` and `high`; "" for `low` means before everything, "" for `high`
/// after everything. Throws std::invalid_argument unless both (when not "") are ranks and low < high.
std::string RankBetween(std::string_view low, std::string_view high);

}  // namespace marketplace::workroom
