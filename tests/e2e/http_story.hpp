#pragma once
// The money path's story over HTTP/JSON only, the way curl would drive the gateway: a plain blocking
// HTTP/1.1 client over POSIX sockets and the steps a client, a freelancer and an admin take, with
// JSON built and read with nlohmann_json. MoneyStack starts the processes (and gives the seeded
// admin's credentials); every call of these steps goes to the gateway. Shared by the HTTP end-to-end
// tests and the demo. A step that fails throws std::runtime_error with the request, the response
// and the services' logs.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace marketplace::e2e::http {

using json = nlohmann::json;

struct Response {
    int status = 0;
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string body;

    /// The body as JSON (throws naming the body when it is not).
    json Json() const;
    /// A header's value ("" when absent); `name` lower-case.
    std::string Header(const std::string& name) const;
};

struct Request {
    std::string method;
    std::string path;
    std::string token;                // sent as "Authorization: Bearer <token>" when not empty
    std::optional<std::string> body;  // raw bytes sent as application/json
    std::string idempotency_key;      // sent as the Idempotency-Key header when not empty
    std::map<std::string, std::string> extra_headers;
};

/// Sends one request to the stack's gateway on its own connection (Connection: close), with a 20 s
/// receive timeout; decodes Content-Length and chunked bodies. Throws on a socket error.
Response Send(const Request& request);

/// Called after every exchange a step makes (the demo prints them). `repeats` > 1 when the exchange
/// is the last of a poll that asked that many times (only the last of a poll is reported).
using Tracer = std::function<void(const Request&, const Response&, int repeats)>;
void SetTracer(Tracer tracer);

/// While one lives, exchanges are not traced; the last one is reported when it ends (with the count)
/// unless `report_last` is false.
class QuietScope final {
public:
    explicit QuietScope(bool report_last = true);
    ~QuietScope();
    QuietScope(const QuietScope&) = delete;
    QuietScope& operator=(const QuietScope&) = delete;

private:
    bool report_last_;
};

/// "POST /v1/jobs -> 400 {...}" and the services' logs, for failure messages.
std::string Describe(const Request& request, const Response& response);
/// Sends and requires status `want`; returns the JSON body ({} when empty).
json Expect(int want, const Request& request);
json Get(const std::string& token, const std::string& path);
/// POST with a JSON body and a fresh Idempotency-Key; requires 200.
json Post(const std::string& token, const std::string& path, const json& body);

/// int64 fields arrive as JSON strings (proto3 JSON); absent means 0.
std::int64_t Int64(const json& object, const std::string& key);
json Eur(std::int64_t minor);
std::string Rfc3339(std::chrono::system_clock::time_point t);
std::string NewUuid();

struct HttpUser {
    std::string id, email, password, token;
};

/// POST /v1/auth/login; sets the user's token and id.
void Login(HttpUser& user);
/// POST /v1/auth/register with a unique email, then logs in. `role`: "ROLE_CLIENT", "ROLE_FREELANCER".
HttpUser RegisterUser(const std::string& role, const std::string& name);
/// The admin seeded from configuration, logged in over HTTP.
HttpUser AdminUser();

/// The user's EUR balance object ({} when the wallet has none).
json Balance(const HttpUser& user);
std::int64_t Available(const HttpUser& user);
std::int64_t InEscrow(const HttpUser& user);
std::int64_t PendingPayouts(const HttpUser& user);

std::string MilestoneState(const HttpUser& user, const std::string& milestone);
/// Polls GET /v1/milestones/{id} until the milestone is in `state` (30 s at most).
void WaitMilestone(const HttpUser& user, const std::string& milestone, const std::string& state);

struct HttpDeal {
    HttpUser client, freelancer;
    std::string template_id, job_id, proposal_id, contract_id, milestone_id, statement_of_work_hash;
};

/// The first job template (browsed without a token), checked by fetching it alone.
std::string PickTemplate();
/// The client posts a fixed-price job from the template; returns the job id.
std::string PostJob(const HttpUser& client, const std::string& template_id);
/// The freelancer proposes one milestone of `amount`; returns the proposal id.
std::string Propose(const HttpUser& freelancer, const std::string& job_id, std::int64_t amount);
/// The client accepts; contracts creates the contract from ProposalAccepted (through Kafka), which
/// this polls for. Fills the contract and milestone ids.
void AcceptProposal(HttpDeal& deal);
/// Both parties read the statement of work and sign its hash.
void SignStatementOfWork(HttpDeal& deal);
/// POST /v1/wallet/deposits, then waits for the sandbox provider's signed webhook to credit it.
void Deposit(const HttpUser& client, std::int64_t minor);
/// Register both, post a job from a template, propose, accept, sign the statement of work as both
/// parties, and deposit `deposit` (none when 0).
HttpDeal NewHttpDeal(std::int64_t amount, std::int64_t deposit);

/// POST /v1/wallet/payouts of `minor`, then waits until the provider posted it; returns the payout.
json Payout(const HttpUser& freelancer, std::int64_t minor);

/// The admin's GET /v1/admin/ledger/audit.
json LedgerAudit();
/// What the audit reports broken ("" when healthy).
std::string LedgerViolations();

/// "Lower" and "Upper" ASCII case.
std::string Lower(std::string s);
std::string Upper(std::string s);

}  // namespace marketplace::e2e::http
