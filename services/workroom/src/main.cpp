// The workroom service: the kit's main (libs/service/include/marketplace/service/kit.hpp).
#include "component.hpp"
#include "marketplace/service/kit.hpp"
#include "workroom_migrations.hpp"

int main() {
    return marketplace::service::RunService<marketplace::workroom::Component>(
        {.name = "workroom",
         .grpc_port = marketplace::workroom::kDefaultGrpcPort,
         .migrations = marketplace::migrations::workroom});
}
