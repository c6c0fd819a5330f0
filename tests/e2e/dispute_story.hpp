#pragma once
// The dispute saga's steps over gRPC, as the parties and staff take them: shared by the end-to-end
// tests and the demo. Each step throws with the services' logs on failure.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "money_stack.hpp"
#include "story.hpp"

namespace marketplace::e2e {

namespace dv1 = disputes::v1;

/// Opens a dispute as `opener` asking `asked` (EUR minor units); returns the call's status and the dispute.
grpc::Status OpenDispute(const User& opener, const std::string& milestone, std::int64_t asked,
                         dv1::Dispute* out = nullptr, const std::string& key = MoneyStack::NewKey());
dv1::Dispute GetDispute(const User& user, const std::string& dispute_id);
/// Polls until the dispute is on `stage` (30 s at most).
dv1::Dispute WaitStage(const User& user, const std::string& dispute_id, dv1::Stage stage);
/// Polls until the dispute's resolution is settled by payments (30 s at most).
dv1::Dispute WaitSettled(const User& user, const std::string& dispute_id);

/// One call of the ladder (Respond, MakeOffer, ...) with a fresh idempotency key.
grpc::Status Respond(const User& user, const std::string& id, dv1::Answer answer, int counter_bps = 0);
grpc::Status Offer(const User& user, const std::string& id, int bps);
grpc::Status AcceptOffer(const User& user, const std::string& id, int bps);
grpc::Status Propose(const User& mediator, const std::string& id, int bps);
grpc::Status AcceptProposal(const User& user, const std::string& id, int bps);
grpc::Status RequestExpert(const User& user, const std::string& id);
grpc::Status Recommend(const User& expert, const std::string& id, int bps, const std::string& report);
grpc::Status Decide(const User& admin, const std::string& id, dv1::Outcome outcome, int bps = 0);
grpc::Status Withdraw(const User& user, const std::string& id);
grpc::Status AddEvidence(const User& user, const std::string& id, dv1::EvidenceKind kind, const std::string& reference,
                         const std::string& note, const std::string& sha256 = {});

/// Moves every service's clock past the dispute's current deadline, and re-logs the users in.
void PassDeadline(const dv1::Dispute& d, std::initializer_list<User*> relogin);

/// The fee payments charges on a released amount (PAYMENTS_PLATFORM_FEE_BPS, 10 % by default).
std::int64_t FeeOn(std::int64_t released);

}  // namespace marketplace::e2e
