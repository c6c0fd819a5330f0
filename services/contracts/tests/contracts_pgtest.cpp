// Contracts from accepted proposals, the statement of work and its signatures, who sees what.
#include <catch2/catch.hpp>
#include <thread>

#include "contracts_fixture.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/messaging/consumer.hpp"

using namespace marketplace;
using namespace marketplace::contracts;
using namespace marketplace::contracts::testing;
using Stub = v1::ContractsService::Stub;

namespace {

int ContractsOfProposal(const std::string& proposal_id) {
    int n = 0;
    InTx([&](pqxx::work& tx) {
        n = tx.exec_params1("SELECT count(*) FROM contracts WHERE proposal_id = $1", proposal_id)[0].as<int>();
    });
    return n;
}

v1::Contract GetContract(const std::string& contract_id, const As& who) {
    v1::GetContractRequest request;
    request.set_contract_id(contract_id);
    v1::GetContractResponse response;
    const auto out = Call(&Stub::GetContract, who, request, &response);
    INFO(out.status.error_message());
    REQUIRE(out.ok());
    return response.contract();
}

}  // namespace

TEST_CASE("Contracts: ProposalAccepted creates one contract even when handled twice", "[contracts][pg]") {
    const auto event = SampleProposal();
    const auto contract = SeedContract(event);
    CHECK_FALSE(Deliver(event));  // the replay creates nothing
    CHECK(ContractsOfProposal(event.proposal_id()) == 1);
    REQUIRE(contract.milestone_ids.size() == 2);

    const auto created = Outbox(contract.contract_id);
    REQUIRE(created.size() == 1);
    CHECK(created[0].type == "marketplace.contracts.v1.ContractCreated");
    const auto payload = Last<v1::ContractCreated>(contract.contract_id);
    CHECK(payload.proposal_id() == event.proposal_id());
    CHECK(payload.client_id() == event.client_id());
    CHECK(payload.freelancer_id() == event.freelancer_id());
    REQUIRE(payload.milestone_ids_size() == 2);
    CHECK(payload.milestone_ids(0) == contract.milestone_ids[0]);

    const auto c = GetContract(contract.contract_id, contract.client());
    CHECK(c.status() == v1::CONTRACT_STATUS_AWAITING_SIGNATURES);
    CHECK(c.title() == "SaaS MVP");
    CHECK(c.total().minor_units() == 300000);
    CHECK(c.review_period_seconds() == kReviewPeriod.count());
    REQUIRE(c.milestones_size() == 2);
    CHECK(c.milestones(0).position() == 1);
    CHECK(c.milestones(0).title() == "Auth and billing");
    CHECK(c.milestones(0).amount().minor_units() == 120000);
    CHECK(c.milestones(0).due_date().seconds() == 1'900'000'000);
    CHECK(c.milestones(1).amount().minor_units() == 180000);
    for (const auto& m : c.milestones()) CHECK(m.state() == v1::MILESTONE_STATE_FUNDING_REQUIRED);
}

TEST_CASE("Contracts: the same proposal delivered concurrently still makes one contract", "[contracts][pg]") {
    const auto event = SampleProposal();
    std::atomic<int> created{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) {
        threads.emplace_back([&] { created += Deliver(event) ? 1 : 0; });
    }
    for (auto& t : threads) t.join();
    CHECK(created == 1);
    CHECK(ContractsOfProposal(event.proposal_id()) == 1);
}

TEST_CASE("Contracts: a ProposalAccepted that cannot make a contract is a permanent error and creates nothing",
          "[contracts][pg]") {
    auto bad_sum = SampleProposal();
    bad_sum.mutable_total()->set_minor_units(299999);
    CHECK_THROWS_AS(Deliver(bad_sum), messaging::PermanentError);
    CHECK(ContractsOfProposal(bad_sum.proposal_id()) == 0);

    auto bad_currency = SampleProposal();
    bad_currency.mutable_milestones(1)->mutable_amount()->set_currency("XXX");
    CHECK_THROWS_AS(Deliver(bad_currency), messaging::PermanentError);

    auto same_party = SampleProposal();
    same_party.set_freelancer_id(same_party.client_id());
    CHECK_THROWS_AS(Deliver(same_party), messaging::PermanentError);
    CHECK(ContractsOfProposal(same_party.proposal_id()) == 0);
}

TEST_CASE("Statement of work: both parties sign the hash they saw", "[contracts][pg]") {
    const auto c = SeedContract();
    v1::GetStatementOfWorkRequest get;
    get.set_contract_id(c.contract_id);
    v1::GetStatementOfWorkResponse sow;
    REQUIRE(Call(&Stub::GetStatementOfWork, c.freelancer(), get, &sow).ok());
    const auto& text = sow.statement_of_work().text();
    CHECK(text.find("STATEMENT OF WORK\nContract: " + c.contract_id) == 0);
    CHECK(text.find("Milestone 2 \"Dashboard\": 1800.00 EUR") != std::string::npos);
    CHECK(text.find("within 14 days") != std::string::npos);
    CHECK_FALSE(sow.statement_of_work().fully_signed());
    const std::string hash = sow.statement_of_work().content_hash();
    CHECK(hash.size() == 64);

    v1::SignStatementOfWorkRequest sign;
    sign.set_contract_id(c.contract_id);
    sign.set_content_hash(hash);
    v1::SignStatementOfWorkResponse signed1;
    const auto before = F().clock->Now();
    REQUIRE(Call(&Stub::SignStatementOfWork, c.client(), sign, &signed1, Key()).ok());
    REQUIRE(signed1.statement_of_work().signatures_size() == 1);
    const auto& s = signed1.statement_of_work().signatures(0);
    CHECK(s.signer_id() == c.client_id);
    CHECK(s.role() == v1::PARTY_ROLE_CLIENT);
    CHECK(s.content_hash() == hash);
    CHECK(Micros(s.signed_at()) / 1000 == Micros(before) / 1000);
    CHECK_FALSE(signed1.statement_of_work().fully_signed());
    CHECK(GetContract(c.contract_id, c.client()).status() == v1::CONTRACT_STATUS_AWAITING_SIGNATURES);

    // Signing again (another key) keeps the first signature.
    F().clock->Advance(std::chrono::minutes(5));
    v1::SignStatementOfWorkResponse again;
    REQUIRE(Call(&Stub::SignStatementOfWork, c.client(), sign, &again, Key()).ok());
    REQUIRE(again.statement_of_work().signatures_size() == 1);
    CHECK(Micros(again.statement_of_work().signatures(0).signed_at()) == Micros(s.signed_at()));

    v1::SignStatementOfWorkResponse signed2;
    REQUIRE(Call(&Stub::SignStatementOfWork, c.freelancer(), sign, &signed2, Key()).ok());
    CHECK(signed2.statement_of_work().fully_signed());
    CHECK(signed2.statement_of_work().signatures_size() == 2);
    const auto contract = GetContract(c.contract_id, c.freelancer());
    CHECK(contract.status() == v1::CONTRACT_STATUS_ACTIVE);
    CHECK(contract.statement_of_work_hash() == hash);
    CHECK(contract.signatures_size() == 2);
}

TEST_CASE("Statement of work: a signature over another hash is refused and records nothing", "[contracts][pg]") {
    const auto c = SeedContract();
    v1::SignStatementOfWorkRequest sign;
    sign.set_contract_id(c.contract_id);
    sign.set_content_hash(std::string(64, 'a'));
    v1::SignStatementOfWorkResponse response;
    const auto mismatch = Call(&Stub::SignStatementOfWork, c.freelancer(), sign, &response, Key());
    CHECK(mismatch.code() == grpc::StatusCode::FAILED_PRECONDITION);
    CHECK(mismatch.status.error_message().find("content_hash does not match") != std::string::npos);

    sign.set_content_hash("ABC");
    const auto malformed = Call(&Stub::SignStatementOfWork, c.freelancer(), sign, &response, Key());
    CHECK(malformed.code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(malformed.field == "content_hash");
    sign.set_content_hash("");
    CHECK(Call(&Stub::SignStatementOfWork, c.freelancer(), sign, &response, Key()).field == "content_hash");

    v1::GetStatementOfWorkRequest get;
    get.set_contract_id(c.contract_id);
    v1::GetStatementOfWorkResponse sow;
    REQUIRE(Call(&Stub::GetStatementOfWork, c.client(), get, &sow).ok());
    CHECK(sow.statement_of_work().signatures_size() == 0);
}

TEST_CASE("Contracts: only the parties see a contract; admins read it but cannot sign", "[contracts][pg]") {
    const auto c = SeedContract();
    const As stranger{core::NewUuidV7(), "client"};
    const As admin{core::NewUuidV7(), "admin"};

    v1::GetContractRequest get;
    get.set_contract_id(c.contract_id);
    v1::GetContractResponse contract;
    CHECK(Call(&Stub::GetContract, stranger, get, &contract).code() == grpc::StatusCode::NOT_FOUND);
    CHECK(Call(&Stub::GetContract, admin, get, &contract).ok());
    CHECK(Call(&Stub::GetContract, As{}, get, &contract).code() == grpc::StatusCode::UNAUTHENTICATED);

    v1::GetStatementOfWorkRequest get_sow;
    get_sow.set_contract_id(c.contract_id);
    v1::GetStatementOfWorkResponse sow;
    CHECK(Call(&Stub::GetStatementOfWork, stranger, get_sow, &sow).code() == grpc::StatusCode::NOT_FOUND);
    REQUIRE(Call(&Stub::GetStatementOfWork, admin, get_sow, &sow).ok());

    v1::SignStatementOfWorkRequest sign;
    sign.set_contract_id(c.contract_id);
    sign.set_content_hash(sow.statement_of_work().content_hash());
    v1::SignStatementOfWorkResponse signed_sow;
    CHECK(Call(&Stub::SignStatementOfWork, admin, sign, &signed_sow, Key()).code() ==
          grpc::StatusCode::PERMISSION_DENIED);
    CHECK(Call(&Stub::SignStatementOfWork, stranger, sign, &signed_sow, Key()).code() == grpc::StatusCode::NOT_FOUND);
    const auto no_key = Call(&Stub::SignStatementOfWork, c.client(), sign, &signed_sow);
    CHECK(no_key.code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(no_key.field == "idempotency-key");

    v1::GetMilestoneRequest get_m;
    get_m.set_milestone_id(c.milestone_ids[0]);
    v1::GetMilestoneResponse milestone;
    CHECK(Call(&Stub::GetMilestone, stranger, get_m, &milestone).code() == grpc::StatusCode::NOT_FOUND);
    CHECK(Call(&Stub::GetMilestone, admin, get_m, &milestone).ok());

    get.set_contract_id("not-a-uuid");
    const auto bad_id = Call(&Stub::GetContract, c.client(), get, &contract);
    CHECK(bad_id.code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(bad_id.field == "contract_id");
    get.set_contract_id(core::NewUuidV7());
    CHECK(Call(&Stub::GetContract, c.client(), get, &contract).code() == grpc::StatusCode::NOT_FOUND);
}

TEST_CASE("Contracts: ListContracts shows the caller's contracts, newest first, page by page", "[contracts][pg]") {
    auto first = SampleProposal();
    const std::string freelancer = first.freelancer_id();
    std::vector<std::string> ids;
    for (int i = 0; i < 3; ++i) {
        auto event = SampleProposal();
        event.set_freelancer_id(freelancer);
        ids.push_back(SeedContract(event).contract_id);
        F().clock->Advance(std::chrono::seconds(1));
    }
    const As me{freelancer, "freelancer"};
    v1::ListContractsRequest request;
    request.set_page_size(2);
    v1::ListContractsResponse page1;
    REQUIRE(Call(&Stub::ListContracts, me, request, &page1).ok());
    REQUIRE(page1.contracts_size() == 2);
    CHECK(page1.contracts(0).contract_id() == ids[2]);
    CHECK(page1.contracts(1).contract_id() == ids[1]);
    CHECK(page1.contracts(0).milestones_size() == 2);
    REQUIRE_FALSE(page1.next_page_token().empty());

    request.set_page_token(page1.next_page_token());
    v1::ListContractsResponse page2;
    REQUIRE(Call(&Stub::ListContracts, me, request, &page2).ok());
    REQUIRE(page2.contracts_size() == 1);
    CHECK(page2.contracts(0).contract_id() == ids[0]);
    CHECK(page2.next_page_token().empty());

    // Someone else sees none of them; only an admin may ask for another user's list.
    v1::ListContractsRequest other;
    v1::ListContractsResponse none;
    REQUIRE(Call(&Stub::ListContracts, As{core::NewUuidV7(), "client"}, other, &none).ok());
    CHECK(none.contracts_size() == 0);
    other.set_party_id(freelancer);
    CHECK(Call(&Stub::ListContracts, As{core::NewUuidV7(), "client"}, other, &none).code() ==
          grpc::StatusCode::PERMISSION_DENIED);
    v1::ListContractsResponse for_admin;
    REQUIRE(Call(&Stub::ListContracts, As{core::NewUuidV7(), "admin"}, other, &for_admin).ok());
    CHECK(for_admin.contracts_size() == 3);

    request.set_page_token("garbage");
    CHECK(Call(&Stub::ListContracts, me, request, &page2).field == "page_token");
    request.clear_page_token();
    request.set_page_size(101);
    CHECK(Call(&Stub::ListContracts, me, request, &page2).field == "page_size");
}
