#pragma once
// Conversions between the service's records and its gRPC messages.
#include <cstdint>
#include <string>

#include "app/ledger_admin.hpp"
#include "app/wallet_flows.hpp"
#include "marketplace/payments/v1/payments.pb.h"
#include "storage/escrow_store.hpp"
#include "storage/order_store.hpp"

namespace marketplace::payments::api {

v1::Deposit ToDeposit(const storage::ProviderOrder& order);
v1::Payout ToPayout(const storage::ProviderOrder& order);
v1::Escrow ToEscrow(const storage::EscrowRecord& escrow);
v1::WebhookOutcome ToOutcome(WebhookResult result);
v1::AuditLedgerResponse ToAuditResponse(const AuditReport& report);

}  // namespace marketplace::payments::api
