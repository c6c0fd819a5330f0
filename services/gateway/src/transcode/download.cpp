#include "transcode/download.hpp"

#include <algorithm>

#include "marketplace/workroom/v1/workroom.pb.h"

namespace marketplace::gateway {
namespace {

constexpr std::size_t kMaxTokenBytes = 2048;

bool TokenChar(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.';
}

// RFC 6266 / 5987: an ASCII fallback name and the UTF-8 name percent-encoded.
std::string ContentDisposition(const std::string& filename) {
    std::string ascii;
    std::string encoded;
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (unsigned char c : filename) {
        const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                           c == '-' || c == '_';
        ascii.push_back(plain || c == ' ' ? static_cast<char>(c) : '_');
        if (plain) {
            encoded.push_back(static_cast<char>(c));
        } else {
            encoded += {'%', kHex[c >> 4], kHex[c & 0x0F]};
        }
    }
    if (ascii.empty()) ascii = "download";
    return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
}

}  // namespace

Route DownloadRoute() {
    Route route;
    route.http_method = "GET";
    route.path = PathTemplate::Parse("/v1/files/{token}");
    route.method = google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(kDownloadMethod);
    if (route.method != nullptr) {
        route.grpc_path = "/" + route.method->service()->full_name() + "/" + route.method->name();
    }
    return route;
}

std::optional<std::string> DownloadToken(std::string_view raw_path) {
    const std::string_view prefix = kDownloadPathPrefix;
    if (raw_path.substr(0, prefix.size()) != prefix) return std::nullopt;
    const auto token = raw_path.substr(prefix.size());
    if (token.empty() || token.size() > kMaxTokenBytes || !std::all_of(token.begin(), token.end(), TokenChar)) {
        return std::string();
    }
    return std::string(token);
}

std::string DownloadRequestBytes(const std::string& token) {
    workroom::v1::DownloadFileRequest request;
    request.set_token(token);
    return request.SerializeAsString();
}

std::optional<HttpResponse> DownloadResponse(const std::string& bytes) {
    workroom::v1::DownloadFileResponse message;
    if (!message.ParseFromString(bytes)) return std::nullopt;
    HttpResponse response(bhttp::status::ok, 11);
    response.set(bhttp::field::content_type, message.file().content_type());
    response.set(bhttp::field::content_disposition, ContentDisposition(message.file().filename()));
    response.set("X-Content-Type-Options", "nosniff");
    response.set(bhttp::field::cache_control, "private, no-store");
    response.set("Content-Security-Policy", "default-src 'none'; sandbox");
    response.set("X-Content-SHA256", message.file().sha256());
    response.body() = std::move(*message.mutable_data());
    response.prepare_payload();
    return response;
}

}  // namespace marketplace::gateway
