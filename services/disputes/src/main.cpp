// The disputes service: the kit's main (libs/service/include/marketplace/service/kit.hpp).
#include "component.hpp"
#include "disputes_migrations.hpp"
#include "marketplace/service/kit.hpp"

int main() {
    return marketplace::service::RunService<marketplace::disputes::Component>(
        {.name = "disputes",
         .grpc_port = marketplace::disputes::kDefaultGrpcPort,
         .migrations = marketplace::migrations::disputes});
}
