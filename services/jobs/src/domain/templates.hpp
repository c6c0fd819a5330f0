#pragma once
// Project templates: named starting points (SaaS MVP, Shopify App, ...) whose milestone plan a
// client starts from when posting a job. The catalogue is code, not data: it ships with the
// service and its invariants are unit tested.
#include <string>
#include <string_view>
#include <vector>

#include "marketplace/core/money.hpp"

namespace marketplace::jobs {

struct TemplateMilestone {
    std::string title;
    std::string description;
    int budget_share_bps = 0;  // of 10000; a template's shares sum to 10000
    int suggested_days = 0;
    std::vector<std::string> deliverables;
    std::vector<std::string> definition_of_done;
};

struct ProjectTemplate {
    std::string id;  // slug, e.g. "saas-mvp"
    std::string name;
    std::string summary;
    std::vector<std::string> suggested_stack;
    std::vector<TemplateMilestone> milestones;
};

/// Every template, in display order.
const std::vector<ProjectTemplate>& TemplateCatalog();

/// The template with this id, or null.
const ProjectTemplate* FindTemplate(std::string_view id);

/// The template, or core::NotFound.
const ProjectTemplate& RequireTemplate(std::string_view id);

struct SuggestedMilestone {
    std::string title;
    std::string description;
    core::Money amount;
    int suggested_days = 0;
    std::vector<std::string> deliverables;
    std::vector<std::string> definition_of_done;
};

/// The template's milestones with its shares applied to `budget` by the largest-remainder method:
/// the amounts always sum to `budget` exactly. A milestone whose share rounds to zero keeps a zero
/// amount (only possible for budgets of a few minor units).
std::vector<SuggestedMilestone> SuggestMilestones(const ProjectTemplate& tmpl, const core::Money& budget);

}  // namespace marketplace::jobs
