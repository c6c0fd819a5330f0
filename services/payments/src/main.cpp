// The payments service: the ledger, wallets, escrow and the provider webhook (docs/ARCHITECTURE.md, "The
// ledger"), started by the kit's main (libs/service/include/marketplace/service/kit.hpp).
#include "component.hpp"
#include "marketplace/service/kit.hpp"
#include "payments_migrations.hpp"

int main() {
    return marketplace::service::RunService<marketplace::payments::PaymentsComponent>(
        {.name = "payments", .grpc_port = 7104, .migrations = marketplace::migrations::payments});
}
