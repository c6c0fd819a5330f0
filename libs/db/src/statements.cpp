#include "marketplace/db/statements.hpp"

#include <atomic>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include <pqxx/connection_base>

namespace marketplace::db {
namespace {

struct Names {
    std::shared_mutex mu;
    std::unordered_map<std::string, std::string> by_text;
};

Names& Registry() {
    static Names names;
    return names;
}

const std::string kUnprepared;
std::atomic<bool> g_preparing{true};

}  // namespace

namespace detail {

void SetPreparing(bool on) { g_preparing.store(on); }

const std::string& PreparedName(pqxx::connection_base& conn, const std::string& sql) {
    if (!g_preparing.load(std::memory_order_relaxed)) return kUnprepared;
    Names& names = Registry();
    const std::string* name = nullptr;
    {
        std::shared_lock lock(names.mu);
        const auto it = names.by_text.find(sql);
        if (it != names.by_text.end()) name = &it->second;
    }
    if (name == nullptr) {
        std::unique_lock lock(names.mu);
        auto it = names.by_text.find(sql);
        if (it == names.by_text.end()) {
            if (names.by_text.size() >= kMaxPreparedStatements) return kUnprepared;
            it = names.by_text.emplace(sql, "mp" + std::to_string(names.by_text.size())).first;
        }
        name = &it->second;  // a node of the map: stays where it is when the map grows
    }
    // Registers the text under the name on this connection (a lookup when it already is); the
    // connection sends it to the server on the statement's first run.
    conn.prepare(*name, sql);
    return *name;
}

}  // namespace detail

std::size_t PreparedStatementCount() {
    Names& names = Registry();
    std::shared_lock lock(names.mu);
    return names.by_text.size();
}

}  // namespace marketplace::db
