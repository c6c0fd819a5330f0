#pragma once
// Profiles: the owner (and admins) see everything; everyone else sees the public view.
#include <optional>

#include "marketplace/auth/v1/auth.pb.h"
#include "marketplace/rpc/auth.hpp"
#include "marketplace/rpc/idempotency.hpp"
#include "marketplace/service/runtime.hpp"

namespace marketplace::auth {

class Profiles final {
public:
    explicit Profiles(service::Runtime& runtime);

    /// `caller` is nullopt for a call without a token (public view).
    v1::GetProfileResponse Get(const std::optional<rpc::Claims>& caller, const v1::GetProfileRequest& request);
    /// Changes the caller's own profile; publishes ProfileUpdated when something changed.
    v1::UpdateProfileResponse Update(const rpc::IdempotentCall& call, const rpc::Claims& caller,
                                     const v1::UpdateProfileRequest& request);

private:
    service::Runtime& runtime_;
};

}  // namespace marketplace::auth
