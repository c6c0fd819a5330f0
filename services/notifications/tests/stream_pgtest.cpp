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

    Stream(Fixture& f, const std::string& user, std::int64_t after_sequence, int seconds = 30,
           const std::vector<std::pair<std::string, std::string>>& headers = {})
        : ctx(Context(f, user, seconds)) {
        for (const auto& [k, v] : headers) ctx->AddMetadata(k, v);
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
    /// The status of a stream that the server ended before sending anything.
    grpc::Status Refusal() {
        v1::Notification n;
        if (reader->Read(&n)) throw std::runtime_error("the stream was not refused");
        return Finish();
    }
};

/// Opens `count` live streams of `user` on `f` into `out`.
void OpenLive(std::vector<std::unique_ptr<Stream>>& out, Fixture& f, const std::string& user, int count,
              const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    for (int i = 0; i < count; ++i) {
        out.push_back(std::make_unique<Stream>(f, user, 0, 30, headers));
        REQUIRE(out.back()->Live() == "0");
    }
}

void CloseAll(std::vector<std::unique_ptr<Stream>>& streams) {
    for (auto& s : streams) s->ctx->TryCancel();
    for (auto& s : streams) s->Finish();
    streams.clear();
}

/// Headers as the gateway sends them: the client's address and the forwarding secret.
std::vector<std::pair<std::string, std::string>> From(const std::string& address, const std::string& secret) {
    return {{"x-client-address", address}, {"x-gateway-secret", secret}};
}

constexpr char kSecret[] = "stream-test-gateway-secret-0123456789";

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

TEST_CASE("Stream: the per-user bound holds across replicas; a closed stream frees its slot everywhere",
          "[notifications][pg]") {
    Fixture other;  // a second replica on the same database, on the same time as the first
    other.clock->Set(F().clock->Now());
    const auto user = core::NewUuidV7();
    std::vector<std::unique_ptr<Stream>> open;
    OpenLive(open, F(), user, 4);
    OpenLive(open, other, user, 4);
    CHECK(F().leases().OpenForUser(user) == 8);
    CHECK(F().feed->open(user) == 4);  // each process holds only its share

    for (Fixture* f : {&F(), &other}) {
        Stream refused(*f, user, 0);
        const auto status = refused.Refusal();
        CHECK(status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
        CHECK(status.error_message().find("at most 8") != std::string::npos);
    }
    // One closes on the first replica; the second admits one more.
    open.front()->ctx->TryCancel();
    open.front()->Finish();
    open.erase(open.begin());
    CHECK(marketplace::testing::WaitUntil([&] { return F().leases().OpenForUser(user) == 7; }, 10s));
    Stream again(other, user, 0);
    CHECK(again.Live() == "0");
    Notify(user);
    CHECK(again.Next().sequence() == 1);  // written once, seen by a stream on either replica
    CHECK(open.back()->Next().sequence() == 1);

    again.ctx->TryCancel();
    again.Finish();
    CloseAll(open);
    CHECK(marketplace::testing::WaitUntil([&] { return F().leases().OpenForUser(user) == 0; }, 10s));
}

TEST_CASE("Stream: one address has a budget across users and replicas; other addresses are not affected",
          "[notifications][pg]") {
    service::StreamLimits limits;
    limits.per_source = 5;
    Fixture a(Fixture::DefaultFeedOptions(), limits, kSecret);
    Fixture b(Fixture::DefaultFeedOptions(), limits, kSecret);
    b.clock->Set(a.clock->Now());
    const std::string crowded = "203.0.113.7";
    std::vector<std::unique_ptr<Stream>> open;
    // Free accounts from one address: three streams of one, two of another, on two replicas.
    const auto first = core::NewUuidV7();
    const auto second = core::NewUuidV7();
    OpenLive(open, a, first, 3, From(crowded, kSecret));
    OpenLive(open, b, second, 2, From(crowded, kSecret));
    CHECK(a.leases().OpenForSource(crowded) == 5);

    const auto third = core::NewUuidV7();
    Stream refused(b, third, 0, 30, From(crowded, kSecret));
    const auto status = refused.Refusal();
    CHECK(status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
    CHECK(status.error_message().find("from this address (at most 5)") != std::string::npos);

    // The same user from another address is served.
    Stream elsewhere(a, third, 0, 30, From("2001:db8::17", kSecret));
    CHECK(elsewhere.Live() == "0");
    // A caller without the gateway's secret cannot spend someone else's budget: its claimed address
    // is ignored and its own (the peer's) counts.
    std::vector<std::unique_ptr<Stream>> forged;
    OpenLive(forged, a, core::NewUuidV7(), 5, From("198.51.100.200", "not-the-gateway-secret"));
    Stream honest(b, core::NewUuidV7(), 0, 30, From("198.51.100.200", kSecret));
    CHECK(honest.Live() == "0");
    CHECK(a.leases().OpenForSource("198.51.100.200") == 1);

    honest.ctx->TryCancel();
    honest.Finish();
    elsewhere.ctx->TryCancel();
    elsewhere.Finish();
    CloseAll(forged);
    CloseAll(open);
    CHECK(marketplace::testing::WaitUntil([&] { return a.leases().OpenForSource(crowded) == 0; }, 10s));
}

TEST_CASE("Stream: the slots of a replica that died lapse after the lease time", "[notifications][pg]") {
    service::StreamLimits limits;
    limits.ttl = 30s;
    Fixture f(Fixture::DefaultFeedOptions(), limits);
    const auto user = core::NewUuidV7();
    // Eight leases left behind by a replica that was killed (nobody renews or deletes them).
    InTx([&](pqxx::work& tx) {
        for (int i = 0; i < 8; ++i) {
            tx.exec_params(
                "INSERT INTO stream_leases (lease_id, kind, user_id, source, created_at, expires_at) "
                "VALUES ($1, 'notifications', $2, '', $3::timestamptz, $4::timestamptz)",
                core::NewUuidV4(), user, core::FormatRfc3339(f.clock->Now()),
                core::FormatRfc3339(f.clock->Now() + 30s));
        }
    });
    Stream refused(f, user, 0);
    CHECK(refused.Refusal().error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);

    f.clock->Advance(31s);
    Stream admitted(f, user, 0);
    CHECK(admitted.Live() == "0");
    CHECK(f.leases().OpenForUser(user) == 1);
    // The retention job deletes what lapsed.
    InTx([&](pqxx::work& tx) { CHECK(service::StreamLeases::PurgeLapsed(tx, f.clock->Now(), 100) >= 8); });
    admitted.ctx->TryCancel();
    admitted.Finish();
}

TEST_CASE("Stream leases: a renewal moves the lease's end; a lease purged meanwhile is taken again",
          "[notifications][pg]") {
    service::StreamLimits limits;
    limits.ttl = 3s;
    service::StreamLeases leases(F().runtime->pool(), F().clock, "renewal-test", limits);
    const auto user = core::NewUuidV7();
    auto lease = leases.Acquire(user, "192.0.2.1");
    auto expires = [&] {
        std::string out;
        InTx([&](pqxx::work& tx) {
            const auto r =
                tx.exec_params("SELECT expires_at::text FROM stream_leases WHERE lease_id = $1", lease->id());
            out = r.empty() ? std::string() : r[0][0].as<std::string>();
        });
        return out;
    };
    const auto first = expires();
    REQUIRE(!first.empty());
    F().clock->Advance(2s);
    lease->KeepAlive();  // too early: nothing changes
    CHECK(expires() == first);
    std::this_thread::sleep_for(1100ms);
    lease->KeepAlive();
    CHECK(expires() > first);

    InTx([&](pqxx::work& tx) { tx.exec_params("DELETE FROM stream_leases WHERE lease_id = $1", lease->id()); });
    std::this_thread::sleep_for(1100ms);
    lease->KeepAlive();
    CHECK(!expires().empty());
    CHECK(leases.OpenForUser(user) == 1);
    CHECK(leases.OpenForSource("192.0.2.1") == 1);
    lease.reset();
    CHECK(leases.OpenForUser(user) == 0);
}
