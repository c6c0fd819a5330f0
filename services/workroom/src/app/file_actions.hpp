#pragma once
// Files in rooms: upload (checked, hashed, stored in the blob store, then recorded under the room's
// lock so the per-room limits hold), listing, lookup by id, signed download links and downloads.
#include <chrono>
#include <memory>
#include <string>

#include "domain/file_rules.hpp"
#include "marketplace/blob/blob_store.hpp"
#include "marketplace/blob/signed_link.hpp"
#include "marketplace/blob/store_config.hpp"
#include "marketplace/core/config.hpp"
#include "marketplace/service/runtime.hpp"
#include "marketplace/workroom/v1/workroom.pb.h"

namespace marketplace::workroom {

struct FilesOptions {
    FileLimits limits;
    /// Where the bytes live and how links are signed (BLOB_* variables, libs/blob/README.md). With no
    /// directory, a folder under the system's temporary directory; with no link secret, a random one
    /// (one process only: in-process tests).
    blob::BlobStoreConfig blob;

    /// FILE_MAX_BYTES, FILES_MAX_PER_ROOM, FILES_MAX_ROOM_BYTES and the BLOB_* variables. In development
    /// the filesystem store lives in $MARKETPLACE_STATE_DIR/blobs/workroom (or .state/blobs/workroom).
    static FilesOptions FromEnv(core::EnvReader& env);
};

/// The blob key of a room's file: "workroom/<room id>/<file id>".
std::string FileBlobKey(const std::string& room_id, const std::string& file_id);

class FileActions final {
public:
    FileActions(service::Runtime& runtime, FilesOptions options);

    v1::WorkroomFile Upload(const std::string& user_id, const v1::UploadFileRequest& request);
    std::vector<v1::WorkroomFile> List(const std::string& user_id, const std::string& room_id, int limit);
    v1::WorkroomFile Get(const std::string& user_id, const std::string& file_id);
    v1::CreateDownloadLinkResponse CreateLink(const std::string& user_id, const std::string& file_id);
    /// Checks the token (no database), then reads the bytes from the blob store.
    v1::DownloadFileResponse Download(const std::string& token);

    blob::BlobStore& store() { return *store_; }
    const FilesOptions& options() const { return options_; }

private:
    service::Runtime& runtime_;
    FilesOptions options_;
    std::unique_ptr<blob::BlobStore> store_;
    blob::LinkSigner signer_;
};

}  // namespace marketplace::workroom
