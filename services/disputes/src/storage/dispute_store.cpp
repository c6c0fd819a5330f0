#include "storage/dispute_store.hpp"

#include <pqxx/pqxx>
#include <stdexcept>

#include "marketplace/db/statements.hpp"
#include "marketplace/db/values.hpp"

namespace marketplace::disputes::storage {
namespace {

using db::MicrosOf;
using db::OptionalTime;
using db::TimeParam;

std::optional<std::int32_t> Bps(const std::optional<Offer>& o) {
    return o ? std::optional<std::int32_t>(o->release_bps) : std::nullopt;
}
std::optional<std::string> At(const std::optional<Offer>& o) {
    return o ? std::optional<std::string>(TimeParam(o->made_at)) : std::nullopt;
}
std::optional<std::string> NonEmpty(const std::string& s) {
    return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

const std::string kColumns =
    "id, milestone_id, contract_id, client_id, freelancer_id, opened_by, opener_side, reason_code, statement, "
    "escrow, currency, amount_asked, stage, " +
    MicrosOf("stage_entered_at") + ", " + MicrosOf("due_at") + ", client_offer_bps, " + MicrosOf("client_offer_at") +
    ", freelancer_offer_bps, " + MicrosOf("freelancer_offer_at") + ", proposal_bps, " + MicrosOf("proposal_at") +
    ", coalesce(mediator_id::text, ''), client_accepted_proposal, freelancer_accepted_proposal, expert_requested, "
    "recommendation_bps, " +
    MicrosOf("recommendation_at") +
    ", coalesce(expert_id::text, ''), expert_report, outcome, released, refunded, release_bps, decided_by, "
    "decided_rung, " +
    MicrosOf("resolved_at") + ", settled, " + MicrosOf("settled_at") + ", refusal_reason, " + MicrosOf("opened_at");

std::optional<Offer> OfferOf(const pqxx::row& r, int bps_col, int at_col, std::string by, std::optional<Side> side) {
    if (r[bps_col].is_null()) return std::nullopt;
    Offer o;
    o.release_bps = r[bps_col].as<std::int32_t>();
    o.made_at = OptionalTime(r[at_col]).value_or(TimePoint{});
    o.made_by = std::move(by);
    o.side = side;
    return o;
}

DisputeRecord FromRow(const pqxx::row& r) {
    DisputeRecord rec;
    Dispute& d = rec.dispute;
    d.id = r[0].as<std::string>();
    d.milestone_id = r[1].as<std::string>();
    d.contract_id = r[2].as<std::string>();
    d.client_id = r[3].as<std::string>();
    d.freelancer_id = r[4].as<std::string>();
    d.opened_by = r[5].as<std::string>();
    d.opener = ParseSide(r[6].as<std::string>()).value_or(Side::kClient);
    rec.reason_code = r[7].as<std::string>();
    rec.statement = r[8].as<std::string>();
    d.escrow = r[9].as<std::int64_t>();
    d.currency = r[10].as<std::string>();
    d.amount_asked = r[11].as<std::int64_t>();
    const auto stage = ParseStage(r[12].as<std::string>());
    if (!stage) throw std::runtime_error("dispute " + d.id + " has an unknown stage " + r[12].as<std::string>());
    d.stage = *stage;
    d.stage_entered_at = OptionalTime(r[13]);
    d.due_at = OptionalTime(r[14]);
    d.client_offer = OfferOf(r, 15, 16, d.client_id, Side::kClient);
    d.freelancer_offer = OfferOf(r, 17, 18, d.freelancer_id, Side::kFreelancer);
    d.mediator_id = r[21].as<std::string>();
    d.proposal = OfferOf(r, 19, 20, d.mediator_id, std::nullopt);
    d.client_accepted_proposal = r[22].as<bool>();
    d.freelancer_accepted_proposal = r[23].as<bool>();
    d.expert_requested = r[24].as<bool>();
    d.expert_id = r[27].as<std::string>();
    d.recommendation = OfferOf(r, 25, 26, d.expert_id, std::nullopt);
    d.expert_report = r[28].as<std::string>();
    if (!r[29].is_null()) {
        Resolution res;
        res.outcome = ParseOutcome(r[29].as<std::string>()).value_or(OutcomeKind::kSplit);
        res.released = r[30].as<std::int64_t>();
        res.refunded = r[31].as<std::int64_t>();
        res.release_bps = r[32].as<std::int32_t>();
        res.decided_by = r[33].as<std::string>();
        res.rung = ParseStage(r[34].as<std::string>()).value_or(Stage::kAdminDecision);
        res.resolved_at = OptionalTime(r[35]).value_or(TimePoint{});
        d.resolution = res;
    }
    d.settled = r[36].as<bool>();
    rec.settled_at = OptionalTime(r[37]);
    d.refusal_reason = r[38].as<std::string>();
    rec.opened_at = OptionalTime(r[39]).value_or(TimePoint{});
    return rec;
}

}  // namespace

bool InsertDispute(pqxx::work& tx, const DisputeRecord& rec) {
    const Dispute& d = rec.dispute;
    const auto r = db::Exec(
        tx,
        "INSERT INTO disputes (id, milestone_id, contract_id, client_id, freelancer_id, opened_by, opener_side, "
        "reason_code, statement, escrow, currency, amount_asked, stage, opened_at, updated_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::timestamptz, $14::timestamptz) "
        "ON CONFLICT (milestone_id) WHERE stage NOT IN ('withdrawn', 'refused') DO NOTHING",
        d.id, d.milestone_id, d.contract_id, d.client_id, d.freelancer_id, d.opened_by, std::string(SideName(d.opener)),
        rec.reason_code, rec.statement, d.escrow, d.currency, d.amount_asked, std::string(StageName(d.stage)),
        TimeParam(rec.opened_at));
    return r.affected_rows() == 1;
}

std::optional<DisputeRecord> FindDispute(pqxx::work& tx, const std::string& dispute_id, bool for_update) {
    const auto r = db::Exec(
        tx, "SELECT " + kColumns + " FROM disputes WHERE id = $1" + (for_update ? " FOR UPDATE" : ""), dispute_id);
    if (r.empty()) return std::nullopt;
    return FromRow(r[0]);
}

std::optional<DisputeRecord> FindLiveDispute(pqxx::work& tx, const std::string& milestone_id) {
    const auto r = db::Exec(
        tx, "SELECT " + kColumns + " FROM disputes WHERE milestone_id = $1 AND stage NOT IN ('withdrawn', 'refused')",
        milestone_id);
    if (r.empty()) return std::nullopt;
    return FromRow(r[0]);
}

void SaveDispute(pqxx::work& tx, const Dispute& d, TimePoint now) {
    const auto& res = d.resolution;
    const auto opt = [&](auto get) { return res ? std::optional(get(*res)) : std::nullopt; };
    const auto updated = db::Exec(
        tx,
        "UPDATE disputes SET stage = $2, stage_entered_at = $3::timestamptz, due_at = $4::timestamptz, "
        "client_offer_bps = $5, client_offer_at = $6::timestamptz, freelancer_offer_bps = $7, "
        "freelancer_offer_at = $8::timestamptz, proposal_bps = $9, proposal_at = $10::timestamptz, mediator_id = $11, "
        "client_accepted_proposal = $12, freelancer_accepted_proposal = $13, expert_requested = $14, "
        "recommendation_bps = $15, recommendation_at = $16::timestamptz, expert_id = $17, expert_report = $18, "
        "outcome = $19, released = $20, refunded = $21, release_bps = $22, decided_by = $23, decided_rung = $24, "
        "resolved_at = $25::timestamptz, settled = $26, "
        "settled_at = CASE WHEN $26 AND settled_at IS NULL THEN $28::timestamptz ELSE settled_at END, "
        "refusal_reason = $27, updated_at = $28::timestamptz WHERE id = $1",
        d.id, std::string(StageName(d.stage)), TimeParam(d.stage_entered_at), TimeParam(d.due_at), Bps(d.client_offer),
        At(d.client_offer), Bps(d.freelancer_offer), At(d.freelancer_offer), Bps(d.proposal), At(d.proposal),
        NonEmpty(d.mediator_id), d.client_accepted_proposal, d.freelancer_accepted_proposal, d.expert_requested,
        Bps(d.recommendation), At(d.recommendation), NonEmpty(d.expert_id), d.expert_report,
        opt([](const Resolution& x) { return std::string(OutcomeName(x.outcome)); }),
        opt([](const Resolution& x) { return x.released; }), opt([](const Resolution& x) { return x.refunded; }),
        opt([](const Resolution& x) { return x.release_bps; }), opt([](const Resolution& x) { return x.decided_by; }),
        opt([](const Resolution& x) { return std::string(StageName(x.rung)); }),
        opt([](const Resolution& x) { return TimeParam(x.resolved_at); }), d.settled, d.refusal_reason, TimeParam(now));
    if (updated.affected_rows() != 1) throw std::logic_error("dispute " + d.id + " vanished while locked");
}

std::vector<DisputeRecord> ListDisputes(pqxx::work& tx, const ListFilter& f) {
    // Optional filters as NULL-able parameters: one statement for every combination.
    std::optional<std::int64_t> after_micros;
    std::optional<std::string> after_id;
    if (f.after) {
        after_micros = f.after->first;
        after_id = f.after->second;
    }
    const auto rows =
        db::Exec(tx,
                 "SELECT " + kColumns +
                     " FROM disputes WHERE ($1::uuid IS NULL OR client_id = $1::uuid OR freelancer_id = $1::uuid) "
                     "AND ($2::uuid IS NULL OR milestone_id = $2::uuid) AND ($3::text IS NULL OR stage = $3::text) "
                     "AND ($4::bigint IS NULL OR (opened_at, id) < ('epoch'::timestamptz + $4::bigint * interval '1 "
                     "microsecond', $5::uuid)) ORDER BY opened_at DESC, id DESC LIMIT $6",
                 f.party_id, f.milestone_id, f.stage, after_micros, after_id, f.limit);
    std::vector<DisputeRecord> out;
    for (const auto& r : rows) out.push_back(FromRow(r));
    return out;
}

std::int64_t CountEvidence(pqxx::work& tx, const std::string& dispute_id) {
    return db::Exec(tx, "SELECT count(*) FROM evidence WHERE dispute_id = $1", dispute_id)[0][0].as<std::int64_t>();
}

void InsertEvidence(pqxx::work& tx, const EvidenceRecord& e) {
    db::Exec(tx,
             "INSERT INTO evidence (id, dispute_id, added_by, kind, reference, note, sha256, added_at) "
             "VALUES ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz)",
             e.id, e.dispute_id, e.added_by, e.kind, e.reference, e.note, e.sha256, TimeParam(e.added_at));
}

std::vector<EvidenceRecord> ListEvidence(pqxx::work& tx, const std::string& dispute_id) {
    const auto rows = db::Exec(tx,
                               "SELECT id, dispute_id, added_by, kind, reference, note, sha256, " +
                                   MicrosOf("added_at") + " FROM evidence WHERE dispute_id = $1 ORDER BY added_at, id",
                               dispute_id);
    std::vector<EvidenceRecord> out;
    for (const auto& r : rows) {
        out.push_back(EvidenceRecord{r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(),
                                     r[3].as<std::string>(), r[4].as<std::string>(), r[5].as<std::string>(),
                                     r[6].as<std::string>(), db::TimeFromMicros(r[7].as<std::int64_t>())});
    }
    return out;
}

void AppendStep(pqxx::work& tx, const std::string& dispute_id, const StepRecord& s) {
    db::Exec(
        tx,
        "INSERT INTO dispute_steps (dispute_id, seq, step, stage, actor, summary, at) "
        "SELECT $1, coalesce(max(seq), 0) + 1, $2, $3, $4, $5, $6::timestamptz FROM dispute_steps WHERE dispute_id = "
        "$1",
        dispute_id, s.step, s.stage, s.actor, s.summary, TimeParam(s.at));
}

std::vector<StepRecord> ListSteps(pqxx::work& tx, const std::string& dispute_id) {
    const auto rows = db::Exec(tx,
                               "SELECT seq, step, stage, actor, summary, " + MicrosOf("at") +
                                   " FROM dispute_steps WHERE dispute_id = $1 ORDER BY seq",
                               dispute_id);
    std::vector<StepRecord> out;
    for (const auto& r : rows) {
        out.push_back(StepRecord{r[0].as<std::int32_t>(), r[1].as<std::string>(), r[2].as<std::string>(),
                                 r[3].as<std::string>(), r[4].as<std::string>(),
                                 db::TimeFromMicros(r[5].as<std::int64_t>())});
    }
    return out;
}

}  // namespace marketplace::disputes::storage
