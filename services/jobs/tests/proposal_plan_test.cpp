// Proposal milestone plans: sums, currencies, counts, due dates and limits; proposal states.
#include <catch2/catch.hpp>

#include <chrono>
#include <limits>

#include "check_errors.hpp"
#include "domain/proposal.hpp"
#include "marketplace/core/errors.hpp"

using namespace marketplace;
using namespace marketplace::jobs;
using namespace std::chrono_literals;
using marketplace::jobs::testing::InvalidField;
using marketplace::jobs::testing::InvalidMessage;

namespace {

const core::Currency kEur = core::Currency::Parse("EUR");
// A fixed "now": 2030-01-01T00:00:00Z.
const core::Clock::TimePoint kNow = core::Clock::TimePoint(std::chrono::seconds(1'893'456'000));

TimestampInput At(core::Clock::TimePoint t) {
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
    return TimestampInput{true, micros / 1'000'000, static_cast<std::int32_t>((micros % 1'000'000) * 1000)};
}

MilestoneInput Milestone(std::int64_t amount, core::Clock::TimePoint due) {
    MilestoneInput m;
    m.title = "Milestone";
    m.description = "Does a thing.";
    m.amount = MoneyInput::Of(amount, "EUR");
    m.due_date = At(due);
    m.definition_of_done = {"Tests pass", "Deployed to staging"};
    return m;
}

ProposalInput ValidInput() {
    ProposalInput in;
    in.cover_letter = "I have built three of these.";
    in.milestones = {Milestone(50'000, kNow + 24h * 7), Milestone(100'000, kNow + 24h * 14)};
    in.total = MoneyInput::Of(150'000, "EUR");
    in.delivery_days = 20;
    return in;
}

template <typename Mutate>
std::string FieldAfter(Mutate&& mutate) {
    auto in = ValidInput();
    mutate(in);
    return InvalidField([&] { ValidateProposal(in, kEur, kNow); });
}

}  // namespace

TEST_CASE("Proposals: a plan whose positive amounts sum to the total is accepted", "[jobs][domain]") {
    const auto plan = ValidateProposal(ValidInput(), kEur, kNow);
    REQUIRE(plan.milestones.size() == 2);
    CHECK(plan.total == core::Money(150'000, kEur));
    CHECK(plan.milestones[1].amount == core::Money(100'000, kEur));
    CHECK(plan.milestones[0].due_date == kNow + 24h * 7);
    CHECK(plan.milestones[0].definition_of_done == std::vector<std::string>{"Tests pass", "Deployed to staging"});
    CHECK(plan.delivery_days == 20);
}

TEST_CASE("Proposals: a total that is not the sum of the milestones names the total and the sum", "[jobs][domain]") {
    auto in = ValidInput();
    in.total.minor_units = 150'001;
    CHECK(InvalidField([&] { ValidateProposal(in, kEur, kNow); }) == "total");
    CHECK_THAT(InvalidMessage([&] { ValidateProposal(in, kEur, kNow); }),
               Catch::Contains("must equal the sum of the milestone amounts (1500.00 EUR)"));
    CHECK(FieldAfter([](ProposalInput& p) { p.total = {}; }) == "total");
    CHECK(FieldAfter([](ProposalInput& p) { p.total.currency = "USD"; }) == "total");
}

TEST_CASE("Proposals: each amount must be positive and in the job's currency, named by its index", "[jobs][domain]") {
    CHECK(FieldAfter([](ProposalInput& p) { p.milestones[1].amount.minor_units = 0; }) == "milestones[1].amount");
    CHECK(FieldAfter([](ProposalInput& p) { p.milestones[1].amount.minor_units = -100'000; }) ==
          "milestones[1].amount");
    CHECK(FieldAfter([](ProposalInput& p) { p.milestones[0].amount = {}; }) == "milestones[0].amount");
    CHECK(FieldAfter([](ProposalInput& p) { p.milestones[1].amount.currency = "USD"; }) == "milestones[1].amount");
    CHECK(FieldAfter([](ProposalInput& p) { p.milestones[0].amount.currency = "EURO"; }) ==
          "milestones[0].amount.currency");
    auto usd = ValidInput();
    usd.milestones[0].amount.currency = "USD";
    CHECK_THAT(InvalidMessage([&] { ValidateProposal(usd, kEur, kNow); }),
               Catch::Contains("must be in EUR, the job's currency"));
}

TEST_CASE("Proposals: amounts whose sum overflows int64 are refused", "[jobs][domain]") {
    auto in = ValidInput();
    const auto big = std::numeric_limits<std::int64_t>::max() / 2 + 1;
    in.milestones[0].amount.minor_units = big;
    in.milestones[1].amount.minor_units = big;
    in.total.minor_units = std::numeric_limits<std::int64_t>::max();
    CHECK(InvalidField([&] { ValidateProposal(in, kEur, kNow); }) == "milestones[1].amount");
}

TEST_CASE("Proposals: a plan has 1 to 20 milestones", "[jobs][domain]") {
    CHECK(FieldAfter([](ProposalInput& p) { p.milestones.clear(); }) == "milestones");
    auto twenty = ValidInput();
    twenty.milestones.assign(20, Milestone(1'000, kNow + 24h));
    twenty.total.minor_units = 20'000;
    CHECK_NOTHROW(ValidateProposal(twenty, kEur, kNow));
    twenty.milestones.push_back(Milestone(1'000, kNow + 24h));
    twenty.total.minor_units = 21'000;
    CHECK(InvalidField([&] { ValidateProposal(twenty, kEur, kNow); }) == "milestones");
}

TEST_CASE("Proposals: due dates are in the future, in order, and within the delivery days", "[jobs][domain]") {
    CHECK(FieldAfter([](ProposalInput& p) { p.milestones[0].due_date = {}; }) == "milestones[0].due_date");
    CHECK(FieldAfter([](ProposalInput& p) { p.milestones[0].due_date = At(kNow - 1h); }) == "milestones[0].due_date");
    CHECK(FieldAfter([](ProposalInput& p) { p.milestones[0].due_date = At(kNow); }) == "milestones[0].due_date");
    CHECK(FieldAfter([](ProposalInput& p) { p.milestones[1].due_date = At(kNow + 24h * 6); }) ==
          "milestones[1].due_date");
    CHECK(FieldAfter([](ProposalInput& p) { p.milestones[1].due_date = At(kNow + 24h * 21); }) ==
          "milestones[1].due_date");
    CHECK(FieldAfter([](ProposalInput& p) { p.milestones[1].due_date = At(kNow + 24h * 20); }) == "<no error>");
    CHECK(FieldAfter([](ProposalInput& p) { p.milestones[1].due_date.nanos = 1'000'000'000; }) ==
          "milestones[1].due_date");
    CHECK(FieldAfter([](ProposalInput& p) { p.milestones[1].due_date.seconds = 300'000'000'000; }) ==
          "milestones[1].due_date");
}

TEST_CASE("Proposals: delivery days, cover letter and definitions of done have explicit limits", "[jobs][domain]") {
    CHECK(FieldAfter([](ProposalInput& p) { p.delivery_days = 0; }) == "delivery_days");
    CHECK(FieldAfter([](ProposalInput& p) { p.delivery_days = 3651; }) == "delivery_days");
    CHECK(FieldAfter([](ProposalInput& p) { p.cover_letter = " \n "; }) == "cover_letter");
    CHECK(FieldAfter([](ProposalInput& p) { p.cover_letter = std::string(10'001, 'x'); }) == "cover_letter");
    CHECK(FieldAfter([](ProposalInput& p) { p.milestones[1].title = ""; }) == "milestones[1].title");
    CHECK(FieldAfter([](ProposalInput& p) { p.milestones[1].description = std::string(5'001, 'x'); }) ==
          "milestones[1].description");
    CHECK(FieldAfter([](ProposalInput& p) { p.milestones[0].definition_of_done.clear(); }) ==
          "milestones[0].definition_of_done");
    CHECK(FieldAfter([](ProposalInput& p) { p.milestones[0].definition_of_done.assign(21, "x"); }) ==
          "milestones[0].definition_of_done");
    CHECK(FieldAfter([](ProposalInput& p) { p.milestones[0].definition_of_done[1] = std::string(501, 'x'); }) ==
          "milestones[0].definition_of_done[1]");
}

TEST_CASE("Proposals: only a submitted proposal can be withdrawn or accepted", "[jobs][domain]") {
    CHECK_NOTHROW(RequireLiveProposal(ProposalStatus::kSubmitted, "accepted"));
    for (const auto s : {ProposalStatus::kWithdrawn, ProposalStatus::kDeclined, ProposalStatus::kAccepted}) {
        CHECK_THROWS_AS(RequireLiveProposal(s, "withdrawn"), core::FailedPrecondition);
    }
    CHECK_THROWS_WITH(RequireLiveProposal(ProposalStatus::kDeclined, "accepted"),
                      "the proposal is declined; only a submitted proposal can be accepted");
    for (const auto s : {ProposalStatus::kSubmitted, ProposalStatus::kWithdrawn, ProposalStatus::kDeclined,
                         ProposalStatus::kAccepted}) {
        CHECK(ParseProposalStatus(ProposalStatusName(s)) == s);
    }
}
