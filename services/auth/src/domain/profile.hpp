#pragma once
// Profiles: what a user shows about themselves, the rules for each field, and partial updates.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace marketplace::auth {

inline constexpr std::size_t kMaxHeadlineChars = 120;
inline constexpr std::size_t kMaxBioChars = 5000;
inline constexpr std::size_t kMaxSkills = 50;
inline constexpr std::size_t kMaxSkillChars = 50;
inline constexpr std::size_t kMaxLanguages = 20;
inline constexpr std::size_t kMaxTimezoneChars = 64;
inline constexpr int kMaxHoursPerWeek = 168;
/// The largest hourly rate in minor units (1,000,000.00 in a two-digit currency).
inline constexpr std::int64_t kMaxHourlyRateMinor = 100'000'000;

enum class Availability { kUnspecified, kFullTime, kPartTime, kNotAvailable };

struct HourlyRate {
    std::int64_t minor_units = 0;
    std::string currency;
    bool operator==(const HourlyRate&) const = default;
};

/// The editable part of a profile.
struct ProfileData {
    std::string display_name;
    std::string headline;
    std::string bio;
    std::vector<std::string> skills;
    std::optional<HourlyRate> hourly_rate;
    bool hourly_rate_public = false;
    Availability availability = Availability::kUnspecified;
    int hours_per_week = 0;
    std::vector<std::string> languages;
    std::string timezone;
    bool operator==(const ProfileData&) const = default;
};

enum class ProfileField {
    kDisplayName,
    kHeadline,
    kBio,
    kSkills,
    kHourlyRate,
    kHourlyRatePublic,
    kAvailability,
    kHoursPerWeek,
    kLanguages,
    kTimezone,
};

/// Every editable field, in declaration order.
const std::vector<ProfileField>& AllProfileFields();
/// The field of an update-mask path ("headline", "hourly_rate", ...). Throws core::InvalidArgument(field,
/// ...) for fields that do not exist or cannot be edited (user_id, role, email, ...).
ProfileField ParseProfileField(std::string_view path, std::string_view field);
/// "headline", "hourly_rate", ...
std::string_view ProfileFieldName(ProfileField field);

/// `current` with the named fields taken from `input`, each validated and normalized (text trimmed,
/// skills and languages lower-cased and de-duplicated). Errors name the field as "<prefix>.<name>"
/// (for example "profile.skills[3]"). The input's other fields are ignored.
ProfileData ApplyProfileChange(const ProfileData& current, const ProfileData& input,
                               const std::vector<ProfileField>& fields, std::string_view prefix = "profile");

/// True for "UTC" and IANA-style names: "Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT+5".
bool IsTimezoneName(std::string_view name);

}  // namespace marketplace::auth
