// The template service: the kit's main (libs/service/include/marketplace/service/kit.hpp).
#include "component.hpp"
#include "example_migrations.hpp"
#include "marketplace/service/kit.hpp"

int main() {
    return marketplace::service::RunService<marketplace::example::Component>(
        {.name = "example",
         .grpc_port = marketplace::example::kDefaultGrpcPort,
         .migrations = marketplace::migrations::example});
}
