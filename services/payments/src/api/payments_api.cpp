#include "api/payments_api.hpp"

#include <pqxx/nontransaction>

#include "api/proto_mapping.hpp"
#include "domain/amount.hpp"
#include "domain/webhook.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/rpc/call_scope.hpp"
#include "marketplace/rpc/idempotency.hpp"
#include "marketplace/service/mutate.hpp"
#include "marketplace/wire/values.hpp"

namespace marketplace::payments {
namespace {

constexpr std::string_view kAdmin = "admin";
constexpr std::string_view kClient = "client";
constexpr std::string_view kFreelancer = "freelancer";

/// The caller's user id, lower-cased; a token whose subject is not a UUID names no wallet.
std::string CallerId(const rpc::Claims& claims) {
    if (!core::IsUuid(claims.subject)) throw core::PermissionDenied("the token's subject is not a user id");
    return NormalizeId(claims.subject);
}

void RequireAdmin(const rpc::Claims& claims) {
    if (claims.role != kAdmin) throw core::PermissionDenied("only admins may do this");
}

core::Money RequireAmount(bool present, const common::v1::Money& amount, const std::string& field,
                          const PaymentsConfig& config) {
    if (!present) throw core::InvalidArgument(field, "is required");
    return ValidateAmount(amount.minor_units(), amount.currency(), field, config.max_amount_minor);
}

std::string RequireId(const std::string& value, const std::string& field) {
    if (value.empty()) throw core::InvalidArgument(field, "is required");
    core::RequireUuid(value, field);
    return NormalizeId(value);
}

}  // namespace

PaymentsApi::PaymentsApi(service::Runtime& runtime, const PaymentsConfig& config, WalletFlows& wallets,
                         EscrowFlows& escrows, LedgerAdmin& admin)
    : runtime_(runtime), config_(config), wallets_(wallets), escrows_(escrows), admin_(admin) {}

grpc::Status PaymentsApi::CreateDeposit(grpc::ServerContext* context, const v1::CreateDepositRequest* request,
                                        v1::CreateDepositResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        const std::string user = CallerId(call.RequireClaims());
        const auto idempotent = rpc::IdempotentCall::From(call);
        const auto amount = RequireAmount(request->has_amount(), request->amount(), "amount", config_);
        *response = service::Mutate<v1::CreateDepositResponse>(runtime_, idempotent, *request, [&](pqxx::work& tx) {
            v1::CreateDepositResponse r;
            *r.mutable_deposit() = api::ToDeposit(wallets_.CreateDeposit(tx, user, amount));
            return r;
        });
    });
}

grpc::Status PaymentsApi::GetDeposit(grpc::ServerContext* context, const v1::GetDepositRequest* request,
                                     v1::GetDepositResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        const auto claims = call.RequireClaims();
        const std::string id = RequireId(request->deposit_id(), "deposit_id");
        const auto deposit =
            db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) { return wallets_.FindDeposit(tx, id); });
        // Someone else's deposit looks exactly like a missing one.
        if (!deposit || (claims.role != kAdmin && deposit->user_id != NormalizeId(claims.subject))) {
            throw core::NotFound("deposit " + id + " not found");
        }
        *response->mutable_deposit() = api::ToDeposit(*deposit);
    });
}

grpc::Status PaymentsApi::CreatePayout(grpc::ServerContext* context, const v1::CreatePayoutRequest* request,
                                       v1::CreatePayoutResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        const std::string user = CallerId(call.RequireClaims());
        const auto idempotent = rpc::IdempotentCall::From(call);
        const auto amount = RequireAmount(request->has_amount(), request->amount(), "amount", config_);
        *response = service::Mutate<v1::CreatePayoutResponse>(runtime_, idempotent, *request, [&](pqxx::work& tx) {
            v1::CreatePayoutResponse r;
            *r.mutable_payout() = api::ToPayout(wallets_.CreatePayout(tx, user, amount));
            return r;
        });
    });
}

grpc::Status PaymentsApi::GetPayout(grpc::ServerContext* context, const v1::GetPayoutRequest* request,
                                    v1::GetPayoutResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        const auto claims = call.RequireClaims();
        const std::string id = RequireId(request->payout_id(), "payout_id");
        const auto payout =
            db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) { return wallets_.FindPayout(tx, id); });
        if (!payout || (claims.role != kAdmin && payout->user_id != NormalizeId(claims.subject))) {
            throw core::NotFound("payout " + id + " not found");
        }
        *response->mutable_payout() = api::ToPayout(*payout);
    });
}

grpc::Status PaymentsApi::GetBalances(grpc::ServerContext* context, const v1::GetBalancesRequest* request,
                                      v1::GetBalancesResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        const auto claims = call.RequireClaims();
        v1::BalanceView view = v1::BALANCE_VIEW_UNSPECIFIED;
        if (claims.role == kAdmin)
            view = v1::BALANCE_VIEW_ADMIN;
        else if (claims.role == kClient)
            view = v1::BALANCE_VIEW_CLIENT;
        else if (claims.role == kFreelancer)
            view = v1::BALANCE_VIEW_FREELANCER;
        else
            throw core::PermissionDenied("role '" + claims.role + "' has no balance view");

        std::string user = request->user_id().empty() ? CallerId(claims) : RequireId(request->user_id(), "user_id");
        if (view != v1::BALANCE_VIEW_ADMIN && user != CallerId(claims)) {
            throw core::PermissionDenied("only admins may see another user's balances");
        }
        // One statement, one snapshot: no transaction around it.
        const auto balances = [&] {
            auto connection = runtime_.pool().Acquire();
            pqxx::nontransaction read(*connection);
            return wallets_.Balances(read, user);
        }();
        response->set_user_id(user);
        response->set_view(view);
        for (const auto& b : balances) {
            const bool shows_pending = view != v1::BALANCE_VIEW_CLIENT;
            const bool shows_escrow = view != v1::BALANCE_VIEW_FREELANCER;
            // A currency that only holds what this view hides is left out.
            if (b.available == 0 && (!shows_pending || b.pending_payouts == 0) && (!shows_escrow || b.in_escrow == 0)) {
                continue;
            }
            auto* item = response->add_balances();
            item->set_currency(b.currency);
            *item->mutable_available() = wire::ProtoMoney(b.available, b.currency);
            if (shows_pending) *item->mutable_pending_payouts() = wire::ProtoMoney(b.pending_payouts, b.currency);
            if (shows_escrow) *item->mutable_in_escrow() = wire::ProtoMoney(b.in_escrow, b.currency);
        }
    });
}

grpc::Status PaymentsApi::GetEscrow(grpc::ServerContext* context, const v1::GetEscrowRequest* request,
                                    v1::GetEscrowResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        const auto claims = call.RequireClaims();
        const std::string milestone = RequireId(request->milestone_id(), "milestone_id");
        const auto escrow =
            db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) { return escrows_.Find(tx, milestone); });
        if (!escrow || (claims.role != kAdmin && escrow->client_id != NormalizeId(claims.subject))) {
            throw core::NotFound("no escrow for milestone " + milestone);
        }
        *response->mutable_escrow() = api::ToEscrow(*escrow);
    });
}

grpc::Status PaymentsApi::HandleProviderWebhook(grpc::ServerContext* context,
                                                const v1::HandleProviderWebhookRequest* request,
                                                v1::HandleProviderWebhookResponse* response) {
    // Called by the provider: no token, no idempotency key. The signature authenticates it and the
    // provider's event id deduplicates it. Only the provider this service submits orders to may answer.
    return rpc::Handle(context, [&](rpc::CallScope&) {
        const std::string known = wallets_.provider().name();
        if (request->provider().empty()) {
            throw core::InvalidArgument("provider", "is required (this service takes webhooks from '" + known + "')");
        }
        if (request->provider() != known) {
            throw core::InvalidArgument("provider", "unknown payment provider '" + request->provider() +
                                                        "'; this service takes webhooks from '" + known + "'");
        }
        if (request->body().size() > kMaxWebhookBodyBytes) throw core::InvalidArgument("body", "is larger than 64 KiB");
        VerifyWebhook(config_.webhook_secret, request->signature(), request->body(), runtime_.clock()->Now(),
                      config_.webhook_tolerance);
        const ProviderEvent event = DecodeProviderEvent(request->body());
        const auto result =
            service::Mutate(runtime_, [&](pqxx::work& tx) { return wallets_.ApplyProviderEvent(tx, event); });
        response->set_outcome(api::ToOutcome(result));
    });
}

grpc::Status PaymentsApi::AuditLedger(grpc::ServerContext* context, const v1::AuditLedgerRequest*,
                                      v1::AuditLedgerResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        RequireAdmin(call.RequireClaims());
        *response = api::ToAuditResponse(admin_.Audit());
    });
}

grpc::Status PaymentsApi::CreateTransfers(grpc::ServerContext* context, const v1::CreateTransfersRequest* request,
                                          v1::CreateTransfersResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        RequireAdmin(call.RequireClaims());
        const auto idempotent = rpc::IdempotentCall::From(call);
        const int count = request->transfers_size();
        if (count == 0) throw core::InvalidArgument("transfers", "must hold at least one transfer");
        if (count > config_.max_batch_transfers) {
            throw core::InvalidArgument("transfers", "must hold at most " +
                                                         std::to_string(config_.max_batch_transfers) +
                                                         " transfers, got " + std::to_string(count));
        }
        std::vector<TransferRequest> transfers;
        transfers.reserve(static_cast<std::size_t>(count));
        for (int i = 0; i < count; ++i) {
            const auto& t = request->transfers(i);
            const std::string field = "transfers[" + std::to_string(i) + "]";
            const std::string from = RequireId(t.from_user_id(), field + ".from_user_id");
            const std::string to = RequireId(t.to_user_id(), field + ".to_user_id");
            if (from == to) throw core::InvalidArgument(field + ".to_user_id", "must differ from from_user_id");
            transfers.push_back({from, to, RequireAmount(t.has_amount(), t.amount(), field + ".amount", config_)});
        }
        *response = service::Mutate<v1::CreateTransfersResponse>(runtime_, idempotent, *request, [&](pqxx::work& tx) {
            v1::CreateTransfersResponse r;
            r.set_operation_id(admin_.CreateTransfers(tx, transfers));
            r.set_transfer_count(count);
            return r;
        });
    });
}

grpc::Status PaymentsApi::ListMilestoneLedgerLegs(grpc::ServerContext* context,
                                                  const v1::ListMilestoneLedgerLegsRequest* request,
                                                  v1::ListMilestoneLedgerLegsResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        RequireAdmin(call.RequireClaims());
        const std::string milestone = RequireId(request->milestone_id(), "milestone_id");
        response->Clear();
        for (const auto& l : admin_.MilestoneLegs(milestone)) {
            auto* leg = response->add_legs();
            leg->set_operation_id(l.operation_id);
            leg->set_operation_kind(l.operation_kind);
            leg->set_leg(l.leg);
            leg->set_debit_account_kind(l.debit_kind);
            leg->set_debit_account_owner(l.debit_owner);
            leg->set_credit_account_kind(l.credit_kind);
            leg->set_credit_account_owner(l.credit_owner);
            *leg->mutable_amount() = wire::ProtoMoney(l.amount, l.currency);
            leg->set_created_at(l.created_at);
        }
    });
}

}  // namespace marketplace::payments
