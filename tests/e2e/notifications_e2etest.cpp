// The notification feed end to end: after the fixed-price story (contract, fund, submit, accept,
// release, payout), with every service a separate process, the notifications service has told the
// client and the freelancer what concerns each of them, each thing exactly once, and the feed
// replays it in sequence order.
#include <catch2/catch.hpp>

#include <algorithm>

#include "marketplace/testing/wait.hpp"
#include "story.hpp"

using namespace marketplace;
using namespace std::chrono_literals;
using namespace e2e;
namespace cv1 = marketplace::contracts::v1;
namespace nv1 = marketplace::notifications::v1;
namespace pv1 = marketplace::payments::v1;

namespace {

/// The user's notifications, oldest first.
std::vector<nv1::Notification> Inbox(const User& user) {
    nv1::ListNotificationsRequest request;
    request.set_page_size(100);
    nv1::ListNotificationsResponse response;
    Ok(S().notifications().ListNotifications(MoneyStack::Context(user).get(), request, &response),
       "list notifications");
    std::vector<nv1::Notification> out(response.notifications().begin(), response.notifications().end());
    std::reverse(out.begin(), out.end());
    return out;
}

std::vector<std::string> SortedKinds(const std::vector<nv1::Notification>& inbox) {
    std::vector<std::string> kinds;
    for (const auto& n : inbox) kinds.push_back(n.kind());
    std::sort(kinds.begin(), kinds.end());
    return kinds;
}

/// Waits until the user's inbox holds `expected` kinds (sorted); returns the inbox.
std::vector<nv1::Notification> WaitForKinds(const User& user, std::vector<std::string> expected) {
    std::sort(expected.begin(), expected.end());
    std::vector<nv1::Notification> inbox;
    testing::WaitUntil(
        [&] {
            inbox = Inbox(user);
            return SortedKinds(inbox).size() >= expected.size();
        },
        30s, 100ms);
    return inbox;
}

}  // namespace

TEST_CASE("E2E notifications: after the fixed-price story each party is told what concerns them, once",
          "[e2e][notifications]") {
    auto d = NewDeal(150000, 200000);
    FundAndSubmit(d);
    Ok(Accept(d.client, d.milestone), "accept");
    WaitState(d.client, d.milestone, cv1::MILESTONE_STATE_PAID);
    pv1::CreatePayoutRequest payout;
    *payout.mutable_amount() = Eur(100000);
    pv1::CreatePayoutResponse paid_out;
    Ok(S().payments().CreatePayout(MoneyStack::Context(d.freelancer, MoneyStack::NewKey()).get(), payout, &paid_out),
       "payout");

    const std::vector<std::string> client_kinds{"contract.created", "milestone.submitted"};
    const std::vector<std::string> freelancer_kinds{"contract.created", "milestone.funded", "milestone.accepted",
                                                    "escrow.released", "payout.completed"};
    const auto client = WaitForKinds(d.client, client_kinds);
    const auto freelancer = WaitForKinds(d.freelancer, freelancer_kinds);
    INFO(S().Logs());
    auto sorted = [](std::vector<std::string> v) {
        std::sort(v.begin(), v.end());
        return v;
    };
    CHECK(SortedKinds(client) == sorted(client_kinds));
    CHECK(SortedKinds(freelancer) == sorted(freelancer_kinds));

    // Sequences 1..n without gaps; the contract's notification first (a milestone's notice that
    // arrives before its contract waits for it); each about this deal.
    for (const auto* inbox : {&client, &freelancer}) {
        REQUIRE_FALSE(inbox->empty());
        CHECK(inbox->front().kind() == "contract.created");
        for (std::size_t i = 0; i < inbox->size(); ++i) {
            const auto& n = (*inbox)[i];
            CHECK(n.sequence() == static_cast<std::int64_t>(i + 1));
            if (n.kind() == "payout.completed") continue;  // about the wallet, not the contract
            CHECK(n.contract_id() == d.contract.contract_id());
            if (n.kind() != "contract.created") CHECK(n.milestone_id() == d.milestone);
        }
    }
    for (const auto& n : freelancer) {
        if (n.kind() == "escrow.released") CHECK(n.title() == "Payment released: 1350.00 EUR is in your wallet");
        if (n.kind() == "payout.completed") CHECK(n.title() == "Payout sent: 1000.00 EUR is on its way to your bank");
        if (n.kind() == "milestone.funded") {
            CHECK(n.title() == "Milestone funded: 1500.00 EUR is in escrow, you can start");
        }
    }

    // The feed replays the same notifications, in sequence order, from the service process.
    auto ctx = MoneyStack::Context(d.freelancer);
    nv1::StreamNotificationsRequest request;
    request.set_after_sequence(-1);
    auto reader = S().notifications().StreamNotifications(ctx.get(), request);
    for (const auto& expected : freelancer) {
        nv1::Notification n;
        REQUIRE(reader->Read(&n));
        CHECK(n.notification_id() == expected.notification_id());
        CHECK(n.sequence() == expected.sequence());
    }
    ctx->TryCancel();
    reader->Finish();

    // Marking one read sets its read_at and adds nothing; nothing arrived twice meanwhile.
    nv1::MarkNotificationReadRequest mark;
    mark.set_notification_id(freelancer.back().notification_id());
    nv1::MarkNotificationReadResponse marked;
    Ok(S().notifications().MarkNotificationRead(MoneyStack::Context(d.freelancer).get(), mark, &marked), "mark read");
    CHECK(marked.notification().has_read_at());
    CHECK(Inbox(d.freelancer).size() == freelancer.size());
}
