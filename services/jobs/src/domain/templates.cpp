#include "domain/templates.hpp"

#include "marketplace/core/errors.hpp"

namespace marketplace::jobs {

const ProjectTemplate* FindTemplate(std::string_view id) {
    for (const auto& t : TemplateCatalog()) {
        if (t.id == id) return &t;
    }
    return nullptr;
}

const ProjectTemplate& RequireTemplate(std::string_view id) {
    if (const auto* t = FindTemplate(id)) return *t;
    throw core::NotFound("template '" + std::string(id.substr(0, 64)) + "' does not exist");
}

std::vector<SuggestedMilestone> SuggestMilestones(const ProjectTemplate& tmpl, const core::Money& budget) {
    std::vector<std::int64_t> weights;
    weights.reserve(tmpl.milestones.size());
    for (const auto& m : tmpl.milestones) weights.push_back(m.budget_share_bps);
    const auto parts = core::AllocateLargestRemainder(budget.minor_units(), weights);
    std::vector<SuggestedMilestone> out;
    out.reserve(tmpl.milestones.size());
    for (std::size_t i = 0; i < tmpl.milestones.size(); ++i) {
        const auto& m = tmpl.milestones[i];
        out.push_back(SuggestedMilestone{m.title, m.description, core::Money(parts[i], budget.currency()),
                                         m.suggested_days, m.deliverables, m.definition_of_done});
    }
    return out;
}

}  // namespace marketplace::jobs
