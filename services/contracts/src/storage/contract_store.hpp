#pragma once
// SQL for contracts, their statements of work and signatures, and milestones.
#include <optional>
#include <pqxx/transaction>
#include <string>
#include <vector>

#include "domain/contract.hpp"
#include "domain/milestone.hpp"
#include "domain/statement_of_work.hpp"
#include "marketplace/db/values.hpp"

namespace marketplace::contracts::storage {

/// A stored contract: its terms (milestones not included; see MilestonesOf) and statement of work.
struct ContractRecord {
    ContractTerms terms;
    StatementOfWork statement;
    TimePoint created_at;
};

struct SignatureRecord {
    Actor party = Actor::kClient;  // kClient or kFreelancer
    std::string signer_id;
    std::string content_hash;
    TimePoint signed_at;
};

/// A stored milestone: identity, plan and saga state.
struct MilestoneRecord {
    std::string id;
    std::string contract_id;
    std::int32_t position = 0;
    PlannedMilestone plan;
    Milestone saga;
};

/// What a milestone command needs to know about its contract.
struct MilestoneContext {
    MilestoneRecord milestone;
    std::string client_id;
    std::string freelancer_id;
    std::chrono::seconds review_period{0};
    bool fully_signed = false;
    std::string clan_id;  // set when a clan is the working party
    std::string proposal_id;
};

using Lock = db::RowLock;

/// Inserts the contract and its milestones (ids in plan order) unless a contract already exists
/// for the proposal; returns false, inserting nothing, when one does.
bool InsertContract(pqxx::work& tx, const ContractTerms& terms, const StatementOfWork& statement,
                    const std::vector<std::string>& milestone_ids, TimePoint now);

std::optional<ContractRecord> FindContract(pqxx::work& tx, const std::string& contract_id, Lock lock = Lock::kNone);
std::optional<std::string> ContractIdOfProposal(pqxx::work& tx, const std::string& proposal_id);

std::vector<SignatureRecord> SignaturesOf(pqxx::work& tx, const std::string& contract_id);
/// Records a party's signature; returns false (changing nothing) when that party already signed.
bool InsertSignature(pqxx::work& tx, const std::string& contract_id, const SignatureRecord& signature);
/// True when both the client and the freelancer signed.
bool FullySigned(const std::vector<SignatureRecord>& signatures);

std::vector<MilestoneRecord> MilestonesOf(pqxx::work& tx, const std::string& contract_id);
/// The milestones of many contracts, grouped by contract id, each group in plan order.
std::vector<MilestoneRecord> MilestonesOfMany(pqxx::work& tx, const std::vector<std::string>& contract_ids);
std::optional<MilestoneRecord> FindMilestone(pqxx::work& tx, const std::string& milestone_id, Lock lock = Lock::kNone);
/// The milestone (locked as asked) with its contract's parties, review period and signatures.
std::optional<MilestoneContext> FindMilestoneContext(pqxx::work& tx, const std::string& milestone_id, Lock lock);
/// Writes the saga state of a milestone.
void SaveMilestone(pqxx::work& tx, const std::string& milestone_id, const Milestone& saga, TimePoint now);

/// A keyset position in a newest-first listing.
struct Cursor {
    std::int64_t created_at_micros = 0;
    std::string id;
};
/// "<micros>.<uuid>"; ParseCursor throws core::InvalidArgument("page_token", ...) on anything else.
std::string FormatCursor(const Cursor& cursor);
Cursor ParseCursor(const std::string& token);

/// Contracts where `party_id` is the client or the freelancer, or a current member of the clan hired
/// (any role), newest first, after `after`.
std::vector<ContractRecord> ContractsOfParty(pqxx::work& tx, const std::string& party_id,
                                             const std::optional<Cursor>& after, int limit);
Cursor CursorOf(const ContractRecord& contract);

}  // namespace marketplace::contracts::storage
