#include <catch2/catch.hpp>

#include <google/protobuf/struct.pb.h>

#include "marketplace/core/errors.hpp"
#include "marketplace/jobs/v1/jobs.pb.h"
#include "marketplace/rpc/idempotency.hpp"

using namespace marketplace;

namespace {

std::string RuleOf(std::string_view key) {
    try {
        rpc::ValidateIdempotencyKey(key);
        return "ok";
    } catch (const core::InvalidArgument& e) {
        CHECK(e.field() == "idempotency-key");
        return e.caller_message();
    }
}

}  // namespace

TEST_CASE("Idempotency: keys are 1 to 255 printable ASCII characters", "[rpc][idempotency]") {
    CHECK(RuleOf("a") == "ok");
    CHECK(RuleOf("0193a1f2-7c55-7d1e-b6a8-3f1f2c9e4a10") == "ok");
    CHECK(RuleOf("fund milestone #3") == "ok");
    CHECK(RuleOf(std::string(255, 'k')) == "ok");
    CHECK(RuleOf("") == "idempotency-key: must be 1 to 255 characters");
    CHECK(RuleOf(std::string(256, 'k')) == "idempotency-key: must be 1 to 255 characters");
    CHECK(RuleOf("tab\there") == "idempotency-key: must be printable ASCII");
    CHECK(RuleOf("caf\xc3\xa9") == "idempotency-key: must be printable ASCII");
    CHECK(RuleOf(std::string("nul\0byte", 8)) == "idempotency-key: must be printable ASCII");
    CHECK(RuleOf(" padded") == "idempotency-key: must not start or end with a space");
}

TEST_CASE("Idempotency: equal requests hash from equal bytes whatever their map order", "[rpc][idempotency]") {
    google::protobuf::Struct a;
    google::protobuf::Struct b;
    const char* names[] = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"};
    for (int i = 0; i < 8; ++i) (*a.mutable_fields())[names[i]].set_number_value(i);
    for (int i = 7; i >= 0; --i) (*b.mutable_fields())[names[i]].set_number_value(i);
    CHECK(rpc::DeterministicBytes(a) == rpc::DeterministicBytes(b));
    (*b.mutable_fields())["alpha"].set_number_value(100);
    CHECK(rpc::DeterministicBytes(a) != rpc::DeterministicBytes(b));
}

TEST_CASE("Idempotency: a method's proto says whether it takes a key", "[rpc][idempotency]") {
    // Jobs' generated code is linked into this test: PostJob declares the option, GetJob does not.
    CHECK(marketplace::jobs::v1::PostJobRequest::descriptor() != nullptr);
    CHECK(rpc::DeclaresIdempotencyKey("/marketplace.jobs.v1.JobsService/PostJob") == true);
    CHECK(rpc::DeclaresIdempotencyKey("/marketplace.jobs.v1.JobsService/GetJob") == false);
    CHECK(rpc::DeclaresIdempotencyKey("/marketplace.jobs.v1.JobsService/NoSuchMethod") == std::nullopt);
    CHECK(rpc::DeclaresIdempotencyKey("marketplace.jobs.v1.JobsService.PostJob") == std::nullopt);
    CHECK(rpc::DeclaresIdempotencyKey("") == std::nullopt);
}
