#include "events/consumers.hpp"

#include <google/protobuf/util/time_util.h>

#include "domain/statement_of_work.hpp"
#include "events/saga_metrics.hpp"
#include "marketplace/contracts/v1/events.pb.h"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/core/log.hpp"
#include "marketplace/messaging/consumer.hpp"
#include "marketplace/wire/values.hpp"
#include "storage/clan_store.hpp"
#include "storage/contract_store.hpp"

namespace marketplace::contracts {
namespace {

ContractTerms TermsOf(const jobs::v1::ProposalAccepted& e, std::chrono::seconds review_period) {
    ContractTerms t;
    t.contract_id = core::NewUuidV7();
    t.proposal_id = e.proposal_id();
    t.job_id = e.job_id();
    t.client_id = e.client_id();
    t.freelancer_id = e.freelancer_id();
    t.clan_id = e.clan_id();
    t.title = e.job_title();
    t.scope = e.job_description();
    t.stack.assign(e.stack().begin(), e.stack().end());
    t.nda_required = e.nda_required();
    t.ip_assignment = e.ip_assignment();
    t.total = wire::MoneyFrom(e.total(), "total");
    t.delivery_days = e.delivery_days();
    t.review_period = review_period;
    for (int i = 0; i < e.milestones_size(); ++i) {
        const auto& p = e.milestones(i);
        PlannedMilestone m;
        m.title = p.title();
        m.description = p.description();
        m.amount = wire::MoneyFrom(p.amount(), "milestones[" + std::to_string(i) + "].amount");
        if (p.has_due_date())
            m.due_date = wire::TimeFrom(p.due_date(), "milestones[" + std::to_string(i) + "].due_date");
        m.definition_of_done.assign(p.definition_of_done().begin(), p.definition_of_done().end());
        t.milestones.push_back(std::move(m));
    }
    return t;
}

}  // namespace

EventConsumers::EventConsumers(service::Runtime& runtime, std::chrono::seconds review_period,
                               std::chrono::seconds funding_timeout)
    : runtime_(runtime), workflow_(runtime, funding_timeout), review_period_(review_period) {}

bool EventConsumers::OnProposalAccepted(pqxx::work& tx, const jobs::v1::ProposalAccepted& e) const {
    if (core::IsUuid(e.proposal_id()) && storage::ContractIdOfProposal(tx, e.proposal_id())) {
        return false;  // a replay: the contract exists
    }
    ContractTerms terms;
    try {
        terms = TermsOf(e, review_period_);
        ValidateTerms(terms);
    } catch (const core::InvalidArgument& bad) {
        throw messaging::PermanentError("ProposalAccepted " + e.proposal_id() +
                                        " cannot make a contract: " + bad.caller_message());
    }
    std::vector<std::string> milestone_ids;
    for (std::size_t i = 0; i < terms.milestones.size(); ++i) milestone_ids.push_back(core::NewUuidV7());
    const auto statement = GenerateStatementOfWork(terms);
    // The unique proposal id settles a race between two deliveries: the loser inserts nothing.
    if (!storage::InsertContract(tx, terms, statement, milestone_ids, runtime_.clock()->Now())) return false;
    if (!terms.clan_id.empty()) {
        if (!core::IsUuid(terms.clan_id)) {
            throw messaging::PermanentError("ProposalAccepted " + e.proposal_id() + ": clan_id '" +
                                            terms.clan_id.substr(0, 64) + "' is not a UUID");
        }
        storage::SetContractClan(tx, terms.contract_id, terms.clan_id);
    }

    v1::ContractCreated created;
    created.set_contract_id(terms.contract_id);
    created.set_proposal_id(terms.proposal_id);
    created.set_client_id(terms.client_id);
    created.set_freelancer_id(terms.freelancer_id);
    for (const auto& id : milestone_ids) created.add_milestone_ids(id);
    for (std::size_t i = 0; i < terms.milestones.size(); ++i) {
        auto* m = created.add_milestones();
        m->set_milestone_id(milestone_ids[i]);
        m->set_title(terms.milestones[i].title);
        if (const auto& due = terms.milestones[i].due_date) {
            wire::ToProto(*due, m->mutable_due_date());
        }
    }
    runtime_.Publish(tx, terms.contract_id, created);
    core::log::Info("contract created", {{"contract_id", terms.contract_id},
                                         {"proposal_id", terms.proposal_id},
                                         {"milestones", static_cast<long>(milestone_ids.size())}});
    return true;
}

namespace {

void WarnUnknown(const std::string& milestone_id, const char* event) {
    core::log::Warn("event for an unknown milestone ignored", {{"milestone_id", milestone_id}, {"event", event}});
}

void RequireMilestoneId(const std::string& milestone_id, const char* event) {
    if (!core::IsUuid(milestone_id)) {
        throw messaging::PermanentError(std::string(event) + ": milestone_id '" + milestone_id + "' is not a UUID");
    }
}

}  // namespace

void EventConsumers::RequireAmount(pqxx::work& tx, const std::string& milestone_id, const common::v1::Money& amount,
                                   const char* event) const {
    RequireMilestoneId(milestone_id, event);
    const auto m = storage::FindMilestone(tx, milestone_id);
    if (!m) return;
    if (amount.minor_units() != m->plan.amount.minor_units() ||
        amount.currency() != std::string(m->plan.amount.currency().code())) {
        // Money that does not match the milestone is a bug somewhere: park it for a human.
        throw messaging::PermanentError(std::string(event) + " for milestone " + milestone_id + " carries " +
                                        std::to_string(amount.minor_units()) + " " + amount.currency() +
                                        ", the milestone is " + m->plan.amount.ToString());
    }
}

void EventConsumers::OnEscrowFunded(pqxx::work& tx, const payments::v1::EscrowFunded& e) const {
    RequireAmount(tx, e.milestone_id(), e.amount(), "EscrowFunded");
    if (!workflow_.RunSystem(tx, e.milestone_id(), command::EscrowFunded{e.attempt()})) {
        WarnUnknown(e.milestone_id(), "EscrowFunded");
        return;
    }
    NoteSagaStep(tx, e.milestone_id(), "fund", "funding_pending");
}

void EventConsumers::OnEscrowFundingFailed(pqxx::work& tx, const payments::v1::EscrowFundingFailed& e) const {
    RequireMilestoneId(e.milestone_id(), "EscrowFundingFailed");
    if (!workflow_.RunSystem(tx, e.milestone_id(), command::EscrowFundingFailed{e.attempt(), e.reason()})) {
        WarnUnknown(e.milestone_id(), "EscrowFundingFailed");
        return;
    }
    NoteSagaStep(tx, e.milestone_id(), "fund", "funding_pending");
}

void EventConsumers::OnEscrowReleased(pqxx::work& tx, const payments::v1::EscrowReleased& e) const {
    RequireAmount(tx, e.milestone_id(), e.amount(), "EscrowReleased");
    const auto result = workflow_.RunSystem(tx, e.milestone_id(), command::EscrowReleased{});
    if (!result) {
        WarnUnknown(e.milestone_id(), "EscrowReleased");
        return;
    }
    RecordClanLegs(tx, result->context, e.legs());
    NoteSagaStep(tx, e.milestone_id(), "release", "accepted");
}

void EventConsumers::OnEscrowRefunded(pqxx::work& tx, const payments::v1::EscrowRefunded& e) const {
    RequireAmount(tx, e.milestone_id(), e.amount(), "EscrowRefunded");
    if (!workflow_.RunSystem(tx, e.milestone_id(), command::EscrowRefunded{})) {
        WarnUnknown(e.milestone_id(), "EscrowRefunded");
        return;
    }
    NoteSagaStep(tx, e.milestone_id(), "refund", "cancel_pending");
}

void EventConsumers::OnAutoRelease(pqxx::work& tx, const messaging::Timer& timer) const {
    if (!core::IsUuid(timer.key)) {
        core::log::Error("auto-release timer with a malformed key dropped", {{"key", timer.key}});
        return;
    }
    // The scheduler holds the timer's row; an accept holding the milestone's row wants to delete
    // that timer. Waiting here could deadlock, so a busy milestone fails at once (55P03): the
    // scheduler rolls back and retries later, by which time the accept has removed the timer or
    // this handler finds the milestone accepted and does nothing.
    if (!workflow_.RunSystem(tx, timer.key, command::AutoRelease{}, storage::Lock::kUpdateNoWait)) {
        WarnUnknown(timer.key, "auto_release timer");
    }
}

void EventConsumers::OnEscrowSettled(pqxx::work& tx, const payments::v1::EscrowSettled& e) const {
    RequireAmount(tx, e.milestone_id(), e.amount(), "EscrowSettled");
    try {
        const auto result =
            workflow_.RunSystem(tx, e.milestone_id(), command::EscrowSettled{e.dispute_id(), e.outcome()});
        if (!result) {
            WarnUnknown(e.milestone_id(), "EscrowSettled");
            return;
        }
        RecordClanLegs(tx, result->context, e.legs());
    } catch (const core::InvalidArgument& bad) {
        throw messaging::PermanentError("EscrowSettled for milestone " + e.milestone_id() + ": " +
                                        bad.caller_message());
    }
    NoteSagaStep(tx, e.milestone_id(), "settle", "disputed");
}

void EventConsumers::OnDisputeOpened(pqxx::work& tx, const disputes::v1::DisputeOpened& e) const {
    RequireMilestoneId(e.milestone_id(), "DisputeOpened");
    if (!workflow_.RunSystem(tx, e.milestone_id(), command::DisputeOpened{e.dispute_id()})) {
        WarnUnknown(e.milestone_id(), "DisputeOpened");
    }
}

void EventConsumers::OnDisputeWithdrawn(pqxx::work& tx, const disputes::v1::DisputeWithdrawn& e) const {
    RequireMilestoneId(e.milestone_id(), "DisputeWithdrawn");
    if (!workflow_.RunSystem(tx, e.milestone_id(), command::DisputeWithdrawn{e.dispute_id()})) {
        WarnUnknown(e.milestone_id(), "DisputeWithdrawn");
    }
}

void EventConsumers::OnFundingTimeout(pqxx::work& tx, const messaging::Timer& timer) const {
    int attempt = 0;
    try {
        attempt = std::stoi(timer.payload);
    } catch (const std::exception&) {
        core::log::Error("funding timer with a malformed payload dropped", {{"key", timer.key}});
        return;
    }
    if (!core::IsUuid(timer.key)) return;
    // As with the auto-release: a busy milestone fails at once and the scheduler retries later.
    if (!workflow_.RunSystem(tx, timer.key, command::FundingTimeout{attempt}, storage::Lock::kUpdateNoWait)) {
        WarnUnknown(timer.key, "funding_timeout timer");
    }
}

service::EventRouter EventConsumers::Router() const {
    service::EventRouter router;
    router.On<jobs::v1::ProposalAccepted>(
        [this](pqxx::work& tx, const jobs::v1::ProposalAccepted& e) { OnProposalAccepted(tx, e); });
    router.On<payments::v1::EscrowFunded>(
        [this](pqxx::work& tx, const payments::v1::EscrowFunded& e) { OnEscrowFunded(tx, e); });
    router.On<payments::v1::EscrowFundingFailed>(
        [this](pqxx::work& tx, const payments::v1::EscrowFundingFailed& e) { OnEscrowFundingFailed(tx, e); });
    router.On<payments::v1::EscrowReleased>(
        [this](pqxx::work& tx, const payments::v1::EscrowReleased& e) { OnEscrowReleased(tx, e); });
    router.On<payments::v1::EscrowRefunded>(
        [this](pqxx::work& tx, const payments::v1::EscrowRefunded& e) { OnEscrowRefunded(tx, e); });
    router.On<payments::v1::EscrowSettled>(
        [this](pqxx::work& tx, const payments::v1::EscrowSettled& e) { OnEscrowSettled(tx, e); });
    router.On<disputes::v1::DisputeOpened>(
        [this](pqxx::work& tx, const disputes::v1::DisputeOpened& e) { OnDisputeOpened(tx, e); });
    router.On<disputes::v1::DisputeWithdrawn>(
        [this](pqxx::work& tx, const disputes::v1::DisputeWithdrawn& e) { OnDisputeWithdrawn(tx, e); });
    router.On<clans::v1::ClanCreated>(
        [this](pqxx::work& tx, const clans::v1::ClanCreated& e) { OnClanCreated(tx, e); });
    router.On<clans::v1::ClanMemberChanged>(
        [this](pqxx::work& tx, const clans::v1::ClanMemberChanged& e) { OnClanMemberChanged(tx, e); });
    router.On<clans::v1::PayoutSplitLocked>(
        [this](pqxx::work& tx, const clans::v1::PayoutSplitLocked& e) { OnPayoutSplitLocked(tx, e); });
    return router;
}

void EventConsumers::Register(service::Runtime& runtime) const {
    runtime.Consume(Router());
    runtime.OnTimer(kAutoReleaseTimer,
                    [this](pqxx::work& tx, const messaging::Timer& timer) { OnAutoRelease(tx, timer); });
    runtime.OnTimer(kFundingTimeoutTimer,
                    [this](pqxx::work& tx, const messaging::Timer& timer) { OnFundingTimeout(tx, timer); });
}

}  // namespace marketplace::contracts
