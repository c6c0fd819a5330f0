// The auth service: the kit's main (libs/service/include/marketplace/service/kit.hpp). It verifies tokens with
// its own keys (Component::Configure), not with a JWKS fetched from itself.
#include "auth_migrations.hpp"
#include "component.hpp"
#include "marketplace/service/kit.hpp"

int main() {
    return marketplace::service::RunService<marketplace::auth::Component>(
        {.name = "auth",
         .grpc_port = marketplace::auth::kDefaultGrpcPort,
         .migrations = marketplace::migrations::auth,
         .verify_tokens = false});
}
