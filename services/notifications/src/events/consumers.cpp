#include "events/consumers.hpp"

#include "events/clan_notices.hpp"
#include "events/notices.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/log.hpp"
#include "marketplace/messaging/consumer.hpp"
#include "storage/notification_store.hpp"
#include "storage/read_model_store.hpp"

namespace marketplace::notifications {
namespace {

/// Runs a mapping, turning an event that cannot name its subject into a permanent failure.
template <typename Map>
auto Mapped(const messaging::IncomingEvent& e, Map&& map) {
    try {
        return map();
    } catch (const core::InvalidArgument& bad) {
        throw messaging::PermanentError(e.type + " " + e.id + ": " + bad.caller_message());
    }
}

/// Routes `Message` to its notices (none, one or several) and delivers each.
template <typename Message>
void DeliverAll(service::EventRouter& router, const NotificationEvents* events) {
    router.On<Message>([events](pqxx::work& tx, const Message& m, const messaging::IncomingEvent& e) {
        for (const auto& notice : Mapped(e, [&] { return NoticesOf(m); })) events->Deliver(tx, notice, e.id);
    });
}

/// Routes `Message` to its notice and delivers it.
template <typename Message>
void DeliverEach(service::EventRouter& router, const NotificationEvents* events) {
    router.On<Message>([events](pqxx::work& tx, const Message& m, const messaging::IncomingEvent& e) {
        events->Deliver(tx, Mapped(e, [&] { return NoticeOf(m); }), e.id);
    });
}

}  // namespace

int NotificationEvents::Write(pqxx::work& tx, const Notice& notice, const std::optional<Parties>& parties,
                              const std::string& event_id) const {
    int written = 0;
    const auto now = runtime_.clock()->Now();
    for (const auto& user : RecipientUsers(notice, parties)) {
        if (storage::InsertNotification(tx, user, notice, event_id, now)) ++written;
    }
    return written;
}

int NotificationEvents::Deliver(pqxx::work& tx, const Notice& notice, const std::string& event_id) const {
    if (!notice.NeedsContract()) return Write(tx, notice, std::nullopt, event_id);
    Notice resolved = notice;
    if (resolved.contract_id.empty()) {
        if (auto contract = storage::ContractOfMilestone(tx, resolved.milestone_id)) resolved.contract_id = *contract;
    }
    std::optional<Parties> parties;
    if (!resolved.contract_id.empty()) parties = storage::PartiesOf(tx, resolved.contract_id);
    if (!parties) {
        storage::AddPending(tx, notice, event_id, runtime_.clock()->Now());
        core::log::Info("notice waits for its contract", {{"kind", notice.kind},
                                                          {"contract_id", notice.contract_id},
                                                          {"milestone_id", notice.milestone_id},
                                                          {"event_id", event_id}});
        return 0;
    }
    if (!resolved.milestone_id.empty()) storage::RememberMilestone(tx, resolved.milestone_id, resolved.contract_id);
    return Write(tx, resolved, parties, event_id);
}

void NotificationEvents::OnContractCreated(pqxx::work& tx, const contracts::v1::ContractCreated& e,
                                           const std::string& event_id) const {
    const Notice notice = NoticeOf(e);
    const Parties parties{e.contract_id(), e.client_id(), e.freelancer_id()};
    storage::RememberContract(tx, parties, {e.milestone_ids().begin(), e.milestone_ids().end()},
                              runtime_.clock()->Now());
    Write(tx, notice, parties, event_id);
    // What came before this contract was known, in the order it came.
    for (auto& waiting : storage::TakePending(tx, e.contract_id())) {
        if (waiting.notice.contract_id.empty()) waiting.notice.contract_id = e.contract_id();
        Write(tx, waiting.notice, parties, waiting.source_event_id);
    }
}

service::EventRouter NotificationEvents::Router() const {
    using messaging::IncomingEvent;
    service::EventRouter router;
    router.On<contracts::v1::ContractCreated>(
        [this](pqxx::work& tx, const contracts::v1::ContractCreated& m, const IncomingEvent& e) {
            Mapped(e, [&] { return NoticeOf(m); });  // validates before anything is written
            OnContractCreated(tx, m, e.id);
        });
    // Every other event: map, then deliver.
    DeliverEach<contracts::v1::MilestoneSubmitted>(router, this);
    DeliverEach<contracts::v1::MilestoneAccepted>(router, this);
    DeliverEach<contracts::v1::MilestoneRejected>(router, this);
    DeliverEach<contracts::v1::MilestoneCancelled>(router, this);
    DeliverEach<payments::v1::EscrowFunded>(router, this);
    DeliverEach<payments::v1::EscrowFundingFailed>(router, this);
    DeliverEach<payments::v1::EscrowRefunded>(router, this);
    DeliverEach<payments::v1::PayoutCompleted>(router, this);
    DeliverEach<disputes::v1::DisputeStepped>(router, this);
    DeliverEach<disputes::v1::DisputeDeadlineNear>(router, this);
    DeliverEach<auth::v1::AccountNotice>(router, this);
    DeliverEach<workroom::v1::MemberMentioned>(router, this);
    DeliverAll<jobs::v1::ProposalSubmitted>(router, this);
    DeliverAll<clans::v1::PayoutSplitLocked>(router, this);
    DeliverAll<clans::v1::PayoutPlanVersionProposed>(router, this);
    DeliverAll<clans::v1::PayoutPlanVersionRejected>(router, this);
    DeliverAll<clans::v1::PayoutPlanNeedsVersion>(router, this);
    DeliverAll<clans::v1::ClanTaskCreated>(router, this);
    DeliverAll<clans::v1::ClanTaskChanged>(router, this);
    router.On<payments::v1::EscrowReleased>(
        [this](pqxx::work& tx, const payments::v1::EscrowReleased& m, const IncomingEvent& e) {
            for (const auto& notice : Mapped(e, [&] { return NoticesOf(m); })) Deliver(tx, notice, e.id);
        });
    return router;
}

void NotificationEvents::Register(service::Runtime& runtime) const { runtime.Consume(Router()); }

}  // namespace marketplace::notifications
