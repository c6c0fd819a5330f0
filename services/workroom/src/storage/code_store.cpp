#include "storage/code_store.hpp"

#include <google/protobuf/util/time_util.h>

#include <pqxx/pqxx>
#include "marketplace/db/statements.hpp"

namespace marketplace::workroom::storage {
namespace {

using google::protobuf::util::TimeUtil;

constexpr char kLinkColumns[] =
    "id::text, room_id::text, repository, linked_by, (extract(epoch FROM created_at) * 1000000)::bigint, secret, "
    "unlinked_at IS NULL";

constexpr char kPullColumns[] =
    "id::text, room_id::text, link_id::text, repository, number, title, state, author_login, head_sha, head_ref, "
    "url, milestone_id, (extract(epoch FROM updated_at) * 1000000)::bigint";

StoredLink LinkOf(const pqxx::row& row) {
    StoredLink stored;
    auto& l = stored.link;
    l.set_link_id(row[0].c_str());
    l.set_room_id(row[1].c_str());
    l.set_repository(row[2].c_str());
    l.set_linked_by(row[3].c_str());
    *l.mutable_created_at() = TimeUtil::MicrosecondsToTimestamp(row[4].as<std::int64_t>());
    l.set_webhook_path("/webhooks/github/" + l.link_id());
    stored.secret = row[5].c_str();
    stored.live = row[6].as<bool>();
    return stored;
}

std::string Rfc3339(core::Clock::TimePoint t) { return core::FormatRfc3339(t); }

void AttachChecks(pqxx::work& tx, v1::PullRequest& pr) {
    const auto rows = db::Exec(
        tx,
        "SELECT source, name, state, head_sha, details_url, (extract(epoch FROM updated_at) * 1000000)::bigint "
        "FROM commit_checks WHERE link_id = $1::uuid AND head_sha = $2 ORDER BY source, name",
        pr.link_id(), pr.head_sha());
    std::vector<std::string> states;
    for (const auto& row : rows) {
        auto* c = pr.add_checks();
        c->set_source(row[0].c_str());
        c->set_name(row[1].c_str());
        c->set_state(row[2].c_str());
        c->set_head_sha(row[3].c_str());
        c->set_details_url(row[4].c_str());
        *c->mutable_updated_at() = TimeUtil::MicrosecondsToTimestamp(row[5].as<std::int64_t>());
        states.push_back(c->state());
    }
    pr.set_checks_state(CombinedCheckState(states));
}

v1::PullRequest PullOf(pqxx::work& tx, const pqxx::row& row) {
    v1::PullRequest pr;
    pr.set_pull_request_id(row[0].c_str());
    pr.set_room_id(row[1].c_str());
    pr.set_link_id(row[2].c_str());
    pr.set_repository(row[3].c_str());
    pr.set_number(row[4].as<std::int64_t>());
    pr.set_title(row[5].c_str());
    pr.set_state(row[6].c_str());
    pr.set_author_login(row[7].c_str());
    pr.set_head_sha(row[8].c_str());
    pr.set_head_ref(row[9].c_str());
    pr.set_url(row[10].c_str());
    pr.set_milestone_id(row[11].c_str());
    *pr.mutable_updated_at() = TimeUtil::MicrosecondsToTimestamp(row[12].as<std::int64_t>());
    AttachChecks(tx, pr);
    return pr;
}

}  // namespace

bool InsertLink(pqxx::work& tx, const v1::RepositoryLink& link, const std::string& secret, core::Clock::TimePoint now) {
    const auto rows =
        db::Exec(tx,
                 "INSERT INTO repository_links (id, room_id, repository, secret, linked_by, created_at) "
                 "VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6::timestamptz) ON CONFLICT DO NOTHING RETURNING 1",
                 link.link_id(), link.room_id(), link.repository(), secret, link.linked_by(), Rfc3339(now));
    return !rows.empty();
}

std::vector<v1::RepositoryLink> LinksOf(pqxx::work& tx, const std::string& room_id) {
    std::vector<v1::RepositoryLink> out;
    for (const auto& row :
         db::Exec(tx,
                  std::string("SELECT ") + kLinkColumns +
                      " FROM repository_links WHERE room_id = $1::uuid AND unlinked_at IS NULL ORDER BY created_at",
                  room_id)) {
        out.push_back(LinkOf(row).link);
    }
    return out;
}

int LiveLinkCount(pqxx::work& tx, const std::string& room_id) {
    return db::Exec1(tx, "SELECT count(*)::int FROM repository_links WHERE room_id = $1::uuid AND unlinked_at IS NULL",
                     room_id)[0]
        .as<int>();
}

std::optional<StoredLink> FindLink(pqxx::work& tx, const std::string& link_id, bool for_update) {
    const auto rows = db::Exec(tx,
                               std::string("SELECT ") + kLinkColumns + " FROM repository_links WHERE id = $1::uuid" +
                                   (for_update ? " FOR UPDATE" : ""),
                               link_id);
    if (rows.empty()) return std::nullopt;
    return LinkOf(rows[0]);
}

bool Unlink(pqxx::work& tx, const std::string& room_id, const std::string& link_id, core::Clock::TimePoint now) {
    return !db::Exec(tx,
                     "UPDATE repository_links SET unlinked_at = $3::timestamptz WHERE id = $1::uuid AND room_id = "
                     "$2::uuid "
                     "AND unlinked_at IS NULL RETURNING 1",
                     link_id, room_id, Rfc3339(now))
                .empty();
}

bool RecordDelivery(pqxx::work& tx, const std::string& link_id, const std::string& delivery_id,
                    core::Clock::TimePoint now, core::Clock::TimePoint forget_before) {
    db::Exec(tx, "DELETE FROM github_deliveries WHERE link_id = $1::uuid AND received_at < $2::timestamptz", link_id,
             Rfc3339(forget_before));
    return !db::Exec(tx,
                     "INSERT INTO github_deliveries (link_id, delivery_id, received_at) VALUES ($1::uuid, $2, "
                     "$3::timestamptz) ON CONFLICT DO NOTHING RETURNING 1",
                     link_id, delivery_id, Rfc3339(now))
                .empty();
}

std::optional<std::string> UpsertPullRequest(pqxx::work& tx, const StoredLink& link, const PullRequestFacts& pr,
                                             core::Clock::TimePoint event_time, const std::string& new_id) {
    const auto rows = db::Exec(
        tx,
        "INSERT INTO pull_requests (id, room_id, link_id, repository, number, title, state, author_login, head_sha, "
        "head_ref, url, updated_at) VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5, $6, $7, $8, $9, $10, $11, "
        "$12::timestamptz) "
        "ON CONFLICT (link_id, number) DO UPDATE SET title = EXCLUDED.title, state = EXCLUDED.state, "
        "author_login = EXCLUDED.author_login, head_sha = EXCLUDED.head_sha, head_ref = EXCLUDED.head_ref, "
        "url = EXCLUDED.url, updated_at = EXCLUDED.updated_at "
        "WHERE pull_requests.updated_at <= EXCLUDED.updated_at RETURNING id::text",
        new_id, link.link.room_id(), link.link.link_id(), link.link.repository(), pr.number, pr.title, pr.state,
        pr.author_login, pr.head_sha, pr.head_ref, pr.url, Rfc3339(event_time));
    if (rows.empty()) return std::nullopt;
    return std::string(rows[0][0].c_str());
}

bool UpsertCheck(pqxx::work& tx, const std::string& link_id, const CheckFacts& check,
                 core::Clock::TimePoint event_time) {
    return !db::Exec(tx,
                     "INSERT INTO commit_checks (link_id, head_sha, source, name, state, details_url, updated_at) "
                     "VALUES ($1::uuid, $2, $3, $4, $5, $6, $7::timestamptz) "
                     "ON CONFLICT (link_id, head_sha, source, name) DO UPDATE SET state = EXCLUDED.state, "
                     "details_url = EXCLUDED.details_url, updated_at = EXCLUDED.updated_at "
                     "WHERE commit_checks.updated_at <= EXCLUDED.updated_at RETURNING 1",
                     link_id, check.head_sha, check.source, check.name, check.state, check.details_url,
                     Rfc3339(event_time))
                .empty();
}

std::vector<std::string> PullRequestsAtHead(pqxx::work& tx, const std::string& link_id, const std::string& head_sha) {
    std::vector<std::string> ids;
    for (const auto& row :
         db::Exec(tx, "SELECT id::text FROM pull_requests WHERE link_id = $1::uuid AND head_sha = $2 ORDER BY number",
                  link_id, head_sha)) {
        ids.emplace_back(row[0].c_str());
    }
    return ids;
}

std::optional<v1::PullRequest> FindPullRequest(pqxx::work& tx, const std::string& room_id, const std::string& id) {
    const auto rows = db::Exec(
        tx, std::string("SELECT ") + kPullColumns + " FROM pull_requests WHERE room_id = $1::uuid AND id = $2::uuid",
        room_id, id);
    if (rows.empty()) return std::nullopt;
    return PullOf(tx, rows[0]);
}

std::vector<v1::PullRequest> PullRequestsOf(pqxx::work& tx, const std::string& room_id, const std::string& milestone_id,
                                            int limit) {
    std::vector<v1::PullRequest> out;
    const auto rows =
        db::Exec(tx,
                 std::string("SELECT ") + kPullColumns +
                     " FROM pull_requests WHERE room_id = $1::uuid AND ($2::text = '' OR milestone_id = $2::text) "
                     "ORDER BY updated_at DESC, number LIMIT $3",
                 room_id, milestone_id, limit);
    for (const auto& row : rows) out.push_back(PullOf(tx, row));
    return out;
}

void SetPullRequestMilestone(pqxx::work& tx, const std::string& id, const std::string& milestone_id) {
    db::Exec(tx, "UPDATE pull_requests SET milestone_id = $2 WHERE id = $1::uuid", id, milestone_id);
}

bool MarkSubmitted(pqxx::work& tx, const std::string& room_id, const std::string& milestone_id,
                   core::Clock::TimePoint when) {
    return !db::Exec(tx,
                     "UPDATE room_milestones SET submitted_at = $3::timestamptz WHERE room_id = $1::uuid AND "
                     "milestone_id = $2 RETURNING 1",
                     room_id, milestone_id, Rfc3339(when))
                .empty();
}

std::optional<core::Clock::TimePoint> SubmittedAt(pqxx::work& tx, const std::string& room_id,
                                                  const std::string& milestone_id) {
    const auto rows = db::Exec(tx,
                               "SELECT (extract(epoch FROM submitted_at) * 1000000)::bigint FROM room_milestones "
                               "WHERE room_id = $1::uuid AND milestone_id = $2 AND submitted_at IS NOT NULL",
                               room_id, milestone_id);
    if (rows.empty()) return std::nullopt;
    return core::Clock::TimePoint(std::chrono::microseconds(rows[0][0].as<std::int64_t>()));
}

}  // namespace marketplace::workroom::storage
