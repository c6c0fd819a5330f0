// The ledger's posting rules, without a database.
#include <catch2/catch.hpp>

#include <random>
#include <set>

#include "domain/account.hpp"
#include "domain/amount.hpp"
#include "domain/ledger_rules.hpp"

using namespace marketplace;
using namespace marketplace::payments;

namespace {

std::map<std::int64_t, AccountState> Accounts(std::initializer_list<AccountState> states) {
    std::map<std::int64_t, AccountState> out;
    for (const auto& s : states) out.emplace(s.id, s);
    return out;
}

AccountState Wallet(std::int64_t id, std::int64_t balance, const std::string& currency = "EUR") {
    return {id, AccountKind::kWalletAvailable, "owner-" + std::to_string(id), currency, balance, true};
}

AccountState Clearing(std::int64_t id, std::int64_t balance, const std::string& currency = "EUR") {
    return {id, AccountKind::kProviderClearing, ShardName(0), currency, balance, false};
}

}  // namespace

TEST_CASE("Ledger rules: a leg moves money from the debited to the credited account", "[payments][domain]") {
    const auto deltas = PlanPosting({{1, 2, 300, "EUR"}}, Accounts({Wallet(1, 1000), Wallet(2, 0)}));
    CHECK(deltas.at(1) == -300);
    CHECK(deltas.at(2) == 300);
}

TEST_CASE("Ledger rules: a guarded account cannot be overdrawn, and the failing leg is named", "[payments][domain]") {
    const auto accounts = Accounts({Wallet(1, 500), Wallet(2, 0), Wallet(3, 0)});
    try {
        PlanPosting({{1, 2, 400, "EUR"}, {1, 3, 200, "EUR"}}, accounts);
        FAIL("overdraft accepted");
    } catch (const InsufficientFunds& e) {
        CHECK(e.leg() == 1);
        CHECK(e.available() == 100);
        CHECK(e.needed() == 200);
        CHECK(e.caller_message() == "insufficient funds: available 1.00 EUR, needed 2.00 EUR");
        CHECK(e.code() == core::ErrorCode::kFailedPrecondition);
    }
}

TEST_CASE("Ledger rules: legs apply in order, so money received earlier in the operation can be spent",
          "[payments][domain]") {
    const auto deltas =
        PlanPosting({{2, 1, 700, "EUR"}, {1, 3, 900, "EUR"}}, Accounts({Wallet(1, 500), Wallet(2, 700), Wallet(3, 0)}));
    CHECK(deltas.at(1) == -200);
    CHECK(deltas.at(2) == -700);
    CHECK(deltas.at(3) == 900);
}

TEST_CASE("Ledger rules: the provider clearing account may go negative", "[payments][domain]") {
    const auto deltas = PlanPosting({{9, 1, 10'000, "EUR"}}, Accounts({Clearing(9, 0), Wallet(1, 0)}));
    CHECK(deltas.at(9) == -10'000);
}

TEST_CASE("Ledger rules: mixed currencies are rejected", "[payments][domain]") {
    const auto accounts = Accounts({Wallet(1, 1000, "EUR"), Wallet(2, 0, "USD")});
    try {
        PlanPosting({{1, 2, 100, "EUR"}}, accounts);
        FAIL("mixed currencies accepted");
    } catch (const core::InvalidArgument& e) {
        CHECK(e.field() == "legs[0].currency");
    }
    CHECK_THROWS_AS(PlanPosting({{1, 2, 100, "USD"}}, accounts), core::InvalidArgument);
}

TEST_CASE("Ledger rules: amounts must be positive and the two sides different", "[payments][domain]") {
    const auto accounts = Accounts({Wallet(1, 1000), Wallet(2, 0)});
    auto field_of = [&](const std::vector<Leg>& legs) {
        try {
            PlanPosting(legs, accounts, "transfers");
        } catch (const core::InvalidArgument& e) {
            return e.field();
        }
        return std::string("accepted");
    };
    CHECK(field_of({{1, 2, 0, "EUR"}}) == "transfers[0].amount");
    CHECK(field_of({{1, 2, 5, "EUR"}, {1, 2, -5, "EUR"}}) == "transfers[1].amount");
    CHECK(field_of({{1, 1, 5, "EUR"}}) == "transfers[0].credit_account");
    CHECK(field_of({{1, 2, 5, "XXX"}}) == "transfers[0].currency");
    CHECK(field_of({}) == "transfers");
    CHECK(field_of({{1, 7, 5, "EUR"}}) == "transfers[0].credit_account");
}

TEST_CASE("Ledger rules: a balance that would overflow int64 is rejected", "[payments][domain]") {
    const auto accounts = Accounts({Clearing(1, 0), Wallet(2, INT64_MAX - 10)});
    CHECK_THROWS_AS(PlanPosting({{1, 2, 11, "EUR"}}, accounts), core::InvalidArgument);
    CHECK_NOTHROW(PlanPosting({{1, 2, 10, "EUR"}}, accounts));
}

TEST_CASE("Ledger rules: random batches conserve money and never overdraw a guarded account", "[payments][domain]") {
    const auto seed = std::random_device{}();
    INFO("seed " << seed);
    std::mt19937_64 rng(seed);
    for (int round = 0; round < 200; ++round) {
        std::map<std::int64_t, AccountState> accounts;
        for (std::int64_t id = 1; id <= 6; ++id)
            accounts.emplace(id, Wallet(id, static_cast<std::int64_t>(rng() % 5000)));
        std::vector<Leg> legs;
        const int n = 1 + static_cast<int>(rng() % 40);
        for (int i = 0; i < n; ++i) {
            const std::int64_t from = 1 + static_cast<std::int64_t>(rng() % 6);
            std::int64_t to = 1 + static_cast<std::int64_t>(rng() % 6);
            if (to == from) to = from % 6 + 1;
            legs.push_back({from, to, 1 + static_cast<std::int64_t>(rng() % 1500), "EUR"});
        }
        try {
            const auto deltas = PlanPosting(legs, accounts);
            std::int64_t sum = 0;
            for (const auto& [id, delta] : deltas) {
                sum += delta;
                CHECK(accounts.at(id).balance + delta >= 0);
            }
            CHECK(sum == 0);
        } catch (const InsufficientFunds& e) {
            // Replaying the legs up to the failing one shows that leg is the first overdraft.
            std::map<std::int64_t, std::int64_t> running;
            for (const auto& [id, s] : accounts) running[id] = s.balance;
            for (std::size_t i = 0; i < e.leg(); ++i) {
                running[legs[i].debit_account] -= legs[i].amount;
                running[legs[i].credit_account] += legs[i].amount;
                REQUIRE(running[legs[i].debit_account] >= 0);
            }
            CHECK(running[legs[e.leg()].debit_account] < legs[e.leg()].amount);
            CHECK(e.available() == running[legs[e.leg()].debit_account]);
        }
    }
}

TEST_CASE("Accounts: guarded kinds, shard names and a stable shard choice", "[payments][domain]") {
    CHECK(IsGuarded(AccountKind::kWalletAvailable));
    CHECK(IsGuarded(AccountKind::kPayoutPending));
    CHECK(IsGuarded(AccountKind::kMilestoneEscrow));
    CHECK(IsGuarded(AccountKind::kPlatformFees));
    CHECK_FALSE(IsGuarded(AccountKind::kProviderClearing));
    CHECK(ShardName(7) == "shard-007");
    CHECK(ShardFor("escrow_release:abc", 16) == ShardFor("escrow_release:abc", 16));
    CHECK(ShardFor("anything", 1) == 0);
    std::set<int> seen;
    for (int i = 0; i < 500; ++i) seen.insert(ShardFor("escrow_release:" + std::to_string(i), 16));
    CHECK(seen.size() == 16);
    for (auto kind : {AccountKind::kWalletAvailable, AccountKind::kPayoutPending, AccountKind::kMilestoneEscrow,
                      AccountKind::kPlatformFees, AccountKind::kProviderClearing}) {
        CHECK(ParseAccountKind(AccountKindName(kind)) == kind);
    }
    CHECK(WalletOf("0190AAAA-0000-7000-8000-00000000000A", "EUR").owner == "0190aaaa-0000-7000-8000-00000000000a");
}

TEST_CASE("Amounts: positive, at most the maximum, a known currency, errors naming the field", "[payments][domain]") {
    auto field_of = [](std::int64_t units, const char* currency) {
        try {
            ValidateAmount(units, currency, "transfers[2].amount", 1'000'000);
        } catch (const core::InvalidArgument& e) {
            return e.field();
        }
        return std::string("accepted");
    };
    CHECK(field_of(100, "EUR") == "accepted");
    CHECK(field_of(1'000'000, "EUR") == "accepted");
    CHECK(field_of(0, "EUR") == "transfers[2].amount.minor_units");
    CHECK(field_of(-5, "EUR") == "transfers[2].amount.minor_units");
    CHECK(field_of(1'000'001, "EUR") == "transfers[2].amount.minor_units");
    CHECK(field_of(INT64_MIN, "EUR") == "transfers[2].amount.minor_units");
    CHECK(field_of(100, "EURO") == "transfers[2].amount.currency");
    CHECK(field_of(100, "") == "transfers[2].amount.currency");
    CHECK(field_of(100, "eur") == "transfers[2].amount.currency");
}
