#include "app/milestone_workflow.hpp"

#include "app/party.hpp"
#include "domain/contract.hpp"
#include "marketplace/contracts/v1/events.pb.h"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/log.hpp"
#include "marketplace/messaging/timers.hpp"
#include "marketplace/wire/values.hpp"

namespace marketplace::contracts {
namespace {}  // namespace

CommandResult MilestoneWorkflow::Run(pqxx::work& tx, const std::string& milestone_id, const Command& command,
                                     const Caller& caller) const {
    auto ctx = storage::FindMilestoneContext(tx, milestone_id, storage::Lock::kUpdate);
    if (!ctx) throw core::NotFound("milestone not found");
    const Viewer viewer = PartyOf(tx, caller.subject, caller.role, ctx->client_id, ctx->freelancer_id, ctx->clan_id);
    const Actor actor = RequireActor(viewer, "milestone");
    if (const auto* fund = std::get_if<command::Fund>(&command)) {
        // Funding needs both signatures: the contract's, as read in this transaction.
        command::Fund checked = *fund;
        checked.statement_signed = ctx->fully_signed;
        return Apply(tx, std::move(*ctx), checked, actor);
    }
    return Apply(tx, std::move(*ctx), command, actor);
}

std::optional<CommandResult> MilestoneWorkflow::RunSystem(pqxx::work& tx, const std::string& milestone_id,
                                                          const Command& command, storage::Lock lock) const {
    auto ctx = storage::FindMilestoneContext(tx, milestone_id, lock);
    if (!ctx) return std::nullopt;
    return Apply(tx, std::move(*ctx), command, Actor::kSystem);
}

CommandResult MilestoneWorkflow::Apply(pqxx::work& tx, storage::MilestoneContext ctx, const Command& command,
                                       Actor actor) const {
    const auto now = runtime_.clock()->Now();
    auto decision = Decide(ctx.milestone.saga, command, actor, now, ctx.review_period);
    if (decision.outcome == Outcome::kApplied) {
        const auto from = ctx.milestone.saga.state;
        storage::SaveMilestone(tx, ctx.milestone.id, decision.milestone, now);
        ctx.milestone.saga = std::move(decision.milestone);
        for (const auto& effect : decision.effects) CarryOut(tx, ctx, effect);
        core::log::Info("milestone transition", {{"milestone_id", ctx.milestone.id},
                                                 {"command", std::string(CommandName(KindOf(command)))},
                                                 {"from", std::string(StateName(from))},
                                                 {"to", std::string(StateName(ctx.milestone.saga.state))}});
    } else if (decision.outcome == Outcome::kIgnored) {
        core::log::Info("milestone command ignored in its state",
                        {{"milestone_id", ctx.milestone.id},
                         {"command", std::string(CommandName(KindOf(command)))},
                         {"state", std::string(StateName(ctx.milestone.saga.state))}});
    }
    return CommandResult{decision.outcome, std::move(ctx)};
}

void MilestoneWorkflow::AttachClanSplit(pqxx::work& tx, const storage::MilestoneContext& ctx, v1::ClanSplit& split,
                                        bool hold_for_departed) const {
    // The version in force is the highest locked one now, in the milestone's row lock: a version
    // locked later applies to the milestones not yet accepted. Nobody who left the clan is paid by
    // accident: the release waits (the accept is refused, the auto-release retried) for a newer one.
    const auto versions = storage::PayoutPlansOf(tx, ctx.proposal_id);
    const ClanPlanVersion& plan = PlanInForce(versions);
    if (hold_for_departed) {
        RequireEveryPayeeInClan(
            plan, [&](const std::string& user_id) { return storage::ClanRoleOf(tx, ctx.clan_id, user_id); });
    }
    split.set_clan_id(ctx.clan_id);
    split.set_plan_version(plan.version);
    split.set_leader_id(plan.leader_id);
    split.set_split_mode(plan.split_mode);
    for (const auto& share : plan.shares) {
        auto* out = split.add_shares();
        out->set_user_id(share.user_id);
        out->set_weight(share.weight);
    }
    storage::SetMilestonePlanVersion(tx, ctx.milestone.id, plan.version);
}

void MilestoneWorkflow::CarryOut(pqxx::work& tx, const storage::MilestoneContext& ctx, const Effect& effect) const {
    const auto& m = ctx.milestone;
    std::visit(
        [&](const auto& e) {
            using E = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<E, effect::RequestFunding>) {
                v1::MilestoneFundingRequested event;
                event.set_milestone_id(m.id);
                event.set_contract_id(m.contract_id);
                event.set_client_id(ctx.client_id);
                wire::ToProto(m.plan.amount, event.mutable_amount());
                event.set_attempt(e.attempt);
                runtime_.Publish(tx, m.id, event);
            } else if constexpr (std::is_same_v<E, effect::AnnounceSubmitted>) {
                v1::MilestoneSubmitted event;
                event.set_milestone_id(m.id);
                event.set_contract_id(m.contract_id);
                event.set_auto_release_at(core::FormatRfc3339(e.auto_release_at));
                runtime_.Publish(tx, m.id, event);
            } else if constexpr (std::is_same_v<E, effect::ScheduleAutoRelease>) {
                messaging::ScheduleTimer(tx, kAutoReleaseTimer, m.id, e.due_at);
            } else if constexpr (std::is_same_v<E, effect::CancelAutoRelease>) {
                messaging::CancelTimer(tx, kAutoReleaseTimer, m.id);
            } else if constexpr (std::is_same_v<E, effect::AnnounceAccepted>) {
                v1::MilestoneAccepted event;
                event.set_milestone_id(m.id);
                event.set_contract_id(m.contract_id);
                event.set_client_id(ctx.client_id);
                wire::ToProto(m.plan.amount, event.mutable_amount());
                if (ctx.clan_id.empty()) {
                    auto* payee = event.add_payees();
                    payee->set_user_id(ctx.freelancer_id);
                    payee->set_share_bps(10000);
                } else {
                    AttachClanSplit(tx, ctx, *event.mutable_clan_split(), true);
                }
                event.set_auto_released(e.auto_released);
                runtime_.Publish(tx, m.id, event);
            } else if constexpr (std::is_same_v<E, effect::AnnounceRejected>) {
                v1::MilestoneRejected event;
                event.set_milestone_id(m.id);
                event.set_contract_id(m.contract_id);
                event.set_feedback(e.feedback);
                runtime_.Publish(tx, m.id, event);
            } else if constexpr (std::is_same_v<E, effect::ScheduleFundingTimeout>) {
                messaging::ScheduleTimer(tx, kFundingTimeoutTimer, m.id, runtime_.clock()->Now() + funding_timeout_,
                                         std::to_string(e.attempt));
            } else if constexpr (std::is_same_v<E, effect::CancelFundingTimeout>) {
                messaging::CancelTimer(tx, kFundingTimeoutTimer, m.id);
            } else if constexpr (std::is_same_v<E, effect::AnnounceDisputed>) {
                v1::MilestoneDisputed event;
                event.set_milestone_id(m.id);
                event.set_contract_id(m.contract_id);
                event.set_dispute_id(e.dispute_id);
                event.set_prior_state(std::string(StateName(e.prior)));
                wire::ToProto(m.plan.amount, event.mutable_amount());
                // A clan's resolution is divided by the plan in force now; nobody is held here: the
                // dispute decides how much is released, the plan only who shares it.
                if (!ctx.clan_id.empty() && !storage::PayoutPlansOf(tx, ctx.proposal_id).empty()) {
                    AttachClanSplit(tx, ctx, *event.mutable_clan_split(), false);
                }
                runtime_.Publish(tx, m.id, event);
            } else if constexpr (std::is_same_v<E, effect::AnnounceDisputeRefused>) {
                v1::MilestoneDisputeRefused event;
                event.set_milestone_id(m.id);
                event.set_dispute_id(e.dispute_id);
                event.set_reason(e.reason);
                runtime_.Publish(tx, m.id, event);
            } else if constexpr (std::is_same_v<E, effect::AnnounceDisputeLifted>) {
                v1::MilestoneDisputeLifted event;
                event.set_milestone_id(m.id);
                event.set_dispute_id(e.dispute_id);
                event.set_state(std::string(StateName(e.state)));
                runtime_.Publish(tx, m.id, event);
            } else if constexpr (std::is_same_v<E, effect::AnnounceCancelled>) {
                v1::MilestoneCancelled event;
                event.set_milestone_id(m.id);
                event.set_contract_id(m.contract_id);
                event.set_client_id(ctx.client_id);
                event.set_refund(e.refund);
                if (e.refund) wire::ToProto(m.plan.amount, event.mutable_amount());
                runtime_.Publish(tx, m.id, event);
            }
        },
        effect);
}

}  // namespace marketplace::contracts
