#include "storage/file_store.hpp"

#include <google/protobuf/util/time_util.h>

#include <pqxx/pqxx>
#include "marketplace/db/statements.hpp"

namespace marketplace::workroom::storage {
namespace {

constexpr char kColumns[] =
    "f.id::text, f.room_id::text, f.uploader_id, f.filename, f.content_type, f.size_bytes, f.sha256, "
    "(extract(epoch FROM f.created_at) * 1000000)::bigint, f.blob_key";

StoredFile FromRow(const pqxx::row& row) {
    StoredFile stored;
    auto& f = stored.file;
    f.set_file_id(row[0].c_str());
    f.set_room_id(row[1].c_str());
    f.set_uploader_id(row[2].c_str());
    f.set_filename(row[3].c_str());
    f.set_content_type(row[4].c_str());
    f.set_size_bytes(row[5].as<std::int64_t>());
    f.set_sha256(row[6].c_str());
    *f.mutable_created_at() = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(row[7].as<std::int64_t>());
    stored.blob_key = row[8].c_str();
    return stored;
}

}  // namespace

bool IsMember(pqxx::work& tx, const std::string& room_id, const std::string& user_id) {
    return !db::Exec(tx, "SELECT 1 FROM room_members WHERE room_id = $1::uuid AND user_id = $2", room_id, user_id)
                .empty();
}

RoomUsage LockRoomUsage(pqxx::work& tx, const std::string& room_id) {
    db::Exec(tx, "SELECT 1 FROM rooms WHERE id = $1::uuid FOR UPDATE", room_id);
    const auto row = db::Exec1(
        tx, "SELECT count(*)::bigint, coalesce(sum(size_bytes), 0)::bigint FROM files WHERE room_id = $1::uuid",
        room_id);
    return {row[0].as<std::int64_t>(), row[1].as<std::int64_t>()};
}

void InsertFile(pqxx::work& tx, const StoredFile& stored, core::Clock::TimePoint now) {
    const auto& f = stored.file;
    db::Exec(tx,
             "INSERT INTO files (id, room_id, uploader_id, filename, content_type, size_bytes, sha256, blob_key, "
             "created_at) VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, $7, $8, $9::timestamptz)",
             f.file_id(), f.room_id(), f.uploader_id(), f.filename(), f.content_type(), f.size_bytes(), f.sha256(),
             stored.blob_key, core::FormatRfc3339(now));
}

std::optional<StoredFile> FileForMember(pqxx::work& tx, const std::string& file_id, const std::string& user_id) {
    const auto rows = db::Exec(tx,
                               std::string("SELECT ") + kColumns +
                                   " FROM files f JOIN room_members m ON m.room_id = f.room_id "
                                   "WHERE f.id = $1::uuid AND m.user_id = $2",
                               file_id, user_id);
    if (rows.empty()) return std::nullopt;
    return FromRow(rows[0]);
}

std::vector<v1::WorkroomFile> ListFiles(pqxx::work& tx, const std::string& room_id, int limit) {
    std::vector<v1::WorkroomFile> out;
    for (const auto& row : db::Exec(tx,
                                    std::string("SELECT ") + kColumns +
                                        " FROM files f WHERE f.room_id = $1::uuid "
                                        "ORDER BY f.created_at DESC, f.id DESC LIMIT $2::int",
                                    room_id, limit)) {
        out.push_back(FromRow(row).file);
    }
    return out;
}

}  // namespace marketplace::workroom::storage
