#pragma once
// The gRPC handlers of marketplace.auth.v1.AuthService: decode, authorize, call the use case.
#include "marketplace/auth/v1/auth.grpc.pb.h"

namespace marketplace::auth {

class Accounts;
class KeyRing;
class Profiles;
class LocalTokenVerifier;

class AuthApi final : public v1::AuthService::Service {
public:
    AuthApi(Accounts& accounts, KeyRing& keys, Profiles& profiles, const LocalTokenVerifier& verifier,
            bool trust_forwarded_for);

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
    grpc::Status RotateSigningKey(grpc::ServerContext* context, const v1::RotateSigningKeyRequest* request,
                                  v1::RotateSigningKeyResponse* response) override;
    grpc::Status GetProfile(grpc::ServerContext* context, const v1::GetProfileRequest* request,
                            v1::GetProfileResponse* response) override;
    grpc::Status UpdateProfile(grpc::ServerContext* context, const v1::UpdateProfileRequest* request,
                               v1::UpdateProfileResponse* response) override;

private:
    Accounts& accounts_;
    KeyRing& keys_;
    Profiles& profiles_;
    const LocalTokenVerifier& verifier_;
    bool trust_forwarded_for_;
};

}  // namespace marketplace::auth
