#include "routing/route_table.hpp"

#include <algorithm>
#include <stdexcept>

#include "google/api/annotations.pb.h"
#include "http/url.hpp"
#include "routing/field_path.hpp"

namespace marketplace::gateway {
namespace pb = google::protobuf;

namespace {

std::string Describe(const Route& route) {
    return route.method->full_name() + " (" + route.http_method + " " + route.path.text() + ")";
}

// Adds the route of one binding; false when it is a streaming RPC's binding that cannot be served
// (anything but a GET of a server-streaming RPC).
bool AddRule(RouteTable& table, const pb::MethodDescriptor* method, const google::api::HttpRule& rule) {
    Route route;
    route.method = method;
    route.server_streaming = method->server_streaming();
    if (method->client_streaming() || (route.server_streaming && rule.pattern_case() != google::api::HttpRule::kGet)) {
        return false;
    }
    route.grpc_path = "/" + method->service()->full_name() + "/" + method->name();
    route.body = rule.body();
    route.response_body = rule.response_body();
    std::string path;
    switch (rule.pattern_case()) {
        case google::api::HttpRule::kGet:
            route.http_method = "GET";
            path = rule.get();
            break;
        case google::api::HttpRule::kPut:
            route.http_method = "PUT";
            path = rule.put();
            break;
        case google::api::HttpRule::kPost:
            route.http_method = "POST";
            path = rule.post();
            break;
        case google::api::HttpRule::kDelete:
            route.http_method = "DELETE";
            path = rule.delete_();
            break;
        case google::api::HttpRule::kPatch:
            route.http_method = "PATCH";
            path = rule.patch();
            break;
        case google::api::HttpRule::kCustom:
            route.http_method = rule.custom().kind();
            path = rule.custom().path();
            break;
        case google::api::HttpRule::PATTERN_NOT_SET:
            throw std::invalid_argument(method->full_name() + ": google.api.http rule without a pattern");
    }
    try {
        route.path = PathTemplate::Parse(path);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(method->full_name() + ": " + e.what());
    }
    table.Add(std::move(route));
    return true;
}

}  // namespace

RouteTable RouteTable::FromServices(const std::vector<const pb::ServiceDescriptor*>& services) {
    RouteTable table;
    for (const auto* service : services) {
        for (int i = 0; i < service->method_count(); ++i) {
            const auto* method = service->method(i);
            if (!method->options().HasExtension(google::api::http)) continue;
            const auto& rule = method->options().GetExtension(google::api::http);
            bool skipped = !AddRule(table, method, rule);
            for (const auto& extra : rule.additional_bindings()) {
                if (extra.additional_bindings_size() > 0) {
                    throw std::invalid_argument(method->full_name() + ": additional_bindings cannot nest");
                }
                skipped = !AddRule(table, method, extra) || skipped;
            }
            if (skipped) table.skipped_streaming_.push_back(method->full_name());
        }
    }
    return table;
}

void RouteTable::Add(Route route) {
    const auto* input = route.method->input_type();
    for (const auto& variable : route.path.variables()) {
        const auto fields = ResolveFieldPath(input, variable.field_path);
        if (fields.empty()) {
            throw std::invalid_argument(Describe(route) + ": path variable '" + variable.field_path +
                                        "' names no field of " + input->full_name());
        }
        const auto* leaf = fields.back();
        if (leaf->is_repeated() || leaf->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) {
            throw std::invalid_argument(Describe(route) + ": path variable '" + variable.field_path +
                                        "' must name a singular scalar field");
        }
    }
    if (!route.body.empty() && route.body != "*" && input->FindFieldByName(route.body) == nullptr) {
        throw std::invalid_argument(Describe(route) + ": body '" + route.body + "' names no field of " +
                                    input->full_name());
    }
    if (!route.response_body.empty() && route.method->output_type()->FindFieldByName(route.response_body) == nullptr) {
        throw std::invalid_argument(Describe(route) + ": response_body '" + route.response_body +
                                    "' names no field of " + route.method->output_type()->full_name());
    }
    route.dynamic_json = HoldsDynamicJson(input);
    for (const auto& existing : routes_) {
        if (existing.http_method == route.http_method && existing.path.SameShape(route.path)) {
            throw std::invalid_argument("conflicting routes: " + Describe(existing) + " and " + Describe(route));
        }
    }
    routes_.push_back(std::move(route));
}

RouteLookup RouteTable::Find(std::string_view http_method, std::string_view raw_path) const {
    const auto segments = SplitPath(raw_path);
    // A last segment that ends in a custom verb a route has (":close") names that route's resource,
    // not a resource whose id ends in ":close": when a route with a verb matches the path, under any
    // method, the routes without one do not match it (nor are their methods allowed there).
    bool verb_matched = false;
    const bool colon = !segments.empty() && segments.back().find(':') != std::string_view::npos;
    for (const auto& route : routes_) {
        if (!colon) break;
        if (!route.path.verb().empty() && route.path.Match(segments)) {
            verb_matched = true;
            break;
        }
    }
    RouteLookup lookup;
    for (const auto& route : routes_) {
        if (verb_matched && route.path.verb().empty()) continue;
        auto bindings = route.path.Match(segments);
        if (!bindings) continue;
        if (route.http_method != http_method) {
            if (std::find(lookup.allowed_methods.begin(), lookup.allowed_methods.end(), route.http_method) ==
                lookup.allowed_methods.end()) {
                lookup.allowed_methods.push_back(route.http_method);
            }
            continue;
        }
        if (lookup.route == nullptr || route.path.MoreSpecificThan(lookup.route->path)) {
            lookup.route = &route;
            lookup.bindings = std::move(*bindings);
        }
    }
    if (lookup.route != nullptr) lookup.allowed_methods.clear();
    return lookup;
}

}  // namespace marketplace::gateway
