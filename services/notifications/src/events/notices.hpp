#pragma once
// What each consumed event tells people (pure: no database). Who gets what:
//   ContractCreated      both parties        contract.created
//   EscrowFunded         the freelancer      milestone.funded ("you can start")
//   EscrowFundingFailed  the client          milestone.funding_failed (with the reason)
//   MilestoneSubmitted   the client          milestone.submitted (with the review deadline)
//   MilestoneAccepted    the freelancer      milestone.accepted (and the client too when the
//                                            review deadline accepted it on their behalf)
//   MilestoneRejected    the freelancer      milestone.changes_requested (with the feedback)
//   MilestoneCancelled   the freelancer      milestone.cancelled
//   EscrowReleased       each payee          escrow.released (their own share)
//   EscrowRefunded       the client          escrow.refunded
//   PayoutCompleted      the wallet's owner  payout.completed (sent, or returned when voided)
//   DisputeStepped       both parties and    dispute.<step> (opened, confirmed, answered, offer,
//                        the staff handling  proposal, ..., resolved, withdrawn, settled), with
//                        it                  the rung and its deadline
//   DisputeDeadlineNear  the same            dispute.deadline_near (what happens at the deadline)
//   AccountNotice        the account's owner account.password_reset (with the reset token: the
//                                            inbox is where it is delivered, there is no email),
//                                            account.registration_attempt, account.password_changed,
//                                            account.signed_out_everywhere
//   MemberMentioned      the mentioned member workroom.mentioned (with the message's beginning)
// An event that cannot name its subject (a missing milestone or user id) throws
// core::InvalidArgument naming the field.
#include "domain/notice.hpp"
#include "marketplace/auth/v1/events.pb.h"
#include "marketplace/contracts/v1/events.pb.h"
#include "marketplace/disputes/v1/events.pb.h"
#include "marketplace/payments/v1/events.pb.h"
#include "marketplace/workroom/v1/events.pb.h"

namespace marketplace::notifications {

/// Longest excerpt of free text (a funding failure's reason, a client's feedback) in a title.
inline constexpr std::size_t kMaxExcerptChars = 200;

Notice NoticeOf(const contracts::v1::ContractCreated& e);
Notice NoticeOf(const contracts::v1::MilestoneSubmitted& e);
Notice NoticeOf(const contracts::v1::MilestoneAccepted& e);
Notice NoticeOf(const contracts::v1::MilestoneRejected& e);
Notice NoticeOf(const contracts::v1::MilestoneCancelled& e);
Notice NoticeOf(const payments::v1::EscrowFunded& e);
Notice NoticeOf(const payments::v1::EscrowFundingFailed& e);
Notice NoticeOf(const payments::v1::EscrowRefunded& e);
Notice NoticeOf(const payments::v1::PayoutCompleted& e);
Notice NoticeOf(const disputes::v1::DisputeStepped& e);
Notice NoticeOf(const disputes::v1::DisputeDeadlineNear& e);
Notice NoticeOf(const auth::v1::AccountNotice& e);
Notice NoticeOf(const workroom::v1::MemberMentioned& e);
/// One notice per payee leg, each with the payee's own amount.
std::vector<Notice> NoticesOf(const payments::v1::EscrowReleased& e);

/// "1500.00 EUR", or "" when the currency is unknown (a title then leaves the amount out).
std::string AmountText(const common::v1::Money& amount);

}  // namespace marketplace::notifications
