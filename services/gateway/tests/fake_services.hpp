#pragma once
// Small in-process implementations of the real services' generated interfaces, with canned domain
// behaviour (no database), and a record of what each call carried, for the gateway's e2e tests.
#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "marketplace/auth/v1/auth.grpc.pb.h"
#include "marketplace/jobs/v1/jobs.grpc.pb.h"
#include "marketplace/notifications/v1/notifications.grpc.pb.h"
#include "marketplace/payments/v1/payments.grpc.pb.h"
#include "marketplace/tokens/signing_key.hpp"

namespace marketplace::gateway::test {

/// What one call carried.
struct SeenCall {
    std::string method;
    std::string request_id;
    std::string trace_id;
    std::string authorization;
    std::string idempotency_key;
    std::string subject;  // the verified token's subject, when the call had one
};

class CallLog {
public:
    void Record(SeenCall call);
    SeenCall Last() const;
    std::size_t size() const;

private:
    mutable std::mutex mu_;
    std::vector<SeenCall> calls_;
};

/// JobsService: two templates; PostJob for clients (title required, idempotency key required);
/// GetJob of one known job; SearchJobs echoes its filters back as a job; CloseJob is always
/// FAILED_PRECONDITION; ListMyInvites sleeps `slow_ms` (deadline tests); the rest is UNIMPLEMENTED.
class FakeJobs final : public jobs::v1::JobsService::Service {
public:
    static constexpr char kKnownJobId[] = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";

    grpc::Status ListTemplates(grpc::ServerContext* ctx, const jobs::v1::ListTemplatesRequest* req,
                               jobs::v1::ListTemplatesResponse* resp) override;
    grpc::Status GetTemplate(grpc::ServerContext* ctx, const jobs::v1::GetTemplateRequest* req,
                             jobs::v1::GetTemplateResponse* resp) override;
    grpc::Status PostJob(grpc::ServerContext* ctx, const jobs::v1::PostJobRequest* req,
                         jobs::v1::PostJobResponse* resp) override;
    grpc::Status GetJob(grpc::ServerContext* ctx, const jobs::v1::GetJobRequest* req,
                        jobs::v1::GetJobResponse* resp) override;
    grpc::Status SearchJobs(grpc::ServerContext* ctx, const jobs::v1::SearchJobsRequest* req,
                            jobs::v1::SearchJobsResponse* resp) override;
    grpc::Status CloseJob(grpc::ServerContext* ctx, const jobs::v1::CloseJobRequest* req,
                          jobs::v1::CloseJobResponse* resp) override;
    grpc::Status ListMyInvites(grpc::ServerContext* ctx, const jobs::v1::ListMyInvitesRequest* req,
                               jobs::v1::ListMyInvitesResponse* resp) override;

    CallLog calls;
    std::atomic<int> slow_ms{0};
};

/// PaymentsService: HandleProviderWebhook records the body, signature and provider it got.
class FakePayments final : public payments::v1::PaymentsService::Service {
public:
    grpc::Status HandleProviderWebhook(grpc::ServerContext* ctx, const payments::v1::HandleProviderWebhookRequest* req,
                                       payments::v1::HandleProviderWebhookResponse* resp) override;

    std::string last_body() const;
    std::string last_signature() const;
    std::string last_provider() const;
    CallLog calls;

private:
    mutable std::mutex mu_;
    std::string body_;
    std::string signature_;
    std::string provider_;
};

/// NotificationsService: StreamNotifications (for the caller's token) streams `count` notifications
/// with sequences after_sequence+1, +2, ..., then ends as `end` says. The rest is UNIMPLEMENTED.
class FakeNotifications final : public notifications::v1::NotificationsService::Service {
public:
    enum class End {
        kOk,     // the stream ends with OK
        kFail,   // FAILED_PRECONDITION "the feed was closed"
        kHold,   // stays open until the call is cancelled (at most 60 s)
        kFlood,  // goes on streaming 16 KiB notifications until the call is cancelled (at most kFloodLimit)
    };
    static constexpr int kFloodLimit = 20'000;

    grpc::Status StreamNotifications(grpc::ServerContext* ctx, const notifications::v1::StreamNotificationsRequest* req,
                                     grpc::ServerWriter<notifications::v1::Notification>* writer) override;

    CallLog calls;
    std::atomic<int> count{3};
    std::atomic<End> end{End::kOk};
    std::atomic<int> active{0};     // streams in progress
    std::atomic<int> cancelled{0};  // streams that ended because their call was cancelled
    std::atomic<int> written{0};    // notifications written, over all streams
};

/// AuthService: GetJwks serves the keys it is given (the rest UNIMPLEMENTED).
class FakeAuth final : public auth::v1::AuthService::Service {
public:
    grpc::Status GetJwks(grpc::ServerContext* ctx, const auth::v1::GetJwksRequest* req,
                         auth::v1::GetJwksResponse* resp) override;
    void SetKeys(std::vector<tokens::PublicKey> keys);
    std::atomic<int> jwks_calls{0};

private:
    std::mutex mu_;
    std::vector<tokens::PublicKey> keys_;
};

}  // namespace marketplace::gateway::test
