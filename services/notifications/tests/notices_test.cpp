// What each consumed event tells whom: the event -> notice mapping and the recipients it resolves to.
#include <catch2/catch.hpp>

#include <tuple>

#include "domain/notice.hpp"
#include "events/notices.hpp"
#include "marketplace/core/errors.hpp"

using namespace marketplace;
using namespace marketplace::notifications;

namespace {

const Parties kParties{"c-1", "client-1", "freelancer-1"};

common::v1::Money Eur(std::int64_t minor) {
    common::v1::Money m;
    m.set_minor_units(minor);
    m.set_currency("EUR");
    return m;
}

std::vector<std::string> Users(const Notice& n) { return RecipientUsers(n, kParties); }

}  // namespace

TEST_CASE("Notices: a new contract tells both parties how many milestones it has", "[notifications]") {
    contracts::v1::ContractCreated e;
    e.set_contract_id("c-1");
    e.set_client_id("client-1");
    e.set_freelancer_id("freelancer-1");
    e.add_milestone_ids("m-1");
    e.add_milestone_ids("m-2");
    const auto n = NoticeOf(e);
    CHECK(n.kind == "contract.created");
    CHECK(n.contract_id == "c-1");
    CHECK(n.title == "New contract with 2 milestones: sign its statement of work to begin");
    CHECK(Users(n) == std::vector<std::string>{"client-1", "freelancer-1"});
}

TEST_CASE("Notices: a funded escrow tells the freelancer to start, with the amount", "[notifications]") {
    payments::v1::EscrowFunded e;
    e.set_milestone_id("m-1");
    *e.mutable_amount() = Eur(150000);
    const auto n = NoticeOf(e);
    CHECK(n.kind == "milestone.funded");
    CHECK(n.title == "Milestone funded: 1500.00 EUR is in escrow, you can start");
    CHECK(n.milestone_id == "m-1");
    CHECK(n.contract_id.empty());
    CHECK(n.NeedsContract());
    CHECK(Users(n) == std::vector<std::string>{"freelancer-1"});
}

TEST_CASE("Notices: a failed funding tells the client why", "[notifications]") {
    payments::v1::EscrowFundingFailed e;
    e.set_milestone_id("m-1");
    e.set_reason("insufficient funds: available 100.00 EUR, needed 1500.00 EUR");
    const auto n = NoticeOf(e);
    CHECK(n.kind == "milestone.funding_failed");
    CHECK(n.title == "Funding the milestone failed: insufficient funds: available 100.00 EUR, needed 1500.00 EUR");
    CHECK(Users(n) == std::vector<std::string>{"client-1"});
}

TEST_CASE("Notices: a submission asks the client to review before the deadline", "[notifications]") {
    contracts::v1::MilestoneSubmitted e;
    e.set_milestone_id("m-1");
    e.set_contract_id("c-1");
    e.set_auto_release_at("2026-12-05T10:00:00Z");
    const auto n = NoticeOf(e);
    CHECK(n.kind == "milestone.submitted");
    CHECK(n.title == "Milestone submitted for your review: it is accepted automatically at 2026-12-05T10:00:00Z");
    CHECK(n.contract_id == "c-1");
    CHECK(Users(n) == std::vector<std::string>{"client-1"});
}

TEST_CASE("Notices: an accept tells the freelancer; an auto-release tells the client too", "[notifications]") {
    contracts::v1::MilestoneAccepted e;
    e.set_milestone_id("m-1");
    e.set_contract_id("c-1");
    e.set_client_id("client-1");
    *e.mutable_amount() = Eur(150000);
    auto n = NoticeOf(e);
    CHECK(n.kind == "milestone.accepted");
    CHECK(n.title == "Milestone accepted by the client: 1500.00 EUR is being released to you");
    CHECK(Users(n) == std::vector<std::string>{"freelancer-1"});

    e.set_auto_released(true);
    n = NoticeOf(e);
    CHECK(n.title == "Milestone accepted automatically at its review deadline: 1500.00 EUR is being released");
    CHECK(Users(n) == std::vector<std::string>{"freelancer-1", "client-1"});
}

TEST_CASE("Notices: requested changes carry the client's feedback, shortened", "[notifications]") {
    contracts::v1::MilestoneRejected e;
    e.set_milestone_id("m-1");
    e.set_contract_id("c-1");
    e.set_feedback(std::string(300, 'x'));
    const auto n = NoticeOf(e);
    CHECK(n.kind == "milestone.changes_requested");
    CHECK(n.title == "Changes requested on your milestone: " + std::string(kMaxExcerptChars - 1, 'x') + "\u2026");
    CHECK(Users(n) == std::vector<std::string>{"freelancer-1"});
}

TEST_CASE("Notices: a cancelled milestone tells the freelancer, its refund the client", "[notifications]") {
    contracts::v1::MilestoneCancelled cancelled;
    cancelled.set_milestone_id("m-1");
    cancelled.set_contract_id("c-1");
    CHECK(Users(NoticeOf(cancelled)) == std::vector<std::string>{"freelancer-1"});

    payments::v1::EscrowRefunded refunded;
    refunded.set_milestone_id("m-1");
    *refunded.mutable_amount() = Eur(2500);
    const auto n = NoticeOf(refunded);
    CHECK(n.kind == "escrow.refunded");
    CHECK(n.title == "Escrow refunded: 25.00 EUR is back in your wallet");
    CHECK(Users(n) == std::vector<std::string>{"client-1"});
}

TEST_CASE("Notices: a release tells each payee their own share, never the platform", "[notifications]") {
    payments::v1::EscrowReleased e;
    e.set_milestone_id("m-1");
    *e.mutable_amount() = Eur(150000);
    auto* fee = e.add_legs();
    fee->set_kind("platform_fee");
    *fee->mutable_amount() = Eur(15000);
    auto* a = e.add_legs();
    a->set_kind("payee");
    a->set_user_id("member-a");
    *a->mutable_amount() = Eur(90000);
    auto* b = e.add_legs();
    b->set_kind("payee");
    b->set_user_id("member-b");
    *b->mutable_amount() = Eur(45000);
    const auto notices = NoticesOf(e);
    REQUIRE(notices.size() == 2);
    CHECK(notices[0].kind == "escrow.released");
    CHECK(notices[0].title == "Payment released: 900.00 EUR is in your wallet");
    CHECK(Users(notices[0]) == std::vector<std::string>{"member-a"});
    CHECK(notices[1].title == "Payment released: 450.00 EUR is in your wallet");
    CHECK(Users(notices[1]) == std::vector<std::string>{"member-b"});
    // About a milestone whose contract the event does not name: it waits for the read model.
    CHECK(notices[0].NeedsContract());
}

TEST_CASE("Notices: a payout tells its owner whether it was sent or returned", "[notifications]") {
    payments::v1::PayoutCompleted e;
    e.set_payout_id("p-1");
    e.set_user_id("freelancer-1");
    *e.mutable_amount() = Eur(100000);
    e.set_outcome("posted");
    auto n = NoticeOf(e);
    CHECK(n.kind == "payout.completed");
    CHECK(n.title == "Payout sent: 1000.00 EUR is on its way to your bank");
    CHECK_FALSE(n.NeedsContract());
    CHECK(RecipientUsers(n, std::nullopt) == std::vector<std::string>{"freelancer-1"});
    e.set_outcome("voided");
    CHECK(NoticeOf(e).title == "Payout returned: 1000.00 EUR is back in your wallet");
}

TEST_CASE("Notices: an unknown currency leaves the amount out of the title", "[notifications]") {
    payments::v1::EscrowFunded e;
    e.set_milestone_id("m-1");
    e.mutable_amount()->set_minor_units(100);
    e.mutable_amount()->set_currency("XXZ");
    CHECK(NoticeOf(e).title == "Milestone funded, you can start");
}

TEST_CASE("Notices: an event without its subject's id is refused naming the field", "[notifications]") {
    payments::v1::EscrowFunded funded;
    try {
        NoticeOf(funded);
        FAIL("no error");
    } catch (const core::InvalidArgument& e) {
        CHECK(e.field() == "milestone_id");
    }
    payments::v1::PayoutCompleted payout;
    CHECK_THROWS_AS(NoticeOf(payout), core::InvalidArgument);
    payments::v1::EscrowReleased released;
    released.set_milestone_id("m-1");
    released.add_legs()->set_kind("payee");
    try {
        NoticesOf(released);
        FAIL("no error");
    } catch (const core::InvalidArgument& e) {
        CHECK(e.field() == "legs[0].user_id");
    }
}

TEST_CASE("Notices: recipients are each notified once and need the parties when named by role", "[notifications]") {
    Notice n{"k", "t", "c-1", "", {Recipient::Client(), Recipient::User("client-1"), Recipient::Freelancer()}};
    CHECK(RecipientUsers(n, kParties) == std::vector<std::string>{"client-1", "freelancer-1"});
    CHECK_THROWS_AS(RecipientUsers(n, std::nullopt), std::logic_error);
}

TEST_CASE("Notices: recipients survive being stored with a waiting notice", "[notifications]") {
    const std::vector<Recipient> all{Recipient::Freelancer(), Recipient::Client(), Recipient::User("0190-ab")};
    CHECK(EncodeRecipients(all) == "freelancer client user:0190-ab");
    CHECK(DecodeRecipients(EncodeRecipients(all)) == all);
    CHECK(DecodeRecipients("").empty());
    CHECK_THROWS_AS(DecodeRecipients("client admin"), std::invalid_argument);
}

TEST_CASE("Notices: shortening never cuts a UTF-8 character in half", "[notifications]") {
    CHECK(Shorten("short", 10) == "short");
    CHECK(Shorten("exactly10!", 10) == "exactly10!");
    CHECK(Shorten("\u00e9\u00e9\u00e9\u00e9", 3) == "\u00e9\u00e9\u2026");
    CHECK(Shorten("abcdef", 4) == "abc\u2026");
}

TEST_CASE("Notices: a workroom mention tells the mentioned member, with the message's beginning", "[notifications]") {
    workroom::v1::MemberMentioned e;
    e.set_room_id("room-1");
    e.set_contract_id("contract-1");
    e.set_message_id("message-1");
    e.set_author_id("client-1");
    e.set_mentioned_user_id("freelancer-1");
    e.set_excerpt("@freelancer can you look at the build?");
    const auto n = NoticeOf(e);
    CHECK(n.kind == "workroom.mentioned");
    CHECK(n.title == "You were mentioned in the workroom: @freelancer can you look at the build?");
    CHECK(n.contract_id == "contract-1");
    CHECK_FALSE(n.NeedsContract());
    CHECK(RecipientUsers(n, std::nullopt) == std::vector<std::string>{"freelancer-1"});
    e.clear_mentioned_user_id();
    CHECK_THROWS_AS(NoticeOf(e), core::InvalidArgument);
}

TEST_CASE("Notices: a clan's release tells every member what they were paid, the leader's commission included",
          "[notifications]") {
    payments::v1::EscrowReleased e;
    e.set_milestone_id("m-1");
    *e.mutable_amount() = Eur(60000);
    const std::vector<std::tuple<std::string, std::string, std::int64_t>> legs = {{"platform_fee", "", 6000},
                                                                                  {"leader_commission", "head", 1800},
                                                                                  {"member_share", "head", 20880},
                                                                                  {"member_share", "admin", 10440},
                                                                                  {"member_share", "member", 10440}};
    for (const auto& [kind, user, minor] : legs) {
        auto* leg = e.add_legs();
        leg->set_kind(kind);
        leg->set_user_id(user);
        *leg->mutable_amount() = Eur(minor);
    }
    const auto notices = NoticesOf(e);
    REQUIRE(notices.size() == 3);
    CHECK(notices[0].title == "Clan payment released: 226.80 EUR is in your wallet");
    CHECK(Users(notices[0]) == std::vector<std::string>{"head"});
    CHECK(notices[1].title == "Clan payment released: 104.40 EUR is in your wallet");
    CHECK(Users(notices[1]) == std::vector<std::string>{"admin"});
    CHECK(Users(notices[2]) == std::vector<std::string>{"member"});
}
