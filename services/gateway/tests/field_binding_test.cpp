#include <catch2/catch.hpp>

#include <stdexcept>

#include "http/request_error.hpp"
#include "marketplace/contracts/v1/contracts.pb.h"
#include "marketplace/jobs/v1/jobs.pb.h"
#include "routing/linked_protos.hpp"
#include "routing/route_table.hpp"
#include "transcode/field_binding.hpp"
#include "transcode/request_builder.hpp"

using namespace marketplace;
using namespace marketplace::gateway;

namespace {

const RouteTable& Jobs() {
    static const RouteTable table = RouteTable::FromServices(ServicesOf(*FindLinkedPackage("jobs")));
    return table;
}

template <typename T>
T Build(std::string_view method, std::string_view path, std::string_view query, std::string_view body = {},
        std::string_view content_type = {}) {
    const auto lookup = Jobs().Find(method, path);
    REQUIRE(lookup.route != nullptr);
    const auto message = BuildRequestMessage(*lookup.route, RequestParts{lookup.bindings, query, body, content_type});
    T typed;
    REQUIRE(typed.ParseFromString(message->SerializeAsString()));
    return typed;
}

// The error a request gets: status and field, with the message for the log of a failing check.
RequestError Refused(std::string_view method, std::string_view path, std::string_view query, std::string_view body = {},
                     std::string_view content_type = {}) {
    const auto lookup = Jobs().Find(method, path);
    REQUIRE(lookup.route != nullptr);
    try {
        BuildRequestMessage(*lookup.route, RequestParts{lookup.bindings, query, body, content_type});
    } catch (const RequestError& e) {
        return e;
    }
    FAIL("the request was accepted");
    throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("Query binding: scalars, repeated fields, nested fields and enums", "[gateway][unit]") {
    const auto r = Build<jobs::v1::SearchJobsRequest>(
        "GET", "/v1/jobs",
        "query=rust+api&stack=c%2B%2B&stack=go&page_size=5&budget_min.minor_units=150000&budget_min.currency=EUR"
        "&statuses=JOB_STATUS_OPEN&statuses=2&pageToken=abc");
    CHECK(r.query() == "rust api");
    REQUIRE(r.stack_size() == 2);
    CHECK(r.stack(0) == "c++");
    CHECK(r.stack(1) == "go");
    CHECK(r.page_size() == 5);
    CHECK(r.budget_min().minor_units() == 150000);
    CHECK(r.budget_min().currency() == "EUR");
    REQUIRE(r.statuses_size() == 2);
    CHECK(r.statuses(0) == jobs::v1::JOB_STATUS_OPEN);
    CHECK(r.statuses(1) == jobs::v1::JOB_STATUS_IN_PROGRESS);
    CHECK(r.page_token() == "abc");  // JSON (camelCase) names work too
}

TEST_CASE("Query binding: bad values are 400 naming the parameter", "[gateway][unit]") {
    struct Case {
        const char* query;
        const char* field;
    };
    for (const auto& c :
         {Case{"page_size=abc", "page_size"}, Case{"page_size=99999999999", "page_size"},
          Case{"page_size=1.5", "page_size"},
          Case{"budget_min.minor_units=9223372036854775808", "budget_min.minor_units"},
          Case{"statuses=JOB_STATUS_NOPE", "statuses"}, Case{"nope=1", "nope"}, Case{"budget_min=5", "budget_min"},
          Case{"page_size=1&page_size=2", "page_size"}, Case{"budget_min.nope=1", "budget_min.nope"}}) {
        INFO(c.query);
        const auto e = Refused("GET", "/v1/jobs", c.query);
        CHECK(e.status() == bhttp::status::bad_request);
        CHECK(e.code() == "INVALID_ARGUMENT");
        CHECK(e.field() == c.field);
    }
}

TEST_CASE("Path binding: values are decoded; traversal and control characters are refused", "[gateway][unit]") {
    CHECK(Build<jobs::v1::GetJobRequest>("GET", "/v1/jobs/j%201", "").job_id() == "j 1");
    CHECK(Build<jobs::v1::GetTemplateRequest>("GET", "/v1/job-templates/saas-mvp", "").template_id() == "saas-mvp");
    for (const char* path : {"/v1/jobs/a%2Fb", "/v1/jobs/..%2F..%2Fadmin", "/v1/jobs/%2e%2e%2fx", "/v1/jobs/%00",
                             "/v1/jobs/%ff", "/v1/jobs/%zz", "/v1/jobs/a%0Ab"}) {
        INFO(path);
        const auto e = Refused("GET", path, "");
        CHECK(e.status() == bhttp::status::bad_request);
        CHECK(e.field() == "job_id");
    }
    // A field bound by the path cannot come again in the query.
    CHECK(Refused("GET", "/v1/jobs/j1/proposals", "job_id=j2").field() == "job_id");
}

TEST_CASE("Body binding: the JSON body, then the path on top", "[gateway][unit]") {
    const auto r = Build<jobs::v1::PostJobRequest>(
        "POST", "/v1/jobs", "",
        R"({"title":"API","budget_min":{"minor_units":"100","currency":"EUR"},"budgetMax":{"minorUnits":200},"stack":["go"]})",
        "application/json; charset=utf-8");
    CHECK(r.title() == "API");
    CHECK(r.budget_min().minor_units() == 100);
    CHECK(r.budget_max().minor_units() == 200);
    CHECK(r.stack_size() == 1);

    // The path's job_id wins over one in the body.
    const auto u = Build<jobs::v1::UpdateJobRequest>(
        "PATCH", "/v1/jobs/j-path", "", R"({"job_id":"j-body","update_mask":"title","job":{"title":"T"}})");
    CHECK(u.job_id() == "j-path");
    CHECK(u.update_mask().paths_size() == 1);
    CHECK(u.job().title() == "T");

    // An empty body is an empty message.
    CHECK(Build<jobs::v1::CloseJobRequest>("POST", "/v1/jobs/j1:close", "", "").job_id() == "j1");
}

TEST_CASE("Body binding: bad JSON is 400 naming the field when there is one", "[gateway][unit]") {
    struct Case {
        const char* body;
        const char* field;
        const char* says;
    };
    for (const auto& c : {
             Case{R"({"title": 5})", "title", "title"},
             Case{R"({"title": "x", "nope": 1})", "nope", "unknown field"},
             Case{R"({"budget_min": {"nope": 1}})", "budget_min.nope", "unknown field"},
             Case{R"({"title": "x" )", "", "malformed JSON"},
             Case{R"([1, 2])", "", "must be an object"},
             Case{R"({"budget_min": {"minor_units": 9223372036854775808}})", "budget_min.minor_units", "int64"},
             Case{R"({"budget_min": {"minor_units": "-9223372036854775809"}})", "budget_min.minor_units", "int64"},
             Case{"{\"title\": \"\xff\xfe\"}", "", "UTF-8"},
             Case{"{\"title\": \"\xc0\xaf\"}", "", "UTF-8"},
             Case{R"({"budget_type": "BUDGET_TYPE_NOPE"})", "budget_type", "budget_type"},
             Case{R"({"title": ["x"]})", "title", "got a list"},
             Case{R"({"title": {"a": 1}})", "title", "got an object"},
             Case{R"({"budget_min": {"currency": {"a": 1}}})", "budget_min.currency", "got an object"},
             Case{R"({"budget_min": "x"})", "budget_min", "Money"},
             Case{R"({"stack": [["go"]]})", "", "list inside a list"},
             Case{R"({"stack": [1]})", "stack[0]", "string"},
         }) {
        INFO(c.body);
        const auto e = Refused("POST", "/v1/jobs", "", c.body);
        CHECK(e.status() == bhttp::status::bad_request);
        CHECK(e.field() == c.field);
        CHECK_THAT(e.message(), Catch::Contains(c.says));
    }
    const auto milestone = Refused("POST", "/v1/jobs/j1/proposals", "",
                                   R"({"milestones":[{"title":"a"},{"amount":{"minor_units":"x"}}]})");
    CHECK(milestone.field() == "milestones[1].amount.minor_units");
    CHECK(Refused("POST", "/v1/jobs/j1/proposals", "", R"({"milestones":[{"title":"a"},{"nope":1}]})").field() ==
          "milestones[1].nope");
    std::string deep;
    for (int i = 0; i < 40; ++i) deep += R"({"budget_min":)";
    deep += "1";
    for (int i = 0; i < 40; ++i) deep += "}";
    CHECK_THAT(Refused("POST", "/v1/jobs", "", deep).message(), Catch::Contains("nests deeper"));
}

TEST_CASE("Body binding: what the route does not take is refused", "[gateway][unit]") {
    // body "*": every field comes from the body.
    CHECK(Refused("POST", "/v1/jobs", "title=x", "{}").field() == "title");
    // No body rule: a body is an error, not silently dropped.
    CHECK_THAT(Refused("GET", "/v1/jobs", "", R"({"query":"x"})").message(), Catch::Contains("takes no request body"));
    // Not JSON.
    const auto e = Refused("POST", "/v1/jobs", "", "title=x", "application/x-www-form-urlencoded");
    CHECK(e.status() == bhttp::status::unsupported_media_type);
}

TEST_CASE("Field binding: well-known types read their JSON string forms", "[gateway][unit]") {
    jobs::v1::ProposalMilestone milestone;
    BindField(milestone, "due_date", "2026-01-01T00:00:00Z");
    CHECK(milestone.due_date().seconds() == 1767225600);
    CHECK_THROWS_AS(BindField(milestone, "due_date", "tomorrow"), RequestError);
    jobs::v1::UpdateJobRequest update;
    BindField(update, "update_mask", "title,budgetMin");
    REQUIRE(update.update_mask().paths_size() == 2);
    CHECK(update.update_mask().paths(1) == "budget_min");
    jobs::v1::Job job;
    BindField(job, "nda_required", "true");
    CHECK(job.nda_required());
    CHECK_THROWS_AS(BindField(job, "nda_required", "yes"), RequestError);
}
