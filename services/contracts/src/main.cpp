// The contracts service: the kit's main (libs/service/include/marketplace/service/kit.hpp).
#include "component.hpp"
#include "contracts_migrations.hpp"
#include "marketplace/service/kit.hpp"

int main() {
    return marketplace::service::RunService<marketplace::contracts::Component>(
        {.name = "contracts",
         .grpc_port = marketplace::contracts::kDefaultGrpcPort,
         .migrations = marketplace::migrations::contracts});
}
