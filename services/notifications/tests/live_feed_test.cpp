// The live feed's bookkeeping without a database: the per-user and total bounds on open streams,
// wake-ups reaching only their user's streams, and Close() ending every stream.
#include <catch2/catch.hpp>

#include <memory>
#include <vector>

#include "app/live_feed.hpp"
#include "marketplace/core/errors.hpp"

using namespace marketplace;
using namespace marketplace::notifications;

TEST_CASE("Live feed: a user may hold max_per_user streams; one more is refused until one closes", "[notifications]") {
    LiveFeedOptions o;
    o.max_per_user = 8;
    LiveFeed feed(db::PgConfig{}, o);
    std::vector<std::unique_ptr<LiveFeed::Subscription>> open;
    for (int i = 0; i < 8; ++i) open.push_back(feed.Subscribe("u1"));
    CHECK(feed.open("u1") == 8);
    CHECK_THROWS_AS(feed.Subscribe("u1"), core::ResourceExhausted);
    CHECK_NOTHROW(feed.Subscribe("u2"));  // another user is not affected (and that one closes at once)
    open.pop_back();
    CHECK(feed.open("u1") == 7);
    CHECK_NOTHROW(open.push_back(feed.Subscribe("u1")));
    open.clear();
    CHECK(feed.open_total() == 0);
}

TEST_CASE("Live feed: the process-wide bound holds across users", "[notifications]") {
    LiveFeedOptions o;
    o.max_per_user = 8;
    o.max_total = 3;
    LiveFeed feed(db::PgConfig{}, o);
    auto a = feed.Subscribe("a");
    auto b = feed.Subscribe("b");
    auto c = feed.Subscribe("c");
    CHECK_THROWS_AS(feed.Subscribe("d"), core::ResourceExhausted);
}

TEST_CASE("Live feed: a wake-up reaches only its user's streams", "[notifications]") {
    LiveFeed feed(db::PgConfig{}, LiveFeedOptions{});
    auto mine = feed.Subscribe("u1");
    auto other = feed.Subscribe("u2");
    const auto seen_mine = mine->generation();
    const auto seen_other = other->generation();
    feed.Wake("u1");
    mine->Wait(seen_mine, std::chrono::seconds(5));  // returns at once: already woken
    CHECK(mine->generation() != seen_mine);
    CHECK(other->generation() == seen_other);
    feed.WakeAll();
    CHECK(other->generation() != seen_other);
}

TEST_CASE("Live feed: Close ends every stream and refuses new ones", "[notifications]") {
    LiveFeed feed(db::PgConfig{}, LiveFeedOptions{});
    auto s = feed.Subscribe("u1");
    CHECK_FALSE(s->closed());
    feed.Close();
    CHECK(s->closed());
    s->Wait(s->generation(), std::chrono::seconds(5));  // returns at once: closed
    CHECK_THROWS_AS(feed.Subscribe("u1"), core::Unavailable);
}
