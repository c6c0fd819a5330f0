#include <catch2/catch.hpp>

#include <string>

#include "domain/profile.hpp"
#include "marketplace/core/errors.hpp"

using namespace marketplace;
using auth::ProfileField;

namespace {

template <typename Fn>
std::string Rejected(Fn&& fn) {
    try {
        fn();
    } catch (const core::InvalidArgument& e) {
        return e.caller_message();
    }
    return "";
}

auth::ProfileData Valid() {
    auth::ProfileData d;
    d.display_name = "Ada";
    d.headline = "Rust and C++ backend engineer";
    d.bio = "Line one.\nLine two.";
    d.skills = {"C++", " Rust ", "c++", "PostgreSQL"};
    d.hourly_rate = auth::HourlyRate{9500, "EUR"};
    d.hourly_rate_public = true;
    d.availability = auth::Availability::kPartTime;
    d.hours_per_week = 20;
    d.languages = {"EN", "de", "en"};
    d.timezone = "Europe/Berlin";
    return d;
}

auth::ProfileData ApplyAll(const auth::ProfileData& input) {
    return auth::ApplyProfileChange({}, input, auth::AllProfileFields());
}

}  // namespace

TEST_CASE("Profile: skills and languages are lower-cased, trimmed and de-duplicated in order", "[auth][profile]") {
    const auto d = ApplyAll(Valid());
    CHECK(d.skills == std::vector<std::string>{"c++", "rust", "postgresql"});
    CHECK(d.languages == std::vector<std::string>{"en", "de"});
    CHECK(d.hourly_rate == auth::HourlyRate{9500, "EUR"});
    CHECK(d.bio == "Line one.\nLine two.");
}

TEST_CASE("Profile: only the fields named change", "[auth][profile]") {
    const auto current = ApplyAll(Valid());
    auth::ProfileData input;
    input.headline = "New headline";
    input.display_name = "";  // not named: ignored
    const auto d = auth::ApplyProfileChange(current, input, {ProfileField::kHeadline});
    CHECK(d.headline == "New headline");
    CHECK(d.display_name == "Ada");
    CHECK(d.skills == current.skills);
}

TEST_CASE("Profile: naming the hourly rate without a value clears it", "[auth][profile]") {
    const auto current = ApplyAll(Valid());
    const auto d = auth::ApplyProfileChange(current, auth::ProfileData{}, {ProfileField::kHourlyRate});
    CHECK_FALSE(d.hourly_rate.has_value());
}

TEST_CASE("Profile: every limit names its field", "[auth][profile]") {
    auto d = Valid();
    d.headline = std::string(121, 'h');
    CHECK(Rejected([&] { ApplyAll(d); }) == "profile.headline: must be at most 120 characters");
    d = Valid();
    d.bio = std::string(5001, 'b');
    CHECK(Rejected([&] { ApplyAll(d); }) == "profile.bio: must be at most 5000 characters");
    d = Valid();
    d.skills.assign(51, "x");
    CHECK(Rejected([&] { ApplyAll(d); }) == "profile.skills: must have at most 50 entries");
    d = Valid();
    d.skills = {"go", std::string(51, 's')};
    CHECK(Rejected([&] { ApplyAll(d); }) == "profile.skills[1]: must be at most 50 characters");
    d = Valid();
    d.skills = {"go", "  "};
    CHECK(Rejected([&] { ApplyAll(d); }) == "profile.skills[1]: must not be empty");
    d = Valid();
    d.hourly_rate = auth::HourlyRate{0, "EUR"};
    CHECK(Rejected([&] { ApplyAll(d); }) == "profile.hourly_rate.minor_units: must be > 0");
    d.hourly_rate = auth::HourlyRate{-5, "EUR"};
    CHECK(Rejected([&] { ApplyAll(d); }) == "profile.hourly_rate.minor_units: must be > 0");
    d.hourly_rate = auth::HourlyRate{auth::kMaxHourlyRateMinor + 1, "EUR"};
    CHECK(Rejected([&] { ApplyAll(d); }) == "profile.hourly_rate.minor_units: must be at most 100000000");
    d.hourly_rate = auth::HourlyRate{100, "XYZ"};
    CHECK(Rejected([&] { ApplyAll(d); }).rfind("profile.hourly_rate.currency: ", 0) == 0);
    d.hourly_rate = auth::HourlyRate{100, ""};
    CHECK(Rejected([&] { ApplyAll(d); }) == "profile.hourly_rate.currency: is required");
    d = Valid();
    d.hours_per_week = 169;
    CHECK(Rejected([&] { ApplyAll(d); }) == "profile.hours_per_week: must be 0 to 168");
    d.hours_per_week = -1;
    CHECK(Rejected([&] { ApplyAll(d); }) == "profile.hours_per_week: must be 0 to 168");
    d = Valid();
    d.languages = {"en", "english"};
    CHECK(Rejected([&] { ApplyAll(d); }) == "profile.languages[1]: must be an ISO 639-1 language code like \"en\"");
    d.languages.assign(21, "en");
    CHECK(Rejected([&] { ApplyAll(d); }) == "profile.languages: must have at most 20 entries");
    d = Valid();
    d.timezone = "Berlin";
    CHECK(Rejected([&] { ApplyAll(d); }).rfind("profile.timezone: ", 0) == 0);
    d = Valid();
    d.display_name = "";
    CHECK(Rejected([&] { ApplyAll(d); }) == "profile.display_name: is required");
}

TEST_CASE("Profile: time zones look like IANA names", "[auth][profile]") {
    for (const char* ok :
         {"UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT+5", "America/Port-au-Prince"}) {
        INFO(ok);
        CHECK(auth::IsTimezoneName(ok));
    }
    for (const char* bad :
         {"", "utc", "Berlin", "europe/berlin", "Europe/", "/Berlin", "Europe/Ber lin", "A/B/C/D", "Europe/../etc"}) {
        INFO(bad);
        CHECK_FALSE(auth::IsTimezoneName(bad));
    }
    CHECK_FALSE(auth::IsTimezoneName("Europe/" + std::string(60, 'x')));
}

TEST_CASE("Profile: update-mask paths name editable fields only", "[auth][profile]") {
    CHECK(auth::ParseProfileField("skills", "update_mask.paths[0]") == ProfileField::kSkills);
    CHECK(Rejected([] { auth::ParseProfileField("email", "update_mask.paths[1]"); }) ==
          "update_mask.paths[1]: 'email' cannot be changed");
    CHECK(Rejected([] { auth::ParseProfileField("salary", "update_mask.paths[0]"); }) ==
          "update_mask.paths[0]: unknown profile field 'salary'");
}
