#pragma once
// The money path as a user meets it: auth, jobs, contracts, payments, notifications, disputes,
// workroom and clans running as separate processes on the local stack (fresh databases, their own Kafka topics),
// reached over gRPC the way a client, a freelancer and an admin would, with a clock all six share that a test can move.
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "marketplace/auth/v1/auth.grpc.pb.h"
#include "marketplace/clans/v1/clans.grpc.pb.h"
#include "marketplace/contracts/v1/contracts.grpc.pb.h"
#include "marketplace/disputes/v1/disputes.grpc.pb.h"
#include "marketplace/jobs/v1/jobs.grpc.pb.h"
#include "marketplace/notifications/v1/notifications.grpc.pb.h"
#include "marketplace/payments/v1/payments.grpc.pb.h"
#include "marketplace/workroom/v1/workroom.grpc.pb.h"

namespace marketplace::e2e {

/// STREAM_MAX_PER_SOURCE of the stack's notifications: live feeds one client address may hold open.
inline constexpr int kStreamsPerSource = 16;

struct User {
    std::string id;
    std::string email;
    std::string password;
    std::string token;
};

class MoneyStack final {
public:
    /// The stack of this test binary, started on first use and stopped at exit.
    static MoneyStack& Get();
    ~MoneyStack();

    auth::v1::AuthService::Stub& auth() { return *auth_; }
    jobs::v1::JobsService::Stub& jobs() { return *jobs_; }
    contracts::v1::ContractsService::Stub& contracts() { return *contracts_; }
    payments::v1::PaymentsService::Stub& payments() { return *payments_; }
    notifications::v1::NotificationsService::Stub& notifications() { return *notifications_; }
    disputes::v1::DisputesService::Stub& disputes() { return *disputes_; }
    workroom::v1::WorkroomService::Stub& workroom() { return *workroom_; }
    clans::v1::ClansService::Stub& clans() { return *clans_; }

    /// Registers a new user with a unique email and logs in.
    User Register(auth::v1::Role role, const std::string& name);
    /// The admin seeded from configuration.
    User& Admin();
    /// A new account made staff by the admin (auth::v1::ROLE_MEDIATOR or ROLE_EXPERT), logged in.
    User RegisterStaff(auth::v1::Role role, const std::string& name);
    /// Logs in again (tokens issued before a clock move may have expired).
    void Relogin(User& user);

    /// A client context with a deadline, the user's token and, when given, an idempotency key.
    static std::unique_ptr<grpc::ClientContext> Context(const User& user, const std::string& idempotency_key = {});
    static std::string NewKey();

    /// Moves the clock of every service forward.
    void AdvanceClock(std::chrono::seconds by);
    /// How far the services' clock runs ahead of this machine's.
    std::chrono::seconds clock_offset() const;

    /// What every topic and consumer group name of this stack starts with.
    const std::string& topic_prefix() const;

    /// Stops (SIGKILL) and starts again the first process of `name` with the same configuration and
    /// port, waiting until it serves: a crash and a restart.
    void RestartService(const std::string& name);
    /// SIGKILLs the first process of `name` (StartService brings it back with the same configuration).
    void StopService(const std::string& name);
    void StartService(const std::string& name);

    /// Starts one more replica of contracts, payments or workroom (same database, topics and consumer group;
    /// its relay stands by for the advisory lock). The service's stub is replaced by one that spreads
    /// calls over every replica (round robin), so call it before threads hold on to the stub.
    /// Returns the new replica's gRPC port.
    int StartReplica(const std::string& name);
    /// The gRPC port of the process of service `name` that the stack started first.
    int FirstPort(const std::string& name) const;
    /// SIGKILLs the replica the stack started first (a crash: no drain, no flush, no offset commit).
    void KillFirstReplica(const std::string& name);

    /// Service name -> libpq connection string of its database (for tools that read the services'
    /// records, such as the saga timeline).
    std::map<std::string, std::string> Databases() const;

    /// "http://127.0.0.1:<port>/metrics": where the first process of service `name` serves its metrics.
    std::string MetricsUrl(const std::string& name) const;

    /// The processes this stack started that are no longer running (service names; "contracts replica 2";
    /// "gateway"), excluding none: a replica killed on purpose is listed too.
    std::vector<std::string> Exited() const;

    /// Logs of the services (their last lines), for failure messages.
    std::string Logs() const;

    /// The HTTP/JSON gateway in front of the four services, started on first use (its own port,
    /// rate limits off, the shared clock) once its GET /readyz answers 200. The gRPC accessors
    /// above work the same whether or not it was ever started.
    /// "http://127.0.0.1:<port>".
    const std::string& gateway_base_url();
    /// "127.0.0.1"
    const std::string& gateway_host();
    int gateway_port();
    /// The gateway's log (its last lines), "" when it was never started.
    std::string GatewayLogs(std::size_t lines = 30) const;

private:
    MoneyStack();
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::unique_ptr<auth::v1::AuthService::Stub> auth_;
    std::unique_ptr<jobs::v1::JobsService::Stub> jobs_;
    std::unique_ptr<contracts::v1::ContractsService::Stub> contracts_;
    std::unique_ptr<payments::v1::PaymentsService::Stub> payments_;
    std::unique_ptr<notifications::v1::NotificationsService::Stub> notifications_;
    std::unique_ptr<disputes::v1::DisputesService::Stub> disputes_;
    std::unique_ptr<workroom::v1::WorkroomService::Stub> workroom_;
    std::unique_ptr<clans::v1::ClansService::Stub> clans_;
};

/// Throws with the status and the services' logs when `status` is not OK.
void Ok(const grpc::Status& status, const std::string& what);

}  // namespace marketplace::e2e
