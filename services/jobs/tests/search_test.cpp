// Search requests, page sizes and opaque page tokens.
#include <catch2/catch.hpp>

#include "check_errors.hpp"
#include "domain/page_token.hpp"
#include "domain/search.hpp"
#include "marketplace/core/errors.hpp"

using namespace marketplace;
using namespace marketplace::jobs;
using marketplace::jobs::testing::InvalidField;

namespace {
const std::optional<Caller> kSignedIn = Caller{"freelancer-1", "freelancer"};
}  // namespace

TEST_CASE("Paging: page sizes default to 20 and are limited to 1..100", "[jobs][domain]") {
    CHECK(ResolvePageSize(0) == 20);
    CHECK(ResolvePageSize(1) == 1);
    CHECK(ResolvePageSize(100) == 100);
    CHECK(InvalidField([] { ResolvePageSize(101); }) == "page_size");
    CHECK(InvalidField([] { ResolvePageSize(-1); }) == "page_size");
}

TEST_CASE("Paging: a page token round-trips and is refused for another query or when malformed", "[jobs][domain]") {
    const PageCursor cursor{"0.0607927", 1'893'456'000'123'456, "0190a5b2-7c1e-7d3a-8f00-0123456789ab"};
    const auto fp = Fingerprint({"search", "react"});
    const auto token = EncodePageToken(cursor, fp);
    const auto back = DecodePageToken(token, fp);
    REQUIRE(back.has_value());
    CHECK(back->rank == cursor.rank);
    CHECK(back->created_micros == cursor.created_micros);
    CHECK(back->id == cursor.id);

    CHECK_FALSE(DecodePageToken("", fp).has_value());
    CHECK(InvalidField([&] { DecodePageToken(token, Fingerprint({"search", "vue"})); }) == "page_token");
    CHECK(InvalidField([&] { DecodePageToken("not a token!", fp); }) == "page_token");
    CHECK(InvalidField([&] { DecodePageToken(token.substr(0, token.size() - 3), fp); }) == "page_token");
    CHECK(InvalidField([&] { DecodePageToken(std::string(600, 'A'), fp); }) == "page_token");
    // A well-formed envelope around a bad id or rank is still refused.
    CHECK(InvalidField([&] { DecodePageToken(EncodePageToken({"", 1, "not-a-uuid"}, fp), fp); }) == "page_token");
    CHECK(InvalidField([&] { DecodePageToken(EncodePageToken({"1; DROP", 1, cursor.id}, fp), fp); }) == "page_token");
}

TEST_CASE("Paging: fingerprints differ when any part differs", "[jobs][domain]") {
    CHECK(Fingerprint({"a", "b"}) == Fingerprint({"a", "b"}));
    CHECK(Fingerprint({"a", "b"}) != Fingerprint({"ab"}));
    CHECK(Fingerprint({"a", "b"}) != Fingerprint({"b", "a"}));
}

TEST_CASE("Search: filters are normalised and anonymous callers see open jobs only", "[jobs][domain]") {
    SearchInput in;
    in.query = "  billing dashboard ";
    in.stack = {"TypeScript", "react"};
    in.budget_min = MoneyInput::Of(1'000, "EUR");
    const auto spec = ValidateSearch(in, std::nullopt);
    CHECK(spec.query == "billing dashboard");
    CHECK(spec.stack_keys == std::vector<std::string>{"react", "typescript"});
    CHECK(spec.currency == "EUR");
    CHECK(spec.budget_min == 1'000);
    CHECK_FALSE(spec.budget_max.has_value());
    CHECK(spec.statuses == std::vector<JobStatus>{JobStatus::kOpen});
    CHECK(spec.page_size == 20);

    SearchInput reordered = in;
    reordered.stack = {"React", "typescript"};
    CHECK(ValidateSearch(reordered, std::nullopt).fingerprint == spec.fingerprint);
    SearchInput other = in;
    other.query = "billing";
    CHECK(ValidateSearch(other, std::nullopt).fingerprint != spec.fingerprint);

    SearchInput closed;
    closed.statuses = {JobStatus::kOpen, JobStatus::kClosed};
    CHECK_THROWS_AS(ValidateSearch(closed, std::nullopt), core::Unauthenticated);
    CHECK(ValidateSearch(closed, kSignedIn).statuses == std::vector<JobStatus>{JobStatus::kOpen, JobStatus::kClosed});
    // The viewer travels with the search: only admins see every job that is not open.
    CHECK(ValidateSearch(closed, kSignedIn).viewer_id == "freelancer-1");
    CHECK_FALSE(ValidateSearch(closed, kSignedIn).viewer_sees_all);
    CHECK(ValidateSearch(closed, Caller{"admin-1", "admin"}).viewer_sees_all);
    CHECK(ValidateSearch(in, std::nullopt).viewer_id.empty());
}

TEST_CASE("Search: bad filters name their field", "[jobs][domain]") {
    SearchInput in;
    in.query = std::string(201, 'x');
    CHECK(InvalidField([&] { ValidateSearch(in, kSignedIn); }) == "query");
    in = {};
    in.stack = {"go", "Go"};
    CHECK(InvalidField([&] { ValidateSearch(in, kSignedIn); }) == "stack[1]");
    in = {};
    in.budget_min = MoneyInput::Of(0, "EUR");
    CHECK(InvalidField([&] { ValidateSearch(in, kSignedIn); }) == "budget_min");
    in = {};
    in.budget_min = MoneyInput::Of(10, "EUR");
    in.budget_max = MoneyInput::Of(20, "USD");
    CHECK(InvalidField([&] { ValidateSearch(in, kSignedIn); }) == "budget_max.currency");
    in.budget_max = MoneyInput::Of(5, "EUR");
    CHECK(InvalidField([&] { ValidateSearch(in, kSignedIn); }) == "budget_max");
    in = {};
    in.page_size = 1000;
    CHECK(InvalidField([&] { ValidateSearch(in, kSignedIn); }) == "page_size");
    in = {};
    in.page_token = "garbage";
    CHECK(InvalidField([&] { ValidateSearch(in, kSignedIn); }) == "page_token");
}
