#include "marketplace/blob/store_config.hpp"

#include "marketplace/blob/filesystem_store.hpp"
#include "marketplace/blob/signed_link.hpp"

namespace marketplace::blob {

BlobStoreConfig BlobStoreConfig::FromEnv(core::EnvReader& env, const std::string& dev_dir) {
    BlobStoreConfig c;
    const bool dev = env.DevMode();
    c.store = env.OneOf("BLOB_STORE", "filesystem", {"filesystem", "s3"});
    if (c.store == "filesystem") {
        c.dir = dev ? env.String("BLOB_DIR", dev_dir) : env.RequiredString("BLOB_DIR");
    } else {
        c.s3 = S3Config::FromEnv(env);
    }
    c.link_secret = env.SecretOrDevDefault("BLOB_LINK_SECRET", "development-only-download-link-secret-0123456789");
    if (!c.link_secret.empty() && c.link_secret.size() < kMinLinkSecretBytes) {
        env.Reject("BLOB_LINK_SECRET", "must be at least 32 bytes");
    }
    c.link_ttl = std::chrono::duration_cast<std::chrono::seconds>(
        env.Duration("BLOB_LINK_TTL", std::chrono::minutes(15), std::chrono::seconds(1), kMaxLinkTtl));
    return c;
}

std::unique_ptr<BlobStore> MakeBlobStore(const BlobStoreConfig& config, bool create_bucket) {
    if (config.store == "s3") {
        auto store = std::make_unique<S3BlobStore>(config.s3);
        if (create_bucket) {
            store->CreateBucketIfMissing();
        }
        return store;
    }
    return std::make_unique<FilesystemBlobStore>(config.dir);
}

}  // namespace marketplace::blob
