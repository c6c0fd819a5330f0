#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "transcode/status_mapping.hpp"

using namespace marketplace::gateway;
using grpc::StatusCode;

TEST_CASE("Status mapping: every gRPC code has its HTTP status", "[gateway][unit]") {
    const std::vector<std::pair<StatusCode, unsigned>> expected = {
        {StatusCode::OK, 200},
        {StatusCode::INVALID_ARGUMENT, 400},
        {StatusCode::OUT_OF_RANGE, 400},
        {StatusCode::UNAUTHENTICATED, 401},
        {StatusCode::PERMISSION_DENIED, 403},
        {StatusCode::NOT_FOUND, 404},
        {StatusCode::ALREADY_EXISTS, 409},
        {StatusCode::ABORTED, 409},
        {StatusCode::FAILED_PRECONDITION, 412},
        {StatusCode::RESOURCE_EXHAUSTED, 429},
        {StatusCode::CANCELLED, 499},
        {StatusCode::UNKNOWN, 500},
        {StatusCode::INTERNAL, 500},
        {StatusCode::DATA_LOSS, 500},
        {StatusCode::UNIMPLEMENTED, 501},
        {StatusCode::UNAVAILABLE, 503},
        {StatusCode::DEADLINE_EXCEEDED, 504},
    };
    for (const auto& [code, http] : expected) {
        INFO(static_cast<int>(code));
        CHECK(static_cast<unsigned>(HttpStatusFromGrpc(code)) == http);
    }
}

TEST_CASE("Status mapping: the error body names the code, the service's message and the field", "[gateway][unit]") {
    const auto response =
        ErrorResponseFromGrpc(grpc::Status(StatusCode::INVALID_ARGUMENT, "title: must not be empty"), "title");
    CHECK(response.result_int() == 400);
    CHECK(response[bhttp::field::content_type] == "application/json");
    const auto body = nlohmann::json::parse(response.body());
    CHECK(body["code"] == "INVALID_ARGUMENT");
    CHECK(body["message"] == "title: must not be empty");
    CHECK(body["field"] == "title");

    const auto precondition = ErrorResponseFromGrpc(grpc::Status(StatusCode::FAILED_PRECONDITION, "job is closed"), "");
    CHECK(nlohmann::json::parse(precondition.body())["message"] == "job is closed");
    CHECK(nlohmann::json::parse(precondition.body())["field"] == "");
}

TEST_CASE("Status mapping: server-side failures do not leak their detail", "[gateway][unit]") {
    const auto unavailable = ErrorResponseFromGrpc(
        grpc::Status(StatusCode::UNAVAILABLE, "failed to connect to all addresses; ipv4:10.0.0.7:7102"), "");
    CHECK(unavailable.result_int() == 503);
    CHECK(unavailable.body().find("10.0.0.7") == std::string::npos);
    const auto internal = ErrorResponseFromGrpc(grpc::Status(StatusCode::INTERNAL, "pqxx: relation users ..."), "");
    CHECK(nlohmann::json::parse(internal.body())["message"] == "internal error");
    const auto cancelled = ErrorResponseFromGrpc(grpc::Status(StatusCode::CANCELLED, "x"), "");
    CHECK(cancelled.result_int() == 499);
    CHECK(cancelled.reason() == "Client Closed Request");
    const auto exhausted = ErrorResponseFromGrpc(grpc::Status(StatusCode::RESOURCE_EXHAUSTED, "quota"), "");
    CHECK(exhausted[bhttp::field::retry_after] == "1");
}

TEST_CASE("Error bodies stay valid JSON whatever the message holds", "[gateway][unit]") {
    const auto body = ErrorJson("INVALID_ARGUMENT", "bad \"value\" \xff\xfe\n", "a\\b");
    const auto parsed = nlohmann::json::parse(body);
    CHECK(parsed["message"].get<std::string>().find("\xEF\xBF\xBD") != std::string::npos);
    CHECK(parsed["field"] == "a\\b");
}
