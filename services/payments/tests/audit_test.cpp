// The ledger audit's rules on hand-made snapshots.
#include <catch2/catch.hpp>

#include <cstdint>

#include "domain/audit.hpp"

using namespace marketplace::payments;

namespace {

AuditedAccount Account(std::int64_t id, const std::string& kind, std::int64_t stored, std::int64_t recomputed,
                       bool guarded = true, const std::string& currency = "EUR") {
    AuditedAccount a;
    a.id = id;
    a.kind = kind;
    a.owner = "owner-" + std::to_string(id);
    a.currency = currency;
    a.guarded = guarded;
    a.stored = stored;
    a.recomputed = recomputed;
    return a;
}

AuditedEscrow Escrow(std::int64_t account, const std::string& state, std::int64_t amount, std::int64_t balance,
                     std::int64_t fundings, std::int64_t settlements) {
    AuditedEscrow e;
    e.account_id = account;
    e.milestone_id = "m-" + std::to_string(account);
    e.currency = "EUR";
    e.balance = balance;
    e.has_record = true;
    e.state = state;
    e.amount = amount;
    e.funding_operations = fundings;
    e.settlement_operations = settlements;
    return e;
}

std::vector<Invariant> Kinds(const std::vector<Violation>& violations) {
    std::vector<Invariant> out;
    for (const auto& v : violations) out.push_back(v.invariant);
    return out;
}

}  // namespace

TEST_CASE("Audit: a healthy ledger has no violations", "[payments][domain]") {
    const std::vector<AuditedAccount> accounts{Account(1, "provider_clearing", -1000, -1000, false),
                                               Account(2, "wallet_available", 400, 400),
                                               Account(3, "milestone_escrow", 500, 500),
                                               Account(4, "milestone_escrow", 0, 0),
                                               Account(5, "platform_fees", 10, 10),
                                               Account(6, "wallet_available", 90, 90)};
    const std::vector<AuditedEscrow> escrows{Escrow(3, "funded", 500, 500, 1, 0), Escrow(4, "released", 100, 0, 1, 1)};
    CHECK(FindViolations(accounts, escrows).empty());
}

TEST_CASE("Audit: a tampered balance breaks the currency sum and the recomputation", "[payments][domain]") {
    const std::vector<AuditedAccount> accounts{Account(1, "provider_clearing", -1000, -1000, false),
                                               Account(2, "wallet_available", 1001, 1000)};
    const auto v = FindViolations(accounts, {});
    CHECK(Kinds(v) == std::vector<Invariant>{Invariant::kCurrencyBalanced, Invariant::kBalanceMatchesTransfers});
    CHECK(v[1].account_id == 2);
    CHECK(v[0].detail.find("sum to 1 minor units") != std::string::npos);
}

TEST_CASE("Audit: a negative guarded account is reported, an unguarded one is not", "[payments][domain]") {
    const std::vector<AuditedAccount> accounts{Account(1, "provider_clearing", -5, -5, false),
                                               Account(2, "wallet_available", -5, -5),
                                               Account(3, "wallet_available", 10, 10)};
    const auto v = FindViolations(accounts, {});
    REQUIRE(v.size() == 1);
    CHECK(v[0].invariant == Invariant::kGuardedNotNegative);
    CHECK(v[0].account_id == 2);
}

TEST_CASE("Audit: escrows settled twice, settled but not empty, or funded wrongly are reported", "[payments][domain]") {
    CHECK(Kinds(FindViolations({}, {Escrow(1, "released", 100, 0, 1, 2)})) ==
          std::vector<Invariant>{Invariant::kEscrowSettledOnce});
    CHECK(Kinds(FindViolations({}, {Escrow(1, "refunded", 100, 40, 1, 1)})) ==
          std::vector<Invariant>{Invariant::kSettledEscrowZero});
    CHECK(Kinds(FindViolations({}, {Escrow(1, "funded", 100, 200, 2, 0)})) ==
          std::vector<Invariant>{Invariant::kFundedEscrowHoldsAmount});
    CHECK(Kinds(FindViolations({}, {Escrow(1, "funded", 100, 60, 1, 1)})) ==
          std::vector<Invariant>{Invariant::kFundedEscrowHoldsAmount});
    auto orphan = Escrow(1, "", 0, 70, 1, 0);
    orphan.has_record = false;
    CHECK(Kinds(FindViolations({}, {orphan})) == std::vector<Invariant>{Invariant::kFundedEscrowHoldsAmount});
}

TEST_CASE("Audit: 128-bit sums print and parse", "[payments][domain]") {
    CHECK(Int128ToString(0) == "0");
    CHECK(Int128ToString(-42) == "-42");
    const Int128 big = static_cast<Int128>(INT64_MAX) * 4;
    CHECK(ParseInt128(Int128ToString(big)) == big);
    CHECK(ParseInt128(Int128ToString(-big)) == -big);
    CHECK_THROWS(ParseInt128("12a"));
    CHECK_THROWS(ParseInt128(""));
}
