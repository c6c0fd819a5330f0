#pragma once
// A minimal HTTP/1.1 client for tests that must choose their source address: any of 127.0.0.0/8 is
// this machine, so a test can be several clients (or a proxy and its clients) on one host.
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace marketplace::e2e::loopback {

struct Reply {
    int status = 0;
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string body;

    nlohmann::json Json() const { return body.empty() ? nlohmann::json::object() : nlohmann::json::parse(body); }
    /// The error body's "code" ("" when absent).
    std::string Code() const { return Json().value("code", ""); }
};

/// A socket bound to `source` (a loopback address) and connected to 127.0.0.1:`port`, with a 30 s
/// receive timeout. Throws std::runtime_error when it cannot connect.
int Connect(const std::string& source, int port);

/// Sends one request on `fd` (Connection: close; a non-empty `body` as application/json), reads the
/// response until the server closes, closes `fd`. Throws when no HTTP response came.
Reply Exchange(int fd, const std::string& method, const std::string& path, const std::string& body,
               const std::map<std::string, std::string>& headers);

}  // namespace marketplace::e2e::loopback
