// Store configuration from the environment: production refuses to start without what it needs,
// naming each missing variable; development falls back to the local stack.
#include <catch2/catch.hpp>
#include <map>

#include "marketplace/blob/store_config.hpp"

using Catch::Contains;
using marketplace::blob::BlobStoreConfig;
using marketplace::core::ConfigError;
using marketplace::core::EnvReader;

namespace {

EnvReader Env(std::map<std::string, std::string> vars) {
    return EnvReader("WORKROOM_", [vars](const std::string& name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    });
}

std::string Problems(EnvReader& env) {
    try {
        env.Finish();
    } catch (const ConfigError& e) {
        std::string all;
        for (const auto& p : e.problems()) all += p + "\n";
        return all;
    }
    return {};
}

}  // namespace

TEST_CASE("Blob config: the S3 store outside development names every missing variable", "[blob][config]") {
    auto env = Env({{"WORKROOM_BLOB_STORE", "s3"}, {"WORKROOM_BLOB_S3_BUCKET", "files"}});
    BlobStoreConfig::FromEnv(env, "/tmp/unused");
    const std::string problems = Problems(env);
    CHECK_THAT(problems, Contains("WORKROOM_BLOB_S3_ENDPOINT"));
    CHECK_THAT(problems, Contains("WORKROOM_BLOB_S3_ACCESS_KEY"));
    CHECK_THAT(problems, Contains("WORKROOM_BLOB_S3_SECRET_KEY"));
    CHECK_THAT(problems, Contains("WORKROOM_BLOB_LINK_SECRET"));
    CHECK_THAT(problems, !Contains("WORKROOM_BLOB_S3_BUCKET"));
}

TEST_CASE("Blob config: the filesystem store outside development needs its folder", "[blob][config]") {
    auto env = Env({{"WORKROOM_BLOB_LINK_SECRET", std::string(40, 's')}});
    BlobStoreConfig::FromEnv(env, "/tmp/unused");
    CHECK_THAT(Problems(env), Contains("WORKROOM_BLOB_DIR"));
}

TEST_CASE("Blob config: development mode falls back to the local stack", "[blob][config]") {
    auto env = Env({{"MARKETPLACE_DEV_MODE", "1"}, {"WORKROOM_BLOB_STORE", "s3"}});
    const auto c = BlobStoreConfig::FromEnv(env, "/tmp/unused");
    CHECK(Problems(env).empty());
    CHECK(c.s3.bucket == "marketplace-dev");
    CHECK_THAT(c.s3.endpoint, Contains("http://127.0.0.1:"));
    CHECK(c.link_secret.size() >= 32);
}

TEST_CASE("Blob config: malformed values are refused, naming the variable", "[blob][config]") {
    auto env = Env({{"WORKROOM_BLOB_STORE", "s3"},
                    {"WORKROOM_BLOB_S3_ENDPOINT", "ftp://x"},
                    {"WORKROOM_BLOB_S3_BUCKET", "Bad_Bucket"},
                    {"WORKROOM_BLOB_S3_ACCESS_KEY", "a"},
                    {"WORKROOM_BLOB_S3_SECRET_KEY", "b"},
                    {"WORKROOM_BLOB_LINK_SECRET", "too-short"}});
    BlobStoreConfig::FromEnv(env, "/tmp/unused");
    const std::string problems = Problems(env);
    CHECK_THAT(problems, Contains("WORKROOM_BLOB_S3_ENDPOINT"));
    CHECK_THAT(problems, Contains("WORKROOM_BLOB_S3_BUCKET"));
    CHECK_THAT(problems, Contains("WORKROOM_BLOB_LINK_SECRET"));
}
