// The inbox in PostgreSQL and through its RPCs: per-user sequences, one notification per event and
// kind, pages newest first, unread counts, and marking read (idempotent, only one's own).
#include <catch2/catch.hpp>

#include <thread>

#include <pqxx/pqxx>

#include "marketplace/core/ids.hpp"
#include "notifications_fixture.hpp"
#include "storage/notification_store.hpp"

using namespace marketplace;
using namespace marketplace::notifications;
using namespace marketplace::notifications::testing;

namespace {

Notice PayoutNotice(const std::string& user, const std::string& title = "Payout sent") {
    return Notice{"payout.completed", title, "", "", {Recipient::User(user)}};
}

/// Writes a notification straight through the store; returns its sequence.
std::int64_t Write(const std::string& user, const std::string& title = "Payout sent",
                   const std::string& event_id = core::NewUuidV7()) {
    std::int64_t sequence = -1;
    InTx([&](pqxx::work& tx) {
        const auto r = storage::InsertNotification(tx, user, PayoutNotice(user, title), event_id, F().clock->Now());
        if (r) sequence = r->sequence;
    });
    return sequence;
}

}  // namespace

TEST_CASE("Store: each user's sequence counts 1, 2, 3 on its own", "[notifications][pg]") {
    const auto alice = core::NewUuidV7();
    const auto bob = core::NewUuidV7();
    CHECK(Write(alice) == 1);
    CHECK(Write(alice) == 2);
    CHECK(Write(bob) == 1);
    CHECK(Write(alice) == 3);
    InTx([&](pqxx::work& tx) {
        CHECK(storage::LastSequence(tx, alice) == 3);
        CHECK(storage::LastSequence(tx, bob) == 1);
        CHECK(storage::LastSequence(tx, core::NewUuidV7()) == 0);
    });
}

TEST_CASE("Store: one event tells one user one kind of thing once", "[notifications][pg]") {
    const auto user = core::NewUuidV7();
    const auto event_id = core::NewUuidV7();
    CHECK(Write(user, "Payout sent", event_id) == 1);
    CHECK(Write(user, "Payout sent", event_id) == -1);  // nothing written
    CHECK(Write(user) == 2);                            // and no sequence was spent on it
    CHECK(List(user).notifications_size() == 2);
}

TEST_CASE("Store: concurrent writes for one user get distinct, gapless sequences", "[notifications][pg]") {
    const auto user = core::NewUuidV7();
    std::vector<std::thread> writers;
    for (int t = 0; t < 4; ++t) {
        writers.emplace_back([&] {
            for (int i = 0; i < 10; ++i) Write(user);
        });
    }
    for (auto& w : writers) w.join();
    std::vector<std::int64_t> sequences;
    InTx([&](pqxx::work& tx) {
        for (const auto& r : storage::After(tx, user, 0, 100)) sequences.push_back(r.sequence);
    });
    REQUIRE(sequences.size() == 40);
    for (std::size_t i = 0; i < sequences.size(); ++i) CHECK(sequences[i] == static_cast<std::int64_t>(i + 1));
}

TEST_CASE("ListNotifications: newest first, paged by before_sequence, with the unread count", "[notifications][pg]") {
    const auto user = core::NewUuidV7();
    for (int i = 1; i <= 5; ++i) Write(user, "Payout " + std::to_string(i));
    Write(core::NewUuidV7());  // someone else's

    v1::ListNotificationsRequest request;
    request.set_page_size(2);
    v1::ListNotificationsResponse page;
    auto ctx = Context(user);
    REQUIRE(F().stub->ListNotifications(ctx.get(), request, &page).ok());
    REQUIRE(page.notifications_size() == 2);
    CHECK(page.notifications(0).sequence() == 5);
    CHECK(page.notifications(0).title() == "Payout 5");
    CHECK(page.notifications(0).kind() == "payout.completed");
    CHECK(page.notifications(0).has_created_at());
    CHECK_FALSE(page.notifications(0).has_read_at());
    CHECK(page.notifications(1).sequence() == 4);
    CHECK(page.unread_count() == 5);

    request.set_before_sequence(4);
    ctx = Context(user);
    REQUIRE(F().stub->ListNotifications(ctx.get(), request, &page).ok());
    REQUIRE(page.notifications_size() == 2);
    CHECK(page.notifications(0).sequence() == 3);
    CHECK(page.notifications(1).sequence() == 2);
}

TEST_CASE("MarkNotificationRead: marks once, keeps the first time, and hides others' notifications",
          "[notifications][pg]") {
    const auto user = core::NewUuidV7();
    Write(user, "first");
    Write(user, "second");
    const auto newest = List(user).notifications(0);

    v1::MarkNotificationReadRequest request;
    request.set_notification_id(newest.notification_id());
    v1::MarkNotificationReadResponse first;
    auto ctx = Context(user);
    REQUIRE(F().stub->MarkNotificationRead(ctx.get(), request, &first).ok());
    REQUIRE(first.notification().has_read_at());
    CHECK(first.notification().sequence() == newest.sequence());

    F().clock->Advance(std::chrono::minutes(5));
    v1::MarkNotificationReadResponse again;
    ctx = Context(user);
    REQUIRE(F().stub->MarkNotificationRead(ctx.get(), request, &again).ok());
    CHECK(again.notification().read_at().seconds() == first.notification().read_at().seconds());

    const auto unread = List(user, true);
    CHECK(unread.unread_count() == 1);
    REQUIRE(unread.notifications_size() == 1);
    CHECK(unread.notifications(0).title() == "first");

    // Another user cannot tell it exists.
    v1::MarkNotificationReadResponse stranger;
    ctx = Context(core::NewUuidV7());
    CHECK(F().stub->MarkNotificationRead(ctx.get(), request, &stranger).error_code() == grpc::StatusCode::NOT_FOUND);
}

TEST_CASE("MarkNotificationRead: an idempotency key replays, and refuses another request", "[notifications][pg]") {
    const auto user = core::NewUuidV7();
    Write(user, "a");
    Write(user, "b");
    const auto list = List(user);
    const std::string key = "mark-" + core::RandomHex(6);
    auto mark = [&](const std::string& id, v1::MarkNotificationReadResponse* out) {
        v1::MarkNotificationReadRequest request;
        request.set_notification_id(id);
        auto ctx = Context(user);
        ctx->AddMetadata("idempotency-key", key);
        return F().stub->MarkNotificationRead(ctx.get(), request, out);
    };
    v1::MarkNotificationReadResponse first, replay, other;
    REQUIRE(mark(list.notifications(0).notification_id(), &first).ok());
    REQUIRE(mark(list.notifications(0).notification_id(), &replay).ok());
    CHECK(replay.SerializeAsString() == first.SerializeAsString());
    CHECK(mark(list.notifications(1).notification_id(), &other).error_code() == grpc::StatusCode::ALREADY_EXISTS);
    CHECK(List(user).unread_count() == 1);  // the refused call marked nothing
}

TEST_CASE("Notifications API: bad input is refused naming the field; no token is UNAUTHENTICATED",
          "[notifications][pg]") {
    v1::ListNotificationsRequest list;
    list.set_page_size(101);
    v1::ListNotificationsResponse listed;
    auto ctx = Context(core::NewUuidV7());
    CHECK(F().stub->ListNotifications(ctx.get(), list, &listed).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(ErrorField(*ctx) == "page_size");

    list.set_page_size(10);
    list.set_before_sequence(-3);
    ctx = Context(core::NewUuidV7());
    CHECK(F().stub->ListNotifications(ctx.get(), list, &listed).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(ErrorField(*ctx) == "before_sequence");

    v1::MarkNotificationReadRequest mark;
    mark.set_notification_id("not-a-uuid");
    v1::MarkNotificationReadResponse marked;
    ctx = Context(core::NewUuidV7());
    CHECK(F().stub->MarkNotificationRead(ctx.get(), mark, &marked).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(ErrorField(*ctx) == "notification_id");

    ctx = Context("");
    CHECK(F().stub->ListNotifications(ctx.get(), v1::ListNotificationsRequest(), &listed).error_code() ==
          grpc::StatusCode::UNAUTHENTICATED);
}
