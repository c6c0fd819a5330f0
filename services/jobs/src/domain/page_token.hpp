#pragma once
// Keyset pagination with opaque page tokens. A token holds the sort key of the last row of a
// page (search rank, creation time, id) and a fingerprint of the query it belongs to, so a token
// is refused with another query instead of silently paging something else.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace marketplace::jobs {

struct PageCursor {
    std::string rank;  // a search rank as PostgreSQL prints a real ("0.0607927"); empty for plain lists
    std::int64_t created_micros = 0;
    std::string id;  // UUID of the last row
};

/// 0 means kDefaultPageSize; 1..kMaxPageSize as given; anything else "page_size: ..." InvalidArgument.
std::int32_t ResolvePageSize(std::int32_t requested);

/// A stable 64-bit FNV-1a digest (hex) of the parts, each length-prefixed: the query's fingerprint.
std::string Fingerprint(const std::vector<std::string>& parts);

/// The opaque token (base64url) for the page after `cursor` of the query `fingerprint`.
std::string EncodePageToken(const PageCursor& cursor, std::string_view fingerprint);

/// nullopt for an empty token (the first page); the cursor otherwise. InvalidArgument("page_token",
/// ...) when the token is malformed or was issued for another query.
std::optional<PageCursor> DecodePageToken(std::string_view token, std::string_view fingerprint);

}  // namespace marketplace::jobs
