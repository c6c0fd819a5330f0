#include "app/convert.hpp"

#include "marketplace/core/errors.hpp"
#include "marketplace/tokens/roles.hpp"
#include "marketplace/wire/values.hpp"

namespace marketplace::auth {
namespace {

v1::Availability ToProto(Availability a) {
    switch (a) {
        case Availability::kFullTime:
            return v1::AVAILABILITY_FULL_TIME;
        case Availability::kPartTime:
            return v1::AVAILABILITY_PART_TIME;
        case Availability::kNotAvailable:
            return v1::AVAILABILITY_NOT_AVAILABLE;
        case Availability::kUnspecified:
            break;
    }
    return v1::AVAILABILITY_UNSPECIFIED;
}

v1::Profile CommonView(const storage::ProfileRecord& record) {
    v1::Profile p;
    const ProfileData& d = record.data;
    p.set_user_id(record.user.user_id);
    p.set_role(tokens::RoleFromName(record.user.role).value_or(v1::ROLE_UNSPECIFIED));
    p.set_display_name(d.display_name);
    p.set_headline(d.headline);
    p.set_bio(d.bio);
    for (const auto& s : d.skills) p.add_skills(s);
    p.set_availability(ToProto(d.availability));
    p.set_hours_per_week(d.hours_per_week);
    for (const auto& l : d.languages) p.add_languages(l);
    p.set_timezone(d.timezone);
    return p;
}

void SetRate(v1::Profile& p, const ProfileData& d) {
    if (!d.hourly_rate) return;
    p.mutable_hourly_rate()->set_minor_units(d.hourly_rate->minor_units);
    p.mutable_hourly_rate()->set_currency(d.hourly_rate->currency);
}

}  // namespace

ProfileData ProfileDataFromProto(const v1::Profile& p, std::string_view prefix) {
    ProfileData d;
    d.display_name = p.display_name();
    d.headline = p.headline();
    d.bio = p.bio();
    d.skills.assign(p.skills().begin(), p.skills().end());
    if (p.has_hourly_rate()) d.hourly_rate = HourlyRate{p.hourly_rate().minor_units(), p.hourly_rate().currency()};
    d.hourly_rate_public = p.hourly_rate_public();
    switch (p.availability()) {
        case v1::AVAILABILITY_UNSPECIFIED:
            d.availability = Availability::kUnspecified;
            break;
        case v1::AVAILABILITY_FULL_TIME:
            d.availability = Availability::kFullTime;
            break;
        case v1::AVAILABILITY_PART_TIME:
            d.availability = Availability::kPartTime;
            break;
        case v1::AVAILABILITY_NOT_AVAILABLE:
            d.availability = Availability::kNotAvailable;
            break;
        default:
            throw core::InvalidArgument(std::string(prefix) + ".availability",
                                        "unknown value " + std::to_string(p.availability()));
    }
    d.hours_per_week = p.hours_per_week();
    d.languages.assign(p.languages().begin(), p.languages().end());
    d.timezone = p.timezone();
    return d;
}

v1::Profile OwnerView(const storage::ProfileRecord& record) {
    v1::Profile p = CommonView(record);
    SetRate(p, record.data);
    p.set_hourly_rate_public(record.data.hourly_rate_public);
    p.set_email(record.user.email);
    wire::ToProto(record.user.created_at, p.mutable_created_at());
    wire::ToProto(record.updated_at, p.mutable_updated_at());
    return p;
}

v1::Profile PublicView(const storage::ProfileRecord& record) {
    v1::Profile p = CommonView(record);
    if (record.data.hourly_rate_public) {
        SetRate(p, record.data);
        p.set_hourly_rate_public(true);
    }
    return p;
}

}  // namespace marketplace::auth
