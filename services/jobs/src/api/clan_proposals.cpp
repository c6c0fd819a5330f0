#include "api/clan_proposals.hpp"

#include "api/convert.hpp"
#include "marketplace/wire/values.hpp"

namespace marketplace::jobs {

std::vector<TeamMemberInput> TeamFrom(const v1::SubmitProposalRequest& r) {
    std::vector<TeamMemberInput> team;
    for (const auto& m : r.team()) {
        team.push_back(
            TeamMemberInput{m.user_id(), m.role(), m.hours(), {m.deliverables().begin(), m.deliverables().end()}});
    }
    return team;
}

std::vector<SplitShareInput> SplitFrom(const v1::SubmitProposalRequest& r) {
    std::vector<SplitShareInput> split;
    for (const auto& s : r.split()) {
        split.push_back(SplitShareInput{s.user_id(), s.share_bps(), MoneyFrom(s.has_amount(), s.amount())});
    }
    return split;
}

void ToProto(const ClanApplicationRecord& app, const core::Currency& currency, v1::ClanApplication* out) {
    out->set_clan_id(app.clan_id);
    out->set_submitted_by(app.submitted_by);
    out->set_split_mode(std::string(SplitModeName(app.mode)));
    wire::ToProto(core::Money(app.member_pool, currency), out->mutable_member_pool());
    for (const auto& a : app.agreements) {
        auto* t = out->add_team();
        t->set_user_id(a.member.user_id);
        t->set_role(a.member.role);
        t->set_hours(a.member.hours);
        for (const auto& d : a.member.deliverables) t->add_deliverables(d);
        auto* g = out->add_agreements();
        g->set_user_id(a.member.user_id);
        g->set_role(a.member.role);
        g->set_hours(a.member.hours);
        if (app.mode == SplitMode::kBasisPoints) {
            g->set_share_bps(static_cast<std::int32_t>(a.share_weight));
        } else {
            wire::ToProto(core::Money(a.share_weight, currency), g->mutable_amount());
            if (app.member_pool > 0)
                g->set_share_bps(static_cast<std::int32_t>(a.share_weight * 10000 / app.member_pool));
        }
        g->set_agreed(a.agreed_micros.has_value());
        if (a.agreed_micros) wire::TimestampFromMicros(*a.agreed_micros, g->mutable_agreed_at());
    }
    out->set_all_agreed(app.AllAgreed());
}

}  // namespace marketplace::jobs
