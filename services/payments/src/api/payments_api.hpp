#pragma once
// The gRPC handlers of marketplace.payments.v1.PaymentsService: decode, authorize, call the
// flows, encode. Mutating calls run their effect and the idempotency record in one transaction.
#include "app/config.hpp"
#include "app/escrow_flows.hpp"
#include "app/ledger_admin.hpp"
#include "app/wallet_flows.hpp"
#include "marketplace/payments/v1/payments.grpc.pb.h"
#include "marketplace/service/runtime.hpp"

namespace marketplace::payments {

class PaymentsApi final : public v1::PaymentsService::Service {
public:
    PaymentsApi(service::Runtime& runtime, const PaymentsConfig& config, WalletFlows& wallets, EscrowFlows& escrows,
                LedgerAdmin& admin);

    grpc::Status CreateDeposit(grpc::ServerContext* context, const v1::CreateDepositRequest* request,
                               v1::CreateDepositResponse* response) override;
    grpc::Status GetDeposit(grpc::ServerContext* context, const v1::GetDepositRequest* request,
                            v1::GetDepositResponse* response) override;
    grpc::Status CreatePayout(grpc::ServerContext* context, const v1::CreatePayoutRequest* request,
                              v1::CreatePayoutResponse* response) override;
    grpc::Status GetPayout(grpc::ServerContext* context, const v1::GetPayoutRequest* request,
                           v1::GetPayoutResponse* response) override;
    grpc::Status GetBalances(grpc::ServerContext* context, const v1::GetBalancesRequest* request,
                             v1::GetBalancesResponse* response) override;
    grpc::Status GetEscrow(grpc::ServerContext* context, const v1::GetEscrowRequest* request,
                           v1::GetEscrowResponse* response) override;
    grpc::Status HandleProviderWebhook(grpc::ServerContext* context, const v1::HandleProviderWebhookRequest* request,
                                       v1::HandleProviderWebhookResponse* response) override;
    grpc::Status AuditLedger(grpc::ServerContext* context, const v1::AuditLedgerRequest* request,
                             v1::AuditLedgerResponse* response) override;
    grpc::Status CreateTransfers(grpc::ServerContext* context, const v1::CreateTransfersRequest* request,
                                 v1::CreateTransfersResponse* response) override;
    grpc::Status ListMilestoneLedgerLegs(grpc::ServerContext* context,
                                         const v1::ListMilestoneLedgerLegsRequest* request,
                                         v1::ListMilestoneLedgerLegsResponse* response) override;

private:
    service::Runtime& runtime_;
    const PaymentsConfig& config_;
    WalletFlows& wallets_;
    EscrowFlows& escrows_;
    LedgerAdmin& admin_;
};

}  // namespace marketplace::payments
