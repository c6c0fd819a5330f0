#include "money_stack.hpp"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include <grpcpp/health_check_service_interface.h>

#include "grpc/health/v1/health.grpc.pb.h"
#include "marketplace/core/clock.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/testing/broker_control.hpp"
#include "marketplace/testing/database.hpp"
#include "marketplace/testing/process.hpp"

namespace marketplace::e2e {
namespace {

constexpr const char* kAdminEmail = "admin@e2e.marketplace.test";
constexpr const char* kAdminPassword = "e2e-admin-password";

struct ServiceProcess {
    std::string name;
    std::unique_ptr<testing::TestDatabase> database;
    int port = 0;
    std::unique_ptr<testing::ChildProcess> process;
    std::shared_ptr<grpc::Channel> channel;
};

std::chrono::system_clock::time_point Deadline(std::chrono::seconds s = std::chrono::seconds(15)) {
    return std::chrono::system_clock::now() + s;
}

}  // namespace

struct MoneyStack::Impl {
    std::string dir;
    std::string clock_file;
    std::chrono::seconds offset{0};
    std::string prefix;
    std::vector<ServiceProcess> services;
    User admin;

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
    for (const char* service : {"auth", "jobs", "contracts", "payments"}) {
        control.Command("topic-create " + prefix + service + ".events.v1 4");
    }

    const std::vector<std::pair<std::string, std::string>> binaries{
        {"auth", AUTH_SERVICE_BIN}, {"jobs", JOBS_SERVICE_BIN}, {"contracts", CONTRACTS_SERVICE_BIN},
        {"payments", PAYMENTS_SERVICE_BIN}};
    for (const auto& [name, _] : binaries) {
        ServiceProcess s;
        s.name = name;
        s.database = std::make_unique<testing::TestDatabase>("e2e_" + name);
        s.port = testing::FreePort();
        impl_->services.push_back(std::move(s));
    }
    const std::string auth_target = "127.0.0.1:" + std::to_string(impl_->Find("auth").port);
    for (std::size_t i = 0; i < binaries.size(); ++i) {
        auto& s = impl_->services[i];
        auto env = s.database->ServiceEnv();
        env["GRPC_LISTEN"] = "127.0.0.1:" + std::to_string(s.port);
        env["KAFKA_BOOTSTRAP"] = bootstrap;
        env["KAFKA_TOPIC_PREFIX"] = prefix;
        env["KAFKA_LINGER_MS"] = "0";
        env["KAFKA_FETCH_WAIT_MAX_MS"] = "5";
        env["MARKETPLACE_CLOCK_OFFSET_FILE"] = impl_->clock_file;
        env["AUTH_GRPC_TARGET"] = auth_target;
        env["AUTH_ADMIN_EMAIL"] = kAdminEmail;
        env["AUTH_ADMIN_PASSWORD"] = kAdminPassword;
        env["TIMER_POLL"] = "100ms";
        env["MARKETPLACE_LOG_LEVEL"] = "info";
        s.process = std::make_unique<testing::ChildProcess>(std::vector<std::string>{binaries[i].second}, env,
                                                            impl_->dir + "/" + s.name + ".log");
        s.channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(s.port), grpc::InsecureChannelCredentials());
    }
    // Every service answers its health check, or the test stops here with its log.
    for (auto& s : impl_->services) {
        auto health = grpc::health::v1::Health::NewStub(s.channel);
        bool serving = false;
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (!serving && std::chrono::steady_clock::now() < until) {
            if (!s.process->Running()) break;
            grpc::ClientContext ctx;
            ctx.set_deadline(Deadline(std::chrono::seconds(2)));
            grpc::health::v1::HealthCheckRequest req;
            grpc::health::v1::HealthCheckResponse resp;
            serving = s.channel->WaitForConnected(Deadline(std::chrono::seconds(1))) &&
                      health->Check(&ctx, req, &resp).ok() &&
                      resp.status() == grpc::health::v1::HealthCheckResponse::SERVING;
            if (!serving) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        if (!serving) throw std::runtime_error(s.name + " did not become healthy; its log:\n" + s.process->LogTail());
    }
    auth_ = auth::v1::AuthService::NewStub(impl_->Find("auth").channel);
    jobs_ = jobs::v1::JobsService::NewStub(impl_->Find("jobs").channel);
    contracts_ = contracts::v1::ContractsService::NewStub(impl_->Find("contracts").channel);
    payments_ = payments::v1::PaymentsService::NewStub(impl_->Find("payments").channel);
    impl_->admin = User{"", kAdminEmail, kAdminPassword, ""};
    Relogin(impl_->admin);
}

MoneyStack::~MoneyStack() {
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
    auto ctx = Context(User{}, NewKey());
    Ok(auth_->Register(ctx.get(), req, &resp), "register " + name);
    user.id = resp.user_id();
    Relogin(user);
    return user;
}

User& MoneyStack::Admin() { return impl_->admin; }

void MoneyStack::Relogin(User& user) {
    auth::v1::LoginRequest req;
    req.set_email(user.email);
    req.set_password(user.password);
    auth::v1::LoginResponse resp;
    auto ctx = Context(User{});
    Ok(auth_->Login(ctx.get(), req, &resp), "log in " + user.email);
    user.id = resp.session().user_id();
    user.token = resp.session().access_token();
}

void MoneyStack::AdvanceClock(std::chrono::seconds by) {
    impl_->offset += by;
    core::OffsetFileClock::WriteOffset(impl_->clock_file, impl_->offset);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // every service re-reads within 20 ms
    Relogin(impl_->admin);
}

const std::string& MoneyStack::topic_prefix() const { return impl_->prefix; }

std::string MoneyStack::Logs() const {
    std::string out;
    for (const auto& s : impl_->services) out += "--- " + s.name + " (last lines)\n" + s.process->LogTail(15);
    return out;
}

void Ok(const grpc::Status& status, const std::string& what) {
    if (!status.ok()) {
        throw std::runtime_error(what + ": " + std::to_string(status.error_code()) + " " + status.error_message() +
                                 "\n" + MoneyStack::Get().Logs());
    }
}

}  // namespace marketplace::e2e
