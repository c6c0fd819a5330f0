#pragma once
// SQL for invites.
#include <optional>
#include <string>

#include <pqxx/transaction>

#include "storage/records.hpp"

namespace marketplace::jobs {

class InviteStore final {
public:
    /// core::Conflict when the freelancer is already invited to the job.
    static void Insert(pqxx::work& tx, const InviteRecord& invite);
    /// A job's invites, oldest first.
    static Page<InviteRecord> ListByJob(pqxx::work& tx, const std::string& job_id, std::int32_t page_size,
                                        const std::optional<PageCursor>& after);
    /// A freelancer's invites, newest first.
    static Page<InviteRecord> ListByFreelancer(pqxx::work& tx, const std::string& freelancer_id, std::int32_t page_size,
                                               const std::optional<PageCursor>& after);
};

}  // namespace marketplace::jobs
