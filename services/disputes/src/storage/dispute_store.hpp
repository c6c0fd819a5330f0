#pragma once
// SQL for the disputes service's own tables: disputes, evidence and the log of steps.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "domain/dispute.hpp"

namespace marketplace::disputes::storage {

/// A dispute with what the domain does not need: why it was opened and when.
struct DisputeRecord {
    Dispute dispute;
    std::string reason_code;
    std::string statement;
    TimePoint opened_at{};
    std::optional<TimePoint> settled_at;
};

struct EvidenceRecord {
    std::string id;
    std::string dispute_id;
    std::string added_by;
    std::string kind;
    std::string reference;
    std::string note;
    std::string sha256;
    TimePoint added_at{};
};

struct StepRecord {
    std::int32_t seq = 0;
    std::string step;
    std::string stage;
    std::string actor;
    std::string summary;
    TimePoint at{};
};

/// Inserts a new dispute; false when the milestone already has a live one (nothing inserted).
bool InsertDispute(pqxx::work& tx, const DisputeRecord& record);
/// The dispute, locked FOR UPDATE when `for_update`.
std::optional<DisputeRecord> FindDispute(pqxx::work& tx, const std::string& dispute_id, bool for_update);
/// The milestone's live (not withdrawn or refused) dispute.
std::optional<DisputeRecord> FindLiveDispute(pqxx::work& tx, const std::string& milestone_id);
/// Writes the dispute's state (everything the domain changes).
void SaveDispute(pqxx::work& tx, const Dispute& d, TimePoint now);

struct ListFilter {
    std::optional<std::string> party_id;  // unset: every dispute (staff)
    std::optional<std::string> milestone_id;
    std::optional<std::string> stage;
    std::int32_t limit = 20;
    std::optional<std::pair<std::int64_t, std::string>> after;  // (opened_at micros, id) of the last row seen
};
std::vector<DisputeRecord> ListDisputes(pqxx::work& tx, const ListFilter& filter);

std::int64_t CountEvidence(pqxx::work& tx, const std::string& dispute_id);
void InsertEvidence(pqxx::work& tx, const EvidenceRecord& e);
std::vector<EvidenceRecord> ListEvidence(pqxx::work& tx, const std::string& dispute_id);

void AppendStep(pqxx::work& tx, const std::string& dispute_id, const StepRecord& step);
std::vector<StepRecord> ListSteps(pqxx::work& tx, const std::string& dispute_id);

}  // namespace marketplace::disputes::storage
