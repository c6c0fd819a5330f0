// The statement of work: deterministic text, its hash, and the signature check.
#include "domain/statement_of_work.hpp"

#include <catch2/catch.hpp>
#include <cctype>
#include <functional>
#include <set>

#include "marketplace/core/errors.hpp"
#include "terms_fixture.hpp"

using namespace marketplace;
using namespace marketplace::contracts;
using contracts::testing::SampleTerms;

TEST_CASE("Statement of work: the same terms give the same text and hash", "[contracts][sow]") {
    const auto a = GenerateStatementOfWork(SampleTerms());
    const auto b = GenerateStatementOfWork(SampleTerms());
    CHECK(a.text == b.text);
    CHECK(a.content_hash == b.content_hash);
    CHECK(a.content_hash == Sha256Hex(a.text));
    CHECK(IsContentHash(a.content_hash));
}

TEST_CASE("Statement of work: SHA-256 is the standard one", "[contracts][sow]") {
    CHECK(Sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("Statement of work: it states scope, deliverables, timeline, payments and NDA/IP terms", "[contracts][sow]") {
    const auto text = GenerateStatementOfWork(SampleTerms()).text;
    const char* expected[] = {
        "STATEMENT OF WORK\nContract: 0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b\n",
        "Client: 0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5e\nFreelancer: 0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5f\n",
        "\n1. SCOPE\nTitle: SaaS MVP\nBuild the first version of a subscription app.\n"
        "Technology stack: C++, PostgreSQL\n",
        "\n2. DELIVERABLES\n2.1 Auth and billing\nSign-up, login, Stripe billing.\nDefinition of done:\n"
        "  - Tests pass\n  - Deployed to staging\n2.2 Dashboard\nDefinition of done: the client's acceptance\n",
        "\n3. TIMELINE\nDelivery within 30 days of the contract's start.\n"
        "Milestone 1 \"Auth and billing\": due 2027-01-15\nMilestone 2 \"Dashboard\": no fixed due date\n",
        "Milestone 1 \"Auth and billing\": 1200.00 EUR\nMilestone 2 \"Dashboard\": 1800.00 EUR\nTotal: 3000.00 EUR\n",
        "within 14 days; without an answer by then the milestone is accepted on the client's behalf",
        "\n5. CONFIDENTIALITY\nA non-disclosure agreement applies",
        "\n6. INTELLECTUAL PROPERTY\nOn payment of each milestone, all intellectual property rights",
        "\n7. CANCELLATION\n",
    };
    for (const char* part : expected) {
        CAPTURE(part);
        CHECK(text.find(part) != std::string::npos);
    }
}

TEST_CASE("Statement of work: any change to the terms changes the hash", "[contracts][sow]") {
    const auto base = GenerateStatementOfWork(SampleTerms()).content_hash;
    std::vector<std::function<void(ContractTerms&)>> changes = {
        [](ContractTerms& t) { t.title += "!"; },
        [](ContractTerms& t) { t.scope += " "; },
        [](ContractTerms& t) { t.stack.pop_back(); },
        [](ContractTerms& t) { t.nda_required = false; },
        [](ContractTerms& t) { t.ip_assignment = false; },
        [](ContractTerms& t) { t.delivery_days = 31; },
        [](ContractTerms& t) { t.review_period = std::chrono::hours(24 * 7); },
        [](ContractTerms& t) { t.client_id.back() = '0'; },
        [](ContractTerms& t) { t.milestones[0].amount = core::Money(120001, t.total.currency()); },
        [](ContractTerms& t) { t.milestones[0].definition_of_done.pop_back(); },
        [](ContractTerms& t) { t.milestones[1].due_date = TimePoint(std::chrono::seconds(1'900'000'000)); },
        [](ContractTerms& t) { std::swap(t.milestones[0], t.milestones[1]); },
    };
    std::set<std::string> hashes{base};
    for (std::size_t i = 0; i < changes.size(); ++i) {
        CAPTURE(i);
        auto terms = SampleTerms();
        changes[i](terms);
        const auto hash = GenerateStatementOfWork(terms).content_hash;
        CHECK(hash != base);
        hashes.insert(hash);
    }
    CHECK(hashes.size() == changes.size() + 1);
}

TEST_CASE("Statement of work: a signature must name the current hash", "[contracts][sow]") {
    const auto sow = GenerateStatementOfWork(SampleTerms());
    CHECK_NOTHROW(RequireSameContent(sow.content_hash, sow.content_hash));
    CHECK_THROWS_AS(RequireSameContent(Sha256Hex("another text"), sow.content_hash), core::FailedPrecondition);
    try {
        RequireSameContent("", sow.content_hash);
        FAIL("empty hash accepted");
    } catch (const core::InvalidArgument& e) {
        CHECK(e.field() == "content_hash");
    }
    std::string upper = sow.content_hash;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    CHECK_THROWS_AS(RequireSameContent(upper, sow.content_hash), core::InvalidArgument);
    CHECK_THROWS_AS(RequireSameContent(sow.content_hash.substr(1), sow.content_hash), core::InvalidArgument);
}

TEST_CASE("Statement of work: review periods read naturally", "[contracts][sow]") {
    using namespace std::chrono;
    CHECK(DescribePeriod(hours(24 * 14)) == "14 days");
    CHECK(DescribePeriod(hours(24)) == "1 day");
    CHECK(DescribePeriod(hours(36)) == "36 hours");
    CHECK(DescribePeriod(minutes(90)) == "90 minutes");
    CHECK(DescribePeriod(seconds(45)) == "45 seconds");
    CHECK(DescribePeriod(seconds(1)) == "1 second");
}
