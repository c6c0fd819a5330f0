#include "storage/contract_store.hpp"

#include <pqxx/pqxx>

#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/db/statements.hpp"
#include "marketplace/db/values.hpp"
#include "storage/pg_values.hpp"

namespace marketplace::contracts::storage {
namespace {

const std::string kContractColumns =
    "c.id, c.proposal_id, c.job_id, c.client_id, c.freelancer_id, c.title, c.scope, " + JsonOf("c.stack") +
    ", c.nda_required, c.ip_assignment, c.currency, c.total_minor, c.delivery_days, c.review_period_seconds, "
    "c.sow_text, c.sow_hash, " +
    MicrosOf("c.created_at") + ", coalesce(c.clan_id::text, '')";

ContractRecord ContractFromRow(const pqxx::row& r) {
    ContractRecord c;
    auto& t = c.terms;
    t.contract_id = r[0].as<std::string>();
    t.proposal_id = r[1].as<std::string>();
    t.job_id = r[2].as<std::string>();
    t.client_id = r[3].as<std::string>();
    t.freelancer_id = r[4].as<std::string>();
    t.title = r[5].as<std::string>();
    t.scope = r[6].as<std::string>();
    t.stack = StringsFromJson(r[7]);
    t.nda_required = r[8].as<bool>();
    t.ip_assignment = r[9].as<bool>();
    t.total = core::Money(r[11].as<std::int64_t>(), core::Currency::Parse(r[10].as<std::string>()));
    t.delivery_days = r[12].as<std::int32_t>();
    t.review_period = std::chrono::seconds(r[13].as<std::int64_t>());
    c.statement.text = r[14].as<std::string>();
    c.statement.content_hash = r[15].as<std::string>();
    c.created_at = TimeFromMicros(r[16].as<std::int64_t>());
    t.clan_id = r[17].as<std::string>();
    return c;
}

const std::string kMilestoneColumns =
    "m.id, m.contract_id, m.position, m.title, m.description, m.currency, m.amount_minor, " + MicrosOf("m.due_date") +
    ", " + JsonOf("m.definition_of_done") +
    ", m.state, m.funding_attempt, m.funding_failure_reason, m.submission_note, " + JsonOf("m.submission_links") +
    ", m.submission_count, " + MicrosOf("m.submitted_at") + ", " + MicrosOf("m.auto_release_at") +
    ", m.change_request_feedback, " + MicrosOf("m.accepted_at") + ", m.auto_released, " + MicrosOf("m.paid_at") + ", " +
    MicrosOf("m.cancelled_at") + ", m.refunded, coalesce(m.dispute_id::text, ''), m.disputed_from, " +
    "m.auto_release_remaining_ms";
constexpr int kMilestoneColumnCount = 26;

MilestoneRecord MilestoneFromRow(const pqxx::row& r) {
    MilestoneRecord m;
    m.id = r[0].as<std::string>();
    m.contract_id = r[1].as<std::string>();
    m.position = r[2].as<std::int32_t>();
    m.plan.title = r[3].as<std::string>();
    m.plan.description = r[4].as<std::string>();
    m.plan.amount = core::Money(r[6].as<std::int64_t>(), core::Currency::Parse(r[5].as<std::string>()));
    m.plan.due_date = OptionalTime(r[7]);
    m.plan.definition_of_done = StringsFromJson(r[8]);
    auto& s = m.saga;
    const auto state = ParseState(r[9].as<std::string>());
    if (!state) throw std::runtime_error("milestone " + m.id + " has an unknown state " + r[9].as<std::string>());
    s.state = *state;
    s.funding_attempt = r[10].as<std::int32_t>();
    s.funding_failure_reason = r[11].as<std::string>();
    s.submission_note = r[12].as<std::string>();
    s.submission_links = StringsFromJson(r[13]);
    s.submission_count = r[14].as<std::int32_t>();
    s.submitted_at = OptionalTime(r[15]);
    s.auto_release_at = OptionalTime(r[16]);
    s.change_request_feedback = r[17].as<std::string>();
    s.accepted_at = OptionalTime(r[18]);
    s.auto_released = r[19].as<bool>();
    s.paid_at = OptionalTime(r[20]);
    s.cancelled_at = OptionalTime(r[21]);
    s.refunded = r[22].as<bool>();
    s.dispute_id = r[23].as<std::string>();
    if (!r[24].is_null()) s.disputed_from = ParseState(r[24].as<std::string>());
    if (!r[25].is_null()) s.auto_release_remaining = std::chrono::milliseconds(r[25].as<std::int64_t>());
    return m;
}

}  // namespace

bool InsertContract(pqxx::work& tx, const ContractTerms& t, const StatementOfWork& sow,
                    const std::vector<std::string>& milestone_ids, TimePoint now) {
    if (milestone_ids.size() != t.milestones.size()) throw std::logic_error("one id per planned milestone");
    const auto inserted = db::Exec(
        tx,
        "INSERT INTO contracts (id, proposal_id, job_id, client_id, freelancer_id, title, scope, stack, nda_required, "
        "ip_assignment, currency, total_minor, delivery_days, review_period_seconds, sow_text, sow_hash, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, ARRAY(SELECT jsonb_array_elements_text($8::jsonb)), $9, $10, $11, $12, "
        "$13, $14, $15, $16, $17::timestamptz) "
        "ON CONFLICT (proposal_id) DO NOTHING RETURNING id",
        t.contract_id, t.proposal_id, t.job_id, t.client_id, t.freelancer_id, t.title, t.scope, JsonArrayParam(t.stack),
        t.nda_required, t.ip_assignment, std::string(t.total.currency().code()), t.total.minor_units(), t.delivery_days,
        static_cast<std::int64_t>(t.review_period.count()), sow.text, sow.content_hash, TimeParam(now));
    if (inserted.empty()) return false;
    for (std::size_t i = 0; i < t.milestones.size(); ++i) {
        const auto& m = t.milestones[i];
        const auto due = NullableParam::Time(m.due_date);
        db::Exec(
            tx,
            "INSERT INTO milestones (id, contract_id, position, title, description, currency, amount_minor, due_date, "
            "definition_of_done, state, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz, "
            "ARRAY(SELECT jsonb_array_elements_text($9::jsonb)), $10, $11::timestamptz)",
            milestone_ids[i], t.contract_id, static_cast<int>(i + 1), m.title, m.description,
            std::string(m.amount.currency().code()), m.amount.minor_units(), due.get(),
            JsonArrayParam(m.definition_of_done), std::string(StateName(MilestoneState::kFundingRequired)),
            TimeParam(now));
    }
    return true;
}

std::optional<ContractRecord> FindContract(pqxx::work& tx, const std::string& contract_id, Lock lock) {
    const auto rows = db::Exec(
        tx, "SELECT " + kContractColumns + " FROM contracts c WHERE c.id = $1" + db::LockClause(lock), contract_id);
    if (rows.empty()) return std::nullopt;
    return ContractFromRow(rows[0]);
}

std::optional<std::string> ContractIdOfProposal(pqxx::work& tx, const std::string& proposal_id) {
    const auto rows = db::Exec(tx, "SELECT id FROM contracts WHERE proposal_id = $1", proposal_id);
    if (rows.empty()) return std::nullopt;
    return rows[0][0].as<std::string>();
}

std::vector<SignatureRecord> SignaturesOf(pqxx::work& tx, const std::string& contract_id) {
    const auto rows = db::Exec(tx,
                               "SELECT party, signer_id, content_hash, " + MicrosOf("signed_at") +
                                   " FROM sow_signatures WHERE contract_id = $1 ORDER BY signed_at, party",
                               contract_id);
    std::vector<SignatureRecord> out;
    for (const auto& r : rows) {
        SignatureRecord s;
        s.party = r[0].as<std::string>() == "client" ? Actor::kClient : Actor::kFreelancer;
        s.signer_id = r[1].as<std::string>();
        s.content_hash = r[2].as<std::string>();
        s.signed_at = TimeFromMicros(r[3].as<std::int64_t>());
        out.push_back(std::move(s));
    }
    return out;
}

bool InsertSignature(pqxx::work& tx, const std::string& contract_id, const SignatureRecord& s) {
    const auto rows =
        db::Exec(tx,
                 "INSERT INTO sow_signatures (contract_id, party, signer_id, content_hash, signed_at) "
                 "VALUES ($1, $2, $3, $4, $5::timestamptz) ON CONFLICT (contract_id, party) DO NOTHING RETURNING party",
                 contract_id, std::string(ActorName(s.party)), s.signer_id, s.content_hash, TimeParam(s.signed_at));
    return !rows.empty();
}

bool FullySigned(const std::vector<SignatureRecord>& signatures) {
    bool client = false;
    bool freelancer = false;
    for (const auto& s : signatures) {
        client = client || s.party == Actor::kClient;
        freelancer = freelancer || s.party == Actor::kFreelancer;
    }
    return client && freelancer;
}

std::vector<MilestoneRecord> MilestonesOf(pqxx::work& tx, const std::string& contract_id) {
    return MilestonesOfMany(tx, {contract_id});
}

std::vector<MilestoneRecord> MilestonesOfMany(pqxx::work& tx, const std::vector<std::string>& contract_ids) {
    std::vector<MilestoneRecord> out;
    if (contract_ids.empty()) return out;
    const auto rows = db::Exec(tx,
                               "SELECT " + kMilestoneColumns +
                                   " FROM milestones m WHERE m.contract_id = ANY (ARRAY(SELECT "
                                   "jsonb_array_elements_text($1::jsonb))::uuid[]) ORDER BY m.contract_id, "
                                   "m.position",
                               JsonArrayParam(contract_ids));
    for (const auto& r : rows) out.push_back(MilestoneFromRow(r));
    return out;
}

std::optional<MilestoneRecord> FindMilestone(pqxx::work& tx, const std::string& milestone_id, Lock lock) {
    const auto rows = db::Exec(
        tx, "SELECT " + kMilestoneColumns + " FROM milestones m WHERE m.id = $1" + db::LockClause(lock), milestone_id);
    if (rows.empty()) return std::nullopt;
    return MilestoneFromRow(rows[0]);
}

std::optional<MilestoneContext> FindMilestoneContext(pqxx::work& tx, const std::string& milestone_id, Lock lock) {
    // Lock only the milestone's row (OF m): contracts are immutable, and a contract-wide lock would
    // serialise every milestone of it.
    const std::string lock_clause = db::LockClause(lock, "m");
    const auto rows = db::Exec(tx,
                               "SELECT " + kMilestoneColumns +
                                   ", c.client_id, c.freelancer_id, c.review_period_seconds, "
                                   "(SELECT count(*) FROM sow_signatures s WHERE s.contract_id = c.id), "
                                   "coalesce(c.clan_id::text, ''), c.proposal_id "
                                   "FROM milestones m JOIN contracts c ON c.id = m.contract_id WHERE m.id = $1" +
                                   lock_clause,
                               milestone_id);
    if (rows.empty()) return std::nullopt;
    const auto& r = rows[0];
    MilestoneContext ctx;
    ctx.milestone = MilestoneFromRow(r);
    ctx.client_id = r[kMilestoneColumnCount].as<std::string>();
    ctx.freelancer_id = r[kMilestoneColumnCount + 1].as<std::string>();
    ctx.review_period = std::chrono::seconds(r[kMilestoneColumnCount + 2].as<std::int64_t>());
    ctx.fully_signed = r[kMilestoneColumnCount + 3].as<std::int64_t>() == 2;  // one row per party at most
    ctx.clan_id = r[kMilestoneColumnCount + 4].as<std::string>();
    ctx.proposal_id = r[kMilestoneColumnCount + 5].as<std::string>();
    return ctx;
}

void SaveMilestone(pqxx::work& tx, const std::string& milestone_id, const Milestone& s, TimePoint now) {
    const auto submitted_at = NullableParam::Time(s.submitted_at);
    const auto auto_release_at = NullableParam::Time(s.auto_release_at);
    const auto accepted_at = NullableParam::Time(s.accepted_at);
    const auto paid_at = NullableParam::Time(s.paid_at);
    const auto cancelled_at = NullableParam::Time(s.cancelled_at);
    const auto updated = db::Exec(
        tx,
        "UPDATE milestones SET state = $2, funding_attempt = $3, funding_failure_reason = $4, submission_note = $5, "
        "submission_links = ARRAY(SELECT jsonb_array_elements_text($6::jsonb)), submission_count = $7, "
        "submitted_at = $8::timestamptz, auto_release_at = $9::timestamptz, change_request_feedback = $10, "
        "accepted_at = $11::timestamptz, auto_released = $12, paid_at = $13::timestamptz, "
        "cancelled_at = $14::timestamptz, refunded = $15, updated_at = $16::timestamptz, dispute_id = $17::uuid, "
        "disputed_from = $18, auto_release_remaining_ms = $19 WHERE id = $1",
        milestone_id, std::string(StateName(s.state)), s.funding_attempt, s.funding_failure_reason, s.submission_note,
        JsonArrayParam(s.submission_links), s.submission_count, submitted_at.get(), auto_release_at.get(),
        s.change_request_feedback, accepted_at.get(), s.auto_released, paid_at.get(), cancelled_at.get(), s.refunded,
        TimeParam(now), s.dispute_id.empty() ? std::optional<std::string>() : std::optional<std::string>(s.dispute_id),
        s.disputed_from ? std::optional<std::string>(std::string(StateName(*s.disputed_from))) : std::nullopt,
        s.auto_release_remaining ? std::optional<std::int64_t>(s.auto_release_remaining->count()) : std::nullopt);
    if (updated.affected_rows() != 1) throw std::runtime_error("milestone " + milestone_id + " vanished while saved");
}

std::string FormatCursor(const Cursor& cursor) { return std::to_string(cursor.created_at_micros) + "." + cursor.id; }

Cursor ParseCursor(const std::string& token) {
    const auto dot = token.find('.');
    if (dot == std::string::npos || dot == 0 || dot > 20) {
        throw core::InvalidArgument("page_token", "is not a token this service issued");
    }
    Cursor c;
    const auto micros = token.substr(0, dot);
    for (std::size_t i = 0; i < micros.size(); ++i) {
        if (!(std::isdigit(static_cast<unsigned char>(micros[i])) || (i == 0 && micros[i] == '-'))) {
            throw core::InvalidArgument("page_token", "is not a token this service issued");
        }
    }
    try {
        c.created_at_micros = std::stoll(micros);
    } catch (const std::exception&) {
        throw core::InvalidArgument("page_token", "is not a token this service issued");
    }
    c.id = token.substr(dot + 1);
    if (!core::IsUuid(c.id)) throw core::InvalidArgument("page_token", "is not a token this service issued");
    return c;
}

std::vector<ContractRecord> ContractsOfParty(pqxx::work& tx, const std::string& party_id,
                                             const std::optional<Cursor>& after, int limit) {
    // The keyset condition (not an offset) keeps pages stable while contracts are added.
    const std::string keyset =
        after ? " AND (c.created_at, c.id) < ('epoch'::timestamptz + $3::bigint * interval '1 microsecond', $4::uuid)"
              : "";
    // A clan's contracts are listed for each current member of the clan (any role), as the read
    // model of clans' rosters knows them: the same people GetContract shows them to.
    const std::string sql = "SELECT " + kContractColumns + " FROM contracts c WHERE (c.client_id = $1 OR " +
                            "c.freelancer_id = $1 OR c.clan_id IN (SELECT r.clan_id FROM clan_roster r " +
                            "WHERE r.user_id = $1::uuid AND r.role <> ''))" + keyset +
                            " ORDER BY c.created_at DESC, c.id DESC LIMIT $2";
    const auto rows = after ? db::Exec(tx, sql, party_id, limit, after->created_at_micros, after->id)
                            : db::Exec(tx, sql, party_id, limit);
    std::vector<ContractRecord> out;
    for (const auto& r : rows) out.push_back(ContractFromRow(r));
    return out;
}

Cursor CursorOf(const ContractRecord& contract) {
    return Cursor{db::MicrosSinceEpoch(contract.created_at), contract.terms.contract_id};
}

}  // namespace marketplace::contracts::storage
