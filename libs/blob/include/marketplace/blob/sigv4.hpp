#pragma once
// AWS Signature Version 4 (the "AWS4-HMAC-SHA256" algorithm), as S3 and S3-compatible servers check it:
// the canonical request, the string to sign, the derived signing key, the Authorization header, and
// presigned URLs (the signature in the query string). Pure functions of their inputs and the time given,
// so AWS's published test vectors check them exactly (libs/blob/tests/sigv4_test.cpp).
#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "marketplace/blob/digest.hpp"

namespace marketplace::blob::sigv4 {

using TimePoint = std::chrono::system_clock::time_point;
using Pairs = std::vector<std::pair<std::string, std::string>>;

/// The hash S3 accepts in place of the payload's own when the payload is not signed (presigned URLs).
inline constexpr char kUnsignedPayload[] = "UNSIGNED-PAYLOAD";

struct Credentials {
    std::string access_key;
    std::string secret_key;
    std::string region;   // "us-east-1"
    std::string service;  // "s3"
};

struct Request {
    std::string method;         // "GET"
    std::string canonical_uri;  // the path, already URI-encoded once ("/bucket/a%20b"); "/" when empty
    Pairs query;                // names and values as sent before encoding; encoded and sorted here
    Pairs headers;              // any case; must include "host"
    std::string payload_hash;   // lowercase hex SHA-256 of the body, or kUnsignedPayload
};

struct Signature {
    std::string canonical_request;
    std::string string_to_sign;
    std::string signed_headers;  // "host;x-amz-date"
    std::string signature;       // lowercase hex
    std::string authorization;   // the Authorization header's value
};

/// RFC 3986 percent-encoding as SigV4 wants it: everything but A-Z a-z 0-9 - . _ ~ becomes %XX
/// (uppercase hex); '/' is kept when `keep_slash` (object key paths).
std::string UriEncode(std::string_view text, bool keep_slash);

/// "20150830T123600Z" (ISO 8601 basic, UTC) and "20150830".
std::string AmzDate(TimePoint t);
std::string ShortDate(TimePoint t);

/// The canonical query string: each name and value URI-encoded, sorted by name then value.
std::string CanonicalQuery(const Pairs& query);

/// The signing key: HMAC chain over "AWS4"+secret, the date, the region, the service and "aws4_request".
Digest SigningKey(std::string_view secret_key, std::string_view short_date, std::string_view region,
                  std::string_view service);

/// Signs `request` at time `t`. The request's headers must already hold every header that will be sent
/// and signed, including "x-amz-date" equal to AmzDate(t) (and, for S3, "x-amz-content-sha256").
Signature Sign(const Credentials& credentials, const Request& request, TimePoint t);

/// A presigned URL's query string (without '?'), the signature included: anyone holding the URL may make
/// this one `method` request on `canonical_uri` at `host` until `t + expires` (1 s to 7 days).
std::string PresignQuery(const Credentials& credentials, std::string_view method, std::string_view host,
                         std::string_view canonical_uri, TimePoint t, std::chrono::seconds expires,
                         const Pairs& extra_query = {});

}  // namespace marketplace::blob::sigv4
