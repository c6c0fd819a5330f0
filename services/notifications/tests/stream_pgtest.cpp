// StreamNotifications against the real server on a loopback port: replay after a sequence, then
// live notifications woken by PostgreSQL NOTIFY (the fixture's poll fallback is ten minutes, and
// there is no in-process shortcut: a write on any replica wakes the stream the same way), the
// caller cancelling, the per-user bound, and the server shutting down with streams open.
#include <catch2/catch.hpp>

#include <thread>

#include "marketplace/core/ids.hpp"
#include "marketplace/testing/wait.hpp"
#include "notifications_fixture.hpp"

using namespace marketplace;
using namespace marketplace::notifications;
using namespace marketplace::notifications::testing;
using namespace std::chrono_literals;

namespace {

/// Writes one notification for `user` the way the consumer does: a PayoutCompleted event.
std::string Notify(const std::string& user, std::int64_t minor = 1000) {
    payments::v1::PayoutCompleted e;
    e.set_payout_id(core::NewUuidV7());
    e.set_user_id(user);
    e.mutable_amount()->set_minor_units(minor);
    e.mutable_amount()->set_currency("EUR");
    e.set_outcome("posted");
    return Deliver(e);
}

struct Stream {
    std::unique_ptr<grpc::ClientContext> ctx;
    std::unique_ptr<grpc::ClientReader<v1::Notification>> reader;
    bool headers_received = false;

    Stream(Fixture& f, const std::string& user, std::int64_t after_sequence, int seconds = 30)
        : ctx(Context(f, user, seconds)) {
        v1::StreamNotificationsRequest request;
        request.set_after_sequence(after_sequence);
        reader = f.stub->StreamNotifications(ctx.get(), request);
    }
    v1::Notification Next() {
        v1::Notification n;
        headers_received = true;
        if (!reader->Read(&n)) throw std::runtime_error("the stream ended");
        return n;
    }
    /// Waits for the headers: the stream is live. Returns where it starts (x-feed-after-sequence).
    std::string Live() {
        if (!headers_received) reader->WaitForInitialMetadata();  // a Read receives them too
        headers_received = true;
        const auto& headers = ctx->GetServerInitialMetadata();
        const auto it = headers.find(api::kFeedStartMetadata);
        return it == headers.end() ? std::string() : std::string(it->second.data(), it->second.size());
    }
    grpc::Status Finish() { return reader->Finish(); }
};

}  // namespace

TEST_CASE("Stream: replays after a sequence, then delivers new notifications live, until cancelled",
          "[notifications][pg]") {
    const auto user = core::NewUuidV7();
    const auto first = Notify(user, 100);
    Notify(user, 200);

    Stream all(F(), user, -1);
    auto n = all.Next();
    CHECK(n.sequence() == 1);
    CHECK(n.source_event_id() == first);
    CHECK(n.kind() == "payout.completed");
    CHECK(all.Next().sequence() == 2);

    Stream resumed(F(), user, 1);
    CHECK(resumed.Next().sequence() == 2);
    Stream only_new(F(), user, 0);
    CHECK(only_new.Live() == "2");  // starts after the user's last notification
    CHECK(all.Live() == "0");
    CHECK(F().feed->open(user) == 3);

    const auto live = Notify(user, 300);
    for (Stream* s : {&all, &resumed, &only_new}) {
        n = s->Next();
        CHECK(n.sequence() == 3);
        CHECK(n.source_event_id() == live);
        CHECK(n.title() == "Payout sent: 3.00 EUR is on its way to your bank");
    }
    // Another user's notification reaches none of them; the next of this user does.
    Notify(core::NewUuidV7());
    Notify(user, 400);
    CHECK(all.Next().sequence() == 4);

    for (Stream* s : {&all, &resumed, &only_new}) s->ctx->TryCancel();
    for (Stream* s : {&all, &resumed, &only_new}) CHECK(s->Finish().error_code() == grpc::StatusCode::CANCELLED);
    CHECK(marketplace::testing::WaitUntil([&] { return F().feed->open(user) == 0; }, 10s));
}

TEST_CASE("Stream: a user may hold 8 open streams; the 9th is RESOURCE_EXHAUSTED", "[notifications][pg]") {
    const auto user = core::NewUuidV7();
    std::vector<std::unique_ptr<Stream>> open;
    for (int i = 0; i < 8; ++i) open.push_back(std::make_unique<Stream>(F(), user, 0));
    for (auto& s : open) CHECK(s->Live() == "0");
    CHECK(F().feed->open(user) == 8);

    Stream refused(F(), user, 0);
    v1::Notification n;
    CHECK_FALSE(refused.reader->Read(&n));
    const auto status = refused.Finish();
    CHECK(status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
    CHECK(status.error_message().find("at most 8") != std::string::npos);

    Stream other(F(), core::NewUuidV7(), 0);  // another user is not affected
    CHECK(other.Live() == "0");
    Notify(user);
    CHECK(open[0]->Next().sequence() == 1);

    for (auto& s : open) s->ctx->TryCancel();
    other.ctx->TryCancel();
    for (auto& s : open) s->Finish();
    other.Finish();
    CHECK(marketplace::testing::WaitUntil([&] { return F().feed->open(user) == 0; }, 10s));
}

TEST_CASE("Stream: bad after_sequence names the field; no token is UNAUTHENTICATED", "[notifications][pg]") {
    Stream bad(F(), core::NewUuidV7(), -2);
    v1::Notification n;
    CHECK_FALSE(bad.reader->Read(&n));
    CHECK(bad.Finish().error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(ErrorField(*bad.ctx) == "after_sequence");

    Stream anonymous(F(), "", -1);
    CHECK_FALSE(anonymous.reader->Read(&n));
    CHECK(anonymous.Finish().error_code() == grpc::StatusCode::UNAUTHENTICATED);
}

TEST_CASE("Stream: shutting down ends open streams with UNAVAILABLE instead of waiting out the drain",
          "[notifications][pg]") {
    Fixture own;  // a second replica on the same database, shut down alone
    const auto user = core::NewUuidV7();
    Notify(user);
    Stream a(own, user, -1);
    Stream b(own, user, 0);
    CHECK(a.Next().sequence() == 1);
    REQUIRE(marketplace::testing::WaitUntil([&] { return own.feed->open(user) == 2; }, 10s));

    std::thread stopper([&] { own.Shutdown(); });
    v1::Notification n;
    CHECK_FALSE(a.reader->Read(&n));
    CHECK_FALSE(b.reader->Read(&n));
    // CANCELLED here would mean the drain timed out (30 s) and cut the streams off.
    const auto status_a = a.Finish();
    CHECK(status_a.error_code() == grpc::StatusCode::UNAVAILABLE);
    CHECK(b.Finish().error_code() == grpc::StatusCode::UNAVAILABLE);
    stopper.join();
    CHECK(own.feed->open_total() == 0);
}
