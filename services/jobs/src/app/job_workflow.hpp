#pragma once
// The job's use cases inside the caller's transaction: load and lock the job, let the decider
// (domain/job.hpp) decide, save, then carry out its effects (decline the live proposals, store an
// invite, publish JobPosted through the outbox) in the same transaction. Used by the gRPC handlers.
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "domain/job.hpp"
#include "marketplace/service/runtime.hpp"

namespace marketplace::jobs {

class JobWorkflow final {
public:
    explicit JobWorkflow(service::Runtime& runtime) : runtime_(runtime) {}

    /// The job after the command, and how many live proposals it declined.
    struct Result {
        Job job;
        int declined_proposals = 0;
    };

    Result Post(pqxx::work& tx, const Caller& caller, JobInput input) const;
    Result Edit(pqxx::work& tx, const Caller& caller, const std::string& job_id, JobInput changes,
                std::vector<std::string> paths) const;
    Result Close(pqxx::work& tx, const Caller& caller, const std::string& job_id) const;
    Invite InviteFreelancer(pqxx::work& tx, const Caller& caller, const std::string& job_id,
                            const std::string& freelancer_id, const std::string& message) const;

private:
    /// Decides, saves the job, carries out the effects; `invite` receives a stored invite.
    Result Apply(pqxx::work& tx, const std::optional<Job>& job, const JobCommand& command, const Caller& caller,
                 Invite* invite = nullptr) const;

    service::Runtime& runtime_;
};

}  // namespace marketplace::jobs
