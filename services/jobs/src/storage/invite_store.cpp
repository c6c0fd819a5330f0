#include "storage/invite_store.hpp"

#include <pqxx/pqxx>

#include "marketplace/core/errors.hpp"
#include "marketplace/db/statements.hpp"
#include "marketplace/db/values.hpp"
#include "storage/sql.hpp"

namespace marketplace::jobs {
namespace {

constexpr char kNilUuid[] = "00000000-0000-0000-0000-000000000000";

const std::string& Select() {
    static const std::string select =
        "SELECT i.invite_id::text, i.job_id::text, j.title, i.client_id, i.freelancer_id, i.message, " +
        db::MicrosOf("i.created_at") + " FROM invites i JOIN jobs j ON j.job_id = i.job_id ";
    return select;
}

Page<InviteRecord> ReadPage(const pqxx::result& result, std::int32_t page_size) {
    Page<InviteRecord> page;
    for (const auto& r : result) {
        if (static_cast<std::int32_t>(page.rows.size()) == page_size) {
            page.next = PageCursor{"", page.rows.back().created_micros, page.rows.back().invite_id};
            break;
        }
        page.rows.push_back(InviteRecord{r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(),
                                         r[3].as<std::string>(), r[4].as<std::string>(), r[5].as<std::string>(),
                                         r[6].as<std::int64_t>()});
    }
    return page;
}

}  // namespace

void InviteStore::Insert(pqxx::work& tx, const InviteRecord& invite) {
    const auto inserted = db::Exec(
        tx,
        "INSERT INTO invites (invite_id, job_id, client_id, freelancer_id, message, created_at) "
        "VALUES ($1::uuid, $2::uuid, $3, $4, $5, " +
            db::TimeFromMicrosParam(6) + ") ON CONFLICT (job_id, freelancer_id) DO NOTHING",
        invite.invite_id, invite.job_id, invite.client_id, invite.freelancer_id, invite.message, invite.created_micros);
    if (inserted.affected_rows() == 0) throw core::Conflict("this freelancer is already invited to the job");
}

Page<InviteRecord> InviteStore::ListByJob(pqxx::work& tx, const std::string& job_id, std::int32_t page_size,
                                          const std::optional<PageCursor>& after) {
    const auto rows =
        db::Exec(tx,
                 Select() + "WHERE i.job_id = $1::uuid AND (NOT $2 OR (i.created_at, i.invite_id) > (" +
                     db::TimeFromMicrosParam(3) + ", $4::uuid)) ORDER BY i.created_at, i.invite_id LIMIT $5",
                 job_id, after.has_value(), after ? after->created_micros : 0,
                 after ? after->id : std::string(kNilUuid), page_size + 1);
    return ReadPage(rows, page_size);
}

Page<InviteRecord> InviteStore::ListByFreelancer(pqxx::work& tx, const std::string& freelancer_id,
                                                 std::int32_t page_size, const std::optional<PageCursor>& after) {
    const auto rows =
        db::Exec(tx,
                 Select() + "WHERE i.freelancer_id = $1 AND (NOT $2 OR (i.created_at, i.invite_id) < (" +
                     db::TimeFromMicrosParam(3) + ", $4::uuid)) ORDER BY i.created_at DESC, i.invite_id DESC LIMIT $5",
                 freelancer_id, after.has_value(), after ? after->created_micros : 0,
                 after ? after->id : std::string(kNilUuid), page_size + 1);
    return ReadPage(rows, page_size);
}

}  // namespace marketplace::jobs
