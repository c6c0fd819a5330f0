#include "marketplace/db/errors.hpp"

#include <pqxx/except>
#include <string>

#include "marketplace/core/errors.hpp"

namespace marketplace::db {

bool IsConnectionFailure(const std::exception& e) {
    if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) return true;
    if (dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr) return true;
    if (dynamic_cast<const pqxx::statement_completion_unknown*>(&e) != nullptr) return true;
    if (const auto* error = dynamic_cast<const core::Error*>(&e)) return error->code() == core::ErrorCode::kUnavailable;
    if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
        const std::string& state = sql->sqlstate();
        if (state.starts_with("08")) return true;  // connection exception
        if (state == "57P01" || state == "57P02" || state == "57P03" || state == "53300") return true;
        if (!state.empty()) return false;
    }
    // libpq reports a session the server dropped mid-statement without a SQLSTATE.
    if (dynamic_cast<const pqxx::failure*>(&e) != nullptr) {
        const std::string what = e.what();
        return what.find("server closed the connection") != std::string::npos ||
               what.find("terminating connection") != std::string::npos ||
               what.find("no connection to the server") != std::string::npos ||
               what.find("Lost connection") != std::string::npos;
    }
    return false;
}

}  // namespace marketplace::db
