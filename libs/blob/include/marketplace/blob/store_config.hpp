#pragma once
// Choosing and configuring a service's blob store and its download links from the environment:
//   <prefix>BLOB_STORE          "filesystem" (default) or "s3"
//   <prefix>BLOB_DIR            the filesystem store's root (required unless MARKETPLACE_DEV_MODE=1)
//   <prefix>BLOB_S3_*           the S3 store (S3Config::FromEnv)
//   <prefix>BLOB_LINK_SECRET    (or _FILE) the download links' HMAC key, at least 32 bytes
//                               (required unless MARKETPLACE_DEV_MODE=1)
//   <prefix>BLOB_LINK_TTL       how long a download link lasts (default 15m, at most 7d)
#include <chrono>
#include <memory>
#include <string>

#include "marketplace/blob/blob_store.hpp"
#include "marketplace/blob/s3_store.hpp"
#include "marketplace/core/config.hpp"

namespace marketplace::blob {

struct BlobStoreConfig {
    std::string store = "filesystem";
    std::string dir;
    S3Config s3;
    std::string link_secret;
    std::chrono::seconds link_ttl{900};

    /// `dev_dir` is the filesystem root used in development when BLOB_DIR is unset.
    static BlobStoreConfig FromEnv(core::EnvReader& env, const std::string& dev_dir);
};

/// The store the configuration names; an S3 store creates its bucket when `create_bucket` (development).
std::unique_ptr<BlobStore> MakeBlobStore(const BlobStoreConfig& config, bool create_bucket = false);

}  // namespace marketplace::blob
