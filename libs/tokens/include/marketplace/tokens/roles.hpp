#pragma once
// The roles a token can carry, as strings (claims) and as the proto enum (marketplace.auth.v1.Role).
#include <optional>
#include <string_view>

#include "marketplace/auth/v1/events.pb.h"

namespace marketplace::tokens {

inline constexpr std::string_view kRoleClient = "client";
inline constexpr std::string_view kRoleFreelancer = "freelancer";
inline constexpr std::string_view kRoleAdmin = "admin";
inline constexpr std::string_view kRoleMediator = "mediator";
inline constexpr std::string_view kRoleExpert = "expert";

/// True for "client", "freelancer" and "admin" (exactly; case matters).
bool IsKnownRole(std::string_view role);

/// "client", "freelancer", "admin"; empty for ROLE_UNSPECIFIED and unknown values.
std::string_view RoleName(auth::v1::Role role);
/// The enum value of a role name, or nullopt when the name is not a known role.
std::optional<auth::v1::Role> RoleFromName(std::string_view name);

}  // namespace marketplace::tokens
