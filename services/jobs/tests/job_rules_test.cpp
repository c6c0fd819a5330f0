// A job's validation, its edits and its state rules; who may do what.
#include <catch2/catch.hpp>

#include "check_errors.hpp"
#include "domain/access.hpp"
#include "domain/job.hpp"
#include "domain/templates.hpp"
#include "marketplace/core/errors.hpp"

using namespace marketplace;
using namespace marketplace::jobs;
using marketplace::jobs::testing::InvalidField;
using marketplace::jobs::testing::InvalidMessage;

namespace {

JobInput ValidInput() {
    JobInput in;
    in.title = "  Build a billing dashboard  ";
    in.description = "Stripe data into charts.\nWith exports.";
    in.stack = {"React", " TypeScript "};
    in.budget_type = BudgetTypeInput::kFixed;
    in.budget_min = MoneyInput::Of(100'000, "EUR");
    in.budget_max = MoneyInput::Of(250'000, "EUR");
    in.nda_required = true;
    in.repo_url = "https://github.com/acme/billing";
    return in;
}

template <typename Mutate>
std::string FieldAfter(Mutate&& mutate) {
    auto in = ValidInput();
    mutate(in);
    return InvalidField([&] { ValidateJob(in); });
}

}  // namespace

TEST_CASE("Jobs: a valid job is accepted with its text trimmed", "[jobs][domain]") {
    const auto spec = ValidateJob(ValidInput());
    CHECK(spec.title == "Build a billing dashboard");
    CHECK(spec.stack == std::vector<std::string>{"React", "TypeScript"});
    CHECK(spec.budget_min == core::Money(100'000, core::Currency::Parse("EUR")));
    CHECK(spec.currency().code() == "EUR");
    CHECK(spec.nda_required);
    CHECK_FALSE(spec.ip_assignment);

    auto unspecified = ValidInput();
    unspecified.budget_type = BudgetTypeInput::kUnspecified;  // means fixed
    CHECK_NOTHROW(ValidateJob(unspecified));
    auto equal_bounds = ValidInput();
    equal_bounds.budget_max = equal_bounds.budget_min;
    CHECK_NOTHROW(ValidateJob(equal_bounds));
}

TEST_CASE("Jobs: hourly budgets are refused with a clear message", "[jobs][domain]") {
    auto in = ValidInput();
    in.budget_type = BudgetTypeInput::kHourly;
    CHECK(InvalidField([&] { ValidateJob(in); }) == "budget_type");
    CHECK_THAT(InvalidMessage([&] { ValidateJob(in); }), Catch::Contains("HOURLY budgets are not supported yet"));
    in.budget_type = BudgetTypeInput::kUnknown;
    CHECK(InvalidField([&] { ValidateJob(in); }) == "budget_type");
}

TEST_CASE("Jobs: the budget range must be positive, in one known currency, with min <= max", "[jobs][domain]") {
    CHECK(FieldAfter([](JobInput& in) { in.budget_min = {}; }) == "budget_min");
    CHECK(FieldAfter([](JobInput& in) { in.budget_max = {}; }) == "budget_max");
    CHECK(FieldAfter([](JobInput& in) { in.budget_min.minor_units = 0; }) == "budget_min");
    CHECK(FieldAfter([](JobInput& in) { in.budget_min.minor_units = -5; }) == "budget_min");
    CHECK(FieldAfter([](JobInput& in) { in.budget_min.currency = "XYZ"; }) == "budget_min.currency");
    CHECK(FieldAfter([](JobInput& in) { in.budget_min.currency = "eur"; }) == "budget_min.currency");
    CHECK(FieldAfter([](JobInput& in) { in.budget_max.currency = "USD"; }) == "budget_max.currency");
    CHECK(FieldAfter([](JobInput& in) { in.budget_max.minor_units = 99'999; }) == "budget_max");
}

TEST_CASE("Jobs: titles, descriptions and stacks have explicit limits", "[jobs][domain]") {
    CHECK(FieldAfter([](JobInput& in) { in.title = "   "; }) == "title");
    CHECK(FieldAfter([](JobInput& in) { in.title = std::string(201, 'x'); }) == "title");
    CHECK(FieldAfter([](JobInput& in) { in.title = std::string(200, 'x'); }) == "<no error>");
    // Lengths count characters, not bytes: 200 two-byte letters are fine.
    CHECK(FieldAfter([](JobInput& in) {
              in.title.clear();
              for (int i = 0; i < 200; ++i) in.title += "\xC3\xA9";
          }) == "<no error>");
    CHECK(FieldAfter([](JobInput& in) { in.title = "tab\tinside"; }) == "title");
    CHECK(FieldAfter([](JobInput& in) { in.description = ""; }) == "description");
    CHECK(FieldAfter([](JobInput& in) { in.description = std::string(20001, 'x'); }) == "description");
    CHECK(FieldAfter([](JobInput& in) { in.description = std::string("bell\a"); }) == "description");
    CHECK(FieldAfter([](JobInput& in) { in.stack = {"Go", "Rust", "go"}; }) == "stack[2]");
    CHECK(FieldAfter([](JobInput& in) { in.stack = {"Go", " "}; }) == "stack[1]");
    CHECK(FieldAfter([](JobInput& in) { in.stack = {std::string(51, 'x')}; }) == "stack[0]");
    CHECK(FieldAfter([](JobInput& in) { in.stack = std::vector<std::string>(21, "x"); }) == "stack");
    CHECK(FieldAfter([](JobInput& in) { in.stack.clear(); }) == "<no error>");
}

TEST_CASE("Jobs: the repository link is an https URL without credentials, at most 500 characters", "[jobs][domain]") {
    CHECK(FieldAfter([](JobInput& in) { in.repo_url = ""; }) == "<no error>");
    CHECK(FieldAfter([](JobInput& in) { in.repo_url = "https://gitlab.example.com:8443/a/b?x=1"; }) == "<no error>");
    CHECK(FieldAfter([](JobInput& in) { in.repo_url = "http://github.com/acme/x"; }) == "repo_url");
    CHECK(FieldAfter([](JobInput& in) { in.repo_url = "ftp://github.com/acme/x"; }) == "repo_url");
    CHECK(FieldAfter([](JobInput& in) { in.repo_url = "https://"; }) == "repo_url");
    CHECK(FieldAfter([](JobInput& in) { in.repo_url = "https://user:pw@github.com/x"; }) == "repo_url");
    CHECK(FieldAfter([](JobInput& in) { in.repo_url = "https://git hub.com/x"; }) == "repo_url");
    CHECK(FieldAfter([](JobInput& in) { in.repo_url = "https://github.com:80a/x"; }) == "repo_url");
    CHECK(FieldAfter([](JobInput& in) { in.repo_url = "https://github.com/" + std::string(482, 'a'); }) == "repo_url");
    CHECK(FieldAfter([](JobInput& in) { in.repo_url = "https://github.com/" + std::string(481, 'a'); }) ==
          "<no error>");
}

TEST_CASE("Jobs: posting from a template checks the id and starts from the template's stack", "[jobs][domain]") {
    CHECK(FieldAfter([](JobInput& in) { in.template_id = "no-such-template"; }) == "template_id");
    auto in = ValidInput();
    in.template_id = "llm-app";
    in.stack.clear();
    ApplyTemplateDefaults(in);
    CHECK(in.stack == RequireTemplate("llm-app").suggested_stack);
    CHECK(ValidateJob(in).template_id == "llm-app");

    auto own_stack = ValidInput();
    own_stack.template_id = "llm-app";
    ApplyTemplateDefaults(own_stack);
    CHECK(own_stack.stack == ValidInput().stack);  // a stack the client gave is kept
}

TEST_CASE("Jobs: an edit changes only the fields in the mask and reports errors under job.", "[jobs][domain]") {
    const auto current = ValidateJob(ValidInput());
    JobInput changes;
    changes.title = "New title";
    changes.description = "";  // not in the mask: ignored
    const auto merged = ApplyJobUpdate(ToInput(current), changes, {"title"});
    const auto spec = ValidateJob(merged, "job.");
    CHECK(spec.title == "New title");
    CHECK(spec.description == current.description);
    CHECK(spec.budget_max == current.budget_max);

    CHECK(InvalidField([&] { ApplyJobUpdate(ToInput(current), changes, {}); }) == "update_mask");
    CHECK(InvalidField([&] {
              ApplyJobUpdate(ToInput(current), changes, {"title", "status"});
          }) == "update_mask.paths[1]");
    CHECK(InvalidField([&] { ApplyJobUpdate(ToInput(current), changes, {"template_id"}); }) == "update_mask.paths[0]");

    JobInput bad;
    bad.budget_max = MoneyInput::Of(1, "EUR");
    const auto lowered = ApplyJobUpdate(ToInput(current), bad, {"budget_max"});
    CHECK(InvalidField([&] { ValidateJob(lowered, "job."); }) == "job.budget_max");
}

TEST_CASE("Jobs: only an open job can be edited, closed, proposed on or accepted", "[jobs][domain]") {
    CHECK_NOTHROW(RequireOpen(JobStatus::kOpen, "be edited"));
    CHECK_THROWS_AS(RequireOpen(JobStatus::kInProgress, "be edited"), core::FailedPrecondition);
    CHECK_THROWS_WITH(RequireOpen(JobStatus::kClosed, "take proposals"),
                      "the job is closed; only an open job can take proposals");
    for (const auto s : {JobStatus::kOpen, JobStatus::kInProgress, JobStatus::kClosed}) {
        CHECK(ParseJobStatus(JobStatusName(s)) == s);
    }
    CHECK_THROWS_AS(ParseJobStatus("paused"), std::invalid_argument);
}

TEST_CASE("Jobs: the currency cannot change while proposals in the old one are live", "[jobs][domain]") {
    const auto eur = ValidateJob(ValidInput());
    auto usd_input = ValidInput();
    usd_input.budget_min.currency = usd_input.budget_max.currency = "USD";
    const auto usd = ValidateJob(usd_input);
    CHECK_NOTHROW(RequireCurrencyChangeAllowed(eur, usd, 0));
    CHECK_NOTHROW(RequireCurrencyChangeAllowed(eur, eur, 3));
    CHECK_THROWS_AS(RequireCurrencyChangeAllowed(eur, usd, 1), core::FailedPrecondition);
}

TEST_CASE("Access: roles and ownership decide who may act and see", "[jobs][domain]") {
    const Caller client{"c1", "client"};
    const Caller freelancer{"f1", "freelancer"};
    const Caller admin{"a1", "admin"};
    CHECK_NOTHROW(RequireRole(client, kRoleClient, "post a job"));
    CHECK_THROWS_WITH(RequireRole(freelancer, kRoleClient, "post a job"), "only a client can post a job");
    CHECK_THROWS_AS(RequireRole(admin, kRoleFreelancer, "submit a proposal"), core::PermissionDenied);
    CHECK_NOTHROW(RequireJobOwner(client, "c1", "close it"));
    CHECK_THROWS_AS(RequireJobOwner(admin, "c1", "close it"), core::PermissionDenied);
    CHECK_NOTHROW(RequireJobOwnerOrAdmin(admin, "c1", "list its proposals"));
    CHECK_THROWS_AS(RequireJobOwnerOrAdmin(freelancer, "c1", "list its proposals"), core::PermissionDenied);
    CHECK_THROWS_AS(RequireProposalAuthor(client, "f1", "withdraw it"), core::PermissionDenied);

    CHECK(SeesJobWithoutParticipation(freelancer, true, "c1"));
    CHECK_FALSE(SeesJobWithoutParticipation(freelancer, false, "c1"));
    CHECK(SeesJobWithoutParticipation(client, false, "c1"));
    CHECK(SeesJobWithoutParticipation(admin, false, "c1"));
    CHECK(SeesProposal(freelancer, "f1", "c1"));
    CHECK(SeesProposal(client, "f1", "c1"));
    CHECK_FALSE(SeesProposal(Caller{"f2", "freelancer"}, "f1", "c1"));
}
