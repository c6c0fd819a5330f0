#pragma once
// Between the API's messages and the domain: times, roles, profiles and their two views.
#include <google/protobuf/timestamp.pb.h>

#include <string_view>

#include "domain/profile.hpp"
#include "marketplace/auth/v1/auth.pb.h"
#include "marketplace/core/clock.hpp"
#include "storage/users.hpp"

namespace marketplace::auth {

/// The editable fields of a Profile message. Throws core::InvalidArgument("<prefix>.availability", ...)
/// for an availability value the API does not define.
ProfileData ProfileDataFromProto(const v1::Profile& profile, std::string_view prefix = "profile");

/// Everything, for the owner and admins.
v1::Profile OwnerView(const storage::ProfileRecord& record);
/// Without the email, the times, and the hourly rate unless its owner made it public.
v1::Profile PublicView(const storage::ProfileRecord& record);

}  // namespace marketplace::auth
