// The dispute saga end to end: disputes, contracts, payments and notifications as processes on the
// local stack (real PostgreSQL and Kafka), driven over gRPC as the parties and staff would, and once
// over HTTP through the gateway. Every rung ends in each outcome; each deadline's default applies by
// moving the shared clock; races with accept and the auto-release have exactly one winner; a
// withdrawal resumes the auto-release with the time that was left; a silent payments times a funding
// out and a late answer is reconciled; crashes mid-resolution settle exactly once.
#include <catch2/catch.hpp>

#include <atomic>
#include <ctime>
#include <map>
#include <set>
#include <thread>

#include "dispute_story.hpp"
#include "http_story.hpp"
#include "marketplace/testing/wait.hpp"

using namespace marketplace;
using namespace marketplace::e2e;
using namespace std::chrono_literals;
namespace cv1 = marketplace::contracts::v1;
namespace av1 = marketplace::auth::v1;

namespace {

constexpr std::int64_t kAmount = 100000;  // 1000.00 EUR

struct Staff {
    User mediator, expert;
};

Staff& StaffUsers() {
    static Staff staff{S().RegisterStaff(av1::ROLE_MEDIATOR, "mediator"),
                       S().RegisterStaff(av1::ROLE_EXPERT, "expert")};
    return staff;
}

void ReloginAll(Deal& d) {
    S().Relogin(d.client);
    S().Relogin(d.freelancer);
    S().Relogin(StaffUsers().mediator);
    S().Relogin(StaffUsers().expert);
}

std::int64_t Available(const User& u) {
    const auto b = Balance(u);
    return b.available().minor_units();
}

/// A funded (and, when `submit`, submitted) milestone of kAmount; the client deposited exactly it.
Deal FundedDeal(bool submit) {
    Deal d = NewDeal(kAmount, kAmount);
    Ok(Fund(d.client, d.milestone, MoneyStack::NewKey()), "fund");
    WaitState(d.client, d.milestone, cv1::MILESTONE_STATE_FUNDED);
    if (submit) {
        Ok(Submit(d.freelancer, d.milestone), "submit");
        WaitState(d.client, d.milestone, cv1::MILESTONE_STATE_SUBMITTED);
    }
    return d;
}

/// Opens as `opener` and waits until contracts holds the milestone (STAGE_RESPONSE).
dv1::Dispute Opened(Deal& d, const User& opener, std::int64_t asked) {
    dv1::Dispute opened;
    Ok(OpenDispute(opener, d.milestone, asked, &opened), "open dispute");
    CHECK(opened.stage() == dv1::STAGE_OPENING);
    const auto held = WaitStage(opener, opened.dispute_id(), dv1::STAGE_RESPONSE);
    CHECK(Milestone(d.client, d.milestone).state() == cv1::MILESTONE_STATE_DISPUTED);
    CHECK(held.has_due_at());
    return held;
}

/// After settlement: the milestone's final state, the wallets, and a healthy ledger.
void CheckSettled(Deal& d, const std::string& dispute_id, cv1::MilestoneState final_state, std::int64_t released) {
    const auto settled = WaitSettled(d.client, dispute_id);
    CHECK(settled.resolution().released().minor_units() == released);
    CHECK(settled.resolution().refunded().minor_units() == kAmount - released);
    WaitState(d.client, d.milestone, final_state);
    CHECK(Available(d.client) == kAmount - released);
    CHECK(Available(d.freelancer) == released - FeeOn(released));
    CHECK(Balance(d.client).in_escrow().minor_units() == 0);
    CHECK(LedgerViolations().empty());
}

}  // namespace

TEST_CASE("Dispute, response: the client accepts the freelancer's claim and the escrow is released",
          "[e2e][disputes]") {
    Deal d = FundedDeal(/*submit=*/true);
    const auto dispute = Opened(d, d.freelancer, kAmount);
    CHECK(dispute.opener_side() == dv1::SIDE_FREELANCER);
    CHECK(dispute.default_at_due().find("amount asked") != std::string::npos);
    // While disputed: no accept, and a second dispute is refused.
    auto accepted = Accept(d.client, d.milestone);
    CHECK(accepted.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
    CHECK(OpenDispute(d.client, d.milestone, 0).error_code() == grpc::StatusCode::ALREADY_EXISTS);
    // The opener cannot answer their own claim.
    CHECK(Respond(d.freelancer, dispute.dispute_id(), dv1::ANSWER_ACCEPT).error_code() ==
          grpc::StatusCode::PERMISSION_DENIED);
    Ok(Respond(d.client, dispute.dispute_id(), dv1::ANSWER_ACCEPT), "accept the claim");
    const auto resolved = GetDispute(d.client, dispute.dispute_id());
    CHECK(resolved.stage() == dv1::STAGE_RESOLVED);
    CHECK(resolved.resolution().outcome() == dv1::OUTCOME_RELEASE);
    CHECK(resolved.resolution().rung() == dv1::STAGE_RESPONSE);
    CheckSettled(d, dispute.dispute_id(), cv1::MILESTONE_STATE_PAID, kAmount);
}

TEST_CASE("Dispute, response default: silence until the deadline refunds what the client asked",
          "[e2e][disputes][default]") {
    Deal d = FundedDeal(/*submit=*/false);
    const auto dispute = Opened(d, d.client, 0);  // the client is willing to pay nothing
    Ok(AddEvidence(d.client, dispute.dispute_id(), dv1::EVIDENCE_KIND_MESSAGE, "", "Nothing was delivered."),
       "evidence");
    PassDeadline(dispute, {&d.client, &d.freelancer});
    const auto resolved = WaitStage(d.client, dispute.dispute_id(), dv1::STAGE_RESOLVED);
    CHECK(resolved.resolution().outcome() == dv1::OUTCOME_REFUND);
    CHECK(resolved.resolution().decided_by() == "system");
    CHECK(resolved.evidence_size() == 1);
    CheckSettled(d, dispute.dispute_id(), cv1::MILESTONE_STATE_REFUNDED, 0);
}

TEST_CASE("Dispute, negotiation: a counter-offer, an offer and its acceptance split the escrow", "[e2e][disputes]") {
    Deal d = FundedDeal(/*submit=*/true);
    const auto dispute = Opened(d, d.freelancer, kAmount);
    Ok(Respond(d.client, dispute.dispute_id(), dv1::ANSWER_COUNTER, 4000), "counter");
    Ok(Offer(d.freelancer, dispute.dispute_id(), 6500), "offer");
    // Accepting an offer that is not the standing one is refused.
    CHECK(AcceptOffer(d.client, dispute.dispute_id(), 6000).error_code() == grpc::StatusCode::FAILED_PRECONDITION);
    Ok(AcceptOffer(d.client, dispute.dispute_id(), 6500), "accept the offer");
    const auto resolved = GetDispute(d.client, dispute.dispute_id());
    CHECK(resolved.resolution().outcome() == dv1::OUTCOME_SPLIT);
    CHECK(resolved.resolution().rung() == dv1::STAGE_NEGOTIATION);
    CheckSettled(d, dispute.dispute_id(), cv1::MILESTONE_STATE_SPLIT_PAID, 65000);
}

TEST_CASE("Dispute, mediation: both parties accept the mediator's proposal", "[e2e][disputes]") {
    Deal d = FundedDeal(/*submit=*/true);
    const auto& staff = StaffUsers();
    const auto dispute = Opened(d, d.freelancer, kAmount);
    Ok(Respond(d.client, dispute.dispute_id(), dv1::ANSWER_CONTEST), "contest");
    const auto negotiating = GetDispute(d.client, dispute.dispute_id());
    PassDeadline(negotiating, {&d.client, &d.freelancer});
    ReloginAll(d);
    const auto mediating = WaitStage(d.client, dispute.dispute_id(), dv1::STAGE_MEDIATION);
    // Parties and experts do not propose; the mediator does.
    CHECK(Propose(d.client, dispute.dispute_id(), 5000).error_code() == grpc::StatusCode::PERMISSION_DENIED);
    CHECK(Propose(staff.expert, dispute.dispute_id(), 5000).error_code() == grpc::StatusCode::PERMISSION_DENIED);
    Ok(Propose(staff.mediator, dispute.dispute_id(), 5000), "propose");
    Ok(AcceptProposal(d.client, dispute.dispute_id(), 5000), "client accepts");
    CHECK(GetDispute(d.client, dispute.dispute_id()).stage() == dv1::STAGE_MEDIATION);
    Ok(AcceptProposal(d.freelancer, dispute.dispute_id(), 5000), "freelancer accepts");
    const auto resolved = GetDispute(staff.mediator, dispute.dispute_id());
    CHECK(resolved.resolution().rung() == dv1::STAGE_MEDIATION);
    CHECK(resolved.resolution().decided_by() == staff.mediator.id);
    (void)mediating;
    CheckSettled(d, dispute.dispute_id(), cv1::MILESTONE_STATE_SPLIT_PAID, 50000);
}

TEST_CASE("Dispute, expert review and the admin's decision", "[e2e][disputes]") {
    Deal d = FundedDeal(/*submit=*/true);
    auto& staff = StaffUsers();
    const auto dispute = Opened(d, d.client, 2000);
    Ok(Respond(d.freelancer, dispute.dispute_id(), dv1::ANSWER_CONTEST), "contest");
    PassDeadline(GetDispute(d.client, dispute.dispute_id()), {&d.client, &d.freelancer});
    ReloginAll(d);
    WaitStage(d.client, dispute.dispute_id(), dv1::STAGE_MEDIATION);
    Ok(Propose(staff.mediator, dispute.dispute_id(), 5000), "propose");
    Ok(RequestExpert(d.freelancer, dispute.dispute_id()), "ask for an expert");
    PassDeadline(GetDispute(d.client, dispute.dispute_id()), {&d.client, &d.freelancer});
    ReloginAll(d);
    WaitStage(d.client, dispute.dispute_id(), dv1::STAGE_EXPERT_REVIEW);
    // Evidence closed when mediation ended.
    CHECK(AddEvidence(d.client, dispute.dispute_id(), dv1::EVIDENCE_KIND_MESSAGE, "", "late").error_code() ==
          grpc::StatusCode::FAILED_PRECONDITION);
    CHECK(Recommend(staff.mediator, dispute.dispute_id(), 7000, "report").error_code() ==
          grpc::StatusCode::PERMISSION_DENIED);
    Ok(Recommend(staff.expert, dispute.dispute_id(), 7000, "Most of the work meets the definition of done."),
       "recommend");
    CHECK(GetDispute(d.client, dispute.dispute_id()).stage() == dv1::STAGE_ADMIN_DECISION);
    CHECK(Decide(staff.mediator, dispute.dispute_id(), dv1::OUTCOME_RELEASE).error_code() ==
          grpc::StatusCode::PERMISSION_DENIED);
    Ok(Decide(S().Admin(), dispute.dispute_id(), dv1::OUTCOME_SPLIT, 7500), "decide");
    const auto resolved = GetDispute(d.client, dispute.dispute_id());
    CHECK(resolved.resolution().rung() == dv1::STAGE_ADMIN_DECISION);
    CHECK(resolved.expert_report().find("definition of done") != std::string::npos);
    CheckSettled(d, dispute.dispute_id(), cv1::MILESTONE_STATE_SPLIT_PAID, 75000);
}

TEST_CASE("Dispute, defaults all the way: negotiation, mediation and the admin's silence end in an even split",
          "[e2e][disputes][default]") {
    Deal d = FundedDeal(/*submit=*/false);
    const auto dispute = Opened(d, d.client, 0);
    Ok(Respond(d.freelancer, dispute.dispute_id(), dv1::ANSWER_CONTEST), "contest");
    for (const auto stage : {dv1::STAGE_MEDIATION, dv1::STAGE_ADMIN_DECISION, dv1::STAGE_RESOLVED}) {
        PassDeadline(GetDispute(d.client, dispute.dispute_id()), {&d.client, &d.freelancer});
        WaitStage(d.client, dispute.dispute_id(), stage);
    }
    const auto resolved = GetDispute(d.client, dispute.dispute_id());
    CHECK(resolved.resolution().decided_by() == "system");
    CHECK(resolved.resolution().release_bps() == 5000);
    CheckSettled(d, dispute.dispute_id(), cv1::MILESTONE_STATE_SPLIT_PAID, 50000);
}

TEST_CASE("Dispute, an admin decision refunds everything, and release releases everything", "[e2e][disputes]") {
    for (const auto outcome : {dv1::OUTCOME_REFUND, dv1::OUTCOME_RELEASE}) {
        Deal d = FundedDeal(/*submit=*/true);
        const auto dispute = Opened(d, d.freelancer, kAmount);
        Ok(Respond(d.client, dispute.dispute_id(), dv1::ANSWER_CONTEST), "contest");
        PassDeadline(GetDispute(d.client, dispute.dispute_id()), {&d.client, &d.freelancer});
        WaitStage(d.client, dispute.dispute_id(), dv1::STAGE_MEDIATION);
        PassDeadline(GetDispute(d.client, dispute.dispute_id()), {&d.client, &d.freelancer});
        WaitStage(d.client, dispute.dispute_id(), dv1::STAGE_ADMIN_DECISION);
        Ok(Decide(S().Admin(), dispute.dispute_id(), outcome), "decide");
        if (outcome == dv1::OUTCOME_REFUND) {
            CheckSettled(d, dispute.dispute_id(), cv1::MILESTONE_STATE_REFUNDED, 0);
        } else {
            CheckSettled(d, dispute.dispute_id(), cv1::MILESTONE_STATE_PAID, kAmount);
        }
    }
}

TEST_CASE("Dispute, withdrawal: the milestone returns and its auto-release continues from where it stopped",
          "[e2e][disputes]") {
    Deal d = FundedDeal(/*submit=*/true);
    const auto before = Milestone(d.client, d.milestone);
    REQUIRE(before.has_auto_release_at());
    S().AdvanceClock(std::chrono::hours(24 * 3));  // three days of the review period pass
    S().Relogin(d.client);
    S().Relogin(d.freelancer);
    const auto dispute = Opened(d, d.freelancer, kAmount);
    CHECK_FALSE(Milestone(d.client, d.milestone).has_auto_release_at());
    S().AdvanceClock(std::chrono::hours(24 * 4));  // four days in dispute do not count
    S().Relogin(d.client);
    S().Relogin(d.freelancer);
    CHECK(Withdraw(d.client, dispute.dispute_id()).error_code() == grpc::StatusCode::PERMISSION_DENIED);
    Ok(Withdraw(d.freelancer, dispute.dispute_id()), "withdraw");
    const auto back = WaitState(d.client, d.milestone, cv1::MILESTONE_STATE_SUBMITTED);
    REQUIRE(back.has_auto_release_at());
    // The deadline moved by the four days in dispute, to the second (the services' clock moved by
    // whole days; the withdrawal took a moment of real time).
    const auto shift = back.auto_release_at().seconds() - before.auto_release_at().seconds();
    CHECK(shift >= 4 * 24 * 3600);
    CHECK(shift <= 4 * 24 * 3600 + 60);
    // The escrow is unlocked: the client can accept and pay.
    Ok(Accept(d.client, d.milestone), "accept after the withdrawal");
    WaitState(d.client, d.milestone, cv1::MILESTONE_STATE_PAID);
    CHECK(Available(d.freelancer) == kAmount - FeeOn(kAmount));
    CHECK(LedgerViolations().empty());
    // A new dispute can no longer be opened on a paid milestone.
    CHECK(OpenDispute(d.freelancer, d.milestone, kAmount).error_code() == grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_CASE("Dispute races: against the client's accept, against the auto-release, and two opens at once",
          "[e2e][disputes][race]") {
    SECTION("dispute vs accept: exactly one wins, and the loser is told why") {
        for (int round = 0; round < 3; ++round) {
            Deal d = FundedDeal(/*submit=*/true);
            grpc::Status accept_status, open_status;
            dv1::Dispute opened;
            std::thread accept([&] { accept_status = Accept(d.client, d.milestone); });
            std::thread open([&] { open_status = OpenDispute(d.freelancer, d.milestone, kAmount, &opened); });
            accept.join();
            open.join();
            INFO("accept: " << accept_status.error_message() << " / open: " << open_status.error_message());
            if (!open_status.ok()) {
                // contracts had accepted already when disputes read the milestone.
                CHECK(accept_status.ok());
                CHECK(open_status.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
                WaitState(d.client, d.milestone, cv1::MILESTONE_STATE_PAID);
                continue;
            }
            const auto end = marketplace::testing::WaitUntil(
                [&] {
                    const auto s = GetDispute(d.client, opened.dispute_id()).stage();
                    return s == dv1::STAGE_RESPONSE || s == dv1::STAGE_REFUSED;
                },
                30s, 50ms);
            REQUIRE(end);
            const auto dispute = GetDispute(d.client, opened.dispute_id());
            if (dispute.stage() == dv1::STAGE_REFUSED) {
                CHECK(accept_status.ok());
                // The accept came first: by the time the dispute reached contracts the milestone was
                // accepted, or already paid when the release's EscrowReleased had been applied too.
                const auto& reason = dispute.refusal_reason();
                INFO("refusal: " << reason);
                CHECK((reason.find("milestone is accepted") != std::string::npos ||
                       reason.find("milestone is paid") != std::string::npos));
                WaitState(d.client, d.milestone, cv1::MILESTONE_STATE_PAID);
            } else {
                CHECK(accept_status.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
                CHECK(accept_status.error_message().find("dispute") != std::string::npos);
                CHECK(Milestone(d.client, d.milestone).state() == cv1::MILESTONE_STATE_DISPUTED);
                CHECK(Balance(d.client).in_escrow().minor_units() == kAmount);
            }
        }
    }
    SECTION("dispute vs the auto-release timer: exactly one wins") {
        Deal d = FundedDeal(/*submit=*/true);
        const auto m = Milestone(d.client, d.milestone);
        const auto due = std::chrono::system_clock::time_point(std::chrono::seconds(m.auto_release_at().seconds()));
        S().AdvanceClock(std::chrono::duration_cast<std::chrono::seconds>(
                             due - (std::chrono::system_clock::now() + S().clock_offset())) +
                         1s);
        S().Relogin(d.client);
        S().Relogin(d.freelancer);
        dv1::Dispute opened;
        const auto open_status = OpenDispute(d.freelancer, d.milestone, kAmount, &opened);
        if (open_status.ok()) {
            const auto end = marketplace::testing::WaitUntil(
                [&] {
                    const auto s = GetDispute(d.client, opened.dispute_id()).stage();
                    return s == dv1::STAGE_RESPONSE || s == dv1::STAGE_REFUSED;
                },
                30s, 50ms);
            REQUIRE(end);
            if (GetDispute(d.client, opened.dispute_id()).stage() == dv1::STAGE_REFUSED) {
                WaitState(d.client, d.milestone, cv1::MILESTONE_STATE_PAID);
            } else {
                // The timer lost: it changes nothing while the dispute holds the milestone.
                std::this_thread::sleep_for(500ms);
                CHECK(Milestone(d.client, d.milestone).state() == cv1::MILESTONE_STATE_DISPUTED);
                CHECK(Balance(d.client).in_escrow().minor_units() == kAmount);
            }
        } else {
            CHECK(open_status.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
            WaitState(d.client, d.milestone, cv1::MILESTONE_STATE_PAID);
        }
        CHECK(LedgerViolations().empty());
    }
    SECTION("two opens at once: one dispute") {
        Deal d = FundedDeal(/*submit=*/true);
        grpc::Status a, b;
        std::thread t1([&] { a = OpenDispute(d.client, d.milestone, 0); });
        std::thread t2([&] { b = OpenDispute(d.freelancer, d.milestone, kAmount); });
        t1.join();
        t2.join();
        INFO(a.error_message() << " / " << b.error_message());
        CHECK(a.ok() != b.ok());
        CHECK(
            (a.error_code() == grpc::StatusCode::ALREADY_EXISTS || b.error_code() == grpc::StatusCode::ALREADY_EXISTS));
        // Opening is idempotent: the same key returns the same dispute.
        Deal e = FundedDeal(/*submit=*/false);
        const std::string key = MoneyStack::NewKey();
        dv1::Dispute first, second;
        Ok(OpenDispute(e.client, e.milestone, 0, &first, key), "open");
        Ok(OpenDispute(e.client, e.milestone, 0, &second, key), "open again");
        CHECK(first.dispute_id() == second.dispute_id());
    }
}

TEST_CASE("Disputes: who may see and act", "[e2e][disputes][authz]") {
    Deal d = FundedDeal(/*submit=*/true);
    auto& staff = StaffUsers();
    const User stranger = S().Register(av1::ROLE_CLIENT, "stranger");
    // A stranger cannot open a dispute on someone else's milestone, nor learn it exists.
    CHECK(OpenDispute(stranger, d.milestone, 0).error_code() == grpc::StatusCode::NOT_FOUND);
    CHECK(OpenDispute(staff.mediator, d.milestone, 0).error_code() == grpc::StatusCode::NOT_FOUND);
    const auto dispute = Opened(d, d.freelancer, kAmount);
    dv1::GetDisputeRequest get;
    get.set_dispute_id(dispute.dispute_id());
    dv1::GetDisputeResponse got;
    CHECK(S().disputes().GetDispute(MoneyStack::Context(stranger).get(), get, &got).error_code() ==
          grpc::StatusCode::NOT_FOUND);
    for (const User* viewer : {&d.client, &d.freelancer, &staff.mediator, &staff.expert, &S().Admin()}) {
        CHECK(S().disputes().GetDispute(MoneyStack::Context(*viewer).get(), get, &got).ok());
    }
    CHECK(Respond(stranger, dispute.dispute_id(), dv1::ANSWER_ACCEPT).error_code() == grpc::StatusCode::NOT_FOUND);
    CHECK(Respond(staff.mediator, dispute.dispute_id(), dv1::ANSWER_ACCEPT).error_code() ==
          grpc::StatusCode::PERMISSION_DENIED);
    CHECK(Decide(d.client, dispute.dispute_id(), dv1::OUTCOME_REFUND).error_code() ==
          grpc::StatusCode::PERMISSION_DENIED);
    CHECK(AddEvidence(stranger, dispute.dispute_id(), dv1::EVIDENCE_KIND_MESSAGE, "", "hi").error_code() ==
          grpc::StatusCode::NOT_FOUND);
    // Evidence limits name the field.
    const auto bad = AddEvidence(d.client, dispute.dispute_id(), dv1::EVIDENCE_KIND_FILE, "file-1", "", "abc");
    CHECK(bad.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(bad.error_message().find("sha256") != std::string::npos);
    Ok(AddEvidence(staff.mediator, dispute.dispute_id(), dv1::EVIDENCE_KIND_FILE, "file-1", "the build log",
                   std::string(64, 'a')),
       "staff evidence");
    // Lists: a party sees their own, a stranger nothing, staff everything.
    dv1::ListDisputesRequest list;
    list.set_milestone_id(d.milestone);
    dv1::ListDisputesResponse listed;
    Ok(S().disputes().ListDisputes(MoneyStack::Context(stranger).get(), list, &listed), "stranger lists");
    CHECK(listed.disputes_size() == 0);
    Ok(S().disputes().ListDisputes(MoneyStack::Context(staff.mediator).get(), list, &listed), "mediator lists");
    CHECK(listed.disputes_size() == 1);
    // Both parties were told.
    const auto told = marketplace::testing::WaitUntil(
        [&] {
            notifications::v1::ListNotificationsRequest req;
            notifications::v1::ListNotificationsResponse resp;
            if (!S().notifications().ListNotifications(MoneyStack::Context(d.client).get(), req, &resp).ok()) {
                return false;
            }
            for (const auto& n : resp.notifications()) {
                if (n.kind().rfind("dispute.", 0) == 0) return true;
            }
            return false;
        },
        30s, 100ms);
    CHECK(told);
}

TEST_CASE(
    "Funding timeout: a silent payments returns the milestone to funding_required; its late answer is "
    "reconciled",
    "[e2e][disputes][funding]") {
    Deal d = NewDeal(kAmount, kAmount);
    S().StopService("payments");
    Ok(Fund(d.client, d.milestone, MoneyStack::NewKey()), "fund while payments is down");
    CHECK(Milestone(d.client, d.milestone).state() == cv1::MILESTONE_STATE_FUNDING_PENDING);
    S().AdvanceClock(std::chrono::minutes(16));
    S().Relogin(d.client);
    const auto back = WaitState(d.client, d.milestone, cv1::MILESTONE_STATE_FUNDING_REQUIRED);
    CHECK(back.funding_failure_reason().find("did not answer") != std::string::npos);
    S().StartService("payments");
    // payments comes back, funds the attempt it finds waiting, and contracts reconciles.
    WaitState(d.client, d.milestone, cv1::MILESTONE_STATE_FUNDED);
    CHECK(Balance(d.client).in_escrow().minor_units() == kAmount);
    CHECK(LedgerViolations().empty());
}

TEST_CASE("Faults: disputes, contracts and payments killed mid-resolution settle every escrow exactly once",
          "[e2e][disputes][chaos]") {
    std::vector<std::pair<Deal, std::string>> disputes;
    for (int i = 0; i < 3; ++i) {
        Deal d = FundedDeal(/*submit=*/true);
        const auto opened = Opened(d, d.freelancer, kAmount);
        Ok(Respond(d.client, opened.dispute_id(), dv1::ANSWER_COUNTER, 3000 + 1000 * i), "counter");
        disputes.emplace_back(std::move(d), opened.dispute_id());
    }
    // Resolve each, and crash a service right behind the resolution.
    const char* victims[] = {"disputes", "payments", "contracts"};
    for (std::size_t i = 0; i < disputes.size(); ++i) {
        auto& [d, id] = disputes[i];
        Ok(AcceptOffer(d.freelancer, id, static_cast<int>(3000 + 1000 * i)), "accept the counter");
        S().RestartService(victims[i]);
    }
    for (std::size_t i = 0; i < disputes.size(); ++i) {
        auto& [d, id] = disputes[i];
        S().Relogin(d.client);
        S().Relogin(d.freelancer);
        CheckSettled(d, id, cv1::MILESTONE_STATE_SPLIT_PAID, 30000 + 10000 * static_cast<std::int64_t>(i));
    }
}

TEST_CASE("Dispute over HTTP through the gateway: open, counter, accept, split", "[e2e][disputes][http]") {
    using namespace marketplace::e2e::http;
    S().gateway_base_url();
    HttpDeal d = NewHttpDeal(kAmount, kAmount);
    Post(d.client.token, "/v1/milestones/" + d.milestone_id + ":fund", json::object());
    WaitMilestone(d.client, d.milestone_id, "MILESTONE_STATE_FUNDED");
    const auto opened = Post(d.freelancer.token, "/v1/milestones/" + d.milestone_id + "/disputes",
                             json{{"reason_code", "REASON_CODE_QUALITY"},
                                  {"statement", "The client does not answer."},
                                  {"amount_asked", http::Eur(kAmount)}});
    const std::string id = opened.at("dispute").at("dispute_id").get<std::string>();
    // A stranger gets 404; a bad request names the field.
    const auto stranger = RegisterUser("ROLE_CLIENT", "http-stranger");
    CHECK(Send(Request{"GET", "/v1/disputes/" + id, stranger.token, {}, {}, {}}).status == 404);
    const auto bad = Send(Request{
        "POST", "/v1/disputes/" + id + ":offer", d.client.token, json{{"release_bps", 20000}}.dump(), NewUuid(), {}});
    CHECK(bad.status == 400);
    marketplace::testing::WaitUntil(
        [&] { return Get(d.client.token, "/v1/disputes/" + id).at("dispute").value("stage", "") == "STAGE_RESPONSE"; },
        30s, 50ms);
    CHECK(MilestoneState(d.client, d.milestone_id) == "MILESTONE_STATE_DISPUTED");
    Post(d.client.token, "/v1/disputes/" + id + ":respond",
         json{{"answer", "ANSWER_COUNTER"}, {"counter_release_bps", 2500}});
    Post(d.freelancer.token, "/v1/disputes/" + id + ":accept-offer", json{{"release_bps", 2500}});
    WaitMilestone(d.client, d.milestone_id, "MILESTONE_STATE_SPLIT_PAID");
    CHECK(http::Available(d.client) == kAmount - 25000);
    CHECK(http::Available(d.freelancer) == 25000 - FeeOn(25000));
    const auto dispute = Get(d.client.token, "/v1/disputes/" + id).at("dispute");
    CHECK(dispute.at("resolution").value("outcome", "") == "OUTCOME_SPLIT");
    CHECK(http::LedgerViolations().empty());
}

TEST_CASE("Dispute routes through the gateway: parties, strangers, mediator, expert and admin",
          "[e2e][disputes][authz][http]") {
    using namespace marketplace::e2e::http;
    S().gateway_base_url();
    HttpDeal d = NewHttpDeal(kAmount, kAmount);
    Post(d.client.token, "/v1/milestones/" + d.milestone_id + ":fund", json::object());
    WaitMilestone(d.client, d.milestone_id, "MILESTONE_STATE_FUNDED");
    const std::string id = Post(d.freelancer.token, "/v1/milestones/" + d.milestone_id + "/disputes",
                                json{{"reason_code", "REASON_CODE_SCOPE"},
                                     {"statement", "The scope grew."},
                                     {"amount_asked", http::Eur(kAmount)}})
                               .at("dispute")
                               .at("dispute_id")
                               .get<std::string>();
    auto& staff = StaffUsers();
    S().Relogin(staff.mediator);
    S().Relogin(staff.expert);
    const std::map<std::string, std::string> tokens{{"A", d.client.token},
                                                    {"B", d.freelancer.token},
                                                    {"mediator", staff.mediator.token},
                                                    {"expert", staff.expert.token},
                                                    {"admin", AdminUser().token},
                                                    {"stranger", RegisterUser("ROLE_FREELANCER", "s").token}};
    // Each write carries an input the callers' rights are checked before: someone allowed gets a
    // 400 (or 412 for the wrong rung) and nothing changes; anyone else who may see the dispute 403;
    // a stranger 404. B's own withdrawal is not made (it would end the dispute).
    struct Case {
        std::string method, path;
        json body;
        std::set<std::string> allowed;
        std::set<std::string> skip;
    };
    const std::string base = "/v1/disputes/" + id;
    const std::vector<Case> cases = {
        {"GET", base, nullptr, {"A", "B", "mediator", "expert", "admin"}, {}},
        {"POST", base + ":respond", json{{"answer", "ANSWER_COUNTER"}, {"counter_release_bps", 20000}}, {"A", "B"}, {}},
        {"POST", base + ":offer", json{{"release_bps", 20000}}, {"A", "B"}, {}},
        {"POST", base + ":accept-offer", json{{"release_bps", 20000}}, {"A", "B"}, {}},
        {"POST", base + ":propose", json{{"release_bps", 20000}}, {"mediator", "admin"}, {}},
        {"POST", base + ":accept-proposal", json{{"release_bps", 20000}}, {"A", "B"}, {}},
        {"POST", base + ":request-expert", json::object(), {"A", "B"}, {}},
        {"POST", base + ":recommend", json{{"release_bps", 20000}, {"report", "r"}}, {"expert", "admin"}, {}},
        {"POST", base + ":decide", json{{"outcome", "OUTCOME_SPLIT"}, {"release_bps", 20000}}, {"admin"}, {}},
        {"POST", base + ":withdraw", json::object(), {}, {"B"}},
        {"POST",
         base + "/evidence",
         json{{"kind", "EVIDENCE_KIND_FILE"}, {"reference", "f"}, {"sha256", "x"}},
         {"A", "B", "mediator", "expert", "admin"},
         {}},
    };
    for (const auto& c : cases) {
        for (const auto& [who, token] : tokens) {
            if (c.skip.count(who)) continue;
            Request r{c.method, c.path, token, std::nullopt, {}, {}};
            if (!c.body.is_null()) {
                r.body = c.body.dump();
                r.idempotency_key = NewUuid();
            }
            const auto resp = Send(r);
            INFO(who << ": " << c.method << " " << c.path << " -> " << resp.status << " " << resp.body.substr(0, 200));
            if (who == "stranger") {
                CHECK(resp.status == 404);
            } else if (c.allowed.count(who)) {
                if (c.method == "GET") {
                    CHECK(resp.status == 200);
                } else {
                    CHECK((resp.status == 400 || resp.status == 412));
                }
            } else {
                CHECK(resp.status == 403);
            }
        }
    }
    // Staff list every dispute; a stranger's list holds none of them.
    CHECK(Get(tokens.at("mediator"), "/v1/disputes?page_size=100").dump().find(id) != std::string::npos);
    CHECK(Get(tokens.at("stranger"), "/v1/disputes?page_size=100").dump().find(id) == std::string::npos);
    CHECK(Get(d.client.token, base).at("dispute").value("stage", "") != "STAGE_RESOLVED");
}

namespace {

namespace h = marketplace::e2e::http;

/// A funded and submitted milestone over HTTP, and a dispute the freelancer opened on it, held.
struct HttpDispute {
    h::HttpDeal deal;
    std::string id;
};

HttpDispute OpenedOverHttp(std::int64_t asked) {
    HttpDispute out{h::NewHttpDeal(kAmount, kAmount), {}};
    auto& d = out.deal;
    h::Post(d.client.token, "/v1/milestones/" + d.milestone_id + ":fund", h::json::object());
    h::WaitMilestone(d.client, d.milestone_id, "MILESTONE_STATE_FUNDED");
    h::Post(d.freelancer.token, "/v1/milestones/" + d.milestone_id + ":submit",
            h::json{{"note", "Done."}, {"links", h::json::array({"https://staging.example"})}});
    h::WaitMilestone(d.client, d.milestone_id, "MILESTONE_STATE_SUBMITTED");
    out.id = h::Post(d.freelancer.token, "/v1/milestones/" + d.milestone_id + "/disputes",
                     h::json{{"reason_code", "REASON_CODE_UNRESPONSIVE"},
                             {"statement", "No answer for weeks."},
                             {"amount_asked", h::Eur(asked)}})
                 .at("dispute")
                 .at("dispute_id")
                 .get<std::string>();
    h::WaitMilestone(d.client, d.milestone_id, "MILESTONE_STATE_DISPUTED");
    return out;
}

h::json HttpDisputeOf(const h::HttpUser& user, const std::string& id) {
    return h::Get(user.token, "/v1/disputes/" + id).at("dispute");
}

/// Moves the clock past the dispute's deadline (as the services see it) and logs the users in again.
void PassHttpDeadline(const std::string& id, std::initializer_list<h::HttpUser*> users) {
    const auto dispute = HttpDisputeOf(**users.begin(), id);
    const auto due = dispute.at("due_at").get<std::string>();
    std::tm tm{};
    strptime(due.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
    const auto due_at = std::chrono::system_clock::from_time_t(timegm(&tm));
    const auto services_now = std::chrono::system_clock::now() + S().clock_offset();
    S().AdvanceClock(std::chrono::duration_cast<std::chrono::seconds>(due_at - services_now) + 2min);
    for (auto* u : users) h::Login(*u);
}

void WaitHttpStage(const h::HttpUser& user, const std::string& id, const std::string& stage) {
    const bool reached =
        marketplace::testing::WaitUntil([&] { return HttpDisputeOf(user, id).value("stage", "") == stage; }, 30s, 50ms);
    INFO("dispute " << id << " stage " << HttpDisputeOf(user, id).value("stage", "") << ", wanted " << stage);
    REQUIRE(reached);
}

}  // namespace

TEST_CASE("Every rung over HTTP through the gateway, each ending in one of the three outcomes",
          "[e2e][disputes][http]") {
    S().gateway_base_url();
    auto staff_mediator = h::RegisterUser("ROLE_CLIENT", "http-mediator");
    auto staff_expert = h::RegisterUser("ROLE_CLIENT", "http-expert");
    auto admin = h::AdminUser();
    h::Post(admin.token, "/v1/users/" + staff_mediator.id + ":set-staff-role", h::json{{"role", "ROLE_MEDIATOR"}});
    h::Post(admin.token, "/v1/users/" + staff_expert.id + ":set-staff-role", h::json{{"role", "ROLE_EXPERT"}});

    SECTION("response: the client accepts the claim -> release -> paid") {
        auto x = OpenedOverHttp(kAmount);
        WaitHttpStage(x.deal.client, x.id, "STAGE_RESPONSE");
        h::Post(x.deal.client.token, "/v1/disputes/" + x.id + ":respond", h::json{{"answer", "ANSWER_ACCEPT"}});
        h::WaitMilestone(x.deal.client, x.deal.milestone_id, "MILESTONE_STATE_PAID");
        CHECK(h::Available(x.deal.freelancer) == kAmount - FeeOn(kAmount));
    }
    SECTION("mediation: the mediator's proposal accepted by both -> split -> split_paid") {
        auto x = OpenedOverHttp(kAmount);
        WaitHttpStage(x.deal.client, x.id, "STAGE_RESPONSE");
        h::Post(x.deal.client.token, "/v1/disputes/" + x.id + ":respond", h::json{{"answer", "ANSWER_CONTEST"}});
        PassHttpDeadline(x.id, {&x.deal.client, &x.deal.freelancer, &staff_mediator});
        WaitHttpStage(x.deal.client, x.id, "STAGE_MEDIATION");
        h::Post(staff_mediator.token, "/v1/disputes/" + x.id + ":propose", h::json{{"release_bps", 3000}});
        h::Post(x.deal.client.token, "/v1/disputes/" + x.id + ":accept-proposal", h::json{{"release_bps", 3000}});
        h::Post(x.deal.freelancer.token, "/v1/disputes/" + x.id + ":accept-proposal", h::json{{"release_bps", 3000}});
        h::WaitMilestone(x.deal.client, x.deal.milestone_id, "MILESTONE_STATE_SPLIT_PAID");
        CHECK(h::Available(x.deal.client) == kAmount - 30000);
        CHECK(h::Available(x.deal.freelancer) == 30000 - FeeOn(30000));
    }
    SECTION("expert review, then the admin decides a refund -> refunded") {
        auto x = OpenedOverHttp(kAmount);
        WaitHttpStage(x.deal.client, x.id, "STAGE_RESPONSE");
        h::Post(x.deal.client.token, "/v1/disputes/" + x.id + ":respond", h::json{{"answer", "ANSWER_CONTEST"}});
        PassHttpDeadline(x.id, {&x.deal.client, &x.deal.freelancer});
        WaitHttpStage(x.deal.client, x.id, "STAGE_MEDIATION");
        h::Post(x.deal.client.token, "/v1/disputes/" + x.id + ":request-expert", h::json::object());
        PassHttpDeadline(x.id, {&x.deal.client, &x.deal.freelancer, &staff_expert, &admin});
        WaitHttpStage(x.deal.client, x.id, "STAGE_EXPERT_REVIEW");
        h::Post(staff_expert.token, "/v1/disputes/" + x.id + ":recommend",
                h::json{{"release_bps", 0}, {"report", "Nothing of the definition of done was delivered."}});
        WaitHttpStage(x.deal.client, x.id, "STAGE_ADMIN_DECISION");
        h::Post(admin.token, "/v1/disputes/" + x.id + ":decide", h::json{{"outcome", "OUTCOME_REFUND"}});
        h::WaitMilestone(x.deal.client, x.deal.milestone_id, "MILESTONE_STATE_REFUNDED");
        CHECK(h::Available(x.deal.client) == kAmount);
        CHECK(h::Available(x.deal.freelancer) == 0);
    }
    CHECK(h::LedgerViolations().empty());
}

TEST_CASE("Dispute reminders: 24 hours before a deadline both parties are told what happens at it",
          "[e2e][disputes][notifications]") {
    Deal d = FundedDeal(/*submit=*/false);
    const auto dispute = Opened(d, d.client, 0);
    const auto due = std::chrono::system_clock::time_point(std::chrono::seconds(dispute.due_at().seconds()));
    const auto services_now = std::chrono::system_clock::now() + S().clock_offset();
    // To 23 hours before the deadline: the reminder is due, the deadline is not.
    S().AdvanceClock(std::chrono::duration_cast<std::chrono::seconds>(due - services_now) - 23h);
    S().Relogin(d.client);
    S().Relogin(d.freelancer);
    for (const User* party : {&d.client, &d.freelancer}) {
        std::string title;
        const bool reminded = marketplace::testing::WaitUntil(
            [&] {
                notifications::v1::ListNotificationsRequest req;
                notifications::v1::ListNotificationsResponse resp;
                if (!S().notifications().ListNotifications(MoneyStack::Context(*party).get(), req, &resp).ok()) {
                    return false;
                }
                for (const auto& n : resp.notifications()) {
                    if (n.kind() == "dispute.deadline_near") {
                        title = n.title();
                        return true;
                    }
                }
                return false;
            },
            30s, 100ms);
        CHECK(reminded);
        CHECK(title.find("amount asked") != std::string::npos);
    }
    CHECK(GetDispute(d.client, dispute.dispute_id()).stage() == dv1::STAGE_RESPONSE);
}

TEST_CASE("Dispute: the step log is read by staff only, in order", "[e2e][disputes]") {
    Deal d = FundedDeal(/*submit=*/true);
    const auto dispute = Opened(d, d.freelancer, kAmount);
    Ok(Respond(d.client, dispute.dispute_id(), dv1::ANSWER_CONTEST), "contest");
    // Earlier tests moved the clock past the staff's tokens.
    for (User* staff : {&S().Admin(), &StaffUsers().mediator, &StaffUsers().expert}) S().Relogin(*staff);
    auto steps_as = [&](const User& who, dv1::ListDisputeStepsResponse* out) {
        dv1::ListDisputeStepsRequest req;
        req.set_dispute_id(dispute.dispute_id());
        return S().disputes().ListDisputeSteps(MoneyStack::Context(who).get(), req, out);
    };
    for (const User* staff : {&S().Admin(), &StaffUsers().mediator, &StaffUsers().expert}) {
        dv1::ListDisputeStepsResponse resp;
        Ok(steps_as(*staff, &resp), "steps");
        CHECK(resp.dispute_id() == dispute.dispute_id());
        CHECK(resp.milestone_id() == d.milestone);
        // opened (by the freelancer), confirmed (contracts held the milestone), answered (the contest).
        REQUIRE(resp.steps_size() == 3);
        CHECK(resp.steps(0).step() == "opened");
        CHECK(resp.steps(0).actor() == d.freelancer.id);
        CHECK(resp.steps(1).step() == "confirmed");
        CHECK(resp.steps(1).stage() == "response");
        CHECK(resp.steps(2).step() == "answered");
        CHECK(resp.steps(2).stage() == "negotiation");
        CHECK(resp.steps(2).actor() == d.client.id);
        for (int i = 0; i < resp.steps_size(); ++i) {
            CHECK(resp.steps(i).seq() == i + 1);
            CHECK_FALSE(resp.steps(i).summary().empty());
            if (i > 0) CHECK(resp.steps(i).at().seconds() >= resp.steps(i - 1).at().seconds());
        }
    }
    // The parties see the dispute itself, not its step log; an unknown dispute is NOT_FOUND for staff.
    dv1::ListDisputeStepsResponse resp;
    CHECK(steps_as(d.client, &resp).error_code() == grpc::StatusCode::PERMISSION_DENIED);
    CHECK(steps_as(d.freelancer, &resp).error_code() == grpc::StatusCode::PERMISSION_DENIED);
    dv1::ListDisputeStepsRequest unknown;
    unknown.set_dispute_id(MoneyStack::NewKey());
    CHECK(S().disputes().ListDisputeSteps(MoneyStack::Context(S().Admin()).get(), unknown, &resp).error_code() ==
          grpc::StatusCode::NOT_FOUND);
}
