#pragma once
// A BlobStore on an S3-compatible object store (AWS S3, SeaweedFS, MinIO, ...) over its REST API:
// PUT/GET/HEAD/DELETE on path-style URLs (<endpoint>/<bucket>/<key>), each request signed with AWS
// Signature Version 4 (sigv4.hpp) and sent with libcurl. Presigned GET URLs let a client download
// straight from the store.
#include <chrono>
#include <memory>
#include <string>

#include "marketplace/blob/blob_store.hpp"
#include "marketplace/blob/sigv4.hpp"
#include "marketplace/core/clock.hpp"
#include "marketplace/core/config.hpp"

namespace marketplace::blob {

struct S3Config {
    std::string endpoint;         // "http://127.0.0.1:18333" or "https://s3.eu-west-1.amazonaws.com"
    std::string public_endpoint;  // where clients reach the store, for presigned URLs (default: endpoint)
    std::string region = "us-east-1";
    std::string bucket;
    std::string access_key;
    std::string secret_key;
    std::chrono::milliseconds timeout{30000};
    std::uint64_t max_object_bytes = 256ull << 20;  // a Get refuses objects larger than this

    /// Reads <prefix>BLOB_S3_ENDPOINT, _PUBLIC_ENDPOINT, _REGION, _BUCKET, _ACCESS_KEY, _SECRET_KEY (or
    /// _SECRET_KEY_FILE) and _TIMEOUT. Endpoint, bucket and both keys are required unless MARKETPLACE_DEV_MODE
    /// is on, when they default to the local stack's SeaweedFS (MARKETPLACE_S3_PORT, default 18333).
    /// Problems are recorded on `env` (its Finish() reports them, naming each variable).
    static S3Config FromEnv(core::EnvReader& env);
};

/// The local stack's development credentials and bucket (deploy/local/seaweedfs); never used in production.
inline constexpr char kDevS3AccessKey[] = "marketplace-dev";
inline constexpr char kDevS3SecretKey[] = "marketplace-dev-secret-not-for-production";
inline constexpr char kDevS3Bucket[] = "marketplace-dev";

class S3BlobStore final : public BlobStore {
public:
    /// Throws core::InvalidArgument naming the field when the configuration is unusable.
    explicit S3BlobStore(S3Config config, std::shared_ptr<const core::Clock> clock = core::SystemClock::Instance());

    void Put(std::string_view key, std::string_view data, std::string_view content_type) override;
    std::optional<Blob> Get(std::string_view key) override;
    std::optional<BlobInfo> Stat(std::string_view key) override;
    void Delete(std::string_view key) override;
    std::optional<std::string> PresignedGetUrl(std::string_view key, std::chrono::seconds ttl) override;
    std::string_view Kind() const override { return "s3"; }

    /// Creates the bucket unless it exists (development and tests; production buckets are provisioned).
    void CreateBucketIfMissing();

    const S3Config& config() const { return config_; }

    struct Response;

private:
    Response Send(std::string_view method, std::string_view key, std::string_view body, std::string_view content_type);
    [[noreturn]] void Throw(std::string_view what, std::string_view key, const Response& response) const;

    S3Config config_;
    std::shared_ptr<const core::Clock> clock_;
    std::string host_;         // "127.0.0.1:18333", as sent and signed
    std::string public_host_;  // the public endpoint's authority
    sigv4::Credentials credentials_;
};

}  // namespace marketplace::blob
