#include "domain/rank.hpp"

#include <stdexcept>

namespace marketplace::workroom {
namespace {

constexpr std::string_view kDigits = "0123456789abcdefghijklmnopqrstuvwxyz";
constexpr int kBase = 36;

int Digit(char c) {
    const auto at = kDigits.find(c);
    if (at == std::string_view::npos) throw std::invalid_argument("rank: not a digit");
    return static_cast<int>(at);
}

/// A string strictly between `a` and `b` ("" b: no upper bound); a < b, neither ends in '0'.
std::string Midpoint(std::string_view a, std::string_view b, bool bounded) {
    if (bounded) {
        // The common prefix, with `a` padded by '0'.
        std::size_t n = 0;
        while (n < b.size() && (n < a.size() ? a[n] : '0') == b[n]) ++n;
        if (n > 0) {
            return std::string(b.substr(0, n)) +
                   Midpoint(n < a.size() ? a.substr(n) : std::string_view(), b.substr(n), true);
        }
    }
    const int da = a.empty() ? 0 : Digit(a[0]);
    const int db = bounded ? Digit(b[0]) : kBase;
    if (db - da > 1) return std::string(1, kDigits[static_cast<std::size_t>((da + db + 1) / 2)]);
    // Adjacent digits.
    if (bounded && b.size() > 1) return std::string(1, b[0]);
    return std::string(1, kDigits[static_cast<std::size_t>(da)]) +
           Midpoint(a.empty() ? a : a.substr(1), std::string_view(), false);
}

}  // namespace

bool IsRank(std::string_view rank) {
    if (rank.empty() || rank.size() > 255 || rank.back() == '0') return false;
    for (char c : rank) {
        if (kDigits.find(c) == std::string_view::npos) return false;
    }
    return true;
}

std::string RankBetween(std::string_view low, std::string_view high) {
    if (!low.empty() && !IsRank(low)) throw std::invalid_argument("rank: low is not a rank");
    if (!high.empty() && !IsRank(high)) throw std::invalid_argument("rank: high is not a rank");
    if (!low.empty() && !high.empty() && !(low < high)) throw std::invalid_argument("rank: low must be below high");
    return Midpoint(low, high, !high.empty());
}

}  // namespace marketplace::workroom
