#pragma once
// Money: int64 minor units and an ISO-4217 currency. No floating point anywhere near money.
// Arithmetic is checked: overflow and mixing currencies throw InvalidArgument.
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace marketplace::core {

/// An ISO-4217 alphabetic code known to the platform, with its number of minor-unit digits.
class Currency final {
public:
    /// Throws InvalidArgument(field, ...) when the code is not a known ISO-4217 currency.
    static Currency Parse(std::string_view code, std::string_view field = "currency");
    static bool IsKnown(std::string_view code);

    std::string_view code() const noexcept { return {code_, 3}; }
    int minor_digits() const noexcept { return minor_digits_; }
    auto operator<=>(const Currency&) const = default;

private:
    Currency(std::string_view code, int minor_digits);
    char code_[3];
    int minor_digits_;
};

class Money final {
public:
    Money(std::int64_t minor_units, Currency currency) : minor_(minor_units), currency_(currency) {}
    /// Parses "12.34" in the currency's minor units; rejects extra digits, signs where not allowed, overflow.
    static Money ParseDecimal(std::string_view text, Currency currency, std::string_view field = "amount");

    std::int64_t minor_units() const noexcept { return minor_; }
    const Currency& currency() const noexcept { return currency_; }
    bool is_zero() const noexcept { return minor_ == 0; }
    bool is_negative() const noexcept { return minor_ < 0; }
    bool is_positive() const noexcept { return minor_ > 0; }

    Money operator+(const Money& other) const;
    Money operator-(const Money& other) const;
    Money operator-() const;
    /// Multiplies by an integer factor, checked.
    Money Times(std::int64_t factor) const;
    bool operator==(const Money& other) const = default;
    /// Ordering across currencies is an error (throws); within one it compares amounts.
    std::strong_ordering operator<=>(const Money& other) const;

    /// "12.34 EUR".
    std::string ToString() const;
    /// "12.34".
    std::string ToDecimalString() const;

private:
    void RequireSameCurrency(const Money& other, std::string_view op) const;
    std::int64_t minor_;
    Currency currency_;
};

/// Checked int64 helpers; throw InvalidArgument(field, "overflows int64").
std::int64_t CheckedAdd(std::int64_t a, std::int64_t b, std::string_view field = "amount");
std::int64_t CheckedSub(std::int64_t a, std::int64_t b, std::string_view field = "amount");
std::int64_t CheckedMul(std::int64_t a, std::int64_t b, std::string_view field = "amount");

/// Splits `total` into parts proportional to `weights` with the largest-remainder method, in minor
/// units. Ties in the remainder go to the lower index, so the result is deterministic; the parts
/// always sum to `total`. Weights must be non-negative with a positive sum.
std::vector<std::int64_t> AllocateLargestRemainder(std::int64_t total, const std::vector<std::int64_t>& weights);

/// Takes `basis_points` (0..10000) of `amount`, rounded down; the rest is amount - part.
std::int64_t BasisPointsOf(std::int64_t amount, std::int64_t basis_points);

}  // namespace marketplace::core
