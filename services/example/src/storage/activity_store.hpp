#pragma once
// SQL of the template service: the client_activity table (migrations/V001__init.sql).
#include <cstdint>
#include <optional>
#include <string>

#include <pqxx/transaction>

#include "marketplace/db/values.hpp"

namespace marketplace::example::storage {

struct ClientActivity {
    std::string client_id;
    std::int64_t jobs_posted = 0;
    std::string last_job_id;
    std::string last_job_title;
};

/// Counts one more job for `client_id` (the first creates the row); returns the activity after it.
ClientActivity RecordJob(pqxx::work& tx, const std::string& client_id, const std::string& job_id,
                         const std::string& title, db::TimePoint now);

/// The client's activity, or nullopt when they have posted nothing.
std::optional<ClientActivity> LoadActivity(pqxx::work& tx, const std::string& client_id);

}  // namespace marketplace::example::storage
