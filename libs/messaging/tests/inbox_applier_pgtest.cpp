// InboxApplier: events applied together (group commit), each caller answered for its own event.
#include <catch2/catch.hpp>

#include <atomic>
#include <latch>
#include <mutex>
#include <thread>

#include "marketplace/core/ids.hpp"
#include "marketplace/messaging/inbox_applier.hpp"
#include "support.hpp"

using namespace marketplace;
using messaging::InboxOutcome;
using messaging::test::MessagingDb;

namespace {

messaging::IncomingEvent Event(const std::string& key, const std::string& payload, const std::string& id = "") {
    messaging::IncomingEvent e;
    e.id = id.empty() ? core::NewUuidV4() : id;
    e.source = "//marketplace/test";
    e.type = "marketplace.test.v1.Thing";
    e.key = key;
    e.payload = payload;
    e.topic = "test.events.v1";
    return e;
}

/// Records each event as RecordingHandler does; a payload "fail" throws a PermanentError instead.
messaging::EventHandler FailingOn(const std::string& consumer) {
    return [record = messaging::test::RecordingHandler(consumer)](pqxx::work& tx, const messaging::IncomingEvent& e) {
        record(tx, e);
        if (e.payload == "fail") throw messaging::PermanentError("refused: " + e.id);
    };
}

}  // namespace

TEST_CASE("InboxApplier: events applied together commit once; one that fails is applied alone and fails alone",
          "[messaging][inbox][pg]") {
    MessagingDb db("applier_together");
    messaging::InboxApplier applier(db.pool(), {.consumer = "c"}, FailingOn("c"));
    const auto a = Event("k1", "a"), bad = Event("k2", "fail"), b = Event("k3", "b");
    const auto applied = applier.ApplyTogether({&a, &bad, &b});
    REQUIRE(applied.size() == 3);
    CHECK_FALSE(applied[0].error);
    CHECK(applied[0].outcome == InboxOutcome::kHandled);
    CHECK_FALSE(applied[2].error);
    CHECK(applied[2].outcome == InboxOutcome::kHandled);
    REQUIRE(applied[1].error);
    CHECK_THROWS_AS(std::rethrow_exception(applied[1].error), messaging::PermanentError);
    CHECK(applier.commits() == 2);
    CHECK(applier.shared_commits() == 0);
    const auto effects = db.EffectCounts("c");
    CHECK(effects.size() == 2);
    CHECK(effects.count(a.id) == 1);
    CHECK(effects.count(b.id) == 1);
    CHECK(effects.count(bad.id) == 0);
    CHECK(db.Scalar("SELECT count(*) FROM inbox WHERE consumer = 'c'") == 2);

    // Without a failure: one transaction; a redelivered event in it is a duplicate and does nothing.
    const auto c = Event("k4", "c");
    const auto again = a;
    const auto second = applier.ApplyTogether({&c, &again});
    CHECK_FALSE(second[0].error);
    CHECK(second[0].outcome == InboxOutcome::kHandled);
    CHECK_FALSE(second[1].error);
    CHECK(second[1].outcome == InboxOutcome::kDuplicate);
    CHECK(applier.shared_commits() == 1);
    CHECK(db.EffectCounts("c")[a.id] == 1);
    CHECK(db.EffectCounts("c")[c.id] == 1);
}

TEST_CASE("InboxApplier: a batch handler gets the claimed events of a shared transaction", "[messaging][inbox][pg]") {
    MessagingDb db("applier_batch");
    std::mutex mu;
    std::vector<std::size_t> batch_sizes;
    const auto record = messaging::test::RecordingHandler("c");
    messaging::ApplierOptions options{.consumer = "c"};
    options.batch_handler = [&](pqxx::work& tx, const std::vector<const messaging::IncomingEvent*>& events) {
        {
            std::lock_guard lock(mu);
            batch_sizes.push_back(events.size());
        }
        for (const auto* e : events) record(tx, *e);
    };
    messaging::InboxApplier applier(db.pool(), options, record);
    const auto first = Event("k1", "x");
    CHECK(applier.Apply(first) == InboxOutcome::kHandled);  // alone: the ordinary handler
    const auto a = Event("k2", "a"), b = Event("k3", "b"), again = first;
    const auto applied = applier.ApplyTogether({&a, &again, &b});
    for (const auto& r : applied) CHECK_FALSE(r.error);
    CHECK(applied[1].outcome == InboxOutcome::kDuplicate);
    REQUIRE(batch_sizes.size() == 1);
    CHECK(batch_sizes[0] == 2);  // the duplicate is not handed over
    const auto effects = db.EffectCounts("c");
    CHECK(effects.size() == 3);
    for (const auto& [id, n] : effects) CHECK(n == 1);
}

TEST_CASE("InboxApplier: concurrent callers of Apply each get their own answer", "[messaging][inbox][pg]") {
    MessagingDb db("applier_concurrent");
    messaging::InboxApplier applier(db.pool(), {.consumer = "c"}, FailingOn("c"));
    constexpr int kCallers = 8;
    constexpr int kRounds = 25;
    std::latch start(kCallers);
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    std::mutex mu;
    std::vector<std::string> applied_ids, failed_ids;
    for (int t = 0; t < kCallers; ++t) {
        threads.emplace_back([&, t] {
            start.arrive_and_wait();
            for (int r = 0; r < kRounds; ++r) {
                // Every fifth event of every caller fails; the others must not.
                const bool fails = (t + r) % 5 == 0;
                const auto e = Event("k" + std::to_string(t) + "-" + std::to_string(r), fails ? "fail" : "ok");
                try {
                    if (applier.Apply(e) != InboxOutcome::kHandled || fails) ++wrong;
                    std::lock_guard lock(mu);
                    applied_ids.push_back(e.id);
                } catch (const messaging::PermanentError&) {
                    if (!fails) ++wrong;
                    std::lock_guard lock(mu);
                    failed_ids.push_back(e.id);
                } catch (...) {
                    ++wrong;
                }
            }
        });
    }
    for (auto& t : threads) t.join();
    CHECK(wrong == 0);
    CHECK(applied_ids.size() + failed_ids.size() == kCallers * kRounds);
    const auto effects = db.EffectCounts("c");
    CHECK(effects.size() == applied_ids.size());
    for (const auto& id : applied_ids) CHECK(effects.count(id) == 1);
    for (const auto& id : failed_ids) CHECK(effects.count(id) == 0);
    CHECK(db.Scalar("SELECT count(*) FROM inbox WHERE consumer = 'c'") ==
          static_cast<std::int64_t>(applied_ids.size()));
    CHECK(applier.commits() <= applied_ids.size());
}
