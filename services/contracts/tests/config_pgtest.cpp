// Configuration, and the review period it gives new contracts.
#include <catch2/catch.hpp>
#include <map>

#include "config.hpp"
#include "contracts_fixture.hpp"

using namespace marketplace;
using namespace marketplace::contracts;
using namespace marketplace::contracts::testing;
using Stub = v1::ContractsService::Stub;

namespace {

/// `vars` on a development machine (MARKETPLACE_DEV_MODE=1: the local stack's database password stands in).
core::EnvReader EnvOf(std::map<std::string, std::string> vars) {
    vars.emplace("MARKETPLACE_DEV_MODE", "1");
    return core::EnvReader("", [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
        const auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    });
}

}  // namespace

TEST_CASE("Config: AUTO_RELEASE_AFTER is 14 days unless set, and a malformed value is refused", "[contracts][config]") {
    auto defaults = EnvOf({{"KAFKA_BOOTSTRAP", "127.0.0.1:9092"}});
    const auto config = ContractsConfig::FromEnv(defaults);
    defaults.Finish();
    CHECK(config.auto_release_after == std::chrono::hours(24 * 14));
    CHECK(config.runtime.name == "contracts");
    CHECK(config.runtime.server.listen_address == "127.0.0.1:7103");

    auto custom = EnvOf({{"KAFKA_BOOTSTRAP", "127.0.0.1:9092"}, {"AUTO_RELEASE_AFTER", "36h"}});
    CHECK(ContractsConfig::FromEnv(custom).auto_release_after == std::chrono::hours(36));
    custom.Finish();

    auto bad = EnvOf({{"KAFKA_BOOTSTRAP", "127.0.0.1:9092"}, {"AUTO_RELEASE_AFTER", "soon"}});
    ContractsConfig::FromEnv(bad);
    CHECK_THROWS_AS(bad.Finish(), core::ConfigError);
    auto zero = EnvOf({{"KAFKA_BOOTSTRAP", "127.0.0.1:9092"}, {"AUTO_RELEASE_AFTER", "0s"}});
    ContractsConfig::FromEnv(zero);
    CHECK_THROWS_AS(zero.Finish(), core::ConfigError);
}

TEST_CASE("Config: a contract keeps the review period it was made with, and submissions use it", "[contracts][pg]") {
    const EventConsumers hourly(*F().runtime, std::chrono::hours(1));
    const auto event = SampleProposal();
    InTx([&](pqxx::work& tx) { REQUIRE(hourly.OnProposalAccepted(tx, event)); });
    Seeded c;
    c.client_id = event.client_id();
    c.freelancer_id = event.freelancer_id();
    v1::ListContractsResponse mine;
    REQUIRE(Call(&Stub::ListContracts, c.client(), v1::ListContractsRequest{}, &mine).ok());
    REQUIRE(mine.contracts_size() == 1);
    const auto& contract = mine.contracts(0);
    CHECK(contract.review_period_seconds() == 3600);
    c.contract_id = contract.contract_id();
    for (const auto& m : contract.milestones()) c.milestone_ids.push_back(m.milestone_id());

    v1::GetStatementOfWorkRequest get;
    get.set_contract_id(c.contract_id);
    v1::GetStatementOfWorkResponse sow;
    REQUIRE(Call(&Stub::GetStatementOfWork, c.client(), get, &sow).ok());
    CHECK(sow.statement_of_work().text().find("within 1 hour;") != std::string::npos);

    SignBoth(c);
    v1::FundMilestoneRequest fund;
    fund.set_milestone_id(c.milestone_ids[0]);
    v1::FundMilestoneResponse funded;
    REQUIRE(Call(&Stub::FundMilestone, c.client(), fund, &funded, Key()).ok());
    EscrowFunded(c.milestone_ids[0], 120000, 1);
    v1::SubmitMilestoneRequest submit;
    submit.set_milestone_id(c.milestone_ids[0]);
    submit.set_note("done");
    v1::SubmitMilestoneResponse submitted;
    const auto at = F().clock->Now();
    REQUIRE(Call(&Stub::SubmitMilestone, c.freelancer(), submit, &submitted, Key()).ok());
    CHECK(Micros(submitted.milestone().auto_release_at()) == Micros(at + std::chrono::hours(1)));
}
