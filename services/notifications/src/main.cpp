// The notifications service: the kit's main (libs/service/include/marketplace/service/kit.hpp).
#include "component.hpp"
#include "marketplace/service/kit.hpp"
#include "notifications_migrations.hpp"

int main() {
    return marketplace::service::RunService<marketplace::notifications::Component>(
        {.name = "notifications",
         .grpc_port = marketplace::notifications::kDefaultGrpcPort,
         .migrations = marketplace::migrations::notifications});
}
