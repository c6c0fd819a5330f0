#include "marketplace/core/money.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <numeric>

#include "marketplace/core/errors.hpp"

namespace marketplace::core {
namespace {

__extension__ using Int128 = __int128;

struct CurrencyInfo {
    const char* code;
    int minor_digits;
};

// ISO-4217 active codes with their minor units (funds and metals codes are not money here).
constexpr std::array kCurrencies{
    CurrencyInfo{"AED", 2}, CurrencyInfo{"AFN", 2}, CurrencyInfo{"ALL", 2}, CurrencyInfo{"AMD", 2},
    CurrencyInfo{"ANG", 2}, CurrencyInfo{"AOA", 2}, CurrencyInfo{"ARS", 2}, CurrencyInfo{"AUD", 2},
    CurrencyInfo{"AWG", 2}, CurrencyInfo{"AZN", 2}, CurrencyInfo{"BAM", 2}, CurrencyInfo{"BBD", 2},
    CurrencyInfo{"BDT", 2}, CurrencyInfo{"BGN", 2}, CurrencyInfo{"BHD", 3}, CurrencyInfo{"BIF", 0},
    CurrencyInfo{"BMD", 2}, CurrencyInfo{"BND", 2}, CurrencyInfo{"BOB", 2}, CurrencyInfo{"BRL", 2},
    CurrencyInfo{"BSD", 2}, CurrencyInfo{"BTN", 2}, CurrencyInfo{"BWP", 2}, CurrencyInfo{"BYN", 2},
    CurrencyInfo{"BZD", 2}, CurrencyInfo{"CAD", 2}, CurrencyInfo{"CDF", 2}, CurrencyInfo{"CHF", 2},
    CurrencyInfo{"CLP", 0}, CurrencyInfo{"CNY", 2}, CurrencyInfo{"COP", 2}, CurrencyInfo{"CRC", 2},
    CurrencyInfo{"CUP", 2}, CurrencyInfo{"CVE", 2}, CurrencyInfo{"CZK", 2}, CurrencyInfo{"DJF", 0},
    CurrencyInfo{"DKK", 2}, CurrencyInfo{"DOP", 2}, CurrencyInfo{"DZD", 2}, CurrencyInfo{"EGP", 2},
    CurrencyInfo{"ERN", 2}, CurrencyInfo{"ETB", 2}, CurrencyInfo{"EUR", 2}, CurrencyInfo{"FJD", 2},
    CurrencyInfo{"FKP", 2}, CurrencyInfo{"GBP", 2}, CurrencyInfo{"GEL", 2}, CurrencyInfo{"GHS", 2},
    CurrencyInfo{"GIP", 2}, CurrencyInfo{"GMD", 2}, CurrencyInfo{"GNF", 0}, CurrencyInfo{"GTQ", 2},
    CurrencyInfo{"GYD", 2}, CurrencyInfo{"HKD", 2}, CurrencyInfo{"HNL", 2}, CurrencyInfo{"HTG", 2},
    CurrencyInfo{"HUF", 2}, CurrencyInfo{"IDR", 2}, CurrencyInfo{"ILS", 2}, CurrencyInfo{"INR", 2},
    CurrencyInfo{"IQD", 3}, CurrencyInfo{"IRR", 2}, CurrencyInfo{"ISK", 0}, CurrencyInfo{"JMD", 2},
    CurrencyInfo{"JOD", 3}, CurrencyInfo{"JPY", 0}, CurrencyInfo{"KES", 2}, CurrencyInfo{"KGS", 2},
    CurrencyInfo{"KHR", 2}, CurrencyInfo{"KMF", 0}, CurrencyInfo{"KPW", 2}, CurrencyInfo{"KRW", 0},
    CurrencyInfo{"KWD", 3}, CurrencyInfo{"KYD", 2}, CurrencyInfo{"KZT", 2}, CurrencyInfo{"LAK", 2},
    CurrencyInfo{"LBP", 2}, CurrencyInfo{"LKR", 2}, CurrencyInfo{"LRD", 2}, CurrencyInfo{"LSL", 2},
    CurrencyInfo{"LYD", 3}, CurrencyInfo{"MAD", 2}, CurrencyInfo{"MDL", 2}, CurrencyInfo{"MGA", 2},
    CurrencyInfo{"MKD", 2}, CurrencyInfo{"MMK", 2}, CurrencyInfo{"MNT", 2}, CurrencyInfo{"MOP", 2},
    CurrencyInfo{"MRU", 2}, CurrencyInfo{"MUR", 2}, CurrencyInfo{"MVR", 2}, CurrencyInfo{"MWK", 2},
    CurrencyInfo{"MXN", 2}, CurrencyInfo{"MYR", 2}, CurrencyInfo{"MZN", 2}, CurrencyInfo{"NAD", 2},
    CurrencyInfo{"NGN", 2}, CurrencyInfo{"NIO", 2}, CurrencyInfo{"NOK", 2}, CurrencyInfo{"NPR", 2},
    CurrencyInfo{"NZD", 2}, CurrencyInfo{"OMR", 3}, CurrencyInfo{"PAB", 2}, CurrencyInfo{"PEN", 2},
    CurrencyInfo{"PGK", 2}, CurrencyInfo{"PHP", 2}, CurrencyInfo{"PKR", 2}, CurrencyInfo{"PLN", 2},
    CurrencyInfo{"PYG", 0}, CurrencyInfo{"QAR", 2}, CurrencyInfo{"RON", 2}, CurrencyInfo{"RSD", 2},
    CurrencyInfo{"RUB", 2}, CurrencyInfo{"RWF", 0}, CurrencyInfo{"SAR", 2}, CurrencyInfo{"SBD", 2},
    CurrencyInfo{"SCR", 2}, CurrencyInfo{"SDG", 2}, CurrencyInfo{"SEK", 2}, CurrencyInfo{"SGD", 2},
    CurrencyInfo{"SHP", 2}, CurrencyInfo{"SLE", 2}, CurrencyInfo{"SOS", 2}, CurrencyInfo{"SRD", 2},
    CurrencyInfo{"SSP", 2}, CurrencyInfo{"STN", 2}, CurrencyInfo{"SYP", 2}, CurrencyInfo{"SZL", 2},
    CurrencyInfo{"THB", 2}, CurrencyInfo{"TJS", 2}, CurrencyInfo{"TMT", 2}, CurrencyInfo{"TND", 3},
    CurrencyInfo{"TOP", 2}, CurrencyInfo{"TRY", 2}, CurrencyInfo{"TTD", 2}, CurrencyInfo{"TWD", 2},
    CurrencyInfo{"TZS", 2}, CurrencyInfo{"UAH", 2}, CurrencyInfo{"UGX", 0}, CurrencyInfo{"USD", 2},
    CurrencyInfo{"UYU", 2}, CurrencyInfo{"UZS", 2}, CurrencyInfo{"VES", 2}, CurrencyInfo{"VND", 0},
    CurrencyInfo{"VUV", 0}, CurrencyInfo{"WST", 2}, CurrencyInfo{"XAF", 0}, CurrencyInfo{"XCD", 2},
    CurrencyInfo{"XOF", 0}, CurrencyInfo{"XPF", 0}, CurrencyInfo{"YER", 2}, CurrencyInfo{"ZAR", 2},
    CurrencyInfo{"ZMW", 2}, CurrencyInfo{"ZWL", 2},
};

const CurrencyInfo* Find(std::string_view code) {
    if (code.size() != 3) return nullptr;
    for (const auto& c : kCurrencies) {
        if (code == c.code) return &c;
    }
    return nullptr;
}

std::int64_t Pow10(int digits) {
    std::int64_t p = 1;
    for (int i = 0; i < digits; ++i) p *= 10;
    return p;
}

}  // namespace

Currency::Currency(std::string_view code, int minor_digits) : minor_digits_(minor_digits) {
    std::memcpy(code_, code.data(), 3);
}

Currency Currency::Parse(std::string_view code, std::string_view field) {
    const CurrencyInfo* info = Find(code);
    if (info == nullptr) {
        std::string shown(code.substr(0, 16));
        throw InvalidArgument(std::string(field), "unknown ISO-4217 currency '" + shown + "'");
    }
    return Currency(info->code, info->minor_digits);
}

bool Currency::IsKnown(std::string_view code) { return Find(code) != nullptr; }

std::int64_t CheckedAdd(std::int64_t a, std::int64_t b, std::string_view field) {
    std::int64_t r;
    if (__builtin_add_overflow(a, b, &r)) throw InvalidArgument(std::string(field), "overflows int64");
    return r;
}

std::int64_t CheckedSub(std::int64_t a, std::int64_t b, std::string_view field) {
    std::int64_t r;
    if (__builtin_sub_overflow(a, b, &r)) throw InvalidArgument(std::string(field), "overflows int64");
    return r;
}

std::int64_t CheckedMul(std::int64_t a, std::int64_t b, std::string_view field) {
    std::int64_t r;
    if (__builtin_mul_overflow(a, b, &r)) throw InvalidArgument(std::string(field), "overflows int64");
    return r;
}

Money Money::ParseDecimal(std::string_view text, Currency currency, std::string_view field) {
    const std::string f(field);
    if (text.empty()) throw InvalidArgument(f, "must not be empty");
    if (text.size() > 32) throw InvalidArgument(f, "is too long");
    bool negative = false;
    std::size_t i = 0;
    if (text[0] == '-') {
        negative = true;
        i = 1;
    }
    std::int64_t units = 0;
    int frac_digits = -1;
    bool any_digit = false;
    for (; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '.') {
            if (frac_digits >= 0) throw InvalidArgument(f, "has more than one decimal point");
            frac_digits = 0;
            continue;
        }
        if (c < '0' || c > '9') throw InvalidArgument(f, "must be a decimal number like 12.34");
        any_digit = true;
        if (frac_digits >= 0) {
            ++frac_digits;
            if (frac_digits > currency.minor_digits()) {
                throw InvalidArgument(f, "has more decimals than " + std::string(currency.code()) + " allows (" +
                                             std::to_string(currency.minor_digits()) + ")");
            }
        }
        units = CheckedAdd(CheckedMul(units, 10, field), c - '0', field);
    }
    if (!any_digit) throw InvalidArgument(f, "must be a decimal number like 12.34");
    const int scale = currency.minor_digits() - std::max(frac_digits, 0);
    units = CheckedMul(units, Pow10(scale), field);
    return Money(negative ? -units : units, currency);
}

void Money::RequireSameCurrency(const Money& other, std::string_view op) const {
    if (currency_ != other.currency_) {
        throw InvalidArgument("currency", std::string("cannot ") + std::string(op) + " " +
                                              std::string(currency_.code()) + " and " +
                                              std::string(other.currency_.code()));
    }
}

Money Money::operator+(const Money& other) const {
    RequireSameCurrency(other, "add");
    return Money(CheckedAdd(minor_, other.minor_), currency_);
}

Money Money::operator-(const Money& other) const {
    RequireSameCurrency(other, "subtract");
    return Money(CheckedSub(minor_, other.minor_), currency_);
}

Money Money::operator-() const { return Money(CheckedSub(0, minor_), currency_); }

Money Money::Times(std::int64_t factor) const { return Money(CheckedMul(minor_, factor), currency_); }

std::strong_ordering Money::operator<=>(const Money& other) const {
    RequireSameCurrency(other, "compare");
    return minor_ <=> other.minor_;
}

std::string Money::ToDecimalString() const {
    const int digits = currency_.minor_digits();
    // Work in unsigned to print INT64_MIN correctly.
    const bool negative = minor_ < 0;
    const std::uint64_t magnitude =
        negative ? static_cast<std::uint64_t>(-(minor_ + 1)) + 1 : static_cast<std::uint64_t>(minor_);
    const auto scale = static_cast<std::uint64_t>(Pow10(digits));
    std::string out = negative ? "-" : "";
    out += std::to_string(magnitude / scale);
    if (digits > 0) {
        std::string frac = std::to_string(magnitude % scale);
        out += '.';
        out.append(static_cast<std::size_t>(digits) - frac.size(), '0');
        out += frac;
    }
    return out;
}

std::string Money::ToString() const { return ToDecimalString() + " " + std::string(currency_.code()); }

std::vector<std::int64_t> AllocateLargestRemainder(std::int64_t total, const std::vector<std::int64_t>& weights) {
    if (weights.empty()) throw InvalidArgument("weights", "must not be empty");
    Int128 weight_sum = 0;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        if (weights[i] < 0) throw InvalidArgument("weights[" + std::to_string(i) + "]", "must be >= 0");
        weight_sum += weights[i];
    }
    if (weight_sum == 0) throw InvalidArgument("weights", "must have a positive sum");
    const bool negative = total < 0;
    const Int128 whole = negative ? -static_cast<Int128>(total) : static_cast<Int128>(total);

    std::vector<std::int64_t> parts(weights.size());
    std::vector<Int128> remainders(weights.size());
    Int128 assigned = 0;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        const Int128 product = whole * weights[i];
        parts[i] = static_cast<std::int64_t>(product / weight_sum);
        remainders[i] = product % weight_sum;
        assigned += parts[i];
    }
    std::vector<std::size_t> order(weights.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return remainders[a] > remainders[b]; });
    auto left = static_cast<std::int64_t>(whole - assigned);  // < number of parts
    for (std::size_t k = 0; left > 0; ++k, --left) parts[order[k]] += 1;
    if (negative) {
        for (auto& p : parts) p = -p;
    }
    return parts;
}

std::int64_t BasisPointsOf(std::int64_t amount, std::int64_t basis_points) {
    if (basis_points < 0 || basis_points > 10000) throw InvalidArgument("basis_points", "must be within 0..10000");
    return static_cast<std::int64_t>(static_cast<Int128>(amount) * basis_points / 10000);
}

}  // namespace marketplace::core
