// AWS Signature V4 against AWS's published examples: cases of the Signature Version 4 test suite
// (service "service", us-east-1, 2015-08-30T12:36:00Z, the suite's example credentials) and the worked
// examples of the S3 API reference (a GET with a Range header and a presigned URL).
#include <catch2/catch.hpp>
#include <chrono>

#include "marketplace/blob/digest.hpp"
#include "marketplace/blob/sigv4.hpp"

namespace sigv4 = marketplace::blob::sigv4;
using marketplace::blob::Sha256Hex;
using namespace std::chrono_literals;

namespace {

const sigv4::Credentials kSuite{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1", "service"};

sigv4::TimePoint At(int y, unsigned mo, unsigned d, int h, int mi, int s) {
    using namespace std::chrono;
    return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s};
}

const sigv4::TimePoint kSuiteTime = At(2015, 8, 30, 12, 36, 0);

sigv4::Request SuiteRequest(std::string method, sigv4::Pairs query, sigv4::Pairs extra_headers = {},
                            std::string body = {}) {
    sigv4::Request r;
    r.method = std::move(method);
    r.canonical_uri = "/";
    r.query = std::move(query);
    r.headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}};
    for (auto& h : extra_headers) r.headers.push_back(std::move(h));
    r.payload_hash = Sha256Hex(body);
    return r;
}

std::string Authorization(std::string signed_headers, std::string signature) {
    return "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=" +
           signed_headers + ", Signature=" + signature;
}

}  // namespace

TEST_CASE("SigV4: get-vanilla signs a bare GET as the test suite does", "[blob][sigv4]") {
    const auto s = sigv4::Sign(kSuite, SuiteRequest("GET", {}), kSuiteTime);
    CHECK(s.canonical_request ==
          "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(s.string_to_sign ==
          "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
          "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
    CHECK(s.authorization ==
          Authorization("host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
}

TEST_CASE("SigV4: query parameters are sorted by name (get-vanilla-query-order-key-case)", "[blob][sigv4]") {
    const auto s = sigv4::Sign(kSuite, SuiteRequest("GET", {{"Param2", "value2"}, {"Param1", "value1"}}), kSuiteTime);
    CHECK(s.authorization ==
          Authorization("host;x-amz-date", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"));
}

TEST_CASE("SigV4: unreserved characters stay as they are (get-vanilla-query-unreserved)", "[blob][sigv4]") {
    const std::string unreserved = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    const auto s = sigv4::Sign(kSuite, SuiteRequest("GET", {{unreserved, unreserved}}), kSuiteTime);
    CHECK(s.authorization ==
          Authorization("host;x-amz-date", "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"));
}

TEST_CASE("SigV4: UTF-8 in the query is percent-encoded byte by byte (get-vanilla-utf8-query)", "[blob][sigv4]") {
    const auto s = sigv4::Sign(kSuite, SuiteRequest("GET", {{"\xe1\x88\xb4", "bar"}}), kSuiteTime);
    CHECK(s.canonical_request.find("\n%E1%88%B4=bar\n") != std::string::npos);
    CHECK(s.authorization ==
          Authorization("host;x-amz-date", "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"));
}

TEST_CASE("SigV4: a POST with a query and no body (post-vanilla-empty-query-value)", "[blob][sigv4]") {
    const auto s = sigv4::Sign(kSuite, SuiteRequest("POST", {{"Param1", "value1"}}), kSuiteTime);
    CHECK(s.authorization ==
          Authorization("host;x-amz-date", "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"));
}

TEST_CASE("SigV4: header values are trimmed and inner spaces collapsed (get-header-value-trim)", "[blob][sigv4]") {
    const auto s = sigv4::Sign(
        kSuite, SuiteRequest("GET", {}, {{"My-Header1", " value1"}, {"My-Header2", " \"a   b   c\""}}), kSuiteTime);
    CHECK(s.canonical_request.find("my-header1:value1\nmy-header2:\"a b c\"\n") != std::string::npos);
    CHECK(s.authorization == Authorization("host;my-header1;my-header2;x-amz-date",
                                           "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"));
}

TEST_CASE("SigV4: a signed body and content type (post-x-www-form-urlencoded)", "[blob][sigv4]") {
    const auto s = sigv4::Sign(
        kSuite, SuiteRequest("POST", {}, {{"Content-Type", "application/x-www-form-urlencoded"}}, "Param1=value1"),
        kSuiteTime);
    CHECK(s.canonical_request ==
          "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\n"
          "x-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n"
          "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
    CHECK(s.string_to_sign ==
          "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
          "42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281");
    CHECK(s.authorization == Authorization("content-type;host;x-amz-date",
                                           "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"));
}

namespace {
const sigv4::Credentials kS3Example{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1",
                                    "s3"};
const sigv4::TimePoint kS3Time = At(2013, 5, 24, 0, 0, 0);
}  // namespace

TEST_CASE("SigV4: the S3 reference's GET Object example with a Range header", "[blob][sigv4]") {
    sigv4::Request r;
    r.method = "GET";
    r.canonical_uri = "/test.txt";
    r.payload_hash = Sha256Hex("");
    r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
                 {"Range", "bytes=0-9"},
                 {"x-amz-content-sha256", r.payload_hash},
                 {"x-amz-date", "20130524T000000Z"}};
    const auto s = sigv4::Sign(kS3Example, r, kS3Time);
    CHECK(s.string_to_sign ==
          "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
          "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
    CHECK(s.signature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST_CASE("SigV4: the S3 reference's presigned URL example", "[blob][sigv4]") {
    const std::string query =
        sigv4::PresignQuery(kS3Example, "GET", "examplebucket.s3.amazonaws.com", "/test.txt", kS3Time, 86400s);
    CHECK(query ==
          "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_"
          "request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature="
          "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

TEST_CASE("SigV4: object keys are encoded once, slashes kept", "[blob][sigv4]") {
    CHECK(sigv4::UriEncode("rooms/a b/ü+x~y", true) == "rooms/a%20b/%C3%BC%2Bx~y");
    CHECK(sigv4::UriEncode("a/b", false) == "a%2Fb");
    CHECK(sigv4::AmzDate(kSuiteTime) == "20150830T123600Z");
    CHECK(sigv4::ShortDate(kSuiteTime) == "20150830");
}

TEST_CASE("SigV4: a presigned URL lasts at most seven days", "[blob][sigv4]") {
    CHECK_THROWS(sigv4::PresignQuery(kS3Example, "GET", "h", "/b/k", kS3Time, 0s));
    CHECK_THROWS(sigv4::PresignQuery(kS3Example, "GET", "h", "/b/k", kS3Time, std::chrono::hours(24 * 7) + 1s));
    CHECK_NOTHROW(sigv4::PresignQuery(kS3Example, "GET", "h", "/b/k", kS3Time, std::chrono::hours(24 * 7)));
}
