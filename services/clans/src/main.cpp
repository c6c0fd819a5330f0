// The clans service: the kit's main (libs/service/include/marketplace/service/kit.hpp).
#include "clans_migrations.hpp"
#include "component.hpp"
#include "marketplace/service/kit.hpp"

int main() {
    return marketplace::service::RunService<marketplace::clans::Component>(
        {.name = "clans",
         .grpc_port = marketplace::clans::kDefaultGrpcPort,
         .migrations = marketplace::migrations::clans});
}
