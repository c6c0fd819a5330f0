#include "contracts_fixture.hpp"

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "contracts_migrations.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/testing/database.hpp"

namespace marketplace::contracts::testing {

using Stub = v1::ContractsService::Stub;

namespace {

service::RuntimeConfig TestRuntimeConfig(const std::shared_ptr<core::ManualClock>& clock,
                                         const tokens::TestTokens& tokens) {
    service::RuntimeConfig c;
    c.name = "contracts";
    c.pg = marketplace::testing::TestDatabase::Shared("contracts").Config(16);
    // Nothing listens here: the relay cannot publish, so events stay in the outbox for the tests.
    c.kafka.bootstrap = "127.0.0.1:9";
    c.kafka.message_timeout_ms = 1000;
    c.kafka.reconnect_backoff_max_ms = 1000;
    c.kafka.extra["log_level"] = "0";  // librdkafka: no connection-refused noise
    c.server.listen_address = "127.0.0.1:0";
    c.server.drain_timeout = std::chrono::seconds(2);
    c.server.handle_signals = false;
    c.server.token_verifier = tokens.verifier();
    c.server.clock = clock;
    c.timer_poll = std::chrono::milliseconds(20);
    c.shutdown_timeout = std::chrono::seconds(5);
    return c;
}

}  // namespace

Fixture::Fixture() : clock(std::make_shared<core::ManualClock>()), tokens(tokens::TestTokensOptions{.clock = clock}) {
    runtime = std::make_unique<service::Runtime>(TestRuntimeConfig(clock, tokens), clock);
    runtime->Migrate("contracts", migrations::contracts());
    api = std::make_unique<api::ContractsApi>(*runtime, kDefaultFundingTimeout);
    events = std::make_unique<EventConsumers>(*runtime, kReviewPeriod);
    runtime->AddService(api.get(), v1::ContractsService::service_full_name());
    // The timer as main() registers it; the consumers are left out (the tests feed events directly).
    runtime->OnTimer(kAutoReleaseTimer,
                     [this](pqxx::work& tx, const messaging::Timer& timer) { events->OnAutoRelease(tx, timer); });
    port = runtime->Start();
    stub = v1::ContractsService::NewStub(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
}

Fixture::~Fixture() { runtime->Stop(); }

Fixture& F() {
    // Built on first use, after the shared test database, so it is destroyed before the database is
    // dropped: the service stops (threads joined, connections closed) first.
    static Fixture fixture;
    return fixture;
}

std::string Key() { return "key-" + core::NewUuidV4(); }

jobs::v1::ProposalAccepted SampleProposal() {
    jobs::v1::ProposalAccepted e;
    e.set_proposal_id(core::NewUuidV7());
    e.set_job_id(core::NewUuidV7());
    e.set_client_id(core::NewUuidV7());
    e.set_freelancer_id(core::NewUuidV7());
    e.set_job_title("SaaS MVP");
    e.set_job_description("Build the first version of a subscription app.");
    e.add_stack("C++");
    e.add_stack("PostgreSQL");
    e.set_nda_required(true);
    e.set_ip_assignment(true);
    e.set_cover_letter("I have done this before.");
    const std::pair<const char*, std::int64_t> plan[] = {{"Auth and billing", 120000}, {"Dashboard", 180000}};
    for (const auto& [title, minor] : plan) {
        auto* m = e.add_milestones();
        m->set_title(title);
        m->set_description(std::string("Deliver ") + title + ".");
        m->mutable_amount()->set_minor_units(minor);
        m->mutable_amount()->set_currency("EUR");
        m->mutable_due_date()->set_seconds(1'900'000'000);
        m->add_definition_of_done("Tests pass");
    }
    e.mutable_total()->set_minor_units(300000);
    e.mutable_total()->set_currency("EUR");
    e.set_delivery_days(30);
    return e;
}

void InTx(const std::function<void(pqxx::work&)>& fn) { db::InTransaction(F().runtime->pool(), fn); }

bool Deliver(const jobs::v1::ProposalAccepted& event) {
    bool created = false;
    InTx([&](pqxx::work& tx) { created = F().events->OnProposalAccepted(tx, event); });
    return created;
}

Seeded SeedContract(const jobs::v1::ProposalAccepted& event) {
    REQUIRE(Deliver(event));
    Seeded s;
    s.proposal_id = event.proposal_id();
    s.client_id = event.client_id();
    s.freelancer_id = event.freelancer_id();
    InTx([&](pqxx::work& tx) {
        s.contract_id = tx.exec_params1("SELECT id FROM contracts WHERE proposal_id = $1", s.proposal_id)[0].c_str();
        for (const auto& row :
             tx.exec_params("SELECT id FROM milestones WHERE contract_id = $1 ORDER BY position", s.contract_id)) {
            s.milestone_ids.push_back(row[0].c_str());
        }
    });
    return s;
}

void SignBoth(const Seeded& contract) {
    v1::GetStatementOfWorkRequest get;
    get.set_contract_id(contract.contract_id);
    v1::GetStatementOfWorkResponse sow;
    REQUIRE(Call(&Stub::GetStatementOfWork, contract.client(), get, &sow).ok());
    for (const As& who : {contract.client(), contract.freelancer()}) {
        v1::SignStatementOfWorkRequest sign;
        sign.set_contract_id(contract.contract_id);
        sign.set_content_hash(sow.statement_of_work().content_hash());
        v1::SignStatementOfWorkResponse signed_sow;
        const auto out = Call(&Stub::SignStatementOfWork, who, sign, &signed_sow, Key());
        REQUIRE(out.status.error_message() == "");
        REQUIRE(out.ok());
    }
}

Seeded FundedContract() {
    auto c = SeedContract();
    SignBoth(c);
    REQUIRE(Fund(c).ok());
    EscrowFunded(c.milestone_ids[0], 120000, 1);
    REQUIRE(StateOf(c) == v1::MILESTONE_STATE_FUNDED);
    return c;
}

Seeded SubmittedContract() {
    auto c = FundedContract();
    REQUIRE(Submit(c, "Version 1 is ready.").ok());
    return c;
}

namespace {
common::v1::Money Eur(std::int64_t minor) {
    common::v1::Money m;
    m.set_minor_units(minor);
    m.set_currency("EUR");
    return m;
}
}  // namespace

void EscrowFunded(const std::string& milestone_id, std::int64_t minor, int attempt) {
    payments::v1::EscrowFunded e;
    e.set_milestone_id(milestone_id);
    *e.mutable_amount() = Eur(minor);
    e.set_attempt(attempt);
    InTx([&](pqxx::work& tx) { F().events->OnEscrowFunded(tx, e); });
}

void EscrowFundingFailed(const std::string& milestone_id, const std::string& reason, int attempt) {
    payments::v1::EscrowFundingFailed e;
    e.set_milestone_id(milestone_id);
    e.set_reason(reason);
    e.set_attempt(attempt);
    InTx([&](pqxx::work& tx) { F().events->OnEscrowFundingFailed(tx, e); });
}

void EscrowReleased(const std::string& milestone_id, std::int64_t minor) {
    payments::v1::EscrowReleased e;
    e.set_milestone_id(milestone_id);
    *e.mutable_amount() = Eur(minor);
    InTx([&](pqxx::work& tx) { F().events->OnEscrowReleased(tx, e); });
}

void EscrowRefunded(const std::string& milestone_id, std::int64_t minor) {
    payments::v1::EscrowRefunded e;
    e.set_milestone_id(milestone_id);
    *e.mutable_amount() = Eur(minor);
    InTx([&](pqxx::work& tx) { F().events->OnEscrowRefunded(tx, e); });
}

std::vector<Published> Outbox(const std::string& key) {
    std::vector<Published> out;
    InTx([&](pqxx::work& tx) {
        for (const auto& row :
             tx.exec_params("SELECT event_type, payload FROM outbox WHERE event_key = $1 ORDER BY id", key)) {
            const pqxx::binarystring payload(row[1]);
            out.push_back({row[0].c_str(), std::string(payload.get(), payload.size())});
        }
    });
    return out;
}

int CountOf(const std::string& key, const std::string& type) {
    int n = 0;
    for (const auto& e : Outbox(key)) n += e.type == type ? 1 : 0;
    return n;
}

std::int64_t AutoReleaseDueMicros(const std::string& milestone_id) {
    std::int64_t due = -1;
    InTx([&](pqxx::work& tx) {
        const auto rows = tx.exec_params(
            "SELECT (extract(epoch FROM due_at) * 1000000)::bigint FROM timers WHERE kind = $1 AND timer_key = $2",
            std::string(kAutoReleaseTimer), milestone_id);
        if (!rows.empty()) due = rows[0][0].as<std::int64_t>();
    });
    return due;
}

v1::Milestone GetMilestone(const std::string& milestone_id, const As& who) {
    v1::GetMilestoneRequest request;
    request.set_milestone_id(milestone_id);
    v1::GetMilestoneResponse response;
    const auto out = Call(&Stub::GetMilestone, who, request, &response);
    INFO(out.status.error_message());
    REQUIRE(out.ok());
    return response.milestone();
}

std::int64_t Micros(core::Clock::TimePoint t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

std::int64_t Micros(const google::protobuf::Timestamp& t) { return t.seconds() * 1'000'000 + t.nanos() / 1000; }

CallOutcome Fund(const Seeded& c, const std::string& key, v1::FundMilestoneResponse* out) {
    v1::FundMilestoneRequest request;
    request.set_milestone_id(c.milestone_ids[0]);
    v1::FundMilestoneResponse response;
    return Call(&Stub::FundMilestone, c.client(), request, out != nullptr ? out : &response, key);
}

CallOutcome Submit(const Seeded& c, const std::string& note, v1::SubmitMilestoneResponse* out) {
    v1::SubmitMilestoneRequest request;
    request.set_milestone_id(c.milestone_ids[0]);
    request.set_note(note);
    request.add_links("https://git.example.com/acme/app/pull/2");
    v1::SubmitMilestoneResponse response;
    return Call(&Stub::SubmitMilestone, c.freelancer(), request, out != nullptr ? out : &response, Key());
}

CallOutcome Accept(const Seeded& c, v1::AcceptMilestoneResponse* out, const std::string& key) {
    v1::AcceptMilestoneRequest request;
    request.set_milestone_id(c.milestone_ids[0]);
    v1::AcceptMilestoneResponse response;
    return Call(&Stub::AcceptMilestone, c.client(), request, out != nullptr ? out : &response, key);
}

CallOutcome RequestChanges(const Seeded& c, const std::string& feedback) {
    v1::RequestChangesRequest request;
    request.set_milestone_id(c.milestone_ids[0]);
    request.set_feedback(feedback);
    v1::RequestChangesResponse response;
    return Call(&Stub::RequestChanges, c.client(), request, &response, Key());
}

CallOutcome Cancel(const Seeded& c, const std::string& milestone_id, v1::CancelMilestoneResponse* out) {
    v1::CancelMilestoneRequest request;
    request.set_milestone_id(milestone_id);
    v1::CancelMilestoneResponse response;
    return Call(&Stub::CancelMilestone, c.client(), request, out != nullptr ? out : &response, Key());
}

v1::MilestoneState StateOf(const Seeded& c, int i) { return GetMilestone(c.milestone_ids[i], c.client()).state(); }

}  // namespace marketplace::contracts::testing
