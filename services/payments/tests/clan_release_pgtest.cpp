// A clan's milestone released in one ledger operation: the platform fee, the leader's commission and
// every member's part of the plan in force.
#include <catch2/catch.hpp>

#include "domain/clan_split.hpp"
#include "fixture.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/disputes/v1/events.pb.h"
#include "marketplace/messaging/consumer.hpp"

using namespace marketplace;
using namespace marketplace::payments;
using namespace marketplace::payments::test;

namespace {

contracts::v1::MilestoneAccepted ClanAccepted(const FundedEscrow& m, const std::string& leader, const std::string& mode,
                                              const std::vector<std::pair<User, std::int64_t>>& shares) {
    contracts::v1::MilestoneAccepted e;
    e.set_milestone_id(m.id);
    e.set_contract_id(m.contract_id);
    e.set_client_id(m.client.id);
    *e.mutable_amount() = Money(m.amount);
    auto* split = e.mutable_clan_split();
    split->set_clan_id(core::NewUuidV7());
    split->set_plan_version(1);
    split->set_leader_id(leader);
    split->set_split_mode(mode);
    for (const auto& [user, weight] : shares) {
        auto* s = split->add_shares();
        s->set_user_id(user.id);
        s->set_weight(weight);
    }
    return e;
}

void DeliverResolution(const disputes::v1::DisputeResolved& e) {
    messaging::IncomingEvent in;
    in.id = core::NewUuidV4();
    in.source = "//marketplace/disputes";
    in.type = disputes::v1::DisputeResolved::descriptor()->full_name();
    in.key = e.milestone_id();
    in.payload = e.SerializeAsString();
    in.topic = "disputes.events.v1";
    auto& service = Service::Get();
    const auto handler = service.component().router().Handler();
    db::InTransaction(service.runtime().pool(), [&](pqxx::work& tx) { handler(tx, in); });
}

std::int64_t FeeIncome() {
    return QueryInt("SELECT COALESCE(sum(balance), 0) FROM accounts WHERE kind = 'platform_fees'");
}

}  // namespace

TEST_CASE("Clan release: fee, the leader's commission and every member's share in one operation, to the cent",
          "[payments][clans][pg]") {
    const User head = NewUser("freelancer"), co_head = NewUser("freelancer"), admin = NewUser("freelancer"),
               member = NewUser("freelancer");
    const auto m = FundedMilestone(100'001);  // odd: the leftover minor unit has to land somewhere
    const auto fees_before = FeeIncome();
    const auto event = ClanAccepted(m, head.id, "bps", {{head, 4000}, {co_head, 3000}, {admin, 2000}, {member, 1000}});
    Deliver(event, m.id);

    // One allocation of 100001 by 1000 : 300 : 8700 x (40/30/20/10)%: exact 10000.1, 3000.03,
    // 34800.348, 26100.261, 17400.174, 8700.087; the one unit left goes to the largest remainder (0.348).
    CHECK(FeeIncome() - fees_before == 10'000);
    CHECK(Available(head) == 3'000 + 34'801);
    CHECK(Available(co_head) == 26'100);
    CHECK(Available(admin) == 17'400);
    CHECK(Available(member) == 8'700);
    CHECK(Balance("milestone_escrow", m.id) == 0);
    CHECK(QueryInt("SELECT count(DISTINCT operation_id) FROM transfers WHERE operation_id = 'escrow_release:" + m.id +
                   "'") == 1);

    const auto answers = PublishedOf<payments::v1::EscrowReleased>(m.id);
    REQUIRE(answers.size() == 1);
    const auto& legs = answers[0].legs();
    REQUIRE(legs.size() == 6);
    CHECK(legs[0].kind() == "platform_fee");
    CHECK(legs[1].kind() == "leader_commission");
    CHECK(legs[1].user_id() == head.id);
    CHECK(legs[1].amount().minor_units() == 3'000);
    for (int i = 2; i < 6; ++i) CHECK(legs[i].kind() == "member_share");
    CHECK(legs[5].user_id() == member.id);

    // A replay answers again with the same legs and moves nothing.
    Deliver(event, m.id);
    const auto again = PublishedOf<payments::v1::EscrowReleased>(m.id);
    REQUIRE(again.size() == 2);
    CHECK(again[1].SerializeAsString() == again[0].SerializeAsString());
    CHECK(Available(member) == 8'700);
    RequireHealthyLedger();
}

TEST_CASE("Clan release: fixed amounts divide the milestone's pool in proportion; one minor unit goes somewhere",
          "[payments][clans][pg]") {
    const User leader = NewUser("freelancer"), a = NewUser("freelancer"), b = NewUser("freelancer");
    auto m = FundedMilestone(1);
    const auto fees_before = FeeIncome();
    Deliver(ClanAccepted(m, leader.id, "fixed", {{a, 50'000}, {b, 37'000}}), m.id);
    // Exact: 0.1 fee, 0.03 commission, 0.5 and 0.37 to the members: the unit goes to a.
    CHECK(FeeIncome() == fees_before);
    CHECK(Available(leader) == 0);
    CHECK(Available(a) == 1);
    CHECK(Available(b) == 0);
    const auto legs = PublishedOf<payments::v1::EscrowReleased>(m.id).at(0).legs();
    REQUIRE(legs.size() == 1);
    CHECK(legs[0].kind() == "member_share");

    m = FundedMilestone(40'000);
    Deliver(ClanAccepted(m, leader.id, "fixed", {{a, 50'000}, {b, 37'000}}), m.id);
    CHECK(Available(leader) == 1'200);
    CHECK(Available(a) == 1 + 20'000);
    CHECK(Available(b) == 14'800);
    RequireHealthyLedger();
}

TEST_CASE("Clan release: a plan that can never apply is parked and moves nothing", "[payments][clans][pg]") {
    const User leader = NewUser("freelancer"), a = NewUser("freelancer");
    const auto m = FundedMilestone(10'000);
    CHECK_THROWS_AS(Deliver(ClanAccepted(m, leader.id, "bps", {{a, 9000}}), m.id), messaging::PermanentError);
    CHECK_THROWS_AS(Deliver(ClanAccepted(m, "not-a-user", "bps", {{a, 10000}}), m.id), messaging::PermanentError);
    CHECK_THROWS_AS(Deliver(ClanAccepted(m, leader.id, "percent", {{a, 10000}}), m.id), messaging::PermanentError);
    CHECK(Balance("milestone_escrow", m.id) == 10'000);
    CHECK(Available(a) == 0);
    RequireHealthyLedger();
}

TEST_CASE(
    "Clan dispute: the released part is divided by the plan in force when the dispute held the milestone, "
    "the rest refunded, in one operation",
    "[payments][clans][pg]") {
    const User leader = NewUser("freelancer"), a = NewUser("freelancer"), b = NewUser("freelancer");
    const auto m = FundedMilestone(100'000);
    const auto accepted = ClanAccepted(m, leader.id, "bps", {{leader, 5000}, {a, 3000}, {b, 2000}});
    contracts::v1::MilestoneDisputed disputed;
    disputed.set_milestone_id(m.id);
    disputed.set_contract_id(m.contract_id);
    const std::string dispute_id = core::NewUuidV7();
    disputed.set_dispute_id(dispute_id);
    disputed.set_prior_state("submitted");
    *disputed.mutable_amount() = Money(m.amount);
    *disputed.mutable_clan_split() = accepted.clan_split();
    Deliver(disputed, m.id);

    disputes::v1::DisputeResolved resolved;
    resolved.set_dispute_id(dispute_id);
    resolved.set_milestone_id(m.id);
    resolved.set_contract_id(m.contract_id);
    resolved.set_client_id(m.client.id);
    resolved.set_outcome("split");
    *resolved.mutable_escrow() = Money(m.amount);
    *resolved.mutable_released() = Money(60'000);
    resolved.set_release_bps(6000);
    auto* payee = resolved.add_payees();  // disputes names the working party: the clan's id
    payee->set_user_id(core::NewUuidV7());
    payee->set_share_bps(10000);
    const auto fees_before = FeeIncome();
    DeliverResolution(resolved);
    DeliverResolution(resolved);  // a replay settles nothing twice

    // 600.00 released: fee 60.00, commission 18.00, pool 522.00 = 261.00 + 156.60 + 104.40; 400.00 back.
    CHECK(FeeIncome() - fees_before == 6'000);
    CHECK(Available(leader) == 1'800 + 26'100);
    CHECK(Available(a) == 15'660);
    CHECK(Available(b) == 10'440);
    CHECK(Available(m.client) == 40'000);
    CHECK(Available({payee->user_id(), "freelancer"}) == 0);  // never the clan's id
    CHECK(Balance("milestone_escrow", m.id) == 0);
    const auto answers = PublishedOf<payments::v1::EscrowSettled>(m.id);
    REQUIRE(answers.size() == 2);
    const auto& legs = answers[0].legs();
    REQUIRE(legs.size() == 6);
    CHECK(legs[0].kind() == "platform_fee");
    CHECK(legs[1].kind() == "leader_commission");
    CHECK(legs[2].kind() == "member_share");
    CHECK(legs[4].user_id() == b.id);
    CHECK(legs[5].kind() == "refund");
    CHECK(answers[1].SerializeAsString() == answers[0].SerializeAsString());
    RequireHealthyLedger();
}
