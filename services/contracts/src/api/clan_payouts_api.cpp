// ListClanPayouts: a clan's plans and payouts, shown to the clan's members only.

#include <cctype>
#include <pqxx/pqxx>

#include "api/contracts_api.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/rpc/call_scope.hpp"
#include "marketplace/wire/values.hpp"
#include "storage/clan_store.hpp"

namespace marketplace::contracts::api {
namespace {

/// At most this many contracts in one answer.
constexpr int kMaxClanContracts = 100;

}  // namespace

grpc::Status ContractsApi::ListClanPayouts(grpc::ServerContext* context, const v1::ListClanPayoutsRequest* request,
                                           v1::ListClanPayoutsResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const auto claims = scope.RequireClaims();
        core::RequireUuid(request->clan_id(), "clan_id");
        std::string clan_id = request->clan_id();
        for (auto& c : clan_id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
            response->Clear();
            // Members' shares are the clan's own business: not the client's, not an outsider's.
            if (storage::ClanRoleOf(tx, clan_id, claims.subject).empty()) {
                throw core::PermissionDenied("only the clan's members see its payouts");
            }
            for (const auto& c : storage::ClanPayoutsOf(tx, clan_id, kMaxClanContracts)) {
                auto* out = response->add_contracts();
                out->set_contract_id(c.contract_id);
                out->set_title(c.title);
                for (const auto& p : c.plans) {
                    auto* plan = out->add_plans();
                    plan->set_version(p.version);
                    plan->set_leader_id(p.leader_id);
                    plan->set_split_mode(p.split_mode);
                    for (const auto& s : p.shares) {
                        auto* share = plan->add_shares();
                        share->set_user_id(s.user_id);
                        share->set_role(s.role);
                        share->set_weight(s.weight);
                    }
                }
                for (const auto& m : c.milestones) {
                    auto* milestone = out->add_milestones();
                    milestone->set_milestone_id(m.milestone_id);
                    milestone->set_title(m.title);
                    milestone->set_state(m.state);
                    *milestone->mutable_amount() = wire::ProtoMoney(m.amount, m.currency);
                    milestone->set_plan_version(m.plan_version.value_or(0));
                    for (const auto& l : m.legs) {
                        auto* leg = milestone->add_legs();
                        leg->set_kind(l.kind);
                        leg->set_user_id(l.user_id);
                        *leg->mutable_amount() = wire::ProtoMoney(l.amount, l.currency);
                    }
                }
            }
        });
    });
}

}  // namespace marketplace::contracts::api
