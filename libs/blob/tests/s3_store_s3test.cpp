// The S3 store against a real S3-compatible server: the local stack's SeaweedFS (deploy/local/stack.sh up
// seaweedfs), whose S3 endpoint is read from <state>/seaweedfs/endpoint.
#include <curl/curl.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>

#include "marketplace/blob/digest.hpp"
#include "marketplace/blob/s3_store.hpp"

using marketplace::blob::S3BlobStore;
using marketplace::blob::S3Config;
using marketplace::blob::StoreError;
using marketplace::core::ManualClock;
using namespace std::chrono_literals;

namespace {

std::string StateDir() {
    const char* env = std::getenv("MARKETPLACE_STATE_DIR");
    if (env == nullptr || *env == '\0') {
        throw std::runtime_error("MARKETPLACE_STATE_DIR is not set");
    }
    return env;
}

S3Config DevConfig() {
    const std::string path = StateDir() + "/seaweedfs/endpoint";
    std::ifstream in(path);
    std::string endpoint;
    if (!std::getline(in, endpoint) || endpoint.empty()) {
        throw std::runtime_error("no SeaweedFS endpoint in " + path +
                                 "; start it with deploy/local/stack.sh up seaweedfs");
    }
    S3Config c;
    c.endpoint = endpoint;
    c.bucket = marketplace::blob::kDevS3Bucket;
    c.access_key = marketplace::blob::kDevS3AccessKey;
    c.secret_key = marketplace::blob::kDevS3SecretKey;
    c.timeout = 60s;
    return c;
}

// A key prefix of its own for every run, so runs never see each other's objects.
const std::string& RunPrefix() {
    static const std::string prefix = [] {
        std::random_device rd;
        return "blob-s3-test/" + std::to_string(rd()) + "-" + std::to_string(rd());
    }();
    return prefix;
}

std::unique_ptr<S3BlobStore> DevStore() {
    auto store = std::make_unique<S3BlobStore>(DevConfig());
    store->CreateBucketIfMissing();
    return store;
}

// A plain HTTP GET, as a browser following a link would make it.
struct HttpResult {
    long status = 0;
    std::string body;
};

size_t Append(char* data, size_t size, size_t n, void* user) {
    static_cast<std::string*>(user)->append(data, size * n);
    return size * n;
}

HttpResult HttpGet(const std::string& url) {
    HttpResult result;
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
    curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &Append);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &result.body);
    curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, 30L);
    REQUIRE(curl_easy_perform(curl.get()) == CURLE_OK);
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &result.status);
    return result;
}

std::string RandomBytes(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::string out(n, '\0');
    for (auto& c : out) c = static_cast<char>(rng());
    return out;
}

}  // namespace

TEST_CASE("S3 store: put, get, stat and delete against SeaweedFS", "[blob][s3]") {
    auto store = DevStore();
    const std::string key = RunPrefix() + "/notes.txt";
    CHECK_FALSE(store->Exists(key));
    CHECK_FALSE(store->Get(key));

    store->Put(key, "minutes of the kickoff call", "text/plain; charset=utf-8");
    auto blob = store->Get(key);
    REQUIRE(blob);
    CHECK(blob->data == "minutes of the kickoff call");
    CHECK(blob->info.content_type == "text/plain; charset=utf-8");
    auto info = store->Stat(key);
    REQUIRE(info);
    CHECK(info->size == 27);

    store->Put(key, "replaced", "text/plain");
    CHECK(store->Get(key)->data == "replaced");

    store->Delete(key);
    CHECK_FALSE(store->Exists(key));
    CHECK_FALSE(store->Get(key));
    CHECK_NOTHROW(store->Delete(key));
}

TEST_CASE("S3 store: a 24 MiB object comes back byte for byte", "[blob][s3]") {
    auto store = DevStore();
    const std::string key = RunPrefix() + "/large.bin";
    const std::uint64_t seed = std::random_device{}();
    INFO("seed " << seed);
    const std::string bytes = RandomBytes(24u << 20, seed);
    store->Put(key, bytes, "application/octet-stream");
    auto blob = store->Get(key);
    REQUIRE(blob);
    CHECK(blob->data.size() == bytes.size());
    CHECK(marketplace::blob::Sha256Hex(blob->data) == marketplace::blob::Sha256Hex(bytes));
    CHECK(store->Stat(key)->size == bytes.size());
    store->Delete(key);
}

TEST_CASE("S3 store: a Get past the configured size limit fails instead of buffering", "[blob][s3]") {
    auto store = DevStore();
    const std::string key = RunPrefix() + "/over-limit.bin";
    store->Put(key, std::string(64 * 1024, 'x'), "application/octet-stream");
    S3Config small = DevConfig();
    small.max_object_bytes = 1024;
    S3BlobStore limited(small);
    CHECK_THROWS_AS(limited.Get(key), StoreError);
    store->Delete(key);
}

TEST_CASE("S3 store: wrong credentials are refused by the server", "[blob][s3]") {
    auto store = DevStore();
    const std::string key = RunPrefix() + "/guarded.txt";
    store->Put(key, "only for the right keys", "text/plain");

    S3Config wrong_secret = DevConfig();
    wrong_secret.secret_key = "not-the-secret";
    S3BlobStore bad_secret(wrong_secret);
    S3Config unknown_key = DevConfig();
    unknown_key.access_key = "nobody";
    S3BlobStore bad_key(unknown_key);

    for (S3BlobStore* s : {&bad_secret, &bad_key}) {
        try {
            s->Put(key, "overwritten", "text/plain");
            FAIL("a put with wrong credentials was accepted");
        } catch (const StoreError& e) {
            CHECK(e.http_status() == 403);
        }
        CHECK_THROWS_AS(s->Get(key), StoreError);
        CHECK_THROWS_AS(s->Delete(key), StoreError);
    }
    CHECK(store->Get(key)->data == "only for the right keys");
    store->Delete(key);
}

TEST_CASE("S3 store: a presigned URL serves the object until it expires, and not when altered", "[blob][s3]") {
    auto store = DevStore();
    const std::string key = RunPrefix() + "/presigned.txt";
    store->Put(key, "shared by link", "text/plain");

    const std::string url = *store->PresignedGetUrl(key, 300s);
    auto fresh = HttpGet(url);
    CHECK(fresh.status == 200);
    CHECK(fresh.body == "shared by link");

    std::string altered = url;
    altered.replace(altered.find("presigned.txt"), 13, "presigned.txx");
    CHECK(HttpGet(altered).status == 403);

    // Signed two minutes ago for five minutes: still good. Signed ten minutes ago for five: expired,
    // by the server's own clock.
    auto recent = std::make_shared<ManualClock>(std::chrono::system_clock::now() - 2min);
    S3BlobStore signed_recently(DevConfig(), recent);
    CHECK(HttpGet(*signed_recently.PresignedGetUrl(key, 300s)).status == 200);
    auto past = std::make_shared<ManualClock>(std::chrono::system_clock::now() - 10min);
    S3BlobStore signed_in_the_past(DevConfig(), past);
    const auto expired = HttpGet(*signed_in_the_past.PresignedGetUrl(key, 300s));
    CHECK(expired.status == 403);
    CHECK(expired.body.find("AccessDenied") != std::string::npos);
    store->Delete(key);
}
