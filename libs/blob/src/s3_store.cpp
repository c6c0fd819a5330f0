#include "marketplace/blob/s3_store.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <mutex>

#include "marketplace/blob/digest.hpp"
#include "marketplace/blob/filesystem_store.hpp"

namespace marketplace::blob {

struct S3BlobStore::Response {
    long status = 0;
    std::string body;
    std::map<std::string, std::string> headers;  // names lowercased
    bool truncated = false;                      // the body passed max_object_bytes
};

namespace {

void GlobalInit() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// "http://host:port" -> "host:port"; empty when the endpoint is not scheme://authority.
std::string Authority(std::string_view endpoint) {
    std::string_view rest;
    if (endpoint.rfind("http://", 0) == 0) {
        rest = endpoint.substr(7);
    } else if (endpoint.rfind("https://", 0) == 0) {
        rest = endpoint.substr(8);
    } else {
        return {};
    }
    while (!rest.empty() && rest.back() == '/') {
        rest.remove_suffix(1);
    }
    if (rest.empty() || rest.find_first_of("/?#@ ") != std::string_view::npos) {
        return {};
    }
    return std::string(rest);
}

std::string TrimSlashes(std::string s) {
    while (!s.empty() && s.back() == '/') {
        s.pop_back();
    }
    return s;
}

bool ValidBucket(std::string_view b) {
    if (b.size() < 3 || b.size() > 63) {
        return false;
    }
    return std::all_of(b.begin(), b.end(),
                       [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'; });
}

// The <Code> of an S3 error body, if there is one.
std::string ErrorCode(const std::string& body) {
    const auto start = body.find("<Code>");
    const auto end = body.find("</Code>");
    if (start == std::string::npos || end == std::string::npos || end < start) {
        return {};
    }
    return body.substr(start + 6, end - start - 6);
}

struct Transfer {
    S3BlobStore::Response* response;
    std::uint64_t limit;
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const size_t bytes = size * n;
    if (t->response->body.size() + bytes > t->limit) {
        t->response->truncated = true;
        return 0;  // aborts the transfer
    }
    t->response->body.append(data, bytes);
    return bytes;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const size_t bytes = size * n;
    std::string_view line(data, bytes);
    const auto colon = line.find(':');
    if (colon != std::string_view::npos) {
        std::string name(line.substr(0, colon));
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
            value.remove_prefix(1);
        }
        while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
            value.remove_suffix(1);
        }
        t->response->headers[name] = std::string(value);
    } else if (line.rfind("HTTP/", 0) == 0) {
        t->response->headers.clear();  // a new response (after 100 Continue or a redirect)
    }
    return bytes;
}

class CurlList final {
public:
    ~CurlList() { curl_slist_free_all(list_); }
    void Add(const std::string& line) { list_ = curl_slist_append(list_, line.c_str()); }
    curl_slist* get() const { return list_; }

private:
    curl_slist* list_ = nullptr;
};

}  // namespace

S3Config S3Config::FromEnv(core::EnvReader& env) {
    S3Config c;
    const bool dev = env.DevMode();
    auto required = [&](const std::string& name, const std::string& dev_default) {
        return dev ? env.String(name, dev_default) : env.RequiredString(name);
    };
    const std::string dev_port = [&] {
        const char* port = std::getenv("MARKETPLACE_S3_PORT");
        return std::string(port != nullptr && *port != '\0' ? port : "18333");
    }();
    c.endpoint = TrimSlashes(required("BLOB_S3_ENDPOINT", "http://127.0.0.1:" + dev_port));
    c.public_endpoint = TrimSlashes(env.String("BLOB_S3_PUBLIC_ENDPOINT", c.endpoint));
    c.region = env.String("BLOB_S3_REGION", "us-east-1");
    c.bucket = required("BLOB_S3_BUCKET", kDevS3Bucket);
    c.access_key = required("BLOB_S3_ACCESS_KEY", kDevS3AccessKey);
    c.secret_key = env.SecretOrDevDefault("BLOB_S3_SECRET_KEY", kDevS3SecretKey);
    c.timeout = env.Duration("BLOB_S3_TIMEOUT", std::chrono::seconds(30), std::chrono::milliseconds(100),
                             std::chrono::minutes(10));
    if (!c.endpoint.empty() && Authority(c.endpoint).empty()) {
        env.Reject("BLOB_S3_ENDPOINT", "must be http://host[:port] or https://host[:port]");
    }
    if (!c.public_endpoint.empty() && Authority(c.public_endpoint).empty()) {
        env.Reject("BLOB_S3_PUBLIC_ENDPOINT", "must be http://host[:port] or https://host[:port]");
    }
    if (!c.bucket.empty() && !ValidBucket(c.bucket)) {
        env.Reject("BLOB_S3_BUCKET", "must be 3-63 characters of a-z, 0-9, '-' and '.'");
    }
    return c;
}

S3BlobStore::S3BlobStore(S3Config config, std::shared_ptr<const core::Clock> clock)
    : config_(std::move(config)), clock_(std::move(clock)) {
    GlobalInit();
    config_.endpoint = TrimSlashes(config_.endpoint);
    if (config_.public_endpoint.empty()) {
        config_.public_endpoint = config_.endpoint;
    }
    config_.public_endpoint = TrimSlashes(config_.public_endpoint);
    host_ = Authority(config_.endpoint);
    public_host_ = Authority(config_.public_endpoint);
    if (host_.empty()) {
        throw core::InvalidArgument("endpoint", "must be http://host[:port] or https://host[:port]");
    }
    if (public_host_.empty()) {
        throw core::InvalidArgument("public_endpoint", "must be http://host[:port] or https://host[:port]");
    }
    if (!ValidBucket(config_.bucket)) {
        throw core::InvalidArgument("bucket", "must be 3-63 characters of a-z, 0-9, '-' and '.'");
    }
    if (config_.access_key.empty()) {
        throw core::InvalidArgument("access_key", "must not be empty");
    }
    if (config_.secret_key.empty()) {
        throw core::InvalidArgument("secret_key", "must not be empty");
    }
    if (config_.region.empty()) {
        throw core::InvalidArgument("region", "must not be empty");
    }
    credentials_ = {config_.access_key, config_.secret_key, config_.region, "s3"};
}

S3BlobStore::Response S3BlobStore::Send(std::string_view method, std::string_view key, std::string_view body,
                                        std::string_view content_type) {
    std::string path = "/" + config_.bucket;
    if (!key.empty()) {
        path += "/" + sigv4::UriEncode(key, true);
    }
    const auto now = clock_->Now();
    sigv4::Request request;
    request.method = std::string(method);
    request.canonical_uri = path;
    request.payload_hash = Sha256Hex(body);
    request.headers = {
        {"host", host_}, {"x-amz-content-sha256", request.payload_hash}, {"x-amz-date", sigv4::AmzDate(now)}};
    if (!content_type.empty()) {
        request.headers.emplace_back("content-type", std::string(content_type));
    }
    const sigv4::Signature signature = sigv4::Sign(credentials_, request, now);

    CurlList headers;
    for (const auto& [name, value] : request.headers) {
        headers.Add(name + ": " + value);
    }
    headers.Add("authorization: " + signature.authorization);
    headers.Add("Expect:");  // no 100-continue round trip before a large body

    Response response;
    Transfer transfer{&response, method == "GET" ? config_.max_object_bytes : std::uint64_t{1} << 20};
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
    if (!curl) {
        throw StoreError("s3: curl_easy_init failed");
    }
    const std::string url = config_.endpoint + path;
    CURL* h = curl.get();
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(config_.timeout.count()));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min<long>(config_.timeout.count(), 5000)));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &OnBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &OnHeader);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &transfer);
    if (method == "HEAD") {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (method == "PUT") {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PUT");
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.empty() ? "" : body.data());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    } else if (method != "GET") {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, std::string(method).c_str());
    }
    const CURLcode rc = curl_easy_perform(h);
    if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && response.truncated)) {
        throw StoreError("s3: " + std::string(method) + " " + url + ": " + curl_easy_strerror(rc));
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
    if (response.truncated) {
        throw StoreError("s3: " + std::string(method) + " " + url + ": the object is larger than " +
                         std::to_string(config_.max_object_bytes) + " bytes");
    }
    return response;
}

void S3BlobStore::Throw(std::string_view what, std::string_view key, const Response& response) const {
    const std::string code = ErrorCode(response.body);
    throw StoreError("s3: " + std::string(what) + " " + config_.bucket + "/" + std::string(key) + ": HTTP " +
                         std::to_string(response.status) + (code.empty() ? "" : " " + code),
                     static_cast<int>(response.status), code);
}

void S3BlobStore::Put(std::string_view key, std::string_view data, std::string_view content_type) {
    ValidateKey(key);
    ValidateContentType(content_type);
    const Response r = Send("PUT", key, data, content_type);
    if (r.status != 200) {
        Throw("PUT", key, r);
    }
}

std::optional<Blob> S3BlobStore::Get(std::string_view key) {
    ValidateKey(key);
    Response r = Send("GET", key, {}, {});
    if (r.status == 404) {
        return std::nullopt;
    }
    if (r.status != 200) {
        Throw("GET", key, r);
    }
    Blob blob;
    blob.info.key = std::string(key);
    blob.info.size = r.body.size();
    auto type = r.headers.find("content-type");
    blob.info.content_type = type != r.headers.end() ? type->second : "application/octet-stream";
    blob.data = std::move(r.body);
    return blob;
}

std::optional<BlobInfo> S3BlobStore::Stat(std::string_view key) {
    ValidateKey(key);
    const Response r = Send("HEAD", key, {}, {});
    if (r.status == 404) {
        return std::nullopt;
    }
    if (r.status != 200) {
        Throw("HEAD", key, r);
    }
    BlobInfo info;
    info.key = std::string(key);
    auto length = r.headers.find("content-length");
    info.size = length != r.headers.end() ? std::stoull(length->second) : 0;
    auto type = r.headers.find("content-type");
    info.content_type = type != r.headers.end() ? type->second : "application/octet-stream";
    return info;
}

void S3BlobStore::Delete(std::string_view key) {
    ValidateKey(key);
    const Response r = Send("DELETE", key, {}, {});
    if (r.status != 204 && r.status != 200 && r.status != 404) {
        Throw("DELETE", key, r);
    }
}

std::optional<std::string> S3BlobStore::PresignedGetUrl(std::string_view key, std::chrono::seconds ttl) {
    ValidateKey(key);
    if (ttl < std::chrono::seconds(1) || ttl > std::chrono::hours(24 * 7)) {
        throw core::InvalidArgument("ttl", "must be between 1 second and 7 days");
    }
    const std::string path = "/" + config_.bucket + "/" + sigv4::UriEncode(key, true);
    return config_.public_endpoint + path + "?" +
           sigv4::PresignQuery(credentials_, "GET", public_host_, path, clock_->Now(), ttl);
}

void S3BlobStore::CreateBucketIfMissing() {
    const Response head = Send("HEAD", {}, {}, {});
    if (head.status == 200) {
        return;
    }
    const Response r = Send("PUT", {}, {}, {});
    if (r.status == 200 || ErrorCode(r.body) == "BucketAlreadyOwnedByYou") {
        return;
    }
    Throw("create bucket", "", r);
}

}  // namespace marketplace::blob
