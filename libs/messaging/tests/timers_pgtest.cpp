#include <catch2/catch.hpp>

#include <atomic>

#include <pqxx/nontransaction>
#include <pqxx/pqxx>

#include "marketplace/db/transaction.hpp"
#include "marketplace/messaging/timers.hpp"
#include "marketplace/testing/wait.hpp"
#include "support.hpp"

using namespace marketplace;
using namespace std::chrono_literals;
using messaging::test::MessagingDb;

namespace {
messaging::TimerHandler Recording(std::atomic<int>& calls) {
    return [&calls](pqxx::work& tx, const messaging::Timer& t) {
        ++calls;
        tx.exec_params("INSERT INTO effects (consumer, event_id, event_key, payload) VALUES ('timers', $1, $2, $3)",
                       t.kind, t.key, t.payload);
    };
}
}  // namespace

TEST_CASE("Timers: a timer fires exactly once with two schedulers running", "[messaging][timers][pg]") {
    MessagingDb db("timers_two");
    const auto start = std::chrono::system_clock::now();
    auto clock = std::make_shared<core::ManualClock>(start);
    constexpr int kTimers = 300;
    db::InTransaction(db.pool(), [&](pqxx::work& tx) {
        for (int i = 0; i < kTimers; ++i) {
            messaging::ScheduleTimer(tx, "escrow.auto_release", "milestone-" + std::to_string(i),
                                     start + std::chrono::hours(24 * 14) + std::chrono::seconds(i),
                                     "p" + std::to_string(i));
        }
    });
    std::atomic<int> calls{0};
    messaging::SchedulerOptions options;
    options.poll = 5ms;
    messaging::TimerScheduler a(db.Config(4), clock, options), b(db.Config(4), clock, options);
    a.On("escrow.auto_release", Recording(calls));
    b.On("escrow.auto_release", Recording(calls));
    a.Start();
    b.Start();

    std::this_thread::sleep_for(100ms);
    CHECK(calls.load() == 0);  // nothing is due yet
    CHECK(a.Overdue() == 0);

    clock->Advance(std::chrono::hours(24 * 15));
    REQUIRE(testing::WaitUntil([&] { return db.Scalar("SELECT count(*) FROM timers") == 0; }, 30s));
    a.Stop();
    b.Stop();
    CHECK(calls.load() == kTimers);
    CHECK(db.Scalar("SELECT count(*) FROM effects") == kTimers);
    CHECK(db.Scalar("SELECT count(DISTINCT event_key) FROM effects") == kTimers);
}

TEST_CASE("Timers: rescheduling moves a timer, cancelling removes it, and a failing handler retries later",
          "[messaging][timers][pg]") {
    MessagingDb db("timers_edit");
    const auto start = std::chrono::system_clock::now();
    auto clock = std::make_shared<core::ManualClock>(start);
    db::InTransaction(db.pool(), [&](pqxx::work& tx) {
        messaging::ScheduleTimer(tx, "reminder", "a", start + 1min);
        messaging::ScheduleTimer(tx, "reminder", "a", start + 10min);  // moved
        messaging::ScheduleTimer(tx, "reminder", "b", start + 1min);
        messaging::ScheduleTimer(tx, "reminder", "c", start + 1min);
        CHECK(messaging::CancelTimer(tx, "reminder", "b"));
        CHECK_FALSE(messaging::CancelTimer(tx, "reminder", "nope"));
        CHECK_THROWS_WITH(messaging::ScheduleTimer(tx, "", "x", start), "timer.kind: must be 1..128 characters");
    });
    std::atomic<int> failures{0};
    std::atomic<int> calls{0};
    messaging::SchedulerOptions options;
    options.retry_base = 30s;
    messaging::TimerScheduler s(db.Config(2), clock, options);
    const auto record = Recording(calls);
    s.On("reminder", [&](pqxx::work& tx, const messaging::Timer& t) {
        if (t.key == "c" && failures++ == 0) throw std::runtime_error("smtp down");
        record(tx, t);
    });

    clock->Advance(2min);
    CHECK(s.RunDue() == 1);  // only c is due, and it fails: pushed back 30 s
    CHECK(calls.load() == 0);
    CHECK(s.RunDue() == 0);
    clock->Advance(31s);
    CHECK(s.RunDue() == 1);
    CHECK(calls.load() == 1);
    clock->Advance(10min);
    CHECK(s.RunDue() == 1);  // a, at its moved time
    CHECK(calls.load() == 2);
    CHECK(db.Scalar("SELECT count(*) FROM timers") == 0);
}
