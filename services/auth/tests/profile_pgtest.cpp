#include <catch2/catch.hpp>

#include "fixture.hpp"
#include "marketplace/auth/v1/events.pb.h"
#include "marketplace/core/ids.hpp"

using namespace marketplace;
using namespace marketplace::auth::testing;
using auth::v1::AuthService;
using grpc::StatusCode;

namespace {

struct User {
    std::string id;
    std::string email;
    std::string token;
};

User NewUser(AuthServer& server, auth::v1::Role role = auth::v1::ROLE_FREELANCER) {
    User u;
    u.email = UniqueEmail();
    u.id = server.RegisterUser(u.email, role);
    u.token = server.LoginUser(u.email).access_token();
    return u;
}

auth::v1::Profile FullProfile() {
    auth::v1::Profile p;
    p.set_display_name("Linus");
    p.set_headline("Kernel hacker for hire");
    p.set_bio("I write C.\nMostly.");
    p.add_skills("C");
    p.add_skills("Git");
    p.mutable_hourly_rate()->set_minor_units(25000);
    p.mutable_hourly_rate()->set_currency("EUR");
    p.set_hourly_rate_public(false);
    p.set_availability(auth::v1::AVAILABILITY_PART_TIME);
    p.set_hours_per_week(20);
    p.add_languages("fi");
    p.add_languages("en");
    p.set_timezone("Europe/Helsinki");
    return p;
}

grpc::Status Update(AuthServer& server, const User& user, const auth::v1::UpdateProfileRequest& request,
                    auth::v1::UpdateProfileResponse* response, std::string* field = nullptr,
                    const std::string& key = Key()) {
    return server.Call(&AuthService::Stub::UpdateProfile, request, response,
                       {.token = user.token, .idempotency_key = key}, field);
}

auth::v1::GetProfileResponse Get(AuthServer& server, const std::string& user_id, const std::string& token) {
    auth::v1::GetProfileRequest request;
    request.set_user_id(user_id);
    auth::v1::GetProfileResponse response;
    const auto status = server.Call(&AuthService::Stub::GetProfile, request, &response, {.token = token});
    INFO(status.error_message());
    REQUIRE(status.ok());
    return response;
}

}  // namespace

TEST_CASE("Profile: the owner sees everything; others and anonymous callers see the public view",
          "[auth][pg][profile]") {
    AuthServer server;
    const auto owner = NewUser(server);
    auth::v1::UpdateProfileRequest request;
    *request.mutable_profile() = FullProfile();
    auth::v1::UpdateProfileResponse updated;
    REQUIRE(Update(server, owner, request, &updated).ok());

    const auto own = Get(server, owner.id, owner.token);
    CHECK(own.view() == auth::v1::PROFILE_VIEW_OWNER);
    CHECK(own.profile().email() == owner.email);
    CHECK(own.profile().hourly_rate().minor_units() == 25000);
    CHECK(own.profile().has_created_at());
    CHECK(own.profile().headline() == "Kernel hacker for hire");
    CHECK(own.profile().skills_size() == 2);
    CHECK(own.profile().skills(0) == "c");
    CHECK(own.profile().timezone() == "Europe/Helsinki");
    CHECK(own.profile().role() == auth::v1::ROLE_FREELANCER);

    const auto stranger = NewUser(server, auth::v1::ROLE_CLIENT);
    for (const auto& token : {stranger.token, std::string()}) {
        const auto seen = Get(server, owner.id, token);
        CHECK(seen.view() == auth::v1::PROFILE_VIEW_PUBLIC);
        CHECK(seen.profile().email().empty());
        CHECK_FALSE(seen.profile().has_hourly_rate());  // not made public
        CHECK_FALSE(seen.profile().has_created_at());
        CHECK(seen.profile().headline() == "Kernel hacker for hire");
        CHECK(seen.profile().display_name() == "Linus");
        CHECK(seen.profile().languages_size() == 2);
    }

    // Once the owner makes the rate public, others see it (but still no email).
    auth::v1::UpdateProfileRequest show_rate;
    show_rate.mutable_profile()->set_hourly_rate_public(true);
    show_rate.mutable_update_mask()->add_paths("hourly_rate_public");
    REQUIRE(Update(server, owner, show_rate, &updated).ok());
    const auto seen = Get(server, owner.id, stranger.token);
    CHECK(seen.profile().hourly_rate().minor_units() == 25000);
    CHECK(seen.profile().hourly_rate().currency() == "EUR");
    CHECK(seen.profile().email().empty());

    // Admins get the owner view.
    const auto admin = server.LoginUser(kAdminEmail, kAdminPassword);
    CHECK(Get(server, owner.id, admin.access_token()).view() == auth::v1::PROFILE_VIEW_OWNER);
}

TEST_CASE("Profile: an update mask changes only the named fields and publishes ProfileUpdated", "[auth][pg][profile]") {
    AuthServer server;
    const auto user = NewUser(server);
    auth::v1::UpdateProfileRequest full;
    *full.mutable_profile() = FullProfile();
    auth::v1::UpdateProfileResponse response;
    REQUIRE(Update(server, user, full, &response).ok());

    auth::v1::UpdateProfileRequest partial;
    partial.mutable_profile()->set_headline("Now doing Rust");
    partial.mutable_profile()->add_skills("Rust");
    partial.mutable_profile()->add_skills("rust ");
    partial.mutable_update_mask()->add_paths("headline");
    partial.mutable_update_mask()->add_paths("skills");
    REQUIRE(Update(server, user, partial, &response).ok());
    CHECK(response.profile().headline() == "Now doing Rust");
    CHECK(response.profile().skills_size() == 1);
    CHECK(response.profile().bio() == "I write C.\nMostly.");  // untouched
    CHECK(response.profile().hourly_rate().minor_units() == 25000);

    const auto events = server.OutboxPayloads("ProfileUpdated", user.id);
    REQUIRE(events.size() == 2);
    auth::v1::ProfileUpdated last;
    REQUIRE(last.ParseFromString(events.back()));
    CHECK(last.user_id() == user.id);
    CHECK(last.headline() == "Now doing Rust");
    REQUIRE(last.skills_size() == 1);
    CHECK(last.skills(0) == "rust");

    // Sending the same values again changes nothing and publishes nothing.
    REQUIRE(Update(server, user, partial, &response).ok());
    CHECK(server.OutboxPayloads("ProfileUpdated", user.id).size() == 2);

    // Naming the hourly rate without a value clears it.
    auth::v1::UpdateProfileRequest clear_rate;
    clear_rate.mutable_update_mask()->add_paths("hourly_rate");
    REQUIRE(Update(server, user, clear_rate, &response).ok());
    CHECK_FALSE(response.profile().has_hourly_rate());
    CHECK_FALSE(Get(server, user.id, user.token).profile().has_hourly_rate());
    CHECK(Get(server, user.id, user.token).profile().headline() == "Now doing Rust");
}

TEST_CASE("Profile: an update replayed with its idempotency key answers the same and publishes once",
          "[auth][pg][profile]") {
    AuthServer server;
    const auto user = NewUser(server);
    auth::v1::UpdateProfileRequest request;
    *request.mutable_profile() = FullProfile();
    const auto key = Key();
    auth::v1::UpdateProfileResponse first;
    auth::v1::UpdateProfileResponse second;
    REQUIRE(Update(server, user, request, &first, nullptr, key).ok());
    server.clock->Advance(std::chrono::minutes(1));
    REQUIRE(Update(server, user, request, &second, nullptr, key).ok());
    CHECK(first.SerializeAsString() == second.SerializeAsString());
    CHECK(server.OutboxPayloads("ProfileUpdated", user.id).size() == 1);
}

TEST_CASE("Profile: bad input names the field and changes nothing", "[auth][pg][profile]") {
    AuthServer server;
    const auto user = NewUser(server);
    auth::v1::UpdateProfileRequest good;
    *good.mutable_profile() = FullProfile();
    auth::v1::UpdateProfileResponse response;
    REQUIRE(Update(server, user, good, &response).ok());
    const auto before = Get(server, user.id, user.token).SerializeAsString();

    struct Case {
        std::function<void(auth::v1::UpdateProfileRequest&)> change;
        std::string field;
    };
    const std::vector<Case> cases{
        {[](auto& r) { r.mutable_profile()->set_headline(std::string(121, 'h')); }, "profile.headline"},
        {[](auto& r) { r.mutable_profile()->set_bio(std::string(5001, 'b')); }, "profile.bio"},
        {[](auto& r) { r.mutable_profile()->add_skills(std::string(51, 's')); }, "profile.skills[2]"},
        {[](auto& r) { r.mutable_profile()->mutable_hourly_rate()->set_minor_units(-100); },
         "profile.hourly_rate.minor_units"},
        {[](auto& r) { r.mutable_profile()->mutable_hourly_rate()->set_currency("EURO"); },
         "profile.hourly_rate.currency"},
        {[](auto& r) { r.mutable_profile()->set_hours_per_week(200); }, "profile.hours_per_week"},
        {[](auto& r) { r.mutable_profile()->add_languages("klingon"); }, "profile.languages[2]"},
        {[](auto& r) { r.mutable_profile()->set_timezone("Mars/Olympus Mons"); }, "profile.timezone"},
        {[](auto& r) { r.mutable_profile()->set_availability(static_cast<auth::v1::Availability>(9)); },
         "profile.availability"},
        {[](auto& r) { r.mutable_update_mask()->add_paths("email"); }, "update_mask.paths[0]"},
        {[](auto& r) { r.mutable_update_mask()->add_paths("salary"); }, "update_mask.paths[0]"},
    };
    for (const auto& c : cases) {
        auth::v1::UpdateProfileRequest request;
        *request.mutable_profile() = FullProfile();
        request.mutable_profile()->set_headline("Should not be saved");
        c.change(request);
        std::string field;
        const auto status = Update(server, user, request, &response, &field);
        INFO(c.field << ": " << status.error_message());
        CHECK(status.error_code() == StatusCode::INVALID_ARGUMENT);
        CHECK(field == c.field);
    }
    CHECK(Get(server, user.id, user.token).SerializeAsString() == before);
    CHECK(server.OutboxPayloads("ProfileUpdated", user.id).size() == 1);
}

TEST_CASE("Profile: updating needs a token; profiles of unknown or malformed ids are NOT_FOUND / INVALID_ARGUMENT",
          "[auth][pg][profile]") {
    AuthServer server;
    auth::v1::UpdateProfileRequest request;
    *request.mutable_profile() = FullProfile();
    auth::v1::UpdateProfileResponse response;
    CHECK(server.Call(&AuthService::Stub::UpdateProfile, request, &response, {.idempotency_key = Key()}).error_code() ==
          StatusCode::UNAUTHENTICATED);

    auth::v1::GetProfileRequest get;
    auth::v1::GetProfileResponse got;
    get.set_user_id(core::NewUuidV7());
    CHECK(server.Call(&AuthService::Stub::GetProfile, get, &got).error_code() == StatusCode::NOT_FOUND);
    get.set_user_id("42");
    std::string field;
    CHECK(server.Call(&AuthService::Stub::GetProfile, get, &got, {}, &field).error_code() ==
          StatusCode::INVALID_ARGUMENT);
    CHECK(field == "user_id");
}
