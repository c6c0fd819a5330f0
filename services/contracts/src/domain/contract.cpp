#include "domain/contract.hpp"

#include "domain/text.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"

namespace marketplace::contracts {
namespace {

void RequireText(const std::string& text, std::size_t max_chars, const std::string& field) {
    if (!HasNonSpace(text)) throw core::InvalidArgument(field, "is required");
    RequireMaxChars(text, max_chars, field);
}

}  // namespace

void ValidateTerms(const ContractTerms& t) {
    core::RequireUuid(t.contract_id, "contract_id");
    core::RequireUuid(t.proposal_id, "proposal_id");
    core::RequireUuid(t.job_id, "job_id");
    core::RequireUuid(t.client_id, "client_id");
    core::RequireUuid(t.freelancer_id, "freelancer_id");
    if (t.client_id == t.freelancer_id) throw core::InvalidArgument("freelancer_id", "must differ from client_id");
    RequireText(t.title, kMaxTitleChars, "title");
    RequireMaxChars(t.scope, kMaxScopeChars, "scope");
    if (t.stack.size() > kMaxStackItems) {
        throw core::InvalidArgument("stack", "must hold at most " + std::to_string(kMaxStackItems) + " items");
    }
    for (std::size_t i = 0; i < t.stack.size(); ++i) {
        RequireText(t.stack[i], kMaxStackItemChars, "stack[" + std::to_string(i) + "]");
    }
    if (t.delivery_days < 0) throw core::InvalidArgument("delivery_days", "must be >= 0");
    if (t.review_period <= std::chrono::seconds(0)) throw core::InvalidArgument("review_period", "must be > 0");
    if (t.milestones.empty()) throw core::InvalidArgument("milestones", "must hold at least one milestone");
    if (t.milestones.size() > kMaxMilestones) {
        throw core::InvalidArgument("milestones",
                                    "must hold at most " + std::to_string(kMaxMilestones) + " milestones");
    }
    if (!t.total.is_positive()) throw core::InvalidArgument("total", "must be > 0");
    std::int64_t sum = 0;
    for (std::size_t i = 0; i < t.milestones.size(); ++i) {
        const auto& m = t.milestones[i];
        const std::string field = "milestones[" + std::to_string(i) + "]";
        RequireText(m.title, kMaxTitleChars, field + ".title");
        RequireMaxChars(m.description, kMaxMilestoneDescriptionChars, field + ".description");
        if (m.amount.currency() != t.total.currency()) {
            throw core::InvalidArgument(field + ".amount.currency",
                                        "must be the total's currency " + std::string(t.total.currency().code()));
        }
        if (!m.amount.is_positive()) throw core::InvalidArgument(field + ".amount", "must be > 0");
        sum = core::CheckedAdd(sum, m.amount.minor_units(), field + ".amount");
        if (m.definition_of_done.size() > kMaxDefinitionOfDoneItems) {
            throw core::InvalidArgument(field + ".definition_of_done",
                                        "must hold at most " + std::to_string(kMaxDefinitionOfDoneItems) + " items");
        }
        for (std::size_t j = 0; j < m.definition_of_done.size(); ++j) {
            RequireText(m.definition_of_done[j], kMaxDefinitionOfDoneChars,
                        field + ".definition_of_done[" + std::to_string(j) + "]");
        }
    }
    if (sum != t.total.minor_units()) {
        throw core::InvalidArgument("milestones", "amounts sum to " + core::Money(sum, t.total.currency()).ToString() +
                                                      ", not the total " + t.total.ToString());
    }
}

Viewer ViewerOf(std::string_view subject, std::string_view role, std::string_view client_id,
                std::string_view freelancer_id) {
    if (!subject.empty() && subject == client_id) return Viewer::kClient;
    if (!subject.empty() && subject == freelancer_id) return Viewer::kFreelancer;
    if (role == "admin") return Viewer::kAdmin;
    return Viewer::kStranger;
}

void RequireCanRead(Viewer viewer, std::string_view what) {
    if (viewer == Viewer::kStranger) throw core::NotFound(std::string(what) + " not found");
}

Actor RequireActor(Viewer viewer, std::string_view what) {
    switch (viewer) {
        case Viewer::kClient:
            return Actor::kClient;
        case Viewer::kFreelancer:
            return Actor::kFreelancer;
        case Viewer::kClanMember:
            throw core::PermissionDenied("only the clan's HEAD, CO_HEAD or ADMIN acts for the clan on its contract");
        case Viewer::kAdmin:
            throw core::PermissionDenied("admins may read contracts but not act on them");
        case Viewer::kStranger:
            break;
    }
    throw core::NotFound(std::string(what) + " not found");
}

ContractStatus DeriveStatus(bool fully_signed, const std::vector<MilestoneState>& milestones) {
    if (!fully_signed) return ContractStatus::kAwaitingSignatures;
    for (const auto state : milestones) {
        if (!IsSettled(state)) return ContractStatus::kActive;
    }
    return ContractStatus::kCompleted;
}

}  // namespace marketplace::contracts
