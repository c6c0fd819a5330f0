// Retention through the real services: rows written before the shared clock moves 3 days forward
// (idempotency records, inbox rows, published events in every service that keeps them; auth's failed
// logins and sessions) are deleted by the retention job, while rows written after the move, still
// young, stay. Every period is set to a day here; the job runs every RETENTION_INTERVAL of service
// time (2 s here, an hour by default).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <map>
#include <thread>

#include <pqxx/nontransaction>
#include <pqxx/pqxx>

#include "chaos.hpp"
#include "marketplace/db/pool.hpp"
#include "marketplace/testing/wait.hpp"

using namespace marketplace;
using namespace std::chrono_literals;
using namespace e2e;
namespace cv1 = marketplace::contracts::v1;

namespace {

constexpr std::int64_t kAmount = 50000;

/// The newest of a timestamp column, as text PostgreSQL parses back ("" when the table is empty).
std::string Newest(const std::string& conninfo, const std::string& table, const std::string& column) {
    auto conn = db::Connect(conninfo);
    pqxx::nontransaction q(*conn);
    const auto r = q.exec("SELECT max(" + column + ")::text FROM " + table);
    return r[0][0].is_null() ? std::string() : std::string(r[0][0].c_str());
}

struct Table {
    std::string service, table, column;
};

// Each kit table in each service that fills it during a funded milestone, and auth's own.
const std::vector<Table> kTables{
    {"jobs", "idempotency_keys", "created_at"},
    {"jobs", "published_events", "published_at"},
    {"contracts", "idempotency_keys", "created_at"},
    {"payments", "idempotency_keys", "created_at"},
    {"contracts", "inbox", "handled_at"},
    {"payments", "inbox", "handled_at"},
    {"notifications", "inbox", "handled_at"},
    {"contracts", "published_events", "published_at"},
    {"payments", "published_events", "published_at"},
    {"auth", "published_events", "published_at"},
    {"auth", "login_failures", "failed_at"},
    {"auth", "refresh_families", "expires_at"},
};

void FailLogin(const User& user) {
    auth::v1::LoginRequest req;
    req.set_email(user.email);
    req.set_password("not the password");
    auth::v1::LoginResponse resp;
    const auto status = S().auth().Login(MoneyStack::Context(User{}).get(), req, &resp);
    REQUIRE(status.error_code() == grpc::StatusCode::UNAUTHENTICATED);
}

void FundedDeal(Deal& d) {
    Ok(Fund(d.client, d.milestone, MoneyStack::NewKey()), "fund");
    AwaitMilestone(d.client, d.milestone, cv1::MILESTONE_STATE_FUNDED);
}

}  // namespace

TEST_CASE(
    "Retention: old idempotency records, inbox rows, published events, failed logins and expired sessions "
    "go; young ones stay",
    "[e2e][retention]") {
    // Before the stack starts: every service inherits these. Periods of a day (the shortest the
    // settings allow) keep the clock move short enough for the stories' 30-day due dates.
    for (const char* name :
         {"RETENTION_IDEMPOTENCY", "RETENTION_INBOX", "RETENTION_PUBLISHED_EVENTS", "RETENTION_LOGIN_FAILURES",
          "RETENTION_EXPIRED_SESSIONS", "AUTH_REFRESH_TOKEN_TTL", "AUTH_SESSION_MAX_AGE"}) {
        ::setenv(name, "1d", 1);
    }
    ::setenv("RETENTION_INTERVAL", "2s", 1);

    // Old rows: a funded milestone, a failed login, sessions.
    auto old_deal = NewDeal(kAmount, kAmount);
    FundedDeal(old_deal);
    FailLogin(old_deal.client);
    const auto dbs = S().Databases();
    std::map<std::string, std::string> old_newest;  // "service.table" -> newest stamp before the move
    for (const auto& t : kTables) {
        // published_events gets its rows when the relay has the broker's acknowledgement, which may
        // come after the story's last call returned.
        std::string newest;
        testing::WaitUntil(
            [&] {
                newest = Newest(dbs.at(t.service), t.table, t.column);
                return !newest.empty();
            },
            20s, 100ms);
        INFO(t.service << "." << t.table);
        REQUIRE(!newest.empty());  // the story did write rows there
        old_newest[t.service + "." + t.table] = newest;
    }

    // 3 days: past every period (a day, and a one-day session a day after it expired).
    S().AdvanceClock(std::chrono::hours(24 * 3));

    // Young rows, written after the move.
    auto young_deal = NewDeal(kAmount, kAmount);
    FundedDeal(young_deal);
    FailLogin(young_deal.client);

    for (const auto& t : kTables) {
        const std::string name = t.service + "." + t.table;
        INFO(name);
        const std::string& conninfo = dbs.at(t.service);
        const std::string old_rows = "SELECT count(*) FROM " + t.table + " WHERE " + t.column + " <= $1::timestamptz";
        const std::string young_rows = "SELECT count(*) FROM " + t.table + " WHERE " + t.column + " > $1::timestamptz";
        // A session expires a day after its login: a young one expires after the newest old one.
        CHECK(testing::WaitUntil([&] { return CountRows(conninfo, old_rows, old_newest[name]) == 0; }, 60s, 200ms));
        CHECK(CountRows(conninfo, young_rows, old_newest[name]) > 0);
    }
    // The young deal's rows, by key, outlived several runs of the job.
    std::this_thread::sleep_for(5s);
    CHECK(CountRows(dbs.at("payments"), "SELECT count(*) FROM inbox WHERE event_key = $1", young_deal.milestone) > 0);
    CHECK(CountRows(dbs.at("contracts"), "SELECT count(*) FROM published_events WHERE event_key = $1",
                    young_deal.milestone) > 0);
    CHECK(CountRows(dbs.at("payments"), "SELECT count(*) FROM inbox WHERE event_key = $1", old_deal.milestone) == 0);
    CHECK(CountRows(dbs.at("contracts"), "SELECT count(*) FROM published_events WHERE event_key = $1",
                    old_deal.milestone) == 0);
    // The young deal still works end to end after the purge: its idempotency record answers a retry.
    const std::string key = MoneyStack::NewKey();
    auto again = NewDeal(kAmount, kAmount);
    Ok(Fund(again.client, again.milestone, key), "fund");
    Ok(Fund(again.client, again.milestone, key), "fund again with the same key");
    AwaitMilestone(again.client, again.milestone, cv1::MILESTONE_STATE_FUNDED);
}
