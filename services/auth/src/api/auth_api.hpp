#pragma once
// The gRPC handlers of marketplace.auth.v1.AuthService: decode, authorize, call the use case.
#include <string>

#include "marketplace/auth/v1/auth.grpc.pb.h"

namespace marketplace::auth {

class Accounts;
class KeyRing;
class Profiles;
class LocalTokenVerifier;

class AuthApi final : public v1::AuthService::Service {
public:
    AuthApi(Accounts& accounts, KeyRing& keys, Profiles& profiles, const LocalTokenVerifier& verifier,
            std::string gateway_secret);

    grpc::Status Register(grpc::ServerContext* context, const v1::RegisterRequest* request,
                          v1::RegisterResponse* response) override;
    grpc::Status Login(grpc::ServerContext* context, const v1::LoginRequest* request,
                       v1::LoginResponse* response) override;
    grpc::Status Refresh(grpc::ServerContext* context, const v1::RefreshRequest* request,
                         v1::RefreshResponse* response) override;
    grpc::Status Logout(grpc::ServerContext* context, const v1::LogoutRequest* request,
                        v1::LogoutResponse* response) override;
    grpc::Status GetJwks(grpc::ServerContext* context, const v1::GetJwksRequest* request,
                         v1::GetJwksResponse* response) override;
    grpc::Status SetStaffRole(grpc::ServerContext* context, const v1::SetStaffRoleRequest* request,
                              v1::SetStaffRoleResponse* response) override;
    grpc::Status RotateSigningKey(grpc::ServerContext* context, const v1::RotateSigningKeyRequest* request,
                                  v1::RotateSigningKeyResponse* response) override;
    grpc::Status ChangePassword(grpc::ServerContext* context, const v1::ChangePasswordRequest* request,
                                v1::ChangePasswordResponse* response) override;
    grpc::Status LogoutEverywhere(grpc::ServerContext* context, const v1::LogoutEverywhereRequest* request,
                                  v1::LogoutEverywhereResponse* response) override;
    grpc::Status RequestPasswordReset(grpc::ServerContext* context, const v1::RequestPasswordResetRequest* request,
                                      v1::RequestPasswordResetResponse* response) override;
    grpc::Status ResetPassword(grpc::ServerContext* context, const v1::ResetPasswordRequest* request,
                               v1::ResetPasswordResponse* response) override;
    grpc::Status ListSessionRevocations(grpc::ServerContext* context, const v1::ListSessionRevocationsRequest* request,
                                        v1::ListSessionRevocationsResponse* response) override;
    grpc::Status RevokeSigningKey(grpc::ServerContext* context, const v1::RevokeSigningKeyRequest* request,
                                  v1::RevokeSigningKeyResponse* response) override;
    grpc::Status GetProfile(grpc::ServerContext* context, const v1::GetProfileRequest* request,
                            v1::GetProfileResponse* response) override;
    grpc::Status UpdateProfile(grpc::ServerContext* context, const v1::UpdateProfileRequest* request,
                               v1::UpdateProfileResponse* response) override;

private:
    /// The client's address: what the gateway forwarded, when the call proves it is the gateway.
    std::string SourceOf(const grpc::ServerContext& context) const;

    Accounts& accounts_;
    KeyRing& keys_;
    Profiles& profiles_;
    const LocalTokenVerifier& verifier_;
    std::string gateway_secret_;  // AUTH_GATEWAY_SECRET: who may name the client's address
};

}  // namespace marketplace::auth
