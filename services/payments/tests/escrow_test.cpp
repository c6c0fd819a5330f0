// The escrow's decisions without a database: each transition, each refusal, and replays.
#include <catch2/catch.hpp>

#include <numeric>

#include "domain/amount.hpp"
#include "domain/escrow.hpp"
#include "domain/ledger_rules.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"

using namespace marketplace;
using namespace marketplace::payments;

namespace {

const std::string kMilestone = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
const std::string kClient = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a01";
const std::string kContract = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a02";
const std::string kFreelancer = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a03";
const std::string kDispute = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a04";
const std::string kOtherDispute = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a05";
const std::string kLeader = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a06";
const std::string kMemberA = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a07";
const std::string kMemberB = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a08";
const std::string kClan = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a09";
const std::string kReleaseOp = "escrow_release:" + kMilestone;
const std::string kRefundOp = "escrow_refund:" + kMilestone;
const std::string kSettleOp = "dispute_settlement:" + kMilestone;

const EscrowPolicy kPolicy{1000, 100'000'000};

Escrow Funded(std::int64_t amount = 10'000) {
    Escrow e;
    e.milestone_id = kMilestone;
    e.client_id = kClient;
    e.amount = amount;
    e.currency = "EUR";
    e.state = EscrowState::kFunded;
    return e;
}

Escrow In(EscrowState state, const std::string& operation_id) {
    Escrow e = Funded();
    e.state = state;
    e.settlement_operation_id = operation_id;
    return e;
}

Escrow HeldBy(const std::string& dispute) {
    Escrow e = Funded();
    e.dispute_id = dispute;
    return e;
}

EscrowLoaded Loaded(std::optional<Escrow> escrow) {
    EscrowLoaded loaded;
    loaded.escrow = std::move(escrow);
    return loaded;
}

command::Fund FundCommand(std::int64_t amount = 10'000, int attempt = 1) {
    return command::Fund{kMilestone, kClient, kContract, amount, "EUR", attempt};
}

command::Release ReleaseTo(const std::string& payee, std::int64_t amount = 10'000) {
    command::Release r;
    r.milestone_id = kMilestone;
    r.amount = amount;
    r.currency = "EUR";
    r.payees = {{payee, 10000}};
    r.operation_id = kReleaseOp;
    return r;
}

ClanSplitInput ClanSplit() {
    ClanSplitInput split;
    split.clan_id = kClan;
    split.leader_id = kLeader;
    split.split_mode = "bps";
    split.shares = {{kMemberA, 6000}, {kMemberB, 4000}};
    return split;
}

command::SettleDispute Settle(std::int64_t released, const std::string& dispute = kDispute) {
    command::SettleDispute s;
    s.milestone_id = kMilestone;
    s.dispute_id = dispute;
    s.outcome = released == 10'000 ? "release" : released == 0 ? "refund" : "split";
    s.escrow_amount = 10'000;
    s.escrow_currency = "EUR";
    s.released = released;
    s.released_currency = "EUR";
    s.payees = {{kFreelancer, 10000}};
    s.operation_id = kSettleOp;
    return s;
}

void RequireRefused(const EscrowDecision& d, const std::string& reason) {
    CHECK(d.outcome == EscrowOutcome::kRefused);
    CHECK(d.reason == reason);
    CHECK(d.effects.empty());
}

void RequireIgnored(const EscrowDecision& d, const std::optional<Escrow>& before) {
    CHECK(d.outcome == EscrowOutcome::kIgnored);
    CHECK(d.effects.empty());
    CHECK(d.escrow == before);
}

template <typename E>
const E& EffectAt(const EscrowDecision& d, std::size_t index) {
    REQUIRE(index < d.effects.size());
    const auto* e = std::get_if<E>(&d.effects[index]);
    REQUIRE(e != nullptr);
    return *e;
}

std::int64_t Sum(const std::vector<PayoutLeg>& legs) {
    return std::accumulate(legs.begin(), legs.end(), std::int64_t{0},
                           [](std::int64_t total, const PayoutLeg& leg) { return total + leg.amount; });
}

}  // namespace

TEST_CASE("Escrow states keep their stored names", "[payments][escrow]") {
    CHECK(EscrowStateName(EscrowState::kFunded) == "funded");
    CHECK(EscrowStateName(EscrowState::kReleased) == "released");
    CHECK(EscrowStateName(EscrowState::kRefunded) == "refunded");
    CHECK(EscrowStateName(EscrowState::kSplit) == "split");
    for (const auto state : kAllEscrowStates) CHECK(ParseEscrowState(EscrowStateName(state)) == state);
    CHECK_FALSE(ParseEscrowState("held").has_value());
    CHECK_FALSE(ParseEscrowState("").has_value());
}

TEST_CASE("Fund: the client's wallet pays a new escrow", "[payments][escrow]") {
    auto loaded = Loaded(std::nullopt);
    const auto wallet = FundingWallet(loaded, FundCommand(), kPolicy);
    REQUIRE(wallet.has_value());
    CHECK(wallet->kind == AccountKind::kWalletAvailable);
    CHECK(wallet->owner == kClient);
    CHECK(wallet->currency == "EUR");

    loaded.client_available = 10'000;
    const auto d = Decide(loaded, FundCommand(), kPolicy);
    CHECK(d.outcome == EscrowOutcome::kApplied);
    REQUIRE(d.escrow.has_value());
    CHECK(d.escrow->state == EscrowState::kFunded);
    CHECK(d.escrow->amount == 10'000);
    CHECK(d.escrow->client_id == kClient);
    REQUIRE(d.effects.size() == 3);
    CHECK(EffectAt<effect::OpenEscrow>(d, 0) == effect::OpenEscrow{kClient, kContract, 10'000, "EUR", 1});
    CHECK(EffectAt<effect::RecordFundingAnswer>(d, 1) == effect::RecordFundingAnswer{1, true, ""});
    CHECK(EffectAt<effect::AnnounceFunded>(d, 2) == effect::AnnounceFunded{10'000, "EUR", 1});
}

TEST_CASE("Fund: ids are compared in lower case", "[payments][escrow]") {
    auto fund = FundCommand();
    fund.client_id = "0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A01";
    const auto wallet = FundingWallet(Loaded(std::nullopt), fund, kPolicy);
    REQUIRE(wallet.has_value());
    CHECK(wallet->owner == kClient);
}

TEST_CASE("Fund: a short or missing wallet declines and moves nothing", "[payments][escrow]") {
    auto loaded = Loaded(std::nullopt);
    loaded.client_available = 9'999;
    auto d = Decide(loaded, FundCommand(), kPolicy);
    CHECK(d.outcome == EscrowOutcome::kDeclined);
    CHECK(d.reason == InsufficientFundsText(9'999, 10'000, "EUR"));
    CHECK_FALSE(d.escrow.has_value());
    REQUIRE(d.effects.size() == 2);
    CHECK(EffectAt<effect::RecordFundingAnswer>(d, 0) == effect::RecordFundingAnswer{1, false, d.reason});
    CHECK(EffectAt<effect::AnnounceFundingFailed>(d, 1) == effect::AnnounceFundingFailed{d.reason, 1});

    loaded.client_available.reset();  // no wallet at all
    d = Decide(loaded, FundCommand(), kPolicy);
    CHECK(d.outcome == EscrowOutcome::kDeclined);
    CHECK(d.reason == InsufficientFundsText(0, 10'000, "EUR"));
}

TEST_CASE("Fund: an invalid amount declines with the amount's error and reads no wallet", "[payments][escrow]") {
    std::string expected;
    try {
        ValidateAmount(0, "EUR", "amount", kPolicy.max_amount_minor);
    } catch (const core::InvalidArgument& invalid) {
        expected = invalid.caller_message();
    }
    REQUIRE_FALSE(expected.empty());
    auto loaded = Loaded(std::nullopt);
    CHECK_FALSE(FundingWallet(loaded, FundCommand(0), kPolicy).has_value());
    loaded.client_available = 1'000'000;
    const auto d = Decide(loaded, FundCommand(0), kPolicy);
    CHECK(d.outcome == EscrowOutcome::kDeclined);
    CHECK(d.reason == expected);
    CHECK(EffectAt<effect::AnnounceFundingFailed>(d, 1).reason == expected);

    const auto over = Decide(loaded, FundCommand(kPolicy.max_amount_minor + 1), kPolicy);
    CHECK(over.outcome == EscrowOutcome::kDeclined);
    CHECK(over.reason.find("the maximum amount") != std::string::npos);
}

TEST_CASE("Fund: replays answer again without moving money", "[payments][escrow]") {
    SECTION("a funded escrow answers EscrowFunded for any attempt") {
        auto loaded = Loaded(Funded(7'500));
        CHECK_FALSE(FundingWallet(loaded, FundCommand(10'000, 2), kPolicy).has_value());
        const auto d = Decide(loaded, FundCommand(10'000, 2), kPolicy);
        CHECK(d.outcome == EscrowOutcome::kAlreadyDone);
        CHECK(d.escrow == loaded.escrow);
        REQUIRE(d.effects.size() == 2);
        CHECK(EffectAt<effect::RecordFundingAnswer>(d, 0) == effect::RecordFundingAnswer{2, true, ""});
        CHECK(EffectAt<effect::AnnounceFunded>(d, 1) == effect::AnnounceFunded{7'500, "EUR", 2});
    }
    SECTION("an attempt answered with a failure gets the same answer") {
        auto loaded = Loaded(std::nullopt);
        loaded.prior_answer = PriorFundingAnswer{false, "insufficient funds: before"};
        CHECK_FALSE(FundingWallet(loaded, FundCommand(), kPolicy).has_value());
        loaded.client_available = 1'000'000;  // money arrived since: the attempt's answer stays
        const auto d = Decide(loaded, FundCommand(), kPolicy);
        CHECK(d.outcome == EscrowOutcome::kAlreadyDone);
        REQUIRE(d.effects.size() == 1);
        CHECK(EffectAt<effect::AnnounceFundingFailed>(d, 0) ==
              effect::AnnounceFundingFailed{"insufficient funds: before", 1});
    }
    SECTION("a settled escrow declines every new attempt") {
        for (const auto state : {EscrowState::kReleased, EscrowState::kRefunded, EscrowState::kSplit}) {
            const auto d = Decide(Loaded(In(state, kReleaseOp)), FundCommand(), kPolicy);
            CHECK(d.outcome == EscrowOutcome::kDeclined);
            CHECK(d.reason == "the milestone's escrow was already " + std::string(EscrowStateName(state)));
            REQUIRE(d.effects.size() == 2);
            CHECK(EffectAt<effect::RecordFundingAnswer>(d, 0).funded == false);
            CHECK(d.escrow->state == state);
        }
    }
}

TEST_CASE("Fund: an event naming no valid client or contract is refused", "[payments][escrow]") {
    auto fund = FundCommand();
    fund.client_id = "not-a-uuid";
    CHECK_FALSE(FundingWallet(Loaded(std::nullopt), fund, kPolicy).has_value());
    RequireRefused(Decide(Loaded(std::nullopt), fund, kPolicy),
                   "MilestoneFundingRequested.client_id: must be a UUID, got 'not-a-uuid'");
    fund = FundCommand();
    fund.contract_id = std::string(100, 'x');
    RequireRefused(Decide(Loaded(std::nullopt), fund, kPolicy),
                   "MilestoneFundingRequested.contract_id: must be a UUID, got '" + std::string(64, 'x') + "'");
}

TEST_CASE("Release: the fee and the payee in one operation", "[payments][escrow]") {
    const auto d = Decide(Loaded(Funded()), ReleaseTo(kFreelancer), kPolicy);
    CHECK(d.outcome == EscrowOutcome::kApplied);
    REQUIRE(d.escrow.has_value());
    CHECK(d.escrow->state == EscrowState::kReleased);
    CHECK(d.escrow->settlement_operation_id == kReleaseOp);
    REQUIRE(d.effects.size() == 2);
    const auto& payout = EffectAt<effect::PayOut>(d, 0);
    CHECK(payout.operation_id == kReleaseOp);
    CHECK(payout.settled_as == EscrowState::kReleased);
    CHECK(payout.legs == std::vector<PayoutLeg>{{LegTo::kPlatformFee, "", 1'000, "platform_fee"},
                                                {LegTo::kWallet, kFreelancer, 9'000, "payee"}});
    CHECK(EffectAt<effect::AnnounceReleased>(d, 1) == effect::AnnounceReleased{kReleaseOp, {}});
}

TEST_CASE("Release: payees' ids are normalised and a zero part has no leg", "[payments][escrow]") {
    auto release = ReleaseTo("0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A03", 10);
    release.payees = {{"0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A03", 9999}, {kClient, 1}};
    const auto d = Decide(Loaded(Funded(10)), release, kPolicy);
    REQUIRE(d.outcome == EscrowOutcome::kApplied);
    const auto& payout = EffectAt<effect::PayOut>(d, 0);
    CHECK(payout.legs == std::vector<PayoutLeg>{{LegTo::kPlatformFee, "", 1, "platform_fee"},
                                                {LegTo::kWallet, kFreelancer, 9, "payee"}});
    CHECK(Sum(payout.legs) == 10);
}

TEST_CASE("Release: a clan's plan pays the fee, the commission and the members", "[payments][escrow]") {
    auto release = ReleaseTo(kFreelancer);
    release.payees.clear();
    release.clan_split = ClanSplit();
    const auto d = Decide(Loaded(Funded()), release, kPolicy);
    REQUIRE(d.outcome == EscrowOutcome::kApplied);
    const auto& payout = EffectAt<effect::PayOut>(d, 0);
    CHECK(payout.legs == std::vector<PayoutLeg>{{LegTo::kPlatformFee, "", 1'000, "platform_fee"},
                                                {LegTo::kWallet, kLeader, 300, "leader_commission"},
                                                {LegTo::kWallet, kMemberA, 5'220, "member_share"},
                                                {LegTo::kWallet, kMemberB, 3'480, "member_share"}});
    CHECK(EffectAt<effect::AnnounceReleased>(d, 1) ==
          effect::AnnounceReleased{kReleaseOp, {"leader_commission", "member_share", "member_share"}});

    SECTION("a replay names the legs by the same plan") {
        const auto replay = Decide(Loaded(In(EscrowState::kReleased, kReleaseOp)), release, kPolicy);
        CHECK(replay.outcome == EscrowOutcome::kAlreadyDone);
        REQUIRE(replay.effects.size() == 1);
        CHECK(EffectAt<effect::AnnounceReleased>(replay, 0) ==
              effect::AnnounceReleased{kReleaseOp, {"leader_commission", "member_share", "member_share"}});
    }
    SECTION("a plan that can never apply is refused") {
        release.clan_split->clan_id = "clan";
        const auto refused = Decide(Loaded(Funded()), release, kPolicy);
        CHECK(refused.outcome == EscrowOutcome::kRefused);
        CHECK(refused.reason.rfind("MilestoneAccepted for milestone " + kMilestone + ": clan_split: ", 0) == 0);
        CHECK(refused.reason.find("clan_id") != std::string::npos);
        CHECK(refused.effects.empty());
        release.clan_split->clan_id = kClan;
        release.clan_split->split_mode = "percent";
        RequireRefused(Decide(Loaded(Funded()), release, kPolicy), Decide(Loaded(Funded()), release, kPolicy).reason);
        CHECK(Decide(Loaded(Funded()), release, kPolicy).reason.find("split_mode") != std::string::npos);
    }
}

TEST_CASE("Release: a replay answers again from the settled operation", "[payments][escrow]") {
    const auto loaded = Loaded(In(EscrowState::kReleased, "escrow_release:earlier"));
    const auto d = Decide(loaded, ReleaseTo(kFreelancer), kPolicy);
    CHECK(d.outcome == EscrowOutcome::kAlreadyDone);
    CHECK(d.escrow == loaded.escrow);
    REQUIRE(d.effects.size() == 1);
    CHECK(EffectAt<effect::AnnounceReleased>(d, 0) == effect::AnnounceReleased{"escrow_release:earlier", {}});
}

TEST_CASE("Release: refusals", "[payments][escrow]") {
    const std::string where = "MilestoneAccepted for milestone " + kMilestone;
    RequireRefused(Decide(Loaded(std::nullopt), ReleaseTo(kFreelancer), kPolicy), where + ": no escrow was funded");
    RequireRefused(Decide(Loaded(In(EscrowState::kRefunded, kRefundOp)), ReleaseTo(kFreelancer), kPolicy),
                   where + ": the escrow was refunded");
    RequireRefused(Decide(Loaded(In(EscrowState::kSplit, kSettleOp)), ReleaseTo(kFreelancer), kPolicy),
                   where + ": the escrow was split");
    RequireRefused(Decide(Loaded(HeldBy(kDispute)), ReleaseTo(kFreelancer), kPolicy),
                   where + ": the escrow is locked by dispute " + kDispute);
    RequireRefused(Decide(Loaded(Funded()), ReleaseTo(kFreelancer, 9'999), kPolicy),
                   where + ": amount 9999 EUR differs from the escrow's 10000 EUR");
    auto dollars = ReleaseTo(kFreelancer);
    dollars.currency = "USD";
    RequireRefused(Decide(Loaded(Funded()), dollars, kPolicy),
                   where + ": amount 10000 USD differs from the escrow's 10000 EUR");
    auto half = ReleaseTo(kFreelancer);
    half.payees = {{kFreelancer, 5000}};
    const auto d = Decide(Loaded(Funded()), half, kPolicy);
    CHECK(d.outcome == EscrowOutcome::kRefused);
    CHECK(d.reason.rfind(where + ": payees", 0) == 0);
    CHECK(d.effects.empty());
}

TEST_CASE("Refund: the whole escrow goes back to the client", "[payments][escrow]") {
    for (const bool flag : {true, false}) {  // the escrow holds the money: it goes back whatever the flag says
        const auto d = Decide(Loaded(Funded()), command::Refund{kMilestone, flag, kRefundOp}, kPolicy);
        CHECK(d.outcome == EscrowOutcome::kApplied);
        CHECK(d.escrow->state == EscrowState::kRefunded);
        CHECK(d.escrow->settlement_operation_id == kRefundOp);
        REQUIRE(d.effects.size() == 2);
        CHECK(EffectAt<effect::PayOut>(d, 0) ==
              effect::PayOut{kRefundOp, {{LegTo::kWallet, kClient, 10'000, "refund"}}, EscrowState::kRefunded});
        CHECK(std::holds_alternative<effect::AnnounceRefunded>(d.effects[1]));
    }
}

TEST_CASE("Refund: replays, unfunded milestones and refusals", "[payments][escrow]") {
    const std::string where = "MilestoneCancelled for milestone " + kMilestone;
    const command::Refund refund{kMilestone, true, kRefundOp};
    const command::Refund no_refund{kMilestone, false, kRefundOp};

    const auto replay = Decide(Loaded(In(EscrowState::kRefunded, kRefundOp)), refund, kPolicy);
    CHECK(replay.outcome == EscrowOutcome::kAlreadyDone);
    REQUIRE(replay.effects.size() == 1);
    CHECK(std::holds_alternative<effect::AnnounceRefunded>(replay.effects[0]));

    RequireIgnored(Decide(Loaded(std::nullopt), no_refund, kPolicy), std::nullopt);
    RequireRefused(Decide(Loaded(std::nullopt), refund, kPolicy), where + ": no escrow to refund");

    const auto released = In(EscrowState::kReleased, kReleaseOp);
    RequireIgnored(Decide(Loaded(released), no_refund, kPolicy), released);
    RequireRefused(Decide(Loaded(released), refund, kPolicy), where + ": the escrow was released");

    const auto split = In(EscrowState::kSplit, kSettleOp);
    RequireIgnored(Decide(Loaded(split), no_refund, kPolicy), split);
    RequireRefused(Decide(Loaded(split), refund, kPolicy), where + ": a dispute settled it");

    RequireRefused(Decide(Loaded(HeldBy(kDispute)), refund, kPolicy),
                   where + ": the escrow is locked by dispute " + kDispute);
    RequireRefused(Decide(Loaded(HeldBy(kDispute)), no_refund, kPolicy),
                   where + ": the escrow is locked by dispute " + kDispute);
}

TEST_CASE("LockForDispute and UnlockFromDispute", "[payments][escrow]") {
    const command::LockForDispute lock{kMilestone, kDispute, R"({"clanId":"x"})"};
    auto d = Decide(Loaded(Funded()), lock, kPolicy);
    CHECK(d.outcome == EscrowOutcome::kApplied);
    CHECK(d.escrow->dispute_id == kDispute);
    CHECK(d.escrow->has_clan_split);
    CHECK(d.escrow->state == EscrowState::kFunded);
    REQUIRE(d.effects.size() == 1);
    CHECK(EffectAt<effect::SetDisputeHold>(d, 0) == effect::SetDisputeHold{kDispute, R"({"clanId":"x"})"});

    // A replay holds it again for the same dispute: the same row.
    const auto again = Decide(Loaded(d.escrow), lock, kPolicy);
    CHECK(again.escrow->dispute_id == kDispute);
    CHECK(again.effects == d.effects);

    RequireRefused(Decide(Loaded(std::nullopt), lock, kPolicy),
                   "MilestoneDisputed for milestone " + kMilestone + ": no escrow was funded");
    for (const auto state : {EscrowState::kReleased, EscrowState::kRefunded, EscrowState::kSplit}) {
        const auto settled = In(state, kSettleOp);  // a resolution overtook the event
        RequireIgnored(Decide(Loaded(settled), lock, kPolicy), settled);
    }

    d = Decide(Loaded(HeldBy(kDispute)), command::UnlockFromDispute{kDispute}, kPolicy);
    CHECK(d.outcome == EscrowOutcome::kApplied);
    CHECK(d.escrow->dispute_id.empty());
    CHECK_FALSE(d.escrow->has_clan_split);
    REQUIRE(d.effects.size() == 1);
    CHECK(EffectAt<effect::SetDisputeHold>(d, 0) == effect::SetDisputeHold{"", ""});

    RequireIgnored(Decide(Loaded(HeldBy(kOtherDispute)), command::UnlockFromDispute{kDispute}, kPolicy),
                   HeldBy(kOtherDispute));
    RequireIgnored(Decide(Loaded(Funded()), command::UnlockFromDispute{kDispute}, kPolicy), Funded());
    RequireIgnored(Decide(Loaded(std::nullopt), command::UnlockFromDispute{kDispute}, kPolicy), std::nullopt);
}

TEST_CASE("SettleDispute: released, refunded or split in one operation", "[payments][escrow]") {
    SECTION("a split: fee on the released part, the payee, the rest back to the client") {
        const auto d = Decide(Loaded(HeldBy(kDispute)), Settle(6'000), kPolicy);
        CHECK(d.outcome == EscrowOutcome::kApplied);
        CHECK(d.escrow->state == EscrowState::kSplit);
        CHECK(d.escrow->settlement_operation_id == kSettleOp);
        const auto& payout = EffectAt<effect::PayOut>(d, 0);
        CHECK(payout.settled_as == EscrowState::kSplit);
        CHECK(payout.legs == std::vector<PayoutLeg>{{LegTo::kPlatformFee, "", 600, "platform_fee"},
                                                    {LegTo::kWallet, kFreelancer, 5'400, "payee"},
                                                    {LegTo::kWallet, kClient, 4'000, "refund"}});
        CHECK(EffectAt<effect::AnnounceSettled>(d, 1) == effect::AnnounceSettled{kDispute, "split", 6'000, {}});
    }
    SECTION("everything released") {
        const auto d = Decide(Loaded(HeldBy(kDispute)), Settle(10'000), kPolicy);
        CHECK(d.escrow->state == EscrowState::kReleased);
        CHECK(EffectAt<effect::PayOut>(d, 0).legs ==
              std::vector<PayoutLeg>{{LegTo::kPlatformFee, "", 1'000, "platform_fee"},
                                     {LegTo::kWallet, kFreelancer, 9'000, "payee"}});
    }
    SECTION("nothing released") {
        const auto d = Decide(Loaded(HeldBy(kDispute)), Settle(0), kPolicy);
        CHECK(d.escrow->state == EscrowState::kRefunded);
        CHECK(EffectAt<effect::PayOut>(d, 0).legs ==
              std::vector<PayoutLeg>{{LegTo::kWallet, kClient, 10'000, "refund"}});
    }
    SECTION("an escrow never held (the hold came late) settles too") {
        const auto d = Decide(Loaded(Funded()), Settle(6'000), kPolicy);
        CHECK(d.outcome == EscrowOutcome::kApplied);
    }
}

TEST_CASE("SettleDispute: a clan's escrow is divided by the stored plan", "[payments][escrow]") {
    Escrow held = HeldBy(kDispute);
    held.has_clan_split = true;
    held.clan_split = ClanSplit();
    const auto d = Decide(Loaded(held), Settle(5'000), kPolicy);
    REQUIRE(d.outcome == EscrowOutcome::kApplied);
    const auto& payout = EffectAt<effect::PayOut>(d, 0);
    CHECK(payout.legs == std::vector<PayoutLeg>{{LegTo::kPlatformFee, "", 500, "platform_fee"},
                                                {LegTo::kWallet, kLeader, 150, "leader_commission"},
                                                {LegTo::kWallet, kMemberA, 2'610, "member_share"},
                                                {LegTo::kWallet, kMemberB, 1'740, "member_share"},
                                                {LegTo::kWallet, kClient, 5'000, "refund"}});
    CHECK(Sum(payout.legs) == 10'000);
    CHECK(EffectAt<effect::AnnounceSettled>(d, 1).kinds ==
          std::vector<std::string>{"leader_commission", "member_share", "member_share"});

    const std::string where = "DisputeResolved " + kDispute + " for milestone " + kMilestone;
    RequireRefused(Decide(Loaded(held), Settle(10'001), kPolicy), where + ": released must be within 0..10000");
    held.clan_split.reset();  // stored but unreadable
    RequireRefused(Decide(Loaded(held), Settle(5'000), kPolicy), where + ": the stored clan split does not parse");
    // Nothing released: the plan is not read at all.
    CHECK(Decide(Loaded(held), Settle(0), kPolicy).outcome == EscrowOutcome::kApplied);
}

TEST_CASE("SettleDispute: replays and refusals", "[payments][escrow]") {
    const std::string where = "DisputeResolved " + kDispute + " for milestone " + kMilestone;
    const auto settled = In(EscrowState::kSplit, kSettleOp);
    const auto replay = Decide(Loaded(settled), Settle(6'000), kPolicy);
    CHECK(replay.outcome == EscrowOutcome::kAlreadyDone);
    CHECK(replay.escrow == settled);
    REQUIRE(replay.effects.size() == 1);
    CHECK(EffectAt<effect::AnnounceSettled>(replay, 0) == effect::AnnounceSettled{kDispute, "split", 6'000, {}});

    RequireRefused(Decide(Loaded(std::nullopt), Settle(6'000), kPolicy), where + ": no escrow was funded");
    RequireRefused(Decide(Loaded(In(EscrowState::kReleased, kReleaseOp)), Settle(6'000), kPolicy),
                   where + ": the escrow was already released");
    RequireRefused(Decide(Loaded(HeldBy(kOtherDispute)), Settle(6'000), kPolicy),
                   where + ": the escrow is locked by another dispute, " + kOtherDispute);
    auto wrong = Settle(6'000);
    wrong.escrow_amount = 9'000;
    RequireRefused(Decide(Loaded(HeldBy(kDispute)), wrong, kPolicy),
                   where + ": escrow 9000 EUR differs from the escrow's 10000 EUR");
    wrong = Settle(6'000);
    wrong.released_currency = "USD";
    RequireRefused(Decide(Loaded(HeldBy(kDispute)), wrong, kPolicy),
                   where + ": escrow 10000 EUR differs from the escrow's 10000 EUR");
    const auto too_much = Decide(Loaded(HeldBy(kDispute)), Settle(10'001), kPolicy);
    CHECK(too_much.outcome == EscrowOutcome::kRefused);
    CHECK(too_much.reason.rfind(where + ": released", 0) == 0);
    CHECK(too_much.effects.empty());
}
