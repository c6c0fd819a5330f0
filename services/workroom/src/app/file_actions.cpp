#include "app/file_actions.hpp"

#include <filesystem>
#include <random>

#include <google/protobuf/util/time_util.h>

#include <pqxx/pqxx>

#include "marketplace/blob/digest.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/core/log.hpp"
#include "marketplace/db/transaction.hpp"
#include "storage/file_store.hpp"

namespace marketplace::workroom {
namespace {

std::string DevBlobDir() {
    const char* state = std::getenv("MARKETPLACE_STATE_DIR");
    return std::string(state != nullptr && *state != '\0' ? state : ".state") + "/blobs/workroom";
}

blob::BlobStoreConfig Completed(blob::BlobStoreConfig c) {
    if (c.store == "filesystem" && c.dir.empty()) {
        c.dir = (std::filesystem::temp_directory_path() / "marketplace-workroom-blobs").string();
    }
    if (c.link_secret.empty()) {
        std::random_device rd;
        for (int i = 0; i < 48; ++i) c.link_secret.push_back(static_cast<char>('a' + rd() % 26));
    }
    return c;
}

void RequireWithinRoomLimits(const storage::RoomUsage& usage, std::int64_t size, const FileLimits& limits) {
    if (usage.files >= limits.max_files_per_room) {
        throw core::ResourceExhausted("room_id: the room already holds " + std::to_string(usage.files) +
                                      " files, the most allowed");
    }
    if (usage.bytes + size > limits.max_room_bytes) {
        throw core::ResourceExhausted("room_id: the room's files would pass " + std::to_string(limits.max_room_bytes) +
                                      " bytes in all");
    }
}

// "workroom/<room>/<file>" -> {room, file}.
std::pair<std::string, std::string> SplitKey(const std::string& key) {
    const auto first = key.find('/');
    const auto second = key.find('/', first + 1);
    if (first == std::string::npos || second == std::string::npos) return {};
    return {key.substr(first + 1, second - first - 1), key.substr(second + 1)};
}

}  // namespace

FilesOptions FilesOptions::FromEnv(core::EnvReader& env) {
    FilesOptions o;
    o.limits.max_file_bytes = env.Int("FILE_MAX_BYTES", o.limits.max_file_bytes, 1, 256ll * 1024 * 1024);
    o.limits.max_files_per_room = env.Int("FILES_MAX_PER_ROOM", o.limits.max_files_per_room, 1, 100000);
    o.limits.max_room_bytes = env.Int("FILES_MAX_ROOM_BYTES", o.limits.max_room_bytes, 1, 1ll << 40);
    o.blob = blob::BlobStoreConfig::FromEnv(env, DevBlobDir());
    return o;
}

std::string FileBlobKey(const std::string& room_id, const std::string& file_id) {
    return "workroom/" + room_id + "/" + file_id;
}

FileActions::FileActions(service::Runtime& runtime, FilesOptions options)
    : runtime_(runtime),
      options_{options.limits, Completed(std::move(options.blob))},
      store_(blob::MakeBlobStore(options_.blob, /*create_bucket=*/false)),
      signer_(options_.blob.link_secret, runtime.clock()) {}

v1::WorkroomFile FileActions::Upload(const std::string& user_id, const v1::UploadFileRequest& request) {
    core::RequireUuid(request.room_id(), "room_id");
    RequireFilename(request.filename());
    const std::string& data = request.data();
    RequireFileSize(static_cast<std::int64_t>(data.size()), options_.limits);
    RequireContentMatches(request.content_type(), data);
    const auto size = static_cast<std::int64_t>(data.size());

    db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
        if (!storage::IsMember(tx, request.room_id(), user_id)) throw core::NotFound("room " + request.room_id());
        RequireWithinRoomLimits(storage::LockRoomUsage(tx, request.room_id()), size, options_.limits);
    });

    storage::StoredFile stored;
    auto& f = stored.file;
    f.set_file_id(core::NewUuidV7());
    f.set_room_id(request.room_id());
    f.set_uploader_id(user_id);
    f.set_filename(request.filename());
    f.set_content_type(request.content_type());
    f.set_size_bytes(size);
    f.set_sha256(blob::Sha256Hex(data));
    stored.blob_key = FileBlobKey(f.room_id(), f.file_id());
    store_->Put(stored.blob_key, data, f.content_type());

    const auto now = runtime_.clock()->Now();
    try {
        db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
            RequireWithinRoomLimits(storage::LockRoomUsage(tx, f.room_id()), size, options_.limits);
            storage::InsertFile(tx, stored, now);
        });
    } catch (...) {
        try {
            store_->Delete(stored.blob_key);  // nothing refers to it
        } catch (const std::exception& e) {
            core::log::Warn("could not remove an unrecorded file's bytes",
                            {{"key", stored.blob_key}, {"error", e.what()}});
        }
        throw;
    }
    *f.mutable_created_at() = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
        std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count());
    return f;
}

std::vector<v1::WorkroomFile> FileActions::List(const std::string& user_id, const std::string& room_id, int limit) {
    core::RequireUuid(room_id, "room_id");
    std::vector<v1::WorkroomFile> files;
    db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
        if (!storage::IsMember(tx, room_id, user_id)) throw core::NotFound("room " + room_id);
        files = storage::ListFiles(tx, room_id, limit);
    });
    return files;
}

v1::WorkroomFile FileActions::Get(const std::string& user_id, const std::string& file_id) {
    core::RequireUuid(file_id, "file_id");
    std::optional<storage::StoredFile> stored;
    db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) { stored = storage::FileForMember(tx, file_id, user_id); });
    if (!stored) throw core::NotFound("file " + file_id);
    return stored->file;
}

v1::CreateDownloadLinkResponse FileActions::CreateLink(const std::string& user_id, const std::string& file_id) {
    core::RequireUuid(file_id, "file_id");
    std::optional<storage::StoredFile> stored;
    db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) { stored = storage::FileForMember(tx, file_id, user_id); });
    if (!stored) throw core::NotFound("file " + file_id);
    v1::CreateDownloadLinkResponse response;
    response.set_token(signer_.Issue(stored->blob_key, options_.blob.link_ttl, stored->file.filename()));
    response.set_path("/v1/files/" + response.token());
    const auto expires = signer_.Verify(response.token()).claims.expires_at;
    *response.mutable_expires_at() = google::protobuf::util::TimeUtil::SecondsToTimestamp(
        std::chrono::duration_cast<std::chrono::seconds>(expires.time_since_epoch()).count());
    return response;
}

v1::DownloadFileResponse FileActions::Download(const std::string& token) {
    const auto check = signer_.Verify(token);
    if (check.status == blob::LinkStatus::kExpired) throw core::PermissionDenied("token: the link has expired");
    if (!check.ok()) throw core::PermissionDenied("token: the link is not valid");
    auto blob = store_->Get(check.claims.key);
    if (!blob) throw core::NotFound("file: no longer stored");
    v1::DownloadFileResponse response;
    auto* f = response.mutable_file();
    const auto [room_id, file_id] = SplitKey(check.claims.key);
    f->set_room_id(room_id);
    f->set_file_id(file_id);
    f->set_filename(check.claims.filename);
    f->set_content_type(blob->info.content_type);
    f->set_size_bytes(static_cast<std::int64_t>(blob->data.size()));
    f->set_sha256(blob::Sha256Hex(blob->data));
    response.set_data(std::move(blob->data));
    return response;
}

}  // namespace marketplace::workroom
