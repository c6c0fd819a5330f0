#pragma once
// The route table, built from the google.api.http options in the compiled descriptors: one route
// per binding (the rule and its additional_bindings) of every unary RPC of the given services, and
// of every server-streaming RPC whose binding is a GET (served as a WebSocket, ws/).
// Nothing here is written per RPC: an annotated RPC added to a proto is a new route.
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/descriptor.h>

#include "routing/path_template.hpp"

namespace marketplace::gateway {

struct Route {
    std::string http_method;  // "GET", "POST", "PUT", "PATCH", "DELETE", or a custom verb's kind
    PathTemplate path;
    std::string body;           // "" (no body), "*" (the whole request), or a top-level field
    std::string response_body;  // "" (the whole response) or a top-level field
    const google::protobuf::MethodDescriptor* method = nullptr;
    std::string grpc_path;  // "/marketplace.jobs.v1.JobsService/GetJob"
    /// The request holds google.protobuf.Value / ListValue / Struct somewhere, whose JSON may nest
    /// lists (set by RouteTable::Add).
    bool dynamic_json = false;
    /// A server-streaming RPC: the route is a WebSocket, one JSON text frame per streamed message.
    bool server_streaming = false;
};

/// What a lookup found: a route and its variables; or, with no route, the methods the path does
/// have (empty: no route has this path, a 404; else a 405 with these in Allow).
struct RouteLookup {
    const Route* route = nullptr;
    std::vector<PathTemplate::Binding> bindings;
    std::vector<std::string> allowed_methods;
};

class RouteTable final {
public:
    /// The routes of every unary RPC of `services` with a google.api.http option, and the GET bindings
    /// of their server-streaming RPCs. Client-streaming RPCs and other bindings of server-streaming
    /// ones are skipped (listed by skipped_streaming()). Throws std::invalid_argument for a bad template, a
    /// variable or body naming no suitable field, or two routes that conflict.
    static RouteTable FromServices(const std::vector<const google::protobuf::ServiceDescriptor*>& services);

    /// Adds one route after checking it: its variables name singular non-message fields (through
    /// singular messages) of the request, its body names a field, and no route with the same method
    /// has the same shape. Throws std::invalid_argument naming both RPCs on a conflict.
    void Add(Route route);

    /// Finds the most specific route for a method and a raw path (still percent-encoded).
    RouteLookup Find(std::string_view http_method, std::string_view raw_path) const;

    const std::vector<Route>& routes() const noexcept { return routes_; }
    const std::vector<std::string>& skipped_streaming() const noexcept { return skipped_streaming_; }

private:
    std::vector<Route> routes_;
    std::vector<std::string> skipped_streaming_;
};

}  // namespace marketplace::gateway
