#include "story.hpp"

#include <cstdint>
#include <stdexcept>

#include "marketplace/testing/wait.hpp"

namespace marketplace::e2e {

using namespace std::chrono_literals;
namespace av1 = marketplace::auth::v1;
namespace cv1 = marketplace::contracts::v1;
namespace jv1 = marketplace::jobs::v1;
namespace pv1 = marketplace::payments::v1;

MoneyStack& S() { return MoneyStack::Get(); }

common::v1::Money Eur(std::int64_t minor) {
    common::v1::Money m;
    m.set_minor_units(minor);
    m.set_currency("EUR");
    return m;
}

std::string PostJob(const User& client, const std::string& title) {
    jv1::PostJobRequest req;
    req.set_title(title);
    req.set_description("Build a SaaS MVP with authentication, billing and an admin panel.");
    req.add_stack("c++");
    req.add_stack("postgresql");
    req.set_budget_type(jv1::BUDGET_TYPE_FIXED);
    *req.mutable_budget_min() = Eur(50000);
    *req.mutable_budget_max() = Eur(500000);
    req.set_template_id("saas-mvp");
    jv1::PostJobResponse resp;
    Ok(S().jobs().PostJob(MoneyStack::Context(client, MoneyStack::NewKey()).get(), req, &resp), "post job");
    return resp.job().job_id();
}

jv1::SubmitProposalRequest Plan(const std::string& job_id, const std::vector<std::int64_t>& amounts) {
    jv1::SubmitProposalRequest req;
    req.set_job_id(job_id);
    req.set_cover_letter("I have shipped three SaaS products of this shape.");
    std::int64_t total = 0;
    for (std::size_t i = 0; i < amounts.size(); ++i) {
        auto* m = req.add_milestones();
        m->set_title("Milestone " + std::to_string(i + 1));
        m->set_description("Deliverables of milestone " + std::to_string(i + 1));
        *m->mutable_amount() = Eur(amounts[i]);
        m->mutable_due_date()->set_seconds(
            std::chrono::duration_cast<std::chrono::seconds>(
                // the services' clock, which a test may have moved ahead
                (std::chrono::system_clock::now() + S().clock_offset() + 30 * 24h).time_since_epoch())
                .count());
        m->add_definition_of_done("Deployed to staging");
        // Saturating: a plan whose milestones sum past INT64_MAX (which the service must refuse) is
        // sent with the largest total rather than a wrapped one.
        if (__builtin_add_overflow(total, amounts[i], &total)) total = INT64_MAX;
    }
    *req.mutable_total() = Eur(total);
    req.set_delivery_days(30);
    return req;
}

/// A contract from a fresh job and proposal, signed by both parties; returns it.
cv1::Contract SignedContract(const User& client, const User& freelancer, const std::vector<std::int64_t>& amounts) {
    const auto job_id = PostJob(client, "SaaS MVP for " + client.email);
    jv1::SubmitProposalResponse proposal;
    Ok(S().jobs().SubmitProposal(MoneyStack::Context(freelancer, MoneyStack::NewKey()).get(), Plan(job_id, amounts),
                                 &proposal),
       "submit proposal");
    jv1::AcceptProposalRequest accept;
    accept.set_proposal_id(proposal.proposal().proposal_id());
    jv1::AcceptProposalResponse accepted;
    Ok(S().jobs().AcceptProposal(MoneyStack::Context(client, MoneyStack::NewKey()).get(), accept, &accepted),
       "accept proposal");

    // contracts creates the contract from ProposalAccepted, through Kafka.
    cv1::Contract contract;
    const bool created = testing::WaitUntil(
        [&] {
            cv1::ListContractsRequest req;
            cv1::ListContractsResponse resp;
            if (!S().contracts().ListContracts(MoneyStack::Context(client).get(), req, &resp).ok()) return false;
            for (const auto& c : resp.contracts()) {
                if (c.proposal_id() == proposal.proposal().proposal_id()) {
                    contract = c;
                    return true;
                }
            }
            return false;
        },
        30s, 50ms);
    if (!created) throw std::runtime_error("no contract for the accepted proposal\n" + S().Logs());
    if (contract.milestones_size() != static_cast<int>(amounts.size()))
        throw std::runtime_error("contract has the wrong milestones");

    for (const User* party : {&client, &freelancer}) {
        cv1::GetStatementOfWorkRequest get;
        get.set_contract_id(contract.contract_id());
        cv1::GetStatementOfWorkResponse sow;
        Ok(S().contracts().GetStatementOfWork(MoneyStack::Context(*party).get(), get, &sow), "get SOW");
        cv1::SignStatementOfWorkRequest sign;
        sign.set_contract_id(contract.contract_id());
        sign.set_content_hash(sow.statement_of_work().content_hash());
        cv1::SignStatementOfWorkResponse signed_resp;
        Ok(S().contracts().SignStatementOfWork(MoneyStack::Context(*party, MoneyStack::NewKey()).get(), sign,
                                               &signed_resp),
           "sign SOW");
    }
    return contract;
}

pv1::CurrencyBalance Balance(const User& user) {
    pv1::GetBalancesRequest req;
    pv1::GetBalancesResponse resp;
    Ok(S().payments().GetBalances(MoneyStack::Context(user).get(), req, &resp), "balances");
    for (const auto& b : resp.balances()) {
        if (b.currency() == "EUR") return b;
    }
    return pv1::CurrencyBalance();
}

void Deposit(const User& client, std::int64_t minor) {
    const auto before = Balance(client).available().minor_units();
    pv1::CreateDepositRequest req;
    *req.mutable_amount() = Eur(minor);
    pv1::CreateDepositResponse resp;
    Ok(S().payments().CreateDeposit(MoneyStack::Context(client, MoneyStack::NewKey()).get(), req, &resp), "deposit");
    // The sandbox provider confirms through the signed webhook, asynchronously.
    if (!testing::WaitUntil([&] { return Balance(client).available().minor_units() == before + minor; }, 20s, 50ms)) {
        throw std::runtime_error("the deposit was not credited\n" + S().Logs());
    }
}

cv1::Milestone Milestone(const User& user, const std::string& id) {
    cv1::GetMilestoneRequest req;
    req.set_milestone_id(id);
    cv1::GetMilestoneResponse resp;
    Ok(S().contracts().GetMilestone(MoneyStack::Context(user).get(), req, &resp), "get milestone");
    return resp.milestone();
}

cv1::Milestone WaitState(const User& user, const std::string& id, cv1::MilestoneState state,
                         std::chrono::milliseconds poll) {
    cv1::Milestone m;
    const bool reached = testing::WaitUntil(
        [&] {
            m = Milestone(user, id);
            return m.state() == state;
        },
        30s, poll);
    if (!reached) {
        throw std::runtime_error("milestone " + id + " stayed " + cv1::MilestoneState_Name(m.state()) + ", expected " +
                                 cv1::MilestoneState_Name(state) + "\n" + S().Logs());
    }
    return m;
}

grpc::Status Fund(const User& client, const std::string& milestone, const std::string& key) {
    cv1::FundMilestoneRequest req;
    req.set_milestone_id(milestone);
    cv1::FundMilestoneResponse resp;
    return S().contracts().FundMilestone(MoneyStack::Context(client, key).get(), req, &resp);
}

grpc::Status Submit(const User& freelancer, const std::string& milestone) {
    cv1::SubmitMilestoneRequest req;
    req.set_milestone_id(milestone);
    req.set_note("Deployed to staging; see the links.");
    req.add_links("https://staging.example.com");
    cv1::SubmitMilestoneResponse resp;
    return S().contracts().SubmitMilestone(MoneyStack::Context(freelancer, MoneyStack::NewKey()).get(), req, &resp);
}

grpc::Status Accept(const User& client, const std::string& milestone, const std::string& key) {
    cv1::AcceptMilestoneRequest req;
    req.set_milestone_id(milestone);
    cv1::AcceptMilestoneResponse resp;
    return S().contracts().AcceptMilestone(MoneyStack::Context(client, key).get(), req, &resp);
}

std::string LedgerViolations() {
    pv1::AuditLedgerRequest req;
    pv1::AuditLedgerResponse resp;
    Ok(S().payments().AuditLedger(MoneyStack::Context(S().Admin()).get(), req, &resp), "audit");
    std::string problems;
    for (const auto& v : resp.violations())
        problems += pv1::LedgerInvariant_Name(v.invariant()) + ": " + v.detail() + "\n";
    if (!resp.healthy() && problems.empty()) problems = "the audit reports the ledger unhealthy";
    return problems;
}

Deal NewDeal(std::int64_t amount, std::int64_t deposit, int milestones) {
    Deal d;
    d.client = S().Register(av1::ROLE_CLIENT, "client");
    d.freelancer = S().Register(av1::ROLE_FREELANCER, "freelancer");
    d.contract =
        SignedContract(d.client, d.freelancer, std::vector<std::int64_t>(static_cast<std::size_t>(milestones), amount));
    d.milestone = d.contract.milestones(0).milestone_id();
    if (deposit > 0) Deposit(d.client, deposit);
    return d;
}

void FundAndSubmit(const Deal& d) {
    Ok(Fund(d.client, d.milestone, MoneyStack::NewKey()), "fund");
    WaitState(d.client, d.milestone, cv1::MILESTONE_STATE_FUNDED);
    Ok(Submit(d.freelancer, d.milestone), "submit");
}

}  // namespace marketplace::e2e
