#include "domain/profile.hpp"

#include <algorithm>

#include "domain/credentials.hpp"
#include "domain/text.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/money.hpp"

namespace marketplace::auth {
namespace {

struct FieldName {
    ProfileField field;
    std::string_view name;
};

constexpr FieldName kFields[] = {
    {ProfileField::kDisplayName, "display_name"},
    {ProfileField::kHeadline, "headline"},
    {ProfileField::kBio, "bio"},
    {ProfileField::kSkills, "skills"},
    {ProfileField::kHourlyRate, "hourly_rate"},
    {ProfileField::kHourlyRatePublic, "hourly_rate_public"},
    {ProfileField::kAvailability, "availability"},
    {ProfileField::kHoursPerWeek, "hours_per_week"},
    {ProfileField::kLanguages, "languages"},
    {ProfileField::kTimezone, "timezone"},
};

constexpr std::string_view kReadOnly[] = {"user_id", "role", "email", "created_at", "updated_at"};

std::string Name(std::string_view prefix, std::string_view field) {
    return prefix.empty() ? std::string(field) : std::string(prefix) + "." + std::string(field);
}

std::vector<std::string> NormalizeList(const std::vector<std::string>& items, std::size_t max_items,
                                       const std::string& field, const auto& normalize_one) {
    if (items.size() > max_items) {
        throw core::InvalidArgument(field, "must have at most " + std::to_string(max_items) + " entries");
    }
    std::vector<std::string> out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        std::string item = normalize_one(items[i], field + "[" + std::to_string(i) + "]");
        if (std::find(out.begin(), out.end(), item) == out.end()) out.push_back(std::move(item));
    }
    return out;
}

std::string NormalizeSkill(const std::string& raw, const std::string& field) {
    std::string skill = AsciiLower(Trim(raw));
    if (skill.empty()) throw core::InvalidArgument(field, "must not be empty");
    RequireText(skill, kMaxSkillChars, field);
    return skill;
}

std::string NormalizeLanguage(const std::string& raw, const std::string& field) {
    std::string code = AsciiLower(Trim(raw));
    const bool ok =
        code.size() == 2 && std::all_of(code.begin(), code.end(), [](char c) { return c >= 'a' && c <= 'z'; });
    if (!ok) throw core::InvalidArgument(field, "must be an ISO 639-1 language code like \"en\"");
    return code;
}

bool IsZoneChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
           c == '+';
}

}  // namespace

const std::vector<ProfileField>& AllProfileFields() {
    static const std::vector<ProfileField> all = [] {
        std::vector<ProfileField> v;
        for (const auto& f : kFields) v.push_back(f.field);
        return v;
    }();
    return all;
}

ProfileField ParseProfileField(std::string_view path, std::string_view field) {
    for (const auto& f : kFields) {
        if (f.name == path) return f.field;
    }
    for (const auto name : kReadOnly) {
        if (name == path)
            throw core::InvalidArgument(std::string(field), "'" + std::string(path) + "' cannot be changed");
    }
    throw core::InvalidArgument(std::string(field), "unknown profile field '" + std::string(path) + "'");
}

std::string_view ProfileFieldName(ProfileField field) {
    for (const auto& f : kFields) {
        if (f.field == field) return f.name;
    }
    return "?";
}

bool IsTimezoneName(std::string_view name) {
    if (name.empty() || name.size() > kMaxTimezoneChars) return false;
    if (name == "UTC") return true;
    std::size_t parts = 0;
    std::size_t start = 0;
    while (true) {
        const auto slash = name.find('/', start);
        const auto part = name.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
        if (part.empty() || !((part[0] >= 'A' && part[0] <= 'Z'))) return false;
        if (!std::all_of(part.begin(), part.end(), IsZoneChar)) return false;
        ++parts;
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    return parts >= 2 && parts <= 3;
}

ProfileData ApplyProfileChange(const ProfileData& current, const ProfileData& input,
                               const std::vector<ProfileField>& fields, std::string_view prefix) {
    ProfileData out = current;
    for (const ProfileField field : fields) {
        const std::string name = Name(prefix, ProfileFieldName(field));
        switch (field) {
            case ProfileField::kDisplayName:
                out.display_name = NormalizeDisplayName(input.display_name, name);
                break;
            case ProfileField::kHeadline:
                out.headline = Trim(input.headline);
                RequireText(out.headline, kMaxHeadlineChars, name);
                break;
            case ProfileField::kBio:
                out.bio = Trim(input.bio);
                RequireText(out.bio, kMaxBioChars, name, /*allow_newlines=*/true);
                break;
            case ProfileField::kSkills:
                out.skills = NormalizeList(input.skills, kMaxSkills, name, NormalizeSkill);
                break;
            case ProfileField::kHourlyRate:
                if (!input.hourly_rate) {
                    out.hourly_rate.reset();
                    break;
                }
                if (input.hourly_rate->minor_units <= 0)
                    throw core::InvalidArgument(name + ".minor_units", "must be > 0");
                if (input.hourly_rate->minor_units > kMaxHourlyRateMinor) {
                    throw core::InvalidArgument(name + ".minor_units",
                                                "must be at most " + std::to_string(kMaxHourlyRateMinor));
                }
                if (input.hourly_rate->currency.empty()) throw core::InvalidArgument(name + ".currency", "is required");
                out.hourly_rate = HourlyRate{
                    input.hourly_rate->minor_units,
                    std::string(core::Currency::Parse(input.hourly_rate->currency, name + ".currency").code())};
                break;
            case ProfileField::kHourlyRatePublic:
                out.hourly_rate_public = input.hourly_rate_public;
                break;
            case ProfileField::kAvailability:
                out.availability = input.availability;
                break;
            case ProfileField::kHoursPerWeek:
                if (input.hours_per_week < 0 || input.hours_per_week > kMaxHoursPerWeek) {
                    throw core::InvalidArgument(name, "must be 0 to " + std::to_string(kMaxHoursPerWeek));
                }
                out.hours_per_week = input.hours_per_week;
                break;
            case ProfileField::kLanguages:
                out.languages = NormalizeList(input.languages, kMaxLanguages, name, NormalizeLanguage);
                break;
            case ProfileField::kTimezone:
                out.timezone = Trim(input.timezone);
                if (!out.timezone.empty() && !IsTimezoneName(out.timezone)) {
                    throw core::InvalidArgument(name, "must be an IANA time zone like \"Europe/Berlin\" (at most " +
                                                          std::to_string(kMaxTimezoneChars) + " characters)");
                }
                break;
        }
    }
    return out;
}

}  // namespace marketplace::auth
