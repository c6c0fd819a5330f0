#pragma once
// One interface for where file bytes live: a folder on local disk (FilesystemBlobStore) or an
// S3-compatible object store (S3BlobStore). Keys are relative, slash-separated names such as
// "workroom/<room id>/<file id>"; ValidateKey says which are allowed, and every store refuses others.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "marketplace/core/errors.hpp"

namespace marketplace::blob {

/// The longest key a store accepts, in bytes.
inline constexpr std::size_t kMaxKeyBytes = 512;

/// What a store knows about a stored object without reading it.
struct BlobInfo {
    std::string key;
    std::uint64_t size = 0;
    std::string content_type;
};

struct Blob {
    BlobInfo info;
    std::string data;
};

/// The store failed (disk, network, or the server refused): UNAVAILABLE to a caller, the detail
/// (HTTP status, the S3 error code) for the log.
class StoreError final : public core::Error {
public:
    StoreError(std::string log_message, int http_status = 0, std::string s3_code = {})
        : core::Error(core::ErrorCode::kUnavailable, "file storage is unavailable", std::move(log_message)),
          http_status_(http_status),
          s3_code_(std::move(s3_code)) {}
    /// The HTTP status an S3 server answered with (0 for the filesystem store or a transport error).
    int http_status() const noexcept { return http_status_; }
    /// The S3 error code from the response body ("SignatureDoesNotMatch", "InvalidAccessKeyId", ...).
    const std::string& s3_code() const noexcept { return s3_code_; }

private:
    int http_status_;
    std::string s3_code_;
};

/// Throws core::InvalidArgument naming `field` unless `key` is 1-512 bytes of [A-Za-z0-9._-] segments
/// joined by single slashes, none of them "." or "..", neither starting nor ending with a slash.
/// Such a key can never leave a store's root, whatever the store.
void ValidateKey(std::string_view key, std::string_view field = "key");

class BlobStore {
public:
    virtual ~BlobStore() = default;

    /// Stores `data` under `key` with its content type, replacing what was there. Durable on return.
    virtual void Put(std::string_view key, std::string_view data, std::string_view content_type) = 0;
    /// The object, or nullopt when there is none under `key`.
    virtual std::optional<Blob> Get(std::string_view key) = 0;
    /// Size and content type, or nullopt when there is no object under `key`.
    virtual std::optional<BlobInfo> Stat(std::string_view key) = 0;
    bool Exists(std::string_view key) { return Stat(key).has_value(); }
    /// Removes the object; removing a missing key is not an error.
    virtual void Delete(std::string_view key) = 0;
    /// A URL the store itself serves the object from until `ttl` has passed, when it can make one
    /// (an S3 presigned URL); nullopt for stores that cannot (the filesystem).
    virtual std::optional<std::string> PresignedGetUrl(std::string_view key, std::chrono::seconds ttl) {
        (void)key;
        (void)ttl;
        return std::nullopt;
    }
    /// "filesystem" or "s3", for logs and health pages.
    virtual std::string_view Kind() const = 0;
};

}  // namespace marketplace::blob
