#include "app/profiles.hpp"

#include <pqxx/pqxx>

#include "app/convert.hpp"
#include "domain/profile.hpp"
#include "marketplace/auth/v1/events.pb.h"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/service/mutate.hpp"
#include "marketplace/tokens/roles.hpp"
#include "storage/users.hpp"

namespace marketplace::auth {

Profiles::Profiles(service::Runtime& runtime) : runtime_(runtime) {}

v1::GetProfileResponse Profiles::Get(const std::optional<rpc::Claims>& caller, const v1::GetProfileRequest& request) {
    if (request.user_id().empty()) throw core::InvalidArgument("user_id", "is required");
    core::RequireUuid(request.user_id(), "user_id");
    const auto record =
        db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) { return storage::LoadProfile(tx, request.user_id()); });
    if (!record) throw core::NotFound("user not found");
    const bool owner_view = caller && (caller->subject == record->user.user_id || caller->role == tokens::kRoleAdmin);
    v1::GetProfileResponse response;
    *response.mutable_profile() = owner_view ? OwnerView(*record) : PublicView(*record);
    response.set_view(owner_view ? v1::PROFILE_VIEW_OWNER : v1::PROFILE_VIEW_PUBLIC);
    return response;
}

v1::UpdateProfileResponse Profiles::Update(const rpc::IdempotentCall& call, const rpc::Claims& caller,
                                           const v1::UpdateProfileRequest& request) {
    std::vector<ProfileField> fields;
    const auto& paths = request.update_mask().paths();
    for (int i = 0; i < paths.size(); ++i) {
        const auto field = ParseProfileField(paths[i], "update_mask.paths[" + std::to_string(i) + "]");
        if (std::find(fields.begin(), fields.end(), field) == fields.end()) fields.push_back(field);
    }
    if (fields.empty()) fields = AllProfileFields();
    const ProfileData input = ProfileDataFromProto(request.profile());
    ApplyProfileChange(ProfileData{}, input, fields);  // bad input fails here, before any database work

    bool changed = false;
    const auto response = service::Mutate(runtime_, [&](pqxx::work& tx) {
        return runtime_.idempotency().Run<v1::UpdateProfileResponse>(tx, call, request, [&] {
            auto record = storage::LoadProfile(tx, caller.subject, /*lock=*/true);
            if (!record) throw core::NotFound("user not found");
            const ProfileData updated = ApplyProfileChange(record->data, input, fields);
            changed = updated != record->data;
            if (changed) {
                const auto now = runtime_.clock()->Now();
                storage::SaveProfile(tx, caller.subject, updated, now);
                record->data = updated;
                record->updated_at = now;
                v1::ProfileUpdated event;
                event.set_user_id(caller.subject);
                event.set_headline(updated.headline);
                for (const auto& skill : updated.skills) event.add_skills(skill);
                runtime_.Publish(tx, caller.subject, event);
            }
            v1::UpdateProfileResponse r;
            *r.mutable_profile() = OwnerView(*record);
            return r;
        });
    });
    return response;
}

}  // namespace marketplace::auth
