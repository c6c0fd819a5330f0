// Releases applied together: through the InboxApplier the Runtime builds from payments' EventRouter
// (what its consumer uses), several MilestoneAccepted in one transaction go to EscrowFlows::ReleaseMany.
#include <catch2/catch.hpp>

#include <atomic>
#include <latch>
#include <thread>

#include "fixture.hpp"
#include "marketplace/messaging/consumer.hpp"

using namespace marketplace;
using namespace marketplace::payments;
using namespace marketplace::payments::test;

namespace {

/// The accept of `m` for `payees`, as an incoming event of contracts' topic with id `event_id`.
messaging::IncomingEvent Accept(const FundedEscrow& m, const std::vector<std::pair<User, int>>& payees,
                                std::int64_t amount = 0, const std::string& event_id = "") {
    const auto e = AcceptedOf(m.id, m.contract_id, m.client.id, amount > 0 ? amount : m.amount, payees);
    messaging::IncomingEvent in;
    in.id = event_id.empty() ? core::NewUuidV4() : event_id;
    in.source = "//marketplace/contracts";
    in.type = contracts::v1::MilestoneAccepted::descriptor()->full_name();
    in.key = m.id;
    in.payload = e.SerializeAsString();
    in.topic = "contracts.events.v1";
    return in;
}

std::unique_ptr<messaging::InboxApplier> Applier() {
    auto& service = Service::Get();
    return service.runtime().Applier(service.component().router());
}

std::int64_t Escrowed(const FundedEscrow& m) { return Balance("milestone_escrow", m.id); }

std::int64_t ReleaseOperations(const FundedEscrow& m) {
    return QueryInt("SELECT count(*) FROM operations WHERE reference = '" + m.id + "' AND kind = 'escrow_release'");
}

std::int64_t FeeIncome() {
    return QueryInt("SELECT COALESCE(sum(balance), 0) FROM accounts WHERE kind = 'platform_fees'");
}

}  // namespace

TEST_CASE("Release batch: releases applied together pay each escrow as one by one would", "[payments][pg]") {
    const auto m1 = FundedMilestone(150'000);
    const auto m2 = FundedMilestone(100'01);
    const auto m3 = FundedMilestone(20'000);
    const User f1 = NewUser("freelancer"), a = NewUser("freelancer"), b = NewUser("freelancer");
    const auto fees_before = FeeIncome();
    const auto e1 = Accept(m1, {{f1, 10000}});
    const auto e2 = Accept(m2, {{a, 5000}, {b, 5000}});
    const auto e3 = Accept(m3, {{f1, 10000}});  // the same payee as m1: one wallet credited twice
    auto applier = Applier();
    const auto applied = applier->ApplyTogether({&e1, &e2, &e3});

    REQUIRE(applied.size() == 3);
    for (const auto& r : applied) {
        CHECK_FALSE(r.error);
        CHECK(r.outcome == messaging::InboxOutcome::kHandled);
    }
    CHECK(applier->commits() == 1);
    CHECK(applier->shared_commits() == 1);
    CHECK(Escrowed(m1) == 0);
    CHECK(Escrowed(m2) == 0);
    CHECK(Escrowed(m3) == 0);
    // 150000 -> fee 15000; 10001 -> fee 1000, 9001 split 4501 / 4500; 20000 -> fee 2000.
    CHECK(FeeIncome() - fees_before == 15'000 + 10'00 + 2'000);
    CHECK(Available(f1) == 135'000 + 18'000);
    CHECK(Available(a) == 45'01);
    CHECK(Available(b) == 45'00);
    for (const auto* m : {&m1, &m2, &m3}) CHECK(ReleaseOperations(*m) == 1);
    CHECK(QueryInt("SELECT count(*) FROM escrows WHERE state = 'released' AND milestone_id IN ('" + m1.id + "', '" +
                   m2.id + "', '" + m3.id + "')") == 3);

    const auto released = PublishedOf<payments::v1::EscrowReleased>(m2.id);
    REQUIRE(released.size() == 1);
    CHECK(released[0].amount().minor_units() == 100'01);
    REQUIRE(released[0].legs_size() == 3);
    CHECK(released[0].legs(0).kind() == "platform_fee");
    CHECK(released[0].legs(0).amount().minor_units() == 10'00);
    CHECK(released[0].legs(1).kind() == "payee");
    CHECK(released[0].legs(1).user_id() == a.id);
    CHECK(released[0].legs(1).amount().minor_units() == 45'01);
    CHECK(released[0].legs(2).user_id() == b.id);
    CHECK(released[0].legs(2).amount().minor_units() == 45'00);
    REQUIRE(PublishedOf<payments::v1::EscrowReleased>(m1.id).size() == 1);
    REQUIRE(PublishedOf<payments::v1::EscrowReleased>(m3.id).size() == 1);
    RequireHealthyLedger();
}

TEST_CASE("Release batch: a refused release leaves the others released and reports its own error", "[payments][pg]") {
    const auto m1 = FundedMilestone(30'000);
    const auto m2 = FundedMilestone(40'000);
    const auto m3 = FundedMilestone(50'000);
    const User f = NewUser("freelancer");
    const auto e1 = Accept(m1, {{f, 10000}});
    const auto bad = Accept(m2, {{f, 10000}}, 39'999);  // does not match the escrow: refused
    const auto e3 = Accept(m3, {{f, 10000}});
    auto applier = Applier();
    const auto applied = applier->ApplyTogether({&e1, &bad, &e3});

    REQUIRE(applied.size() == 3);
    CHECK_FALSE(applied[0].error);
    CHECK(applied[0].outcome == messaging::InboxOutcome::kHandled);
    CHECK_FALSE(applied[2].error);
    CHECK(applied[2].outcome == messaging::InboxOutcome::kHandled);
    REQUIRE(applied[1].error);
    CHECK_THROWS_AS(std::rethrow_exception(applied[1].error), messaging::PermanentError);
    // The shared transaction rolled back; each event was then applied alone.
    CHECK(applier->shared_commits() == 0);
    CHECK(applier->commits() == 2);
    CHECK(Escrowed(m1) == 0);
    CHECK(Escrowed(m2) == 40'000);
    CHECK(Escrowed(m3) == 0);
    CHECK(ReleaseOperations(m2) == 0);
    CHECK(Available(f) == 27'000 + 45'000);
    CHECK(QueryInt("SELECT count(*) FROM inbox WHERE event_id = '" + bad.id + "'") == 0);
    CHECK(PublishedOf<payments::v1::EscrowReleased>(m2.id).empty());
    RequireHealthyLedger();
}

TEST_CASE("Release batch: a redelivered accept in a batch changes nothing", "[payments][pg]") {
    const auto m1 = FundedMilestone(60'000);
    const auto m2 = FundedMilestone(70'000);
    const User f1 = NewUser("freelancer"), f2 = NewUser("freelancer");
    const auto first = Accept(m1, {{f1, 10000}});
    auto applier = Applier();
    CHECK(applier->Apply(first) == messaging::InboxOutcome::kHandled);
    CHECK(Available(f1) == 54'000);

    const auto again = first;  // the same event, delivered again
    const auto e2 = Accept(m2, {{f2, 10000}});
    const auto applied = applier->ApplyTogether({&again, &e2});
    REQUIRE(applied.size() == 2);
    CHECK_FALSE(applied[0].error);
    CHECK(applied[0].outcome == messaging::InboxOutcome::kDuplicate);
    CHECK_FALSE(applied[1].error);
    CHECK(applied[1].outcome == messaging::InboxOutcome::kHandled);
    CHECK(Available(f1) == 54'000);
    CHECK(Available(f2) == 63'000);
    CHECK(ReleaseOperations(m1) == 1);
    CHECK(PublishedOf<payments::v1::EscrowReleased>(m1.id).size() == 1);
    RequireHealthyLedger();
}

TEST_CASE("Release batch: two accepts of one milestone in a batch release it once and answer twice", "[payments][pg]") {
    const auto m = FundedMilestone(80'000);
    const User f = NewUser("freelancer");
    const auto e1 = Accept(m, {{f, 10000}});
    const auto e2 = Accept(m, {{f, 10000}});  // another event id, the same accept
    auto applier = Applier();
    const auto applied = applier->ApplyTogether({&e1, &e2});
    REQUIRE(applied.size() == 2);
    CHECK_FALSE(applied[0].error);
    CHECK_FALSE(applied[1].error);
    CHECK(applier->shared_commits() == 1);
    CHECK(Available(f) == 72'000);
    CHECK(ReleaseOperations(m) == 1);
    const auto released = PublishedOf<payments::v1::EscrowReleased>(m.id);
    REQUIRE(released.size() == 2);
    CHECK(released[1].SerializeAsString() == released[0].SerializeAsString());
    RequireHealthyLedger();
}

TEST_CASE("Release batch: concurrent callers of Apply each get the answer for their own release", "[payments][pg]") {
    constexpr int kCallers = 8;
    std::vector<FundedEscrow> milestones;
    std::vector<User> freelancers;
    for (int i = 0; i < kCallers; ++i) {
        milestones.push_back(FundedMilestone(10'000 * (i + 1)));
        freelancers.push_back(NewUser("freelancer"));
    }
    constexpr int kRefused = 3;  // this caller's accept does not match its escrow
    auto applier = Applier();
    std::latch start(kCallers);
    std::vector<std::thread> threads;
    std::vector<int> outcome(kCallers, -1);  // 0 handled, 1 permanent error, 2 other
    for (int i = 0; i < kCallers; ++i) {
        threads.emplace_back([&, i] {
            const auto& m = milestones[static_cast<std::size_t>(i)];
            const auto e =
                Accept(m, {{freelancers[static_cast<std::size_t>(i)], 10000}}, i == kRefused ? m.amount + 1 : m.amount);
            start.arrive_and_wait();
            try {
                outcome[static_cast<std::size_t>(i)] = applier->Apply(e) == messaging::InboxOutcome::kHandled ? 0 : 2;
            } catch (const messaging::PermanentError&) {
                outcome[static_cast<std::size_t>(i)] = 1;
            } catch (...) {
                outcome[static_cast<std::size_t>(i)] = 2;
            }
        });
    }
    for (auto& t : threads) t.join();
    for (int i = 0; i < kCallers; ++i) {
        INFO("caller " << i);
        const auto& m = milestones[static_cast<std::size_t>(i)];
        if (i == kRefused) {
            CHECK(outcome[static_cast<std::size_t>(i)] == 1);
            CHECK(Escrowed(m) == m.amount);
            CHECK(ReleaseOperations(m) == 0);
        } else {
            CHECK(outcome[static_cast<std::size_t>(i)] == 0);
            CHECK(Escrowed(m) == 0);
            CHECK(ReleaseOperations(m) == 1);
            CHECK(Available(freelancers[static_cast<std::size_t>(i)]) == m.amount * 9 / 10);
        }
    }
    // The releases committed in one transaction each at most, some possibly shared.
    CHECK(applier->commits() >= 1);
    CHECK(applier->commits() <= kCallers - 1);
    RequireHealthyLedger();
}
