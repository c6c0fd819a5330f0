// The project template catalogue and the milestone suggestions it makes.
#include <catch2/catch.hpp>

#include <numeric>
#include <set>

#include "domain/limits.hpp"
#include "domain/templates.hpp"
#include "domain/text_rules.hpp"
#include "marketplace/core/errors.hpp"

using namespace marketplace;
using namespace marketplace::jobs;

TEST_CASE("Templates: the catalogue offers the nine project templates in display order", "[jobs][templates]") {
    std::vector<std::string> ids;
    std::vector<std::string> names;
    for (const auto& t : TemplateCatalog()) {
        ids.push_back(t.id);
        names.push_back(t.name);
    }
    CHECK(ids == std::vector<std::string>{"saas-mvp", "shopify-app", "nextjs-site", "rest-api", "data-pipeline",
                                          "llm-app", "mobile-app", "devops-task", "security-audit"});
    CHECK(names == std::vector<std::string>{"SaaS MVP", "Shopify App", "Next.js Site", "REST API", "Data Pipeline",
                                            "LLM App", "Mobile App", "DevOps Task", "Security Audit"});
}

TEST_CASE(
    "Templates: every template's shares sum to the whole budget and every milestone has deliverables and a "
    "definition of done within the proposal limits",
    "[jobs][templates]") {
    for (const auto& t : TemplateCatalog()) {
        INFO(t.id);
        CHECK_FALSE(t.summary.empty());
        CHECK_FALSE(t.suggested_stack.empty());
        CHECK(t.suggested_stack.size() <= kMaxStackEntries);
        REQUIRE_FALSE(t.milestones.empty());
        CHECK(t.milestones.size() <= kMaxMilestones);
        int shares = 0;
        for (const auto& m : t.milestones) {
            INFO(m.title);
            CHECK(m.budget_share_bps > 0);
            CHECK(m.suggested_days > 0);
            CHECK(CharCount(m.title) <= kMaxTitleChars);
            CHECK(CharCount(m.description) <= kMaxMilestoneDescriptionChars);
            CHECK_FALSE(m.deliverables.empty());
            REQUIRE_FALSE(m.definition_of_done.empty());
            CHECK(m.definition_of_done.size() <= kMaxDoneItems);
            for (const auto& item : m.definition_of_done) CHECK(CharCount(item) <= kMaxDoneItemChars);
            shares += m.budget_share_bps;
        }
        CHECK(shares == 10000);
    }
}

TEST_CASE("Templates: suggestions apply the shares to the budget and always sum to it", "[jobs][templates]") {
    const auto eur = core::Currency::Parse("EUR");
    const auto& saas = RequireTemplate("saas-mvp");

    const auto even = SuggestMilestones(saas, core::Money(1'000'000, eur));
    REQUIRE(even.size() == saas.milestones.size());
    CHECK(even[0].amount == core::Money(100'000, eur));  // 10%
    CHECK(even[1].amount == core::Money(400'000, eur));  // 40%
    CHECK(even[0].title == saas.milestones[0].title);
    CHECK(even[1].definition_of_done == saas.milestones[1].definition_of_done);

    for (const auto& t : TemplateCatalog()) {
        for (const std::int64_t budget : {1LL, 7LL, 99'999LL, 1'234'567LL, 9'223'372'036'854'775'807LL}) {
            INFO(t.id << " " << budget);
            const auto parts = SuggestMilestones(t, core::Money(budget, eur));
            std::int64_t sum = 0;
            for (const auto& p : parts) {
                CHECK(p.amount.minor_units() >= 0);
                CHECK(p.amount.currency() == eur);
                sum += p.amount.minor_units();
            }
            CHECK(sum == budget);
        }
    }
}

TEST_CASE("Templates: an unknown template id is not found", "[jobs][templates]") {
    CHECK(FindTemplate("saas-mvp") != nullptr);
    CHECK(FindTemplate("SaaS-MVP") == nullptr);
    CHECK(FindTemplate("") == nullptr);
    CHECK_THROWS_AS(RequireTemplate("no-such-template"), core::NotFound);
}
