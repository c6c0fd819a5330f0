#include "api/auth_api.hpp"

#include <optional>
#include <string>

#include "app/accounts.hpp"
#include "app/key_ring.hpp"
#include "app/profiles.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/rpc/call_scope.hpp"
#include "marketplace/rpc/forwarding.hpp"
#include "marketplace/rpc/idempotency.hpp"
#include "marketplace/tokens/roles.hpp"

namespace marketplace::auth {

AuthApi::AuthApi(Accounts& accounts, KeyRing& keys, Profiles& profiles, const LocalTokenVerifier& verifier,
                 std::string gateway_secret)
    : accounts_(accounts),
      keys_(keys),
      profiles_(profiles),
      verifier_(verifier),
      gateway_secret_(std::move(gateway_secret)) {}

std::string AuthApi::SourceOf(const grpc::ServerContext& context) const {
    return rpc::ClientAddressOf(context, gateway_secret_);
}

grpc::Status AuthApi::Register(grpc::ServerContext* context, const v1::RegisterRequest* request,
                               v1::RegisterResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        *response = accounts_.Register(rpc::IdempotentCall::From(call), *request, SourceOf(*context));
    });
}

grpc::Status AuthApi::Login(grpc::ServerContext* context, const v1::LoginRequest* request,
                            v1::LoginResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope&) { *response = accounts_.Login(*request, SourceOf(*context)); });
}

grpc::Status AuthApi::Refresh(grpc::ServerContext* context, const v1::RefreshRequest* request,
                              v1::RefreshResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        *response = accounts_.Refresh(rpc::IdempotentCall::From(call), *request);
    });
}

grpc::Status AuthApi::Logout(grpc::ServerContext* context, const v1::LogoutRequest* request,
                             v1::LogoutResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        *response = accounts_.Logout(rpc::IdempotentCall::From(call), *request);
    });
}

grpc::Status AuthApi::GetJwks(grpc::ServerContext* context, const v1::GetJwksRequest*, v1::GetJwksResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope&) { *response = keys_.Jwks(); });
}

grpc::Status AuthApi::RotateSigningKey(grpc::ServerContext* context, const v1::RotateSigningKeyRequest* request,
                                       v1::RotateSigningKeyResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        const auto caller = call.RequireClaims();
        if (caller.role != tokens::kRoleAdmin) throw core::PermissionDenied("only admins rotate signing keys");
        *response = keys_.Rotate(rpc::IdempotentCall::From(call), *request);
        verifier_.Refresh();  // this process verifies the new key's tokens at once
    });
}

grpc::Status AuthApi::SetStaffRole(grpc::ServerContext* context, const v1::SetStaffRoleRequest* request,
                                   v1::SetStaffRoleResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        const auto caller = call.RequireClaims();
        if (caller.role != tokens::kRoleAdmin) throw core::PermissionDenied("only admins make staff");
        *response = accounts_.SetStaffRole(rpc::IdempotentCall::From(call), *request);
    });
}

grpc::Status AuthApi::ChangePassword(grpc::ServerContext* context, const v1::ChangePasswordRequest* request,
                                     v1::ChangePasswordResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        const auto caller = call.RequireClaims();
        *response = accounts_.ChangePassword(caller, *request, SourceOf(*context));
        verifier_.RefreshRevocations();  // this process refuses the old tokens at once
    });
}

grpc::Status AuthApi::LogoutEverywhere(grpc::ServerContext* context, const v1::LogoutEverywhereRequest*,
                                       v1::LogoutEverywhereResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        const auto caller = call.RequireClaims();
        *response = accounts_.LogoutEverywhere(caller);
        verifier_.RefreshRevocations();
    });
}

grpc::Status AuthApi::RequestPasswordReset(grpc::ServerContext* context, const v1::RequestPasswordResetRequest* request,
                                           v1::RequestPasswordResetResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope&) { *response = accounts_.RequestPasswordReset(*request); });
}

grpc::Status AuthApi::ResetPassword(grpc::ServerContext* context, const v1::ResetPasswordRequest* request,
                                    v1::ResetPasswordResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope&) {
        *response = accounts_.ResetPassword(*request);
        verifier_.RefreshRevocations();
    });
}

grpc::Status AuthApi::ListSessionRevocations(grpc::ServerContext* context, const v1::ListSessionRevocationsRequest*,
                                             v1::ListSessionRevocationsResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope&) { *response = accounts_.ListSessionRevocations(); });
}

grpc::Status AuthApi::RevokeSigningKey(grpc::ServerContext* context, const v1::RevokeSigningKeyRequest* request,
                                       v1::RevokeSigningKeyResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        const auto caller = call.RequireClaims();
        if (caller.role != tokens::kRoleAdmin) throw core::PermissionDenied("only admins revoke signing keys");
        *response = keys_.Revoke(*request);
        verifier_.Refresh();  // this process stops accepting the revoked key at once
    });
}

grpc::Status AuthApi::GetProfile(grpc::ServerContext* context, const v1::GetProfileRequest* request,
                                 v1::GetProfileResponse* response) {
    return rpc::Handle(context,
                       [&](rpc::CallScope& call) { *response = profiles_.Get(call.OptionalClaims(), *request); });
}

grpc::Status AuthApi::UpdateProfile(grpc::ServerContext* context, const v1::UpdateProfileRequest* request,
                                    v1::UpdateProfileResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        const auto caller = call.RequireClaims();
        *response = profiles_.Update(rpc::IdempotentCall::From(call), caller, *request);
    });
}

}  // namespace marketplace::auth
