#include "api/contracts_api.hpp"

#include <pqxx/pqxx>

#include "api/convert.hpp"
#include "app/party.hpp"
#include "domain/statement_of_work.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/rpc/idempotency.hpp"

namespace marketplace::contracts::api {

int PageSize(int requested) {
    if (requested < 0 || requested > kMaxPageSize) {
        throw core::InvalidArgument("page_size", "must be between 0 and " + std::to_string(kMaxPageSize));
    }
    return requested == 0 ? kDefaultPageSize : requested;
}

namespace {

Viewer ViewerOfContract(pqxx::work& tx, const rpc::Claims& claims, const storage::ContractRecord& c) {
    return PartyOf(tx, claims.subject, claims.role, c.terms.client_id, c.terms.freelancer_id, c.terms.clan_id);
}

/// The contract if the caller may read it; NotFound otherwise (strangers cannot tell it exists).
storage::ContractRecord ReadableContract(pqxx::work& tx, const rpc::Claims& claims, const std::string& contract_id,
                                         storage::Lock lock = storage::Lock::kNone, Viewer* viewer = nullptr) {
    auto contract = storage::FindContract(tx, contract_id, lock);
    if (!contract) throw core::NotFound("contract not found");
    const Viewer v = ViewerOfContract(tx, claims, *contract);
    RequireCanRead(v, "contract");
    if (viewer) *viewer = v;
    return std::move(*contract);
}

}  // namespace

grpc::Status ContractsApi::GetContract(grpc::ServerContext* context, const v1::GetContractRequest* request,
                                       v1::GetContractResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const auto claims = scope.RequireClaims();
        core::RequireUuid(request->contract_id(), "contract_id");
        db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
            response->Clear();
            Viewer viewer = Viewer::kStranger;
            const auto contract = ReadableContract(tx, claims, request->contract_id(), storage::Lock::kNone, &viewer);
            ToProto(contract, storage::SignaturesOf(tx, request->contract_id()),
                    storage::MilestonesOf(tx, request->contract_id()), response->mutable_contract());
            response->mutable_contract()->set_caller_role(ToProtoRole(viewer));
        });
    });
}

grpc::Status ContractsApi::ListContracts(grpc::ServerContext* context, const v1::ListContractsRequest* request,
                                         v1::ListContractsResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const auto claims = scope.RequireClaims();
        const int page_size = PageSize(request->page_size());
        std::string party_id = claims.subject;
        if (!request->party_id().empty()) {
            core::RequireUuid(request->party_id(), "party_id");
            if (request->party_id() != claims.subject && claims.role != "admin") {
                throw core::PermissionDenied("only admins may list another user's contracts");
            }
            party_id = request->party_id();
        }
        std::optional<storage::Cursor> after;
        if (!request->page_token().empty()) after = storage::ParseCursor(request->page_token());
        if (!core::IsUuid(party_id)) return;  // a subject that is no user id has no contracts
        db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
            response->Clear();
            // One row more than the page tells whether another page follows.
            auto contracts = storage::ContractsOfParty(tx, party_id, after, page_size + 1);
            const bool more = static_cast<int>(contracts.size()) > page_size;
            if (more) contracts.resize(page_size);
            std::vector<std::string> ids;
            for (const auto& c : contracts) ids.push_back(c.terms.contract_id);
            const auto milestones = storage::MilestonesOfMany(tx, ids);
            for (const auto& c : contracts) {
                std::vector<storage::MilestoneRecord> own;
                for (const auto& m : milestones) {
                    if (m.contract_id == c.terms.contract_id) own.push_back(m);
                }
                auto* out = response->add_contracts();
                ToProto(c, storage::SignaturesOf(tx, c.terms.contract_id), own, out);
                out->set_caller_role(ToProtoRole(ViewerOfContract(tx, claims, c)));
            }
            if (more) response->set_next_page_token(storage::FormatCursor(storage::CursorOf(contracts.back())));
        });
    });
}

grpc::Status ContractsApi::GetStatementOfWork(grpc::ServerContext* context,
                                              const v1::GetStatementOfWorkRequest* request,
                                              v1::GetStatementOfWorkResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const auto claims = scope.RequireClaims();
        core::RequireUuid(request->contract_id(), "contract_id");
        db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
            response->Clear();
            const auto contract = ReadableContract(tx, claims, request->contract_id());
            ToProto(contract, storage::SignaturesOf(tx, request->contract_id()), response->mutable_statement_of_work());
        });
    });
}

grpc::Status ContractsApi::SignStatementOfWork(grpc::ServerContext* context,
                                               const v1::SignStatementOfWorkRequest* request,
                                               v1::SignStatementOfWorkResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const auto claims = scope.RequireClaims();
        const auto idem = rpc::IdempotentCall::From(scope);
        core::RequireUuid(request->contract_id(), "contract_id");
        if (request->content_hash().empty()) throw core::InvalidArgument("content_hash", "is required");
        if (!IsContentHash(request->content_hash())) {
            throw core::InvalidArgument("content_hash", "must be 64 lower-case hex characters");
        }
        *response = db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
            return runtime_.idempotency().Run<v1::SignStatementOfWorkResponse>(tx, idem, *request, [&] {
                const auto contract = ReadableContract(tx, claims, request->contract_id(), storage::Lock::kUpdate);
                const Actor party = RequireActor(ViewerOfContract(tx, claims, contract), "contract");
                RequireSameContent(request->content_hash(), contract.statement.content_hash);
                // Signing twice keeps the first signature: who signed, when, over which hash.
                storage::InsertSignature(
                    tx, request->contract_id(),
                    storage::SignatureRecord{party, claims.subject, request->content_hash(), runtime_.clock()->Now()});
                v1::SignStatementOfWorkResponse r;
                ToProto(contract, storage::SignaturesOf(tx, request->contract_id()), r.mutable_statement_of_work());
                return r;
            });
        });
    });
}

}  // namespace marketplace::contracts::api
