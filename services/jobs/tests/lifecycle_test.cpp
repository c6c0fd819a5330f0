// The job's and the proposal's deciders without a database: each transition, each refusal with the
// error the API answers, replays, and no effects when a command is refused.
#include <catch2/catch.hpp>

#include <chrono>

#include "domain/job.hpp"
#include "domain/proposal.hpp"
#include "marketplace/core/errors.hpp"

using namespace marketplace;
using namespace marketplace::jobs;
using namespace std::chrono_literals;

namespace {

// A fixed "now": 2030-01-01T00:00:00Z.
const core::Clock::TimePoint kNow = core::Clock::TimePoint(std::chrono::seconds(1'893'456'000));
const std::int64_t kNowMicros = 1'893'456'000'000'000;
const std::int64_t kEarlier = kNowMicros - 3'600'000'000;

const std::string kJobId = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a10";
const std::string kProposalId = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a11";
const std::string kClanId = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a12";
const std::string kFreelancerId = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a13";
const Caller kClient{"client-1", "client"};
const Caller kOtherClient{"client-2", "client"};
const Caller kFreelancer{kFreelancerId, "freelancer"};
const Caller kOtherFreelancer{"freelancer-2", "freelancer"};

/// The message of the error `fn` throws, checking its type; "<no error>" when it throws none.
template <typename ErrorType, typename Fn>
std::string ErrorOf(Fn&& fn) {
    try {
        fn();
    } catch (const ErrorType& e) {
        return e.caller_message();
    }
    return "<no error>";
}

JobInput ValidJob() {
    JobInput in;
    in.title = "  Build a billing dashboard  ";
    in.description = "Stripe data into charts.";
    in.stack = {"React"};
    in.budget_type = BudgetTypeInput::kFixed;
    in.budget_min = MoneyInput::Of(100'000, "EUR");
    in.budget_max = MoneyInput::Of(250'000, "EUR");
    return in;
}

Job OpenJob() {
    auto d = Decide(std::nullopt, job_command::Post{kJobId, ValidJob()}, kClient, kNow - 1h);
    return d.job;
}

Job JobIn(JobStatus status) {
    auto job = OpenJob();
    job.status = status;
    return job;
}

TimestampInput At(core::Clock::TimePoint t) {
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
    return TimestampInput{true, micros / 1'000'000, static_cast<std::int32_t>((micros % 1'000'000) * 1000)};
}

ProposalInput ValidProposal() {
    MilestoneInput m;
    m.title = "Milestone";
    m.amount = MoneyInput::Of(150'000, "EUR");
    m.due_date = At(kNow + 24h * 7);
    m.definition_of_done = {"Tests pass"};
    ProposalInput in;
    in.cover_letter = "I have built three of these.";
    in.milestones = {m};
    in.total = MoneyInput::Of(150'000, "EUR");
    in.delivery_days = 10;
    return in;
}

proposal_command::Submit SubmitAlone() {
    proposal_command::Submit s;
    s.proposal_id = kProposalId;
    s.input = ValidProposal();
    return s;
}

ClanRoster Roster() {
    ClanRoster r;
    r.clan_id = kClanId;
    r.roles = {{"head", "head"}, {"admin", "admin"}, {"m1", "member"}, {"m2", "member"}};
    r.head_id = "head";
    return r;
}

proposal_command::Submit SubmitAsClan() {
    auto s = SubmitAlone();
    s.clan_id = kClanId;
    s.team = {{"m1", "Backend", 40, {"API"}}, {"m2", "Frontend", 30, {"UI"}}};
    s.split = {{"m1", 6000, {}}, {"m2", 4000, {}}};
    s.roster = Roster();
    return s;
}

/// A submitted proposal by the freelancer on the open job.
ProposalState Submitted() {
    ProposalState state;
    state.job = OpenJob();
    const auto d = Decide(state, SubmitAlone(), kFreelancer, kNow - 30min);
    state.proposal = d.state.proposal;
    return state;
}

/// A clan's submitted application, submitted by "admin" for m1 and m2.
ProposalState SubmittedByClan() {
    ProposalState state;
    state.job = OpenJob();
    const Caller admin{"admin", "freelancer"};
    const auto d = Decide(state, SubmitAsClan(), admin, kNow - 30min);
    state.proposal = d.state.proposal;
    state.application = d.state.application;
    return state;
}

void AgreeAll(ProposalState& state) {
    for (auto& a : state.application->agreements) a.agreed_micros = kEarlier;
}

}  // namespace

TEST_CASE("Job decider: a client posts an open job with the template's defaults", "[jobs][lifecycle]") {
    auto input = ValidJob();
    input.template_id = "saas-mvp";
    input.stack.clear();
    const auto d = Decide(std::nullopt, job_command::Post{kJobId, input}, kClient, kNow);
    CHECK(d.save == JobSave::kInsert);
    CHECK(d.job.job_id == kJobId);
    CHECK(d.job.client_id == kClient.user_id);
    CHECK(d.job.status == JobStatus::kOpen);
    CHECK(d.job.spec.title == "Build a billing dashboard");
    CHECK_FALSE(d.job.spec.stack.empty());  // the template's suggested stack
    CHECK(d.job.created_micros == kNowMicros);
    CHECK(d.job.updated_micros == kNowMicros);
    REQUIRE(d.effects.size() == 1);
    CHECK(std::holds_alternative<job_effect::AnnouncePosted>(d.effects[0]));

    input.title = "";
    CHECK_THROWS_AS(Decide(std::nullopt, job_command::Post{kJobId, input}, kClient, kNow), core::InvalidArgument);
    CHECK_THROWS_AS(Decide(OpenJob(), job_command::Post{kJobId, ValidJob()}, kClient, kNow), std::logic_error);
}

TEST_CASE("Job decider: the client edits an open job", "[jobs][lifecycle]") {
    JobInput changes;
    changes.title = "A new title";
    const auto d = Decide(OpenJob(), job_command::Edit{changes, {"title"}, 3}, kClient, kNow);
    CHECK(d.save == JobSave::kSpec);
    CHECK(d.job.spec.title == "A new title");
    CHECK(d.job.spec.description == OpenJob().spec.description);
    CHECK(d.job.updated_micros == kNowMicros);
    CHECK(d.effects.empty());

    SECTION("refusals") {
        CHECK(ErrorOf<core::NotFound>([&] {
                  Decide(std::nullopt, job_command::Edit{changes, {"title"}, 0}, kClient, kNow);
              }) == "job not found");
        CHECK(ErrorOf<core::PermissionDenied>([&] {
                  Decide(OpenJob(), job_command::Edit{changes, {"title"}, 0}, kOtherClient, kNow);
              }) == "only the job's client can edit it");
        CHECK(ErrorOf<core::FailedPrecondition>([&] {
                  Decide(JobIn(JobStatus::kClosed), job_command::Edit{changes, {"title"}, 0}, kClient, kNow);
              }) == "the job is closed; only an open job can be edited");
        CHECK(ErrorOf<core::InvalidArgument>([&] {
                  Decide(OpenJob(), job_command::Edit{changes, {}, 0}, kClient, kNow);
              }).find("update_mask") != std::string::npos);
        JobInput blank;
        CHECK(ErrorOf<core::InvalidArgument>([&] {
                  Decide(OpenJob(), job_command::Edit{blank, {"title"}, 0}, kClient, kNow);
              }) != "<no error>");
    }
    SECTION("the currency changes only while no proposal is live") {
        JobInput dollars;
        dollars.budget_min = MoneyInput::Of(100'000, "USD");
        dollars.budget_max = MoneyInput::Of(250'000, "USD");
        const std::vector<std::string> paths{"budget_min", "budget_max"};
        CHECK(ErrorOf<core::FailedPrecondition>([&] {
                  Decide(OpenJob(), job_command::Edit{dollars, paths, 1}, kClient, kNow);
              }) == "the currency cannot change while the job has live proposals in EUR");
        const auto changed = Decide(OpenJob(), job_command::Edit{dollars, paths, 0}, kClient, kNow);
        CHECK(changed.job.spec.currency().code() == "USD");
    }
}

TEST_CASE("Job decider: the client closes an open job and its live proposals are declined", "[jobs][lifecycle]") {
    const auto d = Decide(OpenJob(), job_command::Close{}, kClient, kNow);
    CHECK(d.save == JobSave::kStatus);
    CHECK(d.job.status == JobStatus::kClosed);
    CHECK(d.job.updated_micros == kNowMicros);
    REQUIRE(d.effects.size() == 1);
    CHECK(std::holds_alternative<job_effect::DeclineLiveProposals>(d.effects[0]));

    CHECK(ErrorOf<core::PermissionDenied>([&] { Decide(OpenJob(), job_command::Close{}, kOtherClient, kNow); }) ==
          "only the job's client can close it");
    CHECK(ErrorOf<core::FailedPrecondition>([&] {
              Decide(JobIn(JobStatus::kClosed), job_command::Close{}, kClient, kNow);
          }) == "the job is closed; only an open job can be closed");
    CHECK(ErrorOf<core::FailedPrecondition>([&] {
              Decide(JobIn(JobStatus::kInProgress), job_command::Close{}, kClient, kNow);
          }) == "the job is in_progress; only an open job can be closed");
    CHECK(ErrorOf<core::NotFound>([&] { Decide(std::nullopt, job_command::Close{}, kClient, kNow); }) ==
          "job not found");
}

TEST_CASE("Job decider: the client invites a freelancer to an open job", "[jobs][lifecycle]") {
    const auto d = Decide(OpenJob(), job_command::Invite{"invite-1", kFreelancerId, "Interested?"}, kClient, kNow);
    CHECK(d.save == JobSave::kNone);
    REQUIRE(d.effects.size() == 1);
    const auto& invite = std::get<job_effect::SendInvite>(d.effects[0]).invite;
    CHECK(invite.invite_id == "invite-1");
    CHECK(invite.job_id == kJobId);
    CHECK(invite.job_title == "Build a billing dashboard");
    CHECK(invite.client_id == kClient.user_id);
    CHECK(invite.freelancer_id == kFreelancerId);
    CHECK(invite.message == "Interested?");
    CHECK(invite.created_micros == kNowMicros);

    CHECK(ErrorOf<core::PermissionDenied>([&] {
              Decide(OpenJob(), job_command::Invite{"i", kFreelancerId, ""}, kOtherClient, kNow);
          }) == "only the job's client can invite freelancers to it");
    CHECK(ErrorOf<core::FailedPrecondition>([&] {
              Decide(JobIn(JobStatus::kInProgress), job_command::Invite{"i", kFreelancerId, ""}, kClient, kNow);
          }) == "the job is in_progress; only an open job can take invites");
    CHECK(ErrorOf<core::InvalidArgument>([&] {
              Decide(OpenJob(), job_command::Invite{"i", "nobody", ""}, kClient, kNow);
          }) != "<no error>");
    const Caller self{kFreelancerId, "client"};
    Job own = OpenJob();
    own.client_id = kFreelancerId;
    CHECK(ErrorOf<core::InvalidArgument>([&] {
              Decide(own, job_command::Invite{"i", kFreelancerId, ""}, self, kNow);
          }).find("must not be the job's client") != std::string::npos);
}

TEST_CASE("Proposal decider: a freelancer submits to an open job", "[jobs][lifecycle]") {
    ProposalState state;
    state.job = OpenJob();
    const auto d = Decide(state, SubmitAlone(), kFreelancer, kNow);
    CHECK(d.outcome == ProposalOutcome::kApplied);
    CHECK(d.save == ProposalSave::kInsert);
    REQUIRE(d.state.proposal.has_value());
    CHECK(d.state.proposal->proposal_id == kProposalId);
    CHECK(d.state.proposal->job_id == kJobId);
    CHECK(d.state.proposal->freelancer_id == kFreelancerId);
    CHECK(d.state.proposal->status == ProposalStatus::kSubmitted);
    CHECK(d.state.proposal->created_micros == kNowMicros);
    CHECK_FALSE(d.state.application.has_value());
    CHECK_FALSE(d.team.has_value());
    REQUIRE(d.effects.size() == 1);
    CHECK(std::holds_alternative<proposal_effect::AnnounceSubmitted>(d.effects[0]));

    SECTION("refusals") {
        CHECK(ErrorOf<core::NotFound>([&] { Decide(ProposalState{}, SubmitAlone(), kFreelancer, kNow); }) ==
              "job not found");
        ProposalState closed;
        closed.job = JobIn(JobStatus::kClosed);
        CHECK(ErrorOf<core::FailedPrecondition>([&] { Decide(closed, SubmitAlone(), kFreelancer, kNow); }) ==
              "the job is closed; only an open job can take proposals");
        auto bad = SubmitAlone();
        bad.input.total = MoneyInput::Of(1, "EUR");
        CHECK(ErrorOf<core::InvalidArgument>([&] { Decide(state, bad, kFreelancer, kNow); }).find("total") !=
              std::string::npos);
        auto live = state;
        live.applicant_has_live = true;
        CHECK(ErrorOf<core::Conflict>([&] { Decide(live, SubmitAlone(), kFreelancer, kNow); }) ==
              "you already have a live proposal on this job; withdraw it to submit another");
    }
}

TEST_CASE("Proposal decider: a clan applies with a team plan and a split", "[jobs][lifecycle]") {
    ProposalState state;
    state.job = OpenJob();
    const Caller admin{"admin", "freelancer"};
    const auto d = Decide(state, SubmitAsClan(), admin, kNow);
    REQUIRE(d.state.proposal.has_value());
    CHECK(d.state.proposal->freelancer_id == kClanId);  // the applicant is the clan
    REQUIRE(d.team.has_value());
    CHECK(d.team->members.size() == 2);
    REQUIRE(d.state.application.has_value());
    const auto& app = *d.state.application;
    CHECK(app.clan_id == kClanId);
    CHECK(app.submitted_by == "admin");
    CHECK(app.member_pool == d.team->member_pool);
    REQUIRE(app.agreements.size() == 2);
    CHECK(app.agreements[0].member.user_id == "m1");
    CHECK(app.agreements[0].share_weight == 6000);
    CHECK_FALSE(app.agreements[0].agreed_micros.has_value());
    CHECK_FALSE(app.AllAgreed());

    const Caller member{"m1", "freelancer"};
    CHECK_THROWS_AS(Decide(state, SubmitAsClan(), member, kNow), core::PermissionDenied);
    auto live = state;
    live.applicant_has_live = true;
    CHECK(ErrorOf<core::Conflict>([&] { Decide(live, SubmitAsClan(), admin, kNow); }) ==
          "the clan already has a live proposal on this job; one application per clan per job");
    auto no_roster = SubmitAsClan();
    no_roster.roster.reset();
    CHECK_THROWS_AS(Decide(state, no_roster, admin, kNow), std::logic_error);
}

TEST_CASE("Proposal decider: withdrawing", "[jobs][lifecycle]") {
    const auto d = Decide(Submitted(), proposal_command::Withdraw{}, kFreelancer, kNow);
    CHECK(d.save == ProposalSave::kStatus);
    CHECK(d.state.proposal->status == ProposalStatus::kWithdrawn);
    CHECK(d.state.proposal->updated_micros == kNowMicros);
    CHECK(d.effects.empty());

    CHECK(ErrorOf<core::NotFound>([&] { Decide(ProposalState{}, proposal_command::Withdraw{}, kFreelancer, kNow); }) ==
          "proposal not found");
    CHECK(ErrorOf<core::PermissionDenied>([&] {
              Decide(Submitted(), proposal_command::Withdraw{}, kOtherFreelancer, kNow);
          }) == "only the proposal's freelancer can withdraw it");
    auto withdrawn = Submitted();
    withdrawn.proposal->status = ProposalStatus::kWithdrawn;
    CHECK(ErrorOf<core::FailedPrecondition>([&] {
              Decide(withdrawn, proposal_command::Withdraw{}, kFreelancer, kNow);
          }) == "the proposal is withdrawn; only a submitted proposal can be withdrawn");

    SECTION("a clan's application: only its submitter withdraws it; others do not see it") {
        const auto clan = SubmittedByClan();
        CHECK(Decide(clan, proposal_command::Withdraw{}, Caller{"admin", "freelancer"}, kNow).state.proposal->status ==
              ProposalStatus::kWithdrawn);
        CHECK(ErrorOf<core::PermissionDenied>([&] {
                  Decide(clan, proposal_command::Withdraw{}, Caller{"m1", "freelancer"}, kNow);
              }) == "only the clan's member who submitted it may withdraw it");
        CHECK(ErrorOf<core::NotFound>([&] {
                  Decide(clan, proposal_command::Withdraw{}, Caller{"stranger", "freelancer"}, kNow);
              }) == "proposal not found");
    }
}

TEST_CASE("Proposal decider: agreeing to a clan's plan", "[jobs][lifecycle]") {
    const auto clan = SubmittedByClan();
    const Caller m1{"m1", "freelancer"};
    const auto d = Decide(clan, proposal_command::Agree{}, m1, kNow);
    CHECK(d.outcome == ProposalOutcome::kApplied);
    CHECK(d.save == ProposalSave::kNone);
    REQUIRE(d.effects.size() == 1);
    CHECK(std::get<proposal_effect::RecordAgreement>(d.effects[0]) ==
          proposal_effect::RecordAgreement{"m1", kNowMicros});
    CHECK(d.state.application->Find("m1")->agreed_micros == kNowMicros);
    CHECK_FALSE(d.state.application->Find("m2")->agreed_micros.has_value());

    // Agreeing again changes nothing.
    const auto again = Decide(d.state, proposal_command::Agree{}, m1, kNow + 1h);
    CHECK(again.outcome == ProposalOutcome::kAlreadyDone);
    CHECK(again.effects.empty());
    CHECK(again.state.application->Find("m1")->agreed_micros == kNowMicros);

    CHECK(ErrorOf<core::PermissionDenied>([&] {
              Decide(clan, proposal_command::Agree{}, Caller{"admin", "freelancer"}, kNow);
          }) == "only a member named in the clan's plan agrees to it");
    CHECK(ErrorOf<core::NotFound>([&] {
              Decide(clan, proposal_command::Agree{}, Caller{"stranger", "freelancer"}, kNow);
          }) == "proposal not found");
    CHECK(ErrorOf<core::NotFound>([&] { Decide(Submitted(), proposal_command::Agree{}, kFreelancer, kNow); }) ==
          "proposal not found");  // not a clan's proposal
    auto declined = clan;
    declined.proposal->status = ProposalStatus::kDeclined;
    CHECK(ErrorOf<core::FailedPrecondition>([&] { Decide(declined, proposal_command::Agree{}, m1, kNow); }) ==
          "the proposal is declined; only a submitted proposal can be agreed to");
}

TEST_CASE("Proposal decider: the client accepts; the job is in progress and the others declined", "[jobs][lifecycle]") {
    const auto state = Submitted();
    CHECK_FALSE(AcceptNeedsRoster(state, kClient));
    const auto d = Decide(state, proposal_command::Accept{}, kClient, kNow);
    CHECK(d.save == ProposalSave::kAccept);
    CHECK(d.state.proposal->status == ProposalStatus::kAccepted);
    CHECK(d.state.proposal->updated_micros == kNowMicros);
    CHECK(d.state.job->status == JobStatus::kInProgress);
    CHECK(d.state.job->accepted_proposal_id == kProposalId);
    CHECK(d.state.job->updated_micros == kNowMicros);
    REQUIRE(d.effects.size() == 2);
    CHECK(std::holds_alternative<proposal_effect::DeclineOtherProposals>(d.effects[0]));
    CHECK(std::get<proposal_effect::AnnounceAccepted>(d.effects[1]).clan_leader_id.empty());

    SECTION("refusals") {
        CHECK(ErrorOf<core::NotFound>([&] { Decide(ProposalState{}, proposal_command::Accept{}, kClient, kNow); }) ==
              "proposal not found");
        auto no_job = state;
        no_job.job.reset();
        CHECK(ErrorOf<core::NotFound>([&] { Decide(no_job, proposal_command::Accept{}, kClient, kNow); }) ==
              "proposal not found");
        CHECK(ErrorOf<core::PermissionDenied>([&] { Decide(state, proposal_command::Accept{}, kOtherClient, kNow); }) ==
              "only the job's client can accept a proposal");
        CHECK(ErrorOf<core::PermissionDenied>([&] { AcceptNeedsRoster(state, kOtherClient); }) ==
              "only the job's client can accept a proposal");
        // A second accept: the job is in progress now.
        CHECK(ErrorOf<core::FailedPrecondition>([&] { Decide(d.state, proposal_command::Accept{}, kClient, kNow); }) ==
              "the job is in_progress; only an open job can have a proposal accepted");
        auto withdrawn = state;
        withdrawn.proposal->status = ProposalStatus::kWithdrawn;
        CHECK(ErrorOf<core::FailedPrecondition>([&] {
                  Decide(withdrawn, proposal_command::Accept{}, kClient, kNow);
              }) == "the proposal is withdrawn; only a submitted proposal can be accepted");
    }
}

TEST_CASE("Proposal decider: accepting a clan's proposal", "[jobs][lifecycle]") {
    auto clan = SubmittedByClan();
    CHECK(ErrorOf<core::FailedPrecondition>([&] { AcceptNeedsRoster(clan, kClient); }) ==
          "2 of 2 members named in the clan's plan have not agreed yet");
    clan.application->agreements[0].agreed_micros = kEarlier;
    CHECK(ErrorOf<core::FailedPrecondition>([&] { Decide(clan, proposal_command::Accept{Roster()}, kClient, kNow); }) ==
          "1 of 2 members named in the clan's plan have not agreed yet");
    AgreeAll(clan);
    CHECK(AcceptNeedsRoster(clan, kClient));
    CHECK_THROWS_AS(Decide(clan, proposal_command::Accept{}, kClient, kNow), std::logic_error);

    const auto d = Decide(clan, proposal_command::Accept{Roster()}, kClient, kNow);
    CHECK(d.state.proposal->status == ProposalStatus::kAccepted);
    REQUIRE(d.effects.size() == 2);
    CHECK(std::get<proposal_effect::AnnounceAccepted>(d.effects[1]).clan_leader_id == "head");

    auto archived = Roster();
    archived.archived = true;
    CHECK(ErrorOf<core::FailedPrecondition>([&] { Decide(clan, proposal_command::Accept{archived}, kClient, kNow); }) ==
          "the clan is archived");
    auto left = Roster();
    left.roles.erase("m2");
    CHECK(ErrorOf<core::FailedPrecondition>([&] { Decide(clan, proposal_command::Accept{left}, kClient, kNow); }) ==
          "team[1] (m2) is no longer a member of the clan: the clan must apply again");
}
