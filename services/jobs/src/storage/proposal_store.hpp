#pragma once
// SQL for proposals and their milestone plans.
#include <optional>
#include <string>

#include <pqxx/transaction>

#include "storage/records.hpp"

namespace marketplace::jobs {

class ProposalStore final {
public:
    /// Inserts the proposal and its milestones. core::Conflict when the freelancer already has a
    /// live proposal on the job (the partial unique index decides, so concurrent submits are safe).
    static void Insert(pqxx::work& tx, const ProposalRecord& proposal);
    static std::optional<ProposalRecord> Find(pqxx::work& tx, const std::string& proposal_id,
                                              RowLock lock = RowLock::kNone);
    /// Whether the freelancer has a live (submitted) proposal on the job.
    static bool HasLive(pqxx::work& tx, const std::string& job_id, const std::string& freelancer_id);
    static long CountLive(pqxx::work& tx, const std::string& job_id);
    static void SetStatus(pqxx::work& tx, const std::string& proposal_id, ProposalStatus status,
                          std::int64_t now_micros);
    /// Declines every live proposal of the job except `except_id` (may be empty); returns how many.
    static int DeclineLive(pqxx::work& tx, const std::string& job_id, const std::string& except_id,
                           std::int64_t now_micros);

    /// A job's proposals, oldest first.
    static Page<ProposalRecord> ListByJob(pqxx::work& tx, const std::string& job_id,
                                          std::optional<ProposalStatus> status, std::int32_t page_size,
                                          const std::optional<PageCursor>& after);
    /// A freelancer's proposals, newest first.
    static Page<ProposalRecord> ListByFreelancer(pqxx::work& tx, const std::string& freelancer_id,
                                                 std::optional<ProposalStatus> status, std::int32_t page_size,
                                                 const std::optional<PageCursor>& after);
};

}  // namespace marketplace::jobs
