#pragma once
// GET /v1/files/{token}: a workroom file by its signed download link, answered with the file's raw
// bytes (not JSON). The token is the credential: no bearer token is needed, and the workroom checks
// the token's signature and expiry (WorkroomFilesService.DownloadFile). The response is an attachment
// with its declared content type, X-Content-Type-Options: nosniff and no caching, so a browser saves
// it and never renders it on the gateway's origin.
#include <optional>
#include <string>
#include <string_view>

#include "http/types.hpp"
#include "routing/route_table.hpp"

namespace marketplace::gateway {

inline constexpr char kDownloadPathPrefix[] = "/v1/files/";
inline constexpr char kDownloadMethod[] = "marketplace.workroom.v1.WorkroomFilesService.DownloadFile";

/// The route downloads are answered as; null method when the workroom is not linked.
Route DownloadRoute();

/// The token of a download path ("/v1/files/abc.def" -> "abc.def"), or nullopt when `raw_path` is not
/// one. An empty or oversized token, or one with characters outside base64url and '.', is "" (refused).
std::optional<std::string> DownloadToken(std::string_view raw_path);

/// The serialized DownloadFileRequest{token}.
std::string DownloadRequestBytes(const std::string& token);

/// The DownloadFileResponse in `bytes` as the HTTP response; nullopt when the bytes do not parse.
std::optional<HttpResponse> DownloadResponse(const std::string& bytes);

}  // namespace marketplace::gateway
