#include "marketplace/testing/database.hpp"

#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <pqxx/connection>
#include <pqxx/except>
#include <pqxx/nontransaction>
#include <random>
#include <stdexcept>
#include <string>

namespace marketplace::testing {
namespace {

constexpr const char* kDefaultPort = "15432";
/// PostgreSQL identifiers are at most 63 bytes; the names stay below that.
constexpr std::size_t kMaxNameLength = 62;

std::string LocalPort() {
    const char* port = std::getenv("MARKETPLACE_PG_PORT");
    return (port != nullptr && *port != '\0') ? std::string(port) : std::string(kDefaultPort);
}

std::string RandomHex(std::size_t digits) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::random_device device;
    std::string out;
    while (out.size() < digits) {
        auto word = device();
        for (int i = 0; i < 8 && out.size() < digits; ++i, word >>= 4) out += kHex[word & 0xf];
    }
    return out;
}

std::string SanitizedTag(const std::string& tag) {
    std::string out;
    for (char c : tag) {
        const unsigned char u = static_cast<unsigned char>(c);
        if (std::isalnum(u))
            out += static_cast<char>(std::tolower(u));
        else
            out += '_';
    }
    return out.empty() ? "x" : out;
}

std::string TrimTrailingSpace(std::string s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    return s;
}

std::unique_ptr<pqxx::connection> ConnectAdmin() {
    try {
        return std::make_unique<pqxx::connection>(TestDatabase::AdminConninfo());
    } catch (const pqxx::broken_connection& e) {
        throw std::runtime_error("PostgreSQL of the local stack is not reachable at 127.0.0.1:" + LocalPort() + " (" +
                                 TrimTrailingSpace(e.what()) + "); run `make up`");
    }
}

}  // namespace

std::string TestDatabase::AdminConninfo() {
    return "host=127.0.0.1 port=" + LocalPort() + " dbname=postgres user=postgres password=postgres";
}

TestDatabase& TestDatabase::Shared(const std::string& tag) {
    static TestDatabase shared(tag);
    return shared;
}

TestDatabase::TestDatabase(const std::string& tag) {
    const std::string pid = std::to_string(static_cast<long>(::getpid()));
    const std::string random = RandomHex(8);
    const std::size_t fixed = 2 + 1 + pid.size() + 1 + random.size();  // "t_" + "_" + pid + "_" + random
    std::string clean = SanitizedTag(tag);
    if (clean.size() > kMaxNameLength - fixed) clean.resize(kMaxNameLength - fixed);
    name_ = "t_" + clean + "_" + pid + "_" + random;
    // The database's owner is a role of the same name: tests run with a service's privileges, not a superuser's.
    password_ = RandomHex(24);
    const std::string& password = password_;

    auto admin = ConnectAdmin();
    {
        pqxx::nontransaction tx(*admin);
        tx.exec("CREATE ROLE " + tx.quote_name(name_) + " LOGIN PASSWORD " + tx.quote(password));
        try {
            tx.exec("CREATE DATABASE " + tx.quote_name(name_) + " OWNER " + tx.quote_name(name_));
        } catch (...) {
            tx.exec("DROP ROLE IF EXISTS " + tx.quote_name(name_));
            throw;
        }
    }
    conninfo_ = "host=127.0.0.1 port=" + LocalPort() + " dbname=" + name_ + " user=" + name_ + " password=" + password +
                " application_name=marketplace-test";
}

TestDatabase::~TestDatabase() {
    try {
        auto admin = ConnectAdmin();
        pqxx::nontransaction tx(*admin);
        tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(name_) + " WITH (FORCE)");
        tx.exec("DROP ROLE IF EXISTS " + tx.quote_name(name_));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "warning: could not drop test database %s: %s\n", name_.c_str(), e.what());
    } catch (...) {
        std::fprintf(stderr, "warning: could not drop test database %s\n", name_.c_str());
    }
}

db::PgConfig TestDatabase::Config(std::size_t pool_size) const {
    db::PgConfig config;
    config.conninfo = conninfo_;
    config.pool_size = pool_size;
    return config;
}

std::map<std::string, std::string> TestDatabase::ServiceEnv() const {
    return {{"PG_HOST", "127.0.0.1"},
            {"PG_PORT", LocalPort()},
            {"PG_DATABASE", name_},
            {"PG_USER", name_},
            {"PG_PASSWORD", password_}};
}

}  // namespace marketplace::testing
