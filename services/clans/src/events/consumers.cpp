#include "events/consumers.hpp"

#include "marketplace/contracts/v1/events.pb.h"
#include "marketplace/jobs/v1/events.pb.h"
#include "marketplace/payments/v1/events.pb.h"

namespace marketplace::clans {

service::EventRouter EventConsumers::Router() const {
    service::EventRouter router;
    router.On<contracts::v1::ContractCreated>([this](pqxx::work& tx, const contracts::v1::ContractCreated& e) {
        flows_.OnContractCreated(tx, e.contract_id(), e.proposal_id(), e.freelancer_id(), e.client_id(),
                                 {e.milestone_ids().begin(), e.milestone_ids().end()});
    });
    router.On<jobs::v1::ProposalAccepted>([this](pqxx::work& tx, const jobs::v1::ProposalAccepted& e) {
        if (e.clan_id().empty()) return;  // a freelancer was hired
        std::vector<storage::PlanShareRecord> shares;
        for (const auto& s : e.clan_shares()) shares.push_back({s.user_id(), s.role(), s.weight()});
        flows_.OnClanHired(tx, e.clan_id(), e.proposal_id(), e.clan_leader_id(), e.split_mode(), shares);
    });
    router.On<payments::v1::EscrowFunded>([this](pqxx::work& tx, const payments::v1::EscrowFunded& e) {
        flows_.OnMilestoneFunded(tx, e.milestone_id());
    });
    router.On<payments::v1::EscrowReleased>([this](pqxx::work& tx, const payments::v1::EscrowReleased& e) {
        flows_.OnMilestoneClosed(tx, e.milestone_id());
    });
    router.On<payments::v1::EscrowRefunded>([this](pqxx::work& tx, const payments::v1::EscrowRefunded& e) {
        flows_.OnMilestoneClosed(tx, e.milestone_id());
    });
    router.On<payments::v1::EscrowSettled>([this](pqxx::work& tx, const payments::v1::EscrowSettled& e) {
        flows_.OnMilestoneClosed(tx, e.milestone_id());
    });
    // Which version of the payout plan contracts applied: contracts decides, clans records it.
    router.On<contracts::v1::MilestoneAccepted>([this](pqxx::work& tx, const contracts::v1::MilestoneAccepted& e) {
        if (e.has_clan_split()) flows_.OnPlanApplied(tx, e.milestone_id(), e.clan_split().plan_version());
    });
    router.On<contracts::v1::MilestoneDisputed>([this](pqxx::work& tx, const contracts::v1::MilestoneDisputed& e) {
        if (e.has_clan_split()) flows_.OnPlanApplied(tx, e.milestone_id(), e.clan_split().plan_version());
    });
    router.On<contracts::v1::MilestoneCancelled>([this](pqxx::work& tx, const contracts::v1::MilestoneCancelled& e) {
        // A funded milestone stays funded until payments refunds it (EscrowRefunded).
        if (!e.refund()) flows_.OnMilestoneClosed(tx, e.milestone_id());
    });
    return router;
}

void EventConsumers::Register(service::Runtime& runtime) const { runtime.Consume(Router()); }

}  // namespace marketplace::clans
