// make demo: the fixed-price story on the local stack, as a client and a freelancer live it.
// Starts auth, jobs, contracts and payments as processes, drives them over gRPC, prints every step
// and the events each step caused, ends with the balances and the ledger audit, and stops them.
#include <cstdio>
#include <set>
#include <thread>

#include "marketplace/core/money.hpp"
#include "marketplace/testing/broker_control.hpp"
#include "marketplace/testing/event_probe.hpp"
#include "story.hpp"

using namespace marketplace;
using namespace marketplace::e2e;
using namespace std::chrono_literals;
namespace av1 = marketplace::auth::v1;
namespace cv1 = marketplace::contracts::v1;
namespace jv1 = marketplace::jobs::v1;
namespace pv1 = marketplace::payments::v1;

namespace {

std::unique_ptr<testing::EventProbe> g_probe;
std::size_t g_seen = 0;

std::string Shown(std::int64_t minor) { return core::Money(minor, core::Currency::Parse("EUR")).ToString(); }

void Step(int n, const std::string& text) {
    std::printf("\n%2d. %s\n", n, text.c_str());
    std::fflush(stdout);
}

/// Prints the events published since the last call (waiting a moment for the saga to move).
void Events(std::chrono::milliseconds settle = 700ms) {
    g_probe->Drain(settle);
    const auto& events = g_probe->events();
    for (; g_seen < events.size(); ++g_seen) {
        const auto& e = events[g_seen];
        std::printf("      event  %-52s key %s\n", e.headers.count("ce_type") ? e.headers.at("ce_type").c_str() : "?",
                    e.key.c_str());
    }
}

void Balances(const char* who, const User& user) {
    const auto b = Balance(user);
    std::printf("      %-10s available %-14s in escrow %-14s pending payouts %s\n", who,
                Shown(b.available().minor_units()).c_str(), Shown(b.in_escrow().minor_units()).c_str(),
                Shown(b.pending_payouts().minor_units()).c_str());
}

}  // namespace

int main() {
    try {
        std::printf("Marketplace demo: a fixed-price contract from posting to payout.\n");
        Step(1, "Starting auth, jobs, contracts and payments on the local stack");
        auto& stack = S();
        std::vector<std::string> topics;
        for (const char* service : {"jobs", "contracts", "payments", "auth"}) {
            topics.push_back(stack.topic_prefix() + service + ".events.v1");
        }
        g_probe = std::make_unique<testing::EventProbe>(testing::BrokerControl::Bootstrap(), topics);

        Step(2, "Registering a client (Ada) and a freelancer (Linus)");
        const User client = stack.Register(av1::ROLE_CLIENT, "ada");
        const User freelancer = stack.Register(av1::ROLE_FREELANCER, "linus");
        std::printf("      client %s, freelancer %s\n", client.id.c_str(), freelancer.id.c_str());
        Events();

        Step(
            3,
            "Ada posts a job from the SaaS MVP template; Linus proposes two milestones (1,200 + 800 EUR); Ada accepts");
        const auto contract = SignedContract(client, freelancer, {120000, 80000});
        Events();
        std::printf("      contract %s with %d milestones; statement of work signed by both (hash %s...)\n",
                    contract.contract_id().c_str(), contract.milestones_size(),
                    contract.statement_of_work_hash().substr(0, 12).c_str());
        const auto first = contract.milestones(0).milestone_id();

        Step(4, "Ada deposits 1,500.00 EUR by card (the sandbox provider confirms through the signed webhook)");
        Deposit(client, 150000);
        Events();
        Balances("Ada", client);

        Step(5, "Ada funds milestone 1: contracts asks, payments moves 1,200.00 EUR into escrow");
        Ok(Fund(client, first, MoneyStack::NewKey()), "fund");
        WaitState(client, first, cv1::MILESTONE_STATE_FUNDED);
        Events();
        Balances("Ada", client);

        Step(6, "Linus submits the deliverable; Ada accepts it");
        Ok(Submit(freelancer, first), "submit");
        WaitState(client, first, cv1::MILESTONE_STATE_SUBMITTED);
        Ok(Accept(client, first), "accept");
        WaitState(client, first, cv1::MILESTONE_STATE_PAID);
        Events();
        std::printf("      milestone 1 is paid: 10%% platform fee, the rest to Linus\n");
        Balances("Ada", client);
        Balances("Linus", freelancer);

        Step(7, "Linus withdraws 1,000.00 EUR to his bank (the sandbox provider posts the payout)");
        pv1::CreatePayoutRequest payout;
        *payout.mutable_amount() = Eur(100000);
        pv1::CreatePayoutResponse out;
        Ok(stack.payments().CreatePayout(MoneyStack::Context(freelancer, MoneyStack::NewKey()).get(), payout, &out),
           "payout");
        std::this_thread::sleep_for(1500ms);
        Events();
        Balances("Linus", freelancer);

        Step(8, "The admin's ledger audit");
        const auto problems = LedgerViolations();
        std::printf("      %s\n", problems.empty() ? "every invariant holds: balances sum to zero per currency, no "
                                                     "guarded account negative, settled escrows are zero"
                                                   : problems.c_str());
        std::printf("\nDemo finished; stopping the services.\n");
        g_probe.reset();
        return problems.empty() ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "\ndemo failed: %s\n", e.what());
        return 1;
    }
}
