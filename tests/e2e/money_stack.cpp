#include "money_stack.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <stdexcept>
#include <thread>

#include <grpcpp/health_check_service_interface.h>

#include "grpc/health/v1/health.grpc.pb.h"
#include "marketplace/core/clock.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/testing/broker_control.hpp"
#include "marketplace/testing/database.hpp"
#include "marketplace/testing/http_client.hpp"
#include "marketplace/testing/process.hpp"

namespace marketplace::e2e {
namespace {

constexpr const char* kAdminEmail = "admin@e2e.marketplace.test";
constexpr const char* kAdminPassword = "e2e-admin-password";
// What the gateway sends with each client's address, and auth checks before it believes it.
constexpr const char* kGatewaySecret = "e2e-gateway-forwarding-secret";

struct ServiceProcess {
    std::string name;
    std::unique_ptr<testing::TestDatabase> database;
    int port = 0;
    int metrics_port = 0;  // GET /metrics of the first process
    std::unique_ptr<testing::ChildProcess> process;
    std::shared_ptr<grpc::Channel> channel;
    // How it was started, for further replicas.
    std::string binary;
    std::map<std::string, std::string> env;
    std::vector<std::unique_ptr<testing::ChildProcess>> replicas;  // beyond the first
    std::vector<int> replica_ports;
};

// How long a process may take to start: a sanitizer build runs several times slower (and
// instruments every allocation during start-up), so its bound is scaled.
#ifdef MARKETPLACE_SANITIZED
constexpr int kStartupScale = 5;
#else
constexpr int kStartupScale = 1;
#endif
constexpr std::chrono::seconds kStartupBound{60 * kStartupScale};

std::chrono::system_clock::time_point Deadline(std::chrono::seconds s = std::chrono::seconds(15)) {
    return std::chrono::system_clock::now() + s;
}

// Waits until `channel`'s server reports SERVING, or throws with the process's log.
void WaitServing(const std::string& name, testing::ChildProcess& process,
                 const std::shared_ptr<grpc::Channel>& channel) {
    auto health = grpc::health::v1::Health::NewStub(channel);
    bool serving = false;
    const auto until = std::chrono::steady_clock::now() + kStartupBound;
    while (!serving && std::chrono::steady_clock::now() < until) {
        if (!process.Running()) break;
        grpc::ClientContext ctx;
        ctx.set_deadline(Deadline(std::chrono::seconds(2)));
        grpc::health::v1::HealthCheckRequest req;
        grpc::health::v1::HealthCheckResponse resp;
        serving = channel->WaitForConnected(Deadline(std::chrono::seconds(1))) &&
                  health->Check(&ctx, req, &resp).ok() &&
                  resp.status() == grpc::health::v1::HealthCheckResponse::SERVING;
        if (!serving) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (!serving) throw std::runtime_error(name + " did not become healthy; its log:\n" + process.LogTail());
}

}  // namespace

struct MoneyStack::Impl {
    std::string dir;
    std::string clock_file;
    std::chrono::seconds offset{0};
    std::string prefix;
    std::vector<ServiceProcess> services;
    User admin;
    // The gateway, when a test asked for it.
    std::unique_ptr<testing::ChildProcess> gateway;
    int gateway_port = 0;
    std::string gateway_host = "127.0.0.1";
    std::string gateway_url;

    ServiceProcess& Find(const std::string& name) {
        for (auto& s : services) {
            if (s.name == name) return s;
        }
        throw std::logic_error("no service " + name);
    }
};

MoneyStack& MoneyStack::Get() {
    static MoneyStack stack;
    return stack;
}

MoneyStack::MoneyStack() : impl_(std::make_unique<Impl>()) {
    impl_->dir = std::filesystem::temp_directory_path() / ("marketplace-e2e-" + core::RandomHex(4));
    std::filesystem::create_directories(impl_->dir);
    impl_->clock_file = impl_->dir + "/clock-offset";
    core::OffsetFileClock::WriteOffset(impl_->clock_file, std::chrono::seconds(0));
    impl_->prefix = "e2e-" + core::RandomHex(4) + ".";
    const std::string& prefix = impl_->prefix;
    const std::string bootstrap = testing::BrokerControl::Bootstrap();
    testing::BrokerControl control;
    for (const char* service : {"auth", "jobs", "contracts", "payments", "disputes", "workroom", "clans"}) {
        control.CreateTopic(prefix + service + ".events.v1", 4);
    }

    const std::vector<std::pair<std::string, std::string>> binaries{{"auth", AUTH_SERVICE_BIN},
                                                                    {"jobs", JOBS_SERVICE_BIN},
                                                                    {"contracts", CONTRACTS_SERVICE_BIN},
                                                                    {"payments", PAYMENTS_SERVICE_BIN},
                                                                    {"notifications", NOTIFICATIONS_SERVICE_BIN},
                                                                    {"disputes", DISPUTES_SERVICE_BIN},
                                                                    {"workroom", WORKROOM_SERVICE_BIN},
                                                                    {"clans", CLANS_SERVICE_BIN}};
    for (const auto& [name, _] : binaries) {
        ServiceProcess s;
        s.name = name;
        s.database = std::make_unique<testing::TestDatabase>("e2e_" + name);
        s.port = testing::FreePort();
        s.metrics_port = testing::FreePort();
        impl_->services.push_back(std::move(s));
    }
    const std::string auth_target = "127.0.0.1:" + std::to_string(impl_->Find("auth").port);
    const std::string contracts_target = "127.0.0.1:" + std::to_string(impl_->Find("contracts").port);
    const std::string clans_target = "127.0.0.1:" + std::to_string(impl_->Find("clans").port);
    for (std::size_t i = 0; i < binaries.size(); ++i) {
        auto& s = impl_->services[i];
        auto env = s.database->ServiceEnv();
        env["GRPC_LISTEN"] = "127.0.0.1:" + std::to_string(s.port);
        env["METRICS_LISTEN"] = "127.0.0.1:" + std::to_string(s.metrics_port);
        env["KAFKA_BOOTSTRAP"] = bootstrap;
        env["KAFKA_TOPIC_PREFIX"] = prefix;
        env["KAFKA_LINGER_MS"] = "0";
        env["MARKETPLACE_CLOCK_OFFSET_FILE"] = impl_->clock_file;
        env["AUTH_GRPC_TARGET"] = auth_target;
        env["CONTRACTS_GRPC_TARGET"] = contracts_target;
        env["CLANS_GRPC_TARGET"] = clans_target;
        env["AUTH_ADMIN_EMAIL"] = kAdminEmail;
        env["AUTH_ADMIN_PASSWORD"] = kAdminPassword;
        env["TIMER_POLL"] = "100ms";
        // A development stack: the sandbox provider confirms every deposit, which only development
        // mode allows (the database passwords above are the test databases' own).
        env["MARKETPLACE_DEV_MODE"] = "1";
        env["PAYMENTS_PROVIDER"] = "sandbox";
        if (s.name == "auth") env["AUTH_GATEWAY_SECRET"] = kGatewaySecret;
        if (s.name == "workroom") env["WORKROOM_GATEWAY_SECRET"] = kGatewaySecret;
        if (s.name == "notifications") {
            env["NOTIFICATIONS_GATEWAY_SECRET"] = kGatewaySecret;
            // Small enough that a test meets it; tests that do use their own forwarded addresses.
            env["STREAM_MAX_PER_SOURCE"] = std::to_string(kStreamsPerSource);
        }
        env["MARKETPLACE_LOG_LEVEL"] = "info";
        s.binary = binaries[i].second;
        s.env = env;
        s.process = std::make_unique<testing::ChildProcess>(std::vector<std::string>{binaries[i].second}, env,
                                                            impl_->dir + "/" + s.name + ".log");
        s.channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(s.port), grpc::InsecureChannelCredentials());
    }
    // Every service answers its health check, or the test stops here with its log.
    for (auto& s : impl_->services) WaitServing(s.name, *s.process, s.channel);
    auth_ = auth::v1::AuthService::NewStub(impl_->Find("auth").channel);
    jobs_ = jobs::v1::JobsService::NewStub(impl_->Find("jobs").channel);
    contracts_ = contracts::v1::ContractsService::NewStub(impl_->Find("contracts").channel);
    payments_ = payments::v1::PaymentsService::NewStub(impl_->Find("payments").channel);
    notifications_ = notifications::v1::NotificationsService::NewStub(impl_->Find("notifications").channel);
    disputes_ = disputes::v1::DisputesService::NewStub(impl_->Find("disputes").channel);
    workroom_ = workroom::v1::WorkroomService::NewStub(impl_->Find("workroom").channel);
    clans_ = clans::v1::ClansService::NewStub(impl_->Find("clans").channel);
    impl_->admin = User{"", kAdminEmail, kAdminPassword, ""};
    Relogin(impl_->admin);
}

MoneyStack::~MoneyStack() {
    if (impl_->gateway) impl_->gateway->Stop(std::chrono::seconds(20));
    for (auto& s : impl_->services) {
        if (s.process) s.process->Stop(std::chrono::seconds(20));
    }
    std::error_code ec;
    std::filesystem::remove_all(impl_->dir, ec);
}

std::string MoneyStack::NewKey() { return core::NewUuidV4(); }

std::unique_ptr<grpc::ClientContext> MoneyStack::Context(const User& user, const std::string& idempotency_key) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(Deadline());
    if (!user.token.empty()) ctx->AddMetadata("authorization", "Bearer " + user.token);
    if (!idempotency_key.empty()) ctx->AddMetadata("idempotency-key", idempotency_key);
    return ctx;
}

namespace {

// auth answers RESOURCE_EXHAUSTED, having done nothing, while all its password-hashing slots are busy
// (many users registering or logging in at once); a client waits a moment and asks again.
grpc::Status WhileHashingBusy(const std::function<grpc::Status()>& call) {
    auto backoff = std::chrono::milliseconds(20);
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    for (;;) {
        grpc::Status status = call();
        if (status.error_code() != grpc::StatusCode::RESOURCE_EXHAUSTED || std::chrono::steady_clock::now() > until) {
            return status;
        }
        std::this_thread::sleep_for(backoff);
        backoff = std::min(backoff * 2, std::chrono::milliseconds(500));
    }
}

}  // namespace

User MoneyStack::Register(auth::v1::Role role, const std::string& name) {
    User user;
    user.email = name + "-" + core::RandomHex(5) + "@e2e.marketplace.test";
    user.password = "correct horse battery " + core::RandomHex(3);
    auth::v1::RegisterRequest req;
    req.set_email(user.email);
    req.set_password(user.password);
    req.set_role(role);
    req.set_display_name(name);
    auth::v1::RegisterResponse resp;
    Ok(WhileHashingBusy([&] {
           auto ctx = Context(User{}, NewKey());
           return auth_->Register(ctx.get(), req, &resp);
       }),
       "register " + name);
    user.id = resp.user_id();
    Relogin(user);
    return user;
}

User& MoneyStack::Admin() { return impl_->admin; }

User MoneyStack::RegisterStaff(auth::v1::Role role, const std::string& name) {
    User user = Register(auth::v1::ROLE_CLIENT, name);
    auth::v1::SetStaffRoleRequest req;
    req.set_user_id(user.id);
    req.set_role(role);
    auth::v1::SetStaffRoleResponse resp;
    auto ctx = Context(impl_->admin, NewKey());
    Ok(auth_->SetStaffRole(ctx.get(), req, &resp), "make " + name + " staff");
    Relogin(user);  // the new role is in the next token
    return user;
}

void MoneyStack::RestartService(const std::string& name) {
    StopService(name);
    StartService(name);
}

void MoneyStack::StopService(const std::string& name) { impl_->Find(name).process->Kill(); }

void MoneyStack::StartService(const std::string& name) {
    auto& s = impl_->Find(name);
    if (s.process->Running()) throw std::logic_error(name + " is running already");
    static int restarts = 0;
    s.process = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{s.binary}, s.env,
        impl_->dir + "/" + name + "-restarted-" + std::to_string(++restarts) + ".log");
    WaitServing(name + " (restarted)", *s.process, s.channel);
}

void MoneyStack::Relogin(User& user) {
    auth::v1::LoginRequest req;
    req.set_email(user.email);
    req.set_password(user.password);
    auth::v1::LoginResponse resp;
    Ok(WhileHashingBusy([&] {
           auto ctx = Context(User{});
           return auth_->Login(ctx.get(), req, &resp);
       }),
       "log in " + user.email);
    user.id = resp.session().user_id();
    user.token = resp.session().access_token();
}

std::chrono::seconds MoneyStack::clock_offset() const { return impl_->offset; }

void MoneyStack::AdvanceClock(std::chrono::seconds by) {
    impl_->offset += by;
    core::OffsetFileClock::WriteOffset(impl_->clock_file, impl_->offset);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // every service re-reads within 20 ms
    Relogin(impl_->admin);
}

namespace {

// One GET on a fresh connection; the status code, or 0 when nothing answered.
[[maybe_unused]] int ProbeHttpGet(const std::string& host, int port, const std::string& path) {
    testing::HttpOptions options;
    options.host = host;
    options.connect_timeout = std::chrono::seconds(2);
    options.timeout = std::chrono::seconds(2);
    options.keep_alive = false;
    try {
        return testing::HttpClient(port, options).Get(path).status;
    } catch (const std::exception&) {
        return 0;
    }
}

}  // namespace

const std::string& MoneyStack::gateway_base_url() {
    if (impl_->gateway) return impl_->gateway_url;
#ifndef GATEWAY_SERVICE_BIN
    throw std::logic_error("this build has no gateway_service target");
#else
    auto& gw = *impl_;
    gw.gateway_port = testing::FreePort();
    std::map<std::string, std::string> env;
    env["GATEWAY_LISTEN"] = gw.gateway_host + ":" + std::to_string(gw.gateway_port);
    for (const char* name :
         {"auth", "jobs", "contracts", "payments", "notifications", "disputes", "workroom", "clans"}) {
        std::string upper(name);
        for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        env[upper + "_GRPC_TARGET"] = "127.0.0.1:" + std::to_string(gw.Find(name).port);
    }
    env["GATEWAY_SERVICES"] = "auth,jobs,contracts,payments,notifications,disputes,workroom,clans";
    env["GATEWAY_RATE_LIMIT_IP_RPS"] = "0";
    env["GATEWAY_RATE_LIMIT_USER_RPS"] = "0";
    env["GATEWAY_UPSTREAM_TIMEOUT"] = "15s";
    env["GATEWAY_FORWARDING_SECRET"] = kGatewaySecret;
    // The tests' own connections may name the client they stand for with X-Forwarded-For.
    env["GATEWAY_TRUSTED_PROXIES"] = "127.0.0.1";
    env["MARKETPLACE_CLOCK_OFFSET_FILE"] = gw.clock_file;
    env["MARKETPLACE_LOG_LEVEL"] = "info";
    auto process = std::make_unique<testing::ChildProcess>(std::vector<std::string>{GATEWAY_SERVICE_BIN}, env,
                                                           gw.dir + "/gateway.log");
    bool ready = false;
    int last = 0;
    const auto until = std::chrono::steady_clock::now() + kStartupBound;
    while (!ready && std::chrono::steady_clock::now() < until) {
        if (!process->Running()) break;
        last = ProbeHttpGet(gw.gateway_host, gw.gateway_port, "/readyz");
        ready = last == 200;
        if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (!ready) {
        const std::string log = process->LogTail();
        process->Stop(std::chrono::seconds(5));
        throw std::runtime_error("the gateway did not become ready (last /readyz status " + std::to_string(last) +
                                 "); its log:\n" + log);
    }
    gw.gateway = std::move(process);
    gw.gateway_url = "http://" + gw.gateway_host + ":" + std::to_string(gw.gateway_port);
    return gw.gateway_url;
#endif
}

const std::string& MoneyStack::gateway_host() {
    gateway_base_url();
    return impl_->gateway_host;
}

int MoneyStack::gateway_port() {
    gateway_base_url();
    return impl_->gateway_port;
}

std::string MoneyStack::GatewayLogs(std::size_t lines) const {
    if (!impl_->gateway) return {};
    return "--- gateway (last lines)\n" + impl_->gateway->LogTail(lines);
}

const std::string& MoneyStack::topic_prefix() const { return impl_->prefix; }

int MoneyStack::StartReplica(const std::string& name) {
    if (name != "contracts" && name != "payments" && name != "workroom") {
        throw std::invalid_argument("replicas are supported for contracts, payments and workroom, not " + name);
    }
    auto& s = impl_->Find(name);
    const int port = testing::FreePort();
    auto env = s.env;
    env["GRPC_LISTEN"] = "127.0.0.1:" + std::to_string(port);
    if (env.count("METRICS_LISTEN")) env["METRICS_LISTEN"] = "127.0.0.1:" + std::to_string(testing::FreePort());
    const std::string log = impl_->dir + "/" + name + "-" + std::to_string(s.replicas.size() + 2) + ".log";
    auto process = std::make_unique<testing::ChildProcess>(std::vector<std::string>{s.binary}, env, log);
    WaitServing(name + " replica", *process,
                grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
    s.replicas.push_back(std::move(process));
    s.replica_ports.push_back(port);

    // From now on the service's stub spreads calls over every replica, as a Kubernetes Service would.
    std::string target = "ipv4:127.0.0.1:" + std::to_string(s.port);
    for (int p : s.replica_ports) target += ",127.0.0.1:" + std::to_string(p);
    grpc::ChannelArguments args;
    args.SetLoadBalancingPolicyName("round_robin");
    s.channel = grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
    if (name == "contracts") contracts_ = contracts::v1::ContractsService::NewStub(s.channel);
    if (name == "payments") payments_ = payments::v1::PaymentsService::NewStub(s.channel);
    if (name == "workroom") workroom_ = workroom::v1::WorkroomService::NewStub(s.channel);
    return port;
}

int MoneyStack::FirstPort(const std::string& name) const { return impl_->Find(name).port; }

void MoneyStack::KillFirstReplica(const std::string& name) { impl_->Find(name).process->Kill(); }

std::string MoneyStack::MetricsUrl(const std::string& name) const {
    return "http://127.0.0.1:" + std::to_string(impl_->Find(name).metrics_port) + "/metrics";
}

std::map<std::string, std::string> MoneyStack::Databases() const {
    std::map<std::string, std::string> out;
    for (const auto& s : impl_->services) out[s.name] = s.database->conninfo();
    return out;
}

std::vector<std::string> MoneyStack::Exited() const {
    std::vector<std::string> out;
    for (const auto& s : impl_->services) {
        if (!s.process->Running()) out.push_back(s.name);
        for (std::size_t i = 0; i < s.replicas.size(); ++i) {
            if (!s.replicas[i]->Running()) out.push_back(s.name + " replica " + std::to_string(i + 2));
        }
    }
    if (impl_->gateway && !impl_->gateway->Running()) out.push_back("gateway");
    return out;
}

std::string MoneyStack::Logs() const {
    std::string out;
    for (const auto& s : impl_->services) {
        out += "--- " + s.name + " (last lines)\n" + s.process->LogTail(15);
        for (std::size_t i = 0; i < s.replicas.size(); ++i) {
            out +=
                "--- " + s.name + " replica " + std::to_string(i + 2) + " (last lines)\n" + s.replicas[i]->LogTail(15);
        }
    }
    if (impl_->gateway) out += GatewayLogs(15);
    return out;
}

void Ok(const grpc::Status& status, const std::string& what) {
    if (!status.ok()) {
        throw std::runtime_error(what + ": " + std::to_string(status.error_code()) + " " + status.error_message() +
                                 "\n" + MoneyStack::Get().Logs());
    }
}

}  // namespace marketplace::e2e
