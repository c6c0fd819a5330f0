#pragma once
// The dispute saga's use cases: lock, load, decide (domain/dispute.hpp), save, and carry out the
// effects in the same transaction: the step log, the deadline and reminder timers, and the events
// for contracts, payments and notifications.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <pqxx/transaction>

#include "app/contracts_reader.hpp"
#include "domain/dispute.hpp"
#include "marketplace/core/config.hpp"
#include "marketplace/service/runtime.hpp"
#include "storage/dispute_store.hpp"

namespace marketplace::disputes {

inline constexpr char kDeadlineTimer[] = "dispute.deadline";
inline constexpr char kReminderTimer[] = "dispute.reminder";

struct DisputesConfig {
    Durations durations;
    std::int64_t max_evidence = 50;
    /// DISPUTE_RESPONSE_PERIOD, DISPUTE_NEGOTIATION_PERIOD, DISPUTE_MEDIATION_PERIOD,
    /// DISPUTE_PROPOSAL_ACCEPTANCE, DISPUTE_EXPERT_REVIEW_PERIOD, DISPUTE_ADMIN_DECISION_PERIOD,
    /// DISPUTE_REMINDER_BEFORE, DISPUTE_MAX_EVIDENCE.
    static DisputesConfig FromEnv(core::EnvReader& env);
};

/// The caller of an RPC, from the token.
struct Caller {
    std::string subject;
    std::string role;  // "client", "freelancer", "admin", "mediator", "expert"
    // The working party the caller acts for when it is not themselves: a clan's id, for its HEAD,
    // CO_HEAD and ADMINs, as contracts reported it for the dispute's contract (empty otherwise).
    std::string acts_for;
};

/// Who `caller` is for `d`: a party, staff, or nobody (std::nullopt: the dispute is not theirs to see).
std::optional<Actor> ActorFor(const Caller& caller, const Dispute& d);
bool IsStaff(const std::string& role);

struct OpenRequest {
    std::string milestone_id;
    std::string reason_code;  // "not_delivered", ...
    std::string statement;
    std::int64_t amount_asked = 0;
    std::string currency;
};

struct EvidenceInput {
    std::string kind;  // "message", "file", ...
    std::string reference;
    std::string note;
    std::string sha256;
};

class DisputeFlows final {
public:
    DisputeFlows(service::Runtime& runtime, DisputesConfig config, std::shared_ptr<ContractsReader> contracts);

    const DisputesConfig& config() const noexcept { return config_; }
    ContractsReader& contracts() { return *contracts_; }

    /// Opens a dispute for `caller` on the milestone `facts` describes (read from contracts before
    /// the transaction). Throws core::Conflict when the milestone already has a live dispute.
    storage::DisputeRecord Open(pqxx::work& tx, const Caller& caller, const OpenRequest& request,
                                const MilestoneFacts& facts);

    /// Applies a person's command; NOT_FOUND for a dispute the caller may not see.
    storage::DisputeRecord Act(pqxx::work& tx, const std::string& dispute_id, const Command& command,
                               const Caller& caller);

    /// The dispute as `caller` may see it.
    storage::DisputeRecord View(pqxx::work& tx, const std::string& dispute_id, const Caller& caller) const;

    storage::EvidenceRecord AddEvidence(pqxx::work& tx, const std::string& dispute_id, const EvidenceInput& input,
                                        const Caller& caller);

    /// A command from the system (contracts' and payments' answers). False when the dispute is unknown.
    bool ActSystem(pqxx::work& tx, const std::string& dispute_id, const Command& command);

    /// The timers.
    void OnDeadline(pqxx::work& tx, const std::string& timer_key);
    void OnReminder(pqxx::work& tx, const std::string& timer_key);

    /// Now, to the microsecond the database keeps.
    TimePoint Now() const;

private:
    void Apply(pqxx::work& tx, storage::DisputeRecord& record, const Decision& decision, const Actor& actor,
               TimePoint now);
    void SyncTimers(pqxx::work& tx, const Dispute& before, const Dispute& after, TimePoint now) const;
    void PublishStep(pqxx::work& tx, const Dispute& d, std::string_view step, const std::string& actor,
                     const std::string& summary) const;

    service::Runtime& runtime_;
    DisputesConfig config_;
    std::shared_ptr<ContractsReader> contracts_;
};

}  // namespace marketplace::disputes
