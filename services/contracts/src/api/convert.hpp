#pragma once
// Domain and storage values as the API's protobuf messages.
#include <google/protobuf/timestamp.pb.h>

#include <vector>

#include "domain/contract.hpp"
#include "marketplace/contracts/v1/contracts.pb.h"
#include "marketplace/wire/values.hpp"
#include "storage/contract_store.hpp"
#include "storage/review_store.hpp"

namespace marketplace::contracts::api {

using wire::ToProto;  // money and times (marketplace/wire/values.hpp)
v1::MilestoneState ToProto(MilestoneState state);
v1::PartyRole ToProtoRole(Actor party);
/// The side a viewer acts on: CLIENT, FREELANCER (a clan's HEAD, CO_HEAD, ADMIN too), else UNSPECIFIED.
v1::PartyRole ToProtoRole(Viewer viewer);
void ToProto(const storage::MilestoneRecord& milestone, v1::Milestone* out);
void ToProto(const storage::SignatureRecord& signature, v1::Signature* out);
void ToProto(const storage::ContractRecord& contract, const std::vector<storage::SignatureRecord>& signatures,
             const std::vector<storage::MilestoneRecord>& milestones, v1::Contract* out);
void ToProto(const storage::ContractRecord& contract, const std::vector<storage::SignatureRecord>& signatures,
             v1::StatementOfWork* out);
void ToProto(const storage::ReviewRecord& review, v1::Review* out);

}  // namespace marketplace::contracts::api
