#pragma once
// The jobs service started in-process (Runtime on an ephemeral port over a fresh test database),
// a real gRPC channel to it, tokens from tokens::TestTokens, and helpers to call it and to read the
// outbox. One service per test binary; tests keep apart by using fresh users and unique words.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include "marketplace/core/clock.hpp"
#include "marketplace/jobs/v1/events.pb.h"
#include "marketplace/jobs/v1/jobs.grpc.pb.h"
#include "marketplace/rpc/client.hpp"
#include "marketplace/rpc/status.hpp"
#include "marketplace/tokens/test_tokens.hpp"

namespace marketplace::jobs::testing {

struct Reply {
    grpc::Status status;
    std::string error_field;  // x-error-field of an INVALID_ARGUMENT

    bool ok() const { return status.ok(); }
    const std::string& field() const { return error_field; }
    grpc::StatusCode code() const { return status.error_code(); }
};

/// A user with a token.
struct User {
    std::string id;
    std::string role;
    std::string token;
};

/// One row of the service's outbox.
struct OutboxRow {
    std::string key;
    std::string type;
    std::string payload;
};

class JobsHarness final {
public:
    /// The process-wide harness, started on first use.
    static JobsHarness& Get();
    ~JobsHarness();

    v1::JobsService::Stub& stub() { return *stub_; }
    core::ManualClock& clock() { return *clock_; }

    User NewClient() const;
    User NewFreelancer() const;
    User NewAdmin() const;

    /// Calls `method` with the user's token (none when empty) and the idempotency key (none when empty).
    template <typename Request, typename Response>
    Reply Call(grpc::Status (v1::JobsService::Stub::*method)(grpc::ClientContext*, const Request&, Response*),
               const std::string& token, const Request& request, Response* response, const std::string& key = {}) {
        grpc::ClientContext context;
        rpc::PrepareClientContext(
            context, rpc::OutgoingCall{std::chrono::system_clock::now() + std::chrono::seconds(20), key, token});
        Reply reply;
        reply.status = (stub_.get()->*method)(&context, request, response);
        reply.error_field = rpc::ErrorField(context);
        return reply;
    }

    /// The outbox rows with this key, oldest first.
    std::vector<OutboxRow> Outbox(const std::string& key) const;
    /// Runs a scalar query on the test database (for counts).
    long long Count(const std::string& sql, const std::string& param) const;

private:
    JobsHarness();
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::shared_ptr<core::ManualClock> clock_;
    std::unique_ptr<v1::JobsService::Stub> stub_;
};

/// A fresh idempotency key.
std::string Key();
/// A word no other test uses (letters only, so the full-text parser keeps it whole).
std::string UniqueWord();

}  // namespace marketplace::jobs::testing
