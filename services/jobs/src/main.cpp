// The jobs service: the kit's main (libs/service/include/marketplace/service/kit.hpp).
#include "component.hpp"
#include "jobs_migrations.hpp"
#include "marketplace/service/kit.hpp"

int main() {
    return marketplace::service::RunService<marketplace::jobs::Component>(
        {.name = "jobs",
         .grpc_port = marketplace::jobs::kDefaultGrpcPort,
         .migrations = marketplace::migrations::jobs});
}
