#include "app/dispute_flows.hpp"

#include <algorithm>
#include <cctype>

#include "domain/split.hpp"
#include "marketplace/common/v1/money.pb.h"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/core/log.hpp"
#include "marketplace/core/micros.hpp"
#include "marketplace/disputes/v1/events.pb.h"
#include "marketplace/messaging/timers.hpp"
#include "marketplace/wire/values.hpp"

namespace marketplace::disputes {
namespace {

constexpr std::size_t kMaxStatementChars = 4000;
constexpr std::size_t kMaxNoteChars = 4000;
constexpr std::size_t kMaxReferenceChars = 2048;

constexpr std::string_view kReasonCodes[] = {"not_delivered", "quality", "scope", "unresponsive", "other"};
constexpr std::string_view kEvidenceKinds[] = {"message", "file", "pull_request", "ci_run", "preview_link", "other"};

std::string TimerKey(const std::string& dispute_id, TimePoint due) {
    return dispute_id + "/" + std::to_string(core::MicrosSinceEpoch(due));
}

/// (dispute id, due) from a timer key, or nothing for a malformed one.
std::optional<std::pair<std::string, TimePoint>> ParseTimerKey(const std::string& key) {
    const auto slash = key.find('/');
    if (slash == std::string::npos) return std::nullopt;
    const std::string id = key.substr(0, slash);
    if (!core::IsUuid(id)) return std::nullopt;
    try {
        const long long micros = std::stoll(key.substr(slash + 1));
        return std::make_pair(
            id, TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::microseconds(micros))));
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

bool Blank(const std::string& s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; }

std::size_t Utf8Chars(const std::string& s) {
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

void RequireMaxChars(const std::string& s, std::size_t max, const char* field) {
    if (Utf8Chars(s) > max) {
        throw core::InvalidArgument(field, "must be at most " + std::to_string(max) + " characters");
    }
}

std::string ActorLabel(const Actor& a) { return a.kind == Actor::Kind::kSystem ? "system" : a.user_id; }

}  // namespace

DisputesConfig DisputesConfig::FromEnv(core::EnvReader& env) {
    DisputesConfig c;
    auto& t = c.durations;
    const auto read = [&](const char* name, std::chrono::seconds fallback) {
        return std::chrono::duration_cast<std::chrono::seconds>(
            env.Duration(name, fallback, std::chrono::seconds(1), std::chrono::hours(24 * 366)));
    };
    t.response = read("DISPUTE_RESPONSE_PERIOD", t.response);
    t.negotiation = read("DISPUTE_NEGOTIATION_PERIOD", t.negotiation);
    t.mediation = read("DISPUTE_MEDIATION_PERIOD", t.mediation);
    t.proposal_acceptance = read("DISPUTE_PROPOSAL_ACCEPTANCE", t.proposal_acceptance);
    t.expert_review = read("DISPUTE_EXPERT_REVIEW_PERIOD", t.expert_review);
    t.admin_decision = read("DISPUTE_ADMIN_DECISION_PERIOD", t.admin_decision);
    t.reminder_before = read("DISPUTE_REMINDER_BEFORE", t.reminder_before);
    c.max_evidence = env.Int("DISPUTE_MAX_EVIDENCE", c.max_evidence, 1, 1000);
    return c;
}

bool IsStaff(const std::string& role) { return role == "admin" || role == "mediator" || role == "expert"; }

std::optional<Actor> ActorFor(const Caller& caller, const Dispute& d) {
    if (caller.subject == d.client_id) return Actor::Party(caller.subject, Side::kClient);
    if (caller.subject == d.freelancer_id || (!caller.acts_for.empty() && caller.acts_for == d.freelancer_id)) {
        return Actor::Party(caller.subject, Side::kFreelancer);
    }
    if (caller.role == "admin") return Actor::Staff(Actor::Kind::kAdmin, caller.subject);
    if (caller.role == "mediator") return Actor::Staff(Actor::Kind::kMediator, caller.subject);
    if (caller.role == "expert") return Actor::Staff(Actor::Kind::kExpert, caller.subject);
    return std::nullopt;
}

DisputeFlows::DisputeFlows(service::Runtime& runtime, DisputesConfig config, std::shared_ptr<ContractsReader> contracts)
    : runtime_(runtime), config_(config), contracts_(std::move(contracts)) {}

TimePoint DisputeFlows::Now() const { return std::chrono::floor<std::chrono::microseconds>(runtime_.clock()->Now()); }

storage::DisputeRecord DisputeFlows::Open(pqxx::work& tx, const Caller& caller, const OpenRequest& request,
                                          const MilestoneFacts& facts) {
    if (std::find(std::begin(kReasonCodes), std::end(kReasonCodes), request.reason_code) == std::end(kReasonCodes)) {
        throw core::InvalidArgument("reason_code", "is required (not_delivered, quality, scope, unresponsive, other)");
    }
    if (Blank(request.statement)) throw core::InvalidArgument("statement", "is required");
    RequireMaxChars(request.statement, kMaxStatementChars, "statement");
    if (request.currency != facts.currency) {
        throw core::InvalidArgument("amount_asked.currency", "must be the milestone's currency, " + facts.currency);
    }
    if (request.amount_asked < 0 || request.amount_asked > facts.amount) {
        throw core::InvalidArgument("amount_asked.minor_units",
                                    "must be between 0 and the escrow, " + std::to_string(facts.amount));
    }
    Side side;
    if (caller.subject == facts.client_id) {
        side = Side::kClient;
    } else if (caller.subject == facts.freelancer_id || facts.caller_role == contracts::v1::PARTY_ROLE_FREELANCER) {
        side = Side::kFreelancer;  // the freelancer, or a clan's HEAD, CO_HEAD or ADMIN acting for it
    } else {
        throw core::PermissionDenied(
            "only the contract's parties (for a clan: its HEAD, CO_HEAD or ADMINs) may open a dispute");
    }
    if (const auto live = storage::FindLiveDispute(tx, facts.milestone_id)) {
        throw core::Conflict("the milestone already has an open dispute (" + live->dispute.id + ")");
    }
    const auto state = facts.state;
    if (state != contracts::v1::MILESTONE_STATE_FUNDED && state != contracts::v1::MILESTONE_STATE_SUBMITTED &&
        state != contracts::v1::MILESTONE_STATE_CHANGES_REQUESTED) {
        throw core::FailedPrecondition(
            "only a funded, submitted or changes-requested milestone can be disputed; it is " +
            contracts::v1::MilestoneState_Name(state));
    }
    const TimePoint now = Now();
    storage::DisputeRecord rec;
    Dispute& d = rec.dispute;
    d.id = core::NewUuidV7();
    d.milestone_id = facts.milestone_id;
    d.contract_id = facts.contract_id;
    d.client_id = facts.client_id;
    d.freelancer_id = facts.freelancer_id;
    d.opened_by = caller.subject;
    d.opener = side;
    d.escrow = facts.amount;
    d.currency = facts.currency;
    d.amount_asked = request.amount_asked;
    d.stage = Stage::kOpening;
    rec.reason_code = request.reason_code;
    rec.statement = request.statement;
    rec.opened_at = now;
    if (!storage::InsertDispute(tx, rec)) {
        const auto live = storage::FindLiveDispute(tx, d.milestone_id);
        throw core::Conflict("the milestone already has an open dispute" +
                             (live ? " (" + live->dispute.id + ")" : std::string()));
    }
    storage::AppendStep(tx, d.id,
                        {0, "opened", std::string(StageName(d.stage)), caller.subject,
                         "the " + std::string(SideName(side)) + " opened a dispute", now});

    v1::DisputeOpened opened;
    opened.set_dispute_id(d.id);
    opened.set_milestone_id(d.milestone_id);
    opened.set_contract_id(d.contract_id);
    opened.set_opened_by(d.opened_by);
    opened.set_opener_side(std::string(SideName(side)));
    opened.set_reason_code(rec.reason_code);
    *opened.mutable_amount_asked() = wire::ProtoMoney(d.amount_asked, d.currency);
    opened.set_client_id(d.client_id);
    opened.set_freelancer_id(d.freelancer_id);
    runtime_.Publish(tx, d.milestone_id, opened);
    PublishStep(tx, d, "opened", caller.subject, "the " + std::string(SideName(side)) + " opened a dispute");
    core::log::Info("dispute opened", {{"dispute_id", d.id}, {"milestone_id", d.milestone_id}});
    return rec;
}

storage::DisputeRecord DisputeFlows::View(pqxx::work& tx, const std::string& dispute_id, const Caller& caller) const {
    auto rec = storage::FindDispute(tx, dispute_id, false);
    if (!rec || !ActorFor(caller, rec->dispute)) throw core::NotFound("dispute not found");
    return *rec;
}

storage::DisputeRecord DisputeFlows::Act(pqxx::work& tx, const std::string& dispute_id, const Command& command,
                                         const Caller& caller) {
    auto rec = storage::FindDispute(tx, dispute_id, true);
    if (!rec) throw core::NotFound("dispute not found");
    const auto actor = ActorFor(caller, rec->dispute);
    if (!actor) throw core::NotFound("dispute not found");
    const TimePoint now = Now();
    const Decision decision = Decide(rec->dispute, command, *actor, now, config_.durations);
    Apply(tx, *rec, decision, *actor, now);
    return *rec;
}

bool DisputeFlows::ActSystem(pqxx::work& tx, const std::string& dispute_id, const Command& command) {
    auto rec = storage::FindDispute(tx, dispute_id, true);
    if (!rec) return false;
    const TimePoint now = Now();
    const Decision decision = Decide(rec->dispute, command, Actor::System(), now, config_.durations);
    Apply(tx, *rec, decision, Actor::System(), now);
    return true;
}

void DisputeFlows::Apply(pqxx::work& tx, storage::DisputeRecord& record, const Decision& decision, const Actor& actor,
                         TimePoint now) {
    if (decision.outcome != Outcome::kApplied) {
        core::log::Info("dispute command changed nothing",
                        {{"dispute_id", record.dispute.id}, {"stage", std::string(StageName(record.dispute.stage))}});
        return;
    }
    const Dispute before = record.dispute;
    const Dispute& d = decision.dispute;
    storage::SaveDispute(tx, d, now);
    record.dispute = d;
    SyncTimers(tx, before, d, now);
    const std::string who = ActorLabel(actor);
    storage::AppendStep(
        tx, d.id,
        {0, std::string(StepName(decision.step)), std::string(StageName(d.stage)), who, decision.summary, now});
    PublishStep(tx, d, StepName(decision.step), who, decision.summary);

    if (decision.step == Step::kResolved) {
        const Resolution& r = *d.resolution;
        v1::DisputeResolved e;
        e.set_dispute_id(d.id);
        e.set_milestone_id(d.milestone_id);
        e.set_contract_id(d.contract_id);
        e.set_client_id(d.client_id);
        e.set_freelancer_id(d.freelancer_id);
        e.set_outcome(std::string(OutcomeName(r.outcome)));
        *e.mutable_escrow() = wire::ProtoMoney(d.escrow, d.currency);
        *e.mutable_released() = wire::ProtoMoney(r.released, d.currency);
        e.set_release_bps(r.release_bps);
        auto* payee = e.add_payees();
        payee->set_user_id(d.freelancer_id);
        payee->set_share_bps(kWholeBps);
        e.set_decided_by(r.decided_by);
        e.set_rung(std::string(StageName(r.rung)));
        runtime_.Publish(tx, d.milestone_id, e);
    } else if (decision.step == Step::kWithdrawn) {
        v1::DisputeWithdrawn e;
        e.set_dispute_id(d.id);
        e.set_milestone_id(d.milestone_id);
        e.set_contract_id(d.contract_id);
        e.set_client_id(d.client_id);
        e.set_freelancer_id(d.freelancer_id);
        runtime_.Publish(tx, d.milestone_id, e);
    }
    core::log::Info("dispute step", {{"dispute_id", d.id},
                                     {"step", std::string(StepName(decision.step))},
                                     {"from", std::string(StageName(before.stage))},
                                     {"to", std::string(StageName(d.stage))}});
}

void DisputeFlows::SyncTimers(pqxx::work& tx, const Dispute& before, const Dispute& after, TimePoint now) const {
    if (before.due_at == after.due_at && before.stage == after.stage) return;
    if (before.due_at) {
        messaging::CancelTimer(tx, kDeadlineTimer, TimerKey(before.id, *before.due_at));
        messaging::CancelTimer(tx, kReminderTimer, TimerKey(before.id, *before.due_at));
    }
    if (after.due_at && !IsTerminal(after.stage)) {
        messaging::ScheduleTimer(tx, kDeadlineTimer, TimerKey(after.id, *after.due_at), *after.due_at);
        const TimePoint remind_at = *after.due_at - config_.durations.reminder_before;
        if (remind_at > now) messaging::ScheduleTimer(tx, kReminderTimer, TimerKey(after.id, *after.due_at), remind_at);
    }
}

void DisputeFlows::PublishStep(pqxx::work& tx, const Dispute& d, std::string_view step, const std::string& actor,
                               const std::string& summary) const {
    v1::DisputeStepped e;
    e.set_dispute_id(d.id);
    e.set_milestone_id(d.milestone_id);
    e.set_client_id(d.client_id);
    e.set_freelancer_id(d.freelancer_id);
    e.set_step(std::string(step));
    e.set_stage(std::string(StageName(d.stage)));
    if (d.due_at && !IsTerminal(d.stage)) e.set_due_at(core::FormatRfc3339(*d.due_at));
    e.set_actor(actor);
    e.set_summary(summary);
    if (!d.mediator_id.empty()) e.add_staff_ids(d.mediator_id);
    if (!d.expert_id.empty() && d.expert_id != d.mediator_id) e.add_staff_ids(d.expert_id);
    runtime_.Publish(tx, d.milestone_id, e);
}

storage::EvidenceRecord DisputeFlows::AddEvidence(pqxx::work& tx, const std::string& dispute_id,
                                                  const EvidenceInput& in, const Caller& caller) {
    // Who asks first: a stranger learns nothing, not even which input is wrong.
    auto rec = storage::FindDispute(tx, dispute_id, true);
    if (!rec) throw core::NotFound("dispute not found");
    const auto actor = ActorFor(caller, rec->dispute);
    if (!actor) throw core::NotFound("dispute not found");
    if (std::find(std::begin(kEvidenceKinds), std::end(kEvidenceKinds), in.kind) == std::end(kEvidenceKinds)) {
        throw core::InvalidArgument("kind", "is required (message, file, pull_request, ci_run, preview_link, other)");
    }
    RequireMaxChars(in.note, kMaxNoteChars, "note");
    if (in.reference.size() > kMaxReferenceChars) {
        throw core::InvalidArgument("reference", "must be at most " + std::to_string(kMaxReferenceChars) + " bytes");
    }
    if (in.kind == "message") {
        if (Blank(in.note)) throw core::InvalidArgument("note", "is required for a message");
    } else if (Blank(in.reference)) {
        throw core::InvalidArgument("reference", "is required for " + in.kind + " evidence");
    }
    std::string sha = in.sha256;
    std::transform(sha.begin(), sha.end(), sha.begin(), [](unsigned char c) { return std::tolower(c); });
    const bool sha_ok = sha.size() == 64 && std::all_of(sha.begin(), sha.end(), [](unsigned char c) {
                            return std::isdigit(c) || (c >= 'a' && c <= 'f');
                        });
    if (in.kind == "file" && !sha_ok) {
        throw core::InvalidArgument("sha256", "a file needs the hex SHA-256 of its content (64 characters)");
    }
    if (!sha.empty() && !sha_ok) throw core::InvalidArgument("sha256", "must be 64 hex characters");

    if (!EvidenceOpen(rec->dispute.stage)) {
        throw core::FailedPrecondition("dispute is in " + std::string(StageName(rec->dispute.stage)) +
                                       ": evidence closed when mediation ended");
    }
    if (storage::CountEvidence(tx, dispute_id) >= config_.max_evidence) {
        throw core::ResourceExhausted("a dispute holds at most " + std::to_string(config_.max_evidence) +
                                      " evidence items");
    }
    const TimePoint now = Now();
    storage::EvidenceRecord e{core::NewUuidV7(), dispute_id, caller.subject, in.kind, in.reference, in.note, sha, now};
    storage::InsertEvidence(tx, e);
    const std::string summary = "evidence added: " + in.kind;
    storage::AppendStep(tx, dispute_id,
                        {0, "evidence", std::string(StageName(rec->dispute.stage)), caller.subject, summary, now});
    PublishStep(tx, rec->dispute, "evidence", caller.subject, summary);
    return e;
}

void DisputeFlows::OnDeadline(pqxx::work& tx, const std::string& timer_key) {
    const auto parsed = ParseTimerKey(timer_key);
    if (!parsed) {
        core::log::Error("dispute deadline timer with a malformed key dropped", {{"key", timer_key}});
        return;
    }
    ActSystem(tx, parsed->first, command::Deadline{parsed->second});
}

void DisputeFlows::OnReminder(pqxx::work& tx, const std::string& timer_key) {
    const auto parsed = ParseTimerKey(timer_key);
    if (!parsed) return;
    const auto rec = storage::FindDispute(tx, parsed->first, false);
    if (!rec) return;
    const Dispute& d = rec->dispute;
    if (IsTerminal(d.stage) || !d.due_at || *d.due_at != parsed->second) return;  // the deadline moved
    v1::DisputeDeadlineNear e;
    e.set_dispute_id(d.id);
    e.set_milestone_id(d.milestone_id);
    e.set_client_id(d.client_id);
    e.set_freelancer_id(d.freelancer_id);
    e.set_stage(std::string(StageName(d.stage)));
    e.set_due_at(core::FormatRfc3339(*d.due_at));
    e.set_default_outcome(DefaultAtDue(d));
    if (!d.mediator_id.empty()) e.add_staff_ids(d.mediator_id);
    if (!d.expert_id.empty() && d.expert_id != d.mediator_id) e.add_staff_ids(d.expert_id);
    runtime_.Publish(tx, d.milestone_id, e);
}

}  // namespace marketplace::disputes
