#include "storage/users.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "marketplace/db/statements.hpp"
#include "marketplace/db/values.hpp"
#include "storage/sql.hpp"

namespace marketplace::auth::storage {
namespace {

const std::string kUserColumns =
    "u.user_id::text, u.email, u.password_hash, u.role, " + db::MicrosOf("u.created_at") + ", u.session_epoch";

UserRecord ReadUser(const pqxx::row& r) {
    return UserRecord{r[0].as<std::string>(),
                      r[1].as<std::string>(),
                      r[2].as<std::string>(),
                      r[3].as<std::string>(),
                      db::TimeFromMicros(r[4].as<std::int64_t>()),
                      r[5].as<std::int64_t>()};
}

std::string AvailabilityText(Availability a) {
    switch (a) {
        case Availability::kFullTime:
            return "full_time";
        case Availability::kPartTime:
            return "part_time";
        case Availability::kNotAvailable:
            return "not_available";
        case Availability::kUnspecified:
            break;
    }
    return "unspecified";
}

Availability ParseAvailability(const std::string& s) {
    if (s == "full_time") return Availability::kFullTime;
    if (s == "part_time") return Availability::kPartTime;
    if (s == "not_available") return Availability::kNotAvailable;
    return Availability::kUnspecified;
}

std::vector<std::string> ParseList(const std::string& json) {
    return nlohmann::json::parse(json).get<std::vector<std::string>>();
}

}  // namespace

bool InsertUser(pqxx::work& tx, const UserRecord& user, const std::string& display_name) {
    const auto inserted =
        db::Exec(tx,
                 "INSERT INTO users (user_id, email, password_hash, role, created_at) VALUES ($1::uuid, $2, $3, $4, "
                 "$5::timestamptz) "
                 "ON CONFLICT (email) DO NOTHING RETURNING user_id",
                 user.user_id, user.email, user.password_hash, user.role, db::TimeParam(user.created_at));
    if (inserted.empty()) return false;
    db::Exec(tx, "INSERT INTO profiles (user_id, display_name, updated_at) VALUES ($1::uuid, $2, $3::timestamptz)",
             user.user_id, display_name, db::TimeParam(user.created_at));
    return true;
}

std::optional<UserRecord> FindUserByEmail(pqxx::work& tx, const std::string& email) {
    const auto r = db::Exec(tx, "SELECT " + kUserColumns + " FROM users u WHERE u.email = $1", email);
    if (r.empty()) return std::nullopt;
    return ReadUser(r[0]);
}

std::optional<UserRecord> FindUserById(pqxx::work& tx, const std::string& user_id) {
    const auto r = db::Exec(tx, "SELECT " + kUserColumns + " FROM users u WHERE u.user_id = $1::uuid", user_id);
    if (r.empty()) return std::nullopt;
    return ReadUser(r[0]);
}

void UpdatePasswordHash(pqxx::work& tx, const std::string& user_id, const std::string& password_hash) {
    db::Exec(tx, "UPDATE users SET password_hash = $2 WHERE user_id = $1::uuid", user_id, password_hash);
}

std::optional<ProfileRecord> LoadProfile(pqxx::work& tx, const std::string& user_id, bool lock) {
    const auto r = db::Exec(
        tx,
        "SELECT " + kUserColumns +
            ", p.display_name, p.headline, p.bio, p.skills::text, p.hourly_rate_minor, p.hourly_rate_currency, "
            "p.hourly_rate_public, p.availability, p.hours_per_week, p.languages::text, p.timezone, " +
            db::MicrosOf("p.updated_at") +
            " FROM profiles p JOIN users u ON u.user_id = p.user_id WHERE p.user_id = $1::uuid" +
            (lock ? " FOR UPDATE OF p" : ""),
        user_id);
    if (r.empty()) return std::nullopt;
    const auto& row = r[0];
    ProfileRecord out;
    out.user = ReadUser(row);
    ProfileData& d = out.data;
    d.display_name = row[6].as<std::string>();
    d.headline = row[7].as<std::string>();
    d.bio = row[8].as<std::string>();
    d.skills = ParseList(row[9].as<std::string>());
    if (!row[10].is_null()) d.hourly_rate = HourlyRate{row[10].as<std::int64_t>(), row[11].as<std::string>()};
    d.hourly_rate_public = row[12].as<bool>();
    d.availability = ParseAvailability(row[13].as<std::string>());
    d.hours_per_week = row[14].as<int>();
    d.languages = ParseList(row[15].as<std::string>());
    d.timezone = row[16].as<std::string>();
    out.updated_at = db::TimeFromMicros(row[17].as<std::int64_t>());
    return out;
}

void SaveProfile(pqxx::work& tx, const std::string& user_id, const ProfileData& d, core::Clock::TimePoint now) {
    const std::optional<std::int64_t> rate_minor =
        d.hourly_rate ? std::optional<std::int64_t>(d.hourly_rate->minor_units) : std::nullopt;
    const std::optional<std::string> rate_currency =
        d.hourly_rate ? std::optional<std::string>(d.hourly_rate->currency) : std::nullopt;
    db::Exec(
        tx,
        "UPDATE profiles SET display_name = $2, headline = $3, bio = $4, skills = $5::jsonb, hourly_rate_minor = $6, "
        "hourly_rate_currency = $7, hourly_rate_public = $8, availability = $9, hours_per_week = $10, "
        "languages = $11::jsonb, timezone = $12, updated_at = $13::timestamptz WHERE user_id = $1::uuid",
        user_id, d.display_name, d.headline, d.bio, nlohmann::json(d.skills).dump(), rate_minor, rate_currency,
        d.hourly_rate_public, AvailabilityText(d.availability), d.hours_per_week, nlohmann::json(d.languages).dump(),
        d.timezone, db::TimeParam(now));
}

}  // namespace marketplace::auth::storage
