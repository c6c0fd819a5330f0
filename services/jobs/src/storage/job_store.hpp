#pragma once
// SQL for the jobs table: insert, find (optionally locking the row), update, list and search.
#include <optional>
#include <string>

#include <pqxx/transaction>

#include "domain/search.hpp"
#include "storage/records.hpp"

namespace marketplace::jobs {

class JobStore final {
public:
    static void Insert(pqxx::work& tx, const JobRecord& job);
    /// The job, or nullopt (also for ids that are not UUIDs: callers validate first).
    static std::optional<JobRecord> Find(pqxx::work& tx, const std::string& job_id, RowLock lock = RowLock::kNone);
    /// Replaces the editable fields.
    static void UpdateSpec(pqxx::work& tx, const std::string& job_id, const JobSpec& spec, std::int64_t now_micros);
    static void SetStatus(pqxx::work& tx, const std::string& job_id, JobStatus status,
                          const std::string& accepted_proposal_id, std::int64_t now_micros);

    /// A client's jobs, newest first.
    static Page<JobRecord> ListByClient(pqxx::work& tx, const std::string& client_id, std::optional<JobStatus> status,
                                        std::int32_t page_size, const std::optional<PageCursor>& after);
    /// Full-text search with filters: best rank first, then newest.
    static Page<JobRecord> Search(pqxx::work& tx, const SearchSpec& spec);

    /// Whether `user_id` has a proposal on the job or an invite to it (what lets a freelancer see a
    /// job that is no longer open).
    static bool IsParticipant(pqxx::work& tx, const std::string& job_id, const std::string& user_id);
};

}  // namespace marketplace::jobs
