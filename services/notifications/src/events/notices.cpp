#include "events/notices.hpp"

#include <ctime>
#include <map>

#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/core/money.hpp"

namespace marketplace::notifications {
namespace {

void RequireId(const std::string& id, const char* field) {
    if (id.empty()) throw core::InvalidArgument(field, "is required");
    if (id.size() > 64) throw core::InvalidArgument(field, "must be at most 64 characters");
}

/// " of 1500.00 EUR" / "1500.00 EUR " style fragments, empty when the amount cannot be shown.
std::string With(const std::string& prefix, const common::v1::Money& amount, const std::string& suffix = {}) {
    const auto text = AmountText(amount);
    return text.empty() ? std::string() : prefix + text + suffix;
}

Notice MilestoneNotice(std::string kind, std::string title, const std::string& milestone_id,
                       const std::string& contract_id, std::vector<Recipient> recipients) {
    RequireId(milestone_id, "milestone_id");
    return Notice{std::move(kind), std::move(title), contract_id, milestone_id, std::move(recipients)};
}

}  // namespace

std::string AmountText(const common::v1::Money& amount) {
    if (!core::Currency::IsKnown(amount.currency())) return {};
    return core::Money(amount.minor_units(), core::Currency::Parse(amount.currency())).ToString();
}

Notice NoticeOf(const contracts::v1::ContractCreated& e) {
    RequireId(e.contract_id(), "contract_id");
    RequireId(e.client_id(), "client_id");
    RequireId(e.freelancer_id(), "freelancer_id");
    const int n = e.milestone_ids_size();
    return Notice{"contract.created",
                  "New contract with " + std::to_string(n) + (n == 1 ? " milestone" : " milestones") +
                      ": sign its statement of work to begin",
                  e.contract_id(),
                  {},
                  {Recipient::Client(), Recipient::Freelancer()}};
}

Notice NoticeOf(const contracts::v1::MilestoneSubmitted& e) {
    std::string title = "Milestone submitted for your review";
    if (!e.auto_release_at().empty()) title += ": it is accepted automatically at " + e.auto_release_at();
    return MilestoneNotice("milestone.submitted", std::move(title), e.milestone_id(), e.contract_id(),
                           {Recipient::Client()});
}

Notice NoticeOf(const contracts::v1::MilestoneAccepted& e) {
    if (e.auto_released()) {
        return MilestoneNotice(
            "milestone.accepted",
            "Milestone accepted automatically at its review deadline" + With(": ", e.amount(), " is being released"),
            e.milestone_id(), e.contract_id(), {Recipient::Freelancer(), Recipient::Client()});
    }
    return MilestoneNotice("milestone.accepted",
                           "Milestone accepted by the client" + With(": ", e.amount(), " is being released to you"),
                           e.milestone_id(), e.contract_id(), {Recipient::Freelancer()});
}

Notice NoticeOf(const contracts::v1::MilestoneRejected& e) {
    std::string title = "Changes requested on your milestone";
    if (!e.feedback().empty()) title += ": " + Shorten(e.feedback(), kMaxExcerptChars);
    return MilestoneNotice("milestone.changes_requested", std::move(title), e.milestone_id(), e.contract_id(),
                           {Recipient::Freelancer()});
}

Notice NoticeOf(const contracts::v1::MilestoneCancelled& e) {
    return MilestoneNotice("milestone.cancelled", "Milestone cancelled by the client", e.milestone_id(),
                           e.contract_id(), {Recipient::Freelancer()});
}

Notice NoticeOf(const payments::v1::EscrowFunded& e) {
    return MilestoneNotice("milestone.funded",
                           "Milestone funded" + With(": ", e.amount(), " is in escrow") + ", you can start",
                           e.milestone_id(), {}, {Recipient::Freelancer()});
}

Notice NoticeOf(const payments::v1::EscrowFundingFailed& e) {
    std::string title = "Funding the milestone failed";
    if (!e.reason().empty()) title += ": " + Shorten(e.reason(), kMaxExcerptChars);
    return MilestoneNotice("milestone.funding_failed", std::move(title), e.milestone_id(), {}, {Recipient::Client()});
}

Notice NoticeOf(const payments::v1::EscrowRefunded& e) {
    return MilestoneNotice("escrow.refunded", "Escrow refunded" + With(": ", e.amount(), " is back in your wallet"),
                           e.milestone_id(), {}, {Recipient::Client()});
}

Notice NoticeOf(const payments::v1::PayoutCompleted& e) {
    RequireId(e.user_id(), "user_id");
    const bool voided = e.outcome() == "voided";
    return Notice{"payout.completed",
                  voided ? "Payout returned" + With(": ", e.amount(), " is back in your wallet")
                         : "Payout sent" + With(": ", e.amount(), " is on its way to your bank"),
                  {},
                  {},
                  {Recipient::User(e.user_id())}};
}

namespace {

/// The dispute's parties and the staff handling it, each once.
std::vector<Recipient> DisputeRecipients(const std::string& client_id, const std::string& freelancer_id,
                                         const google::protobuf::RepeatedPtrField<std::string>& staff_ids) {
    RequireId(client_id, "client_id");
    RequireId(freelancer_id, "freelancer_id");
    std::vector<Recipient> out{Recipient::User(client_id), Recipient::User(freelancer_id)};
    for (int i = 0; i < staff_ids.size(); ++i) {
        RequireId(staff_ids[i], ("staff_ids[" + std::to_string(i) + "]").c_str());
        out.push_back(Recipient::User(staff_ids[i]));
    }
    return out;
}

std::string Deadline(const std::string& stage, const std::string& due_at) {
    return due_at.empty() ? std::string() : " (" + stage + " until " + due_at + ")";
}

}  // namespace

Notice NoticeOf(const disputes::v1::DisputeStepped& e) {
    RequireId(e.step(), "step");
    return MilestoneNotice("dispute." + e.step(),
                           "Dispute: " + Shorten(e.summary(), kMaxExcerptChars) + Deadline(e.stage(), e.due_at()),
                           e.milestone_id(), {}, DisputeRecipients(e.client_id(), e.freelancer_id(), e.staff_ids()));
}

Notice NoticeOf(const disputes::v1::DisputeDeadlineNear& e) {
    return MilestoneNotice("dispute.deadline_near",
                           "Dispute deadline near: " + e.stage() + " ends at " + e.due_at() + "; then " +
                               Shorten(e.default_outcome(), kMaxExcerptChars),
                           e.milestone_id(), {}, DisputeRecipients(e.client_id(), e.freelancer_id(), e.staff_ids()));
}

Notice NoticeOf(const workroom::v1::MemberMentioned& e) {
    RequireId(e.mentioned_user_id(), "mentioned_user_id");
    RequireId(e.contract_id(), "contract_id");
    std::string title = "You were mentioned in the workroom";
    if (!e.excerpt().empty()) title += ": " + Shorten(e.excerpt(), kMaxExcerptChars);
    return Notice{
        "workroom.mentioned", std::move(title), e.contract_id(), {}, {Recipient::User(e.mentioned_user_id())}};
}

std::vector<Notice> NoticesOf(const payments::v1::EscrowReleased& e) {
    // One notice per person paid, with everything the release credited them: a clan's leader who is
    // also in the member pool hears once, of their commission and share together.
    std::vector<std::string> order;
    std::map<std::string, common::v1::Money> paid;
    bool clan = false;
    for (int i = 0; i < e.legs_size(); ++i) {
        const auto& leg = e.legs(i);
        const bool clan_leg = leg.kind() == "leader_commission" || leg.kind() == "member_share";
        if (leg.kind() != "payee" && !clan_leg) continue;  // the platform fee has no user
        clan = clan || clan_leg;
        RequireId(leg.user_id(), ("legs[" + std::to_string(i) + "].user_id").c_str());
        auto [at, inserted] = paid.try_emplace(leg.user_id(), leg.amount());
        if (inserted) {
            order.push_back(leg.user_id());
        } else {
            at->second.set_minor_units(at->second.minor_units() + leg.amount().minor_units());
        }
    }
    std::vector<Notice> out;
    for (const auto& user : order) {
        out.push_back(MilestoneNotice("escrow.released",
                                      std::string(clan ? "Clan payment released" : "Payment released") +
                                          With(": ", paid.at(user), " is in your wallet"),
                                      e.milestone_id(), {}, {Recipient::User(user)}));
    }
    if (out.empty()) {
        // A release that lists no payee still paid the freelancer.
        out.push_back(MilestoneNotice("escrow.released", "Payment released" + With(": ", e.amount(), " in total"),
                                      e.milestone_id(), {}, {Recipient::Freelancer()}));
    }
    return out;
}

}  // namespace marketplace::notifications

namespace marketplace::notifications {

Notice NoticeOf(const auth::v1::AccountNotice& e) {
    RequireId(e.user_id(), "user_id");
    std::vector<Recipient> owner{Recipient::User(e.user_id())};
    switch (e.kind()) {
        case auth::v1::ACCOUNT_NOTICE_KIND_PASSWORD_RESET: {
            if (e.reset_token().empty() || e.reset_token().size() > 128) {
                throw core::InvalidArgument("reset_token", "must be 1 to 128 characters");
            }
            const std::time_t expires = static_cast<std::time_t>(e.reset_expires_at_unix());
            char when[32] = "";
            std::tm tm{};
            if (gmtime_r(&expires, &tm) != nullptr) std::strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
            return Notice{"account.password_reset",
                          "Password reset requested. Reset token: " + e.reset_token() + " (works once, until " + when +
                              "). If you did not ask for it, ignore this.",
                          "", "", std::move(owner)};
        }
        case auth::v1::ACCOUNT_NOTICE_KIND_REGISTRATION_ATTEMPT:
            return Notice{"account.registration_attempt",
                          "Someone tried to register a new account with your email address. If it was you, log in "
                          "or reset your password; otherwise nothing changed.",
                          "", "", std::move(owner)};
        case auth::v1::ACCOUNT_NOTICE_KIND_PASSWORD_CHANGED:
            return Notice{"account.password_changed", "Your password was changed and every session was signed out.", "",
                          "", std::move(owner)};
        case auth::v1::ACCOUNT_NOTICE_KIND_SIGNED_OUT_EVERYWHERE:
            return Notice{"account.signed_out_everywhere", "Every session of your account was signed out.", "", "",
                          std::move(owner)};
        default:
            throw core::InvalidArgument("kind", "is not a known account notice");
    }
}

}  // namespace marketplace::notifications
