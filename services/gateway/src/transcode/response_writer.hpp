#pragma once
// Response message -> the HTTP JSON body (proto3 JSON mapping, proto field names, default values
// printed, so a client sees every field the OpenAPI document lists).
#include <optional>
#include <string>

#include <google/protobuf/message.h>

#include "routing/route_table.hpp"

namespace marketplace::gateway {

/// Parses `bytes` as the route's response type and prints it as JSON (only `response_body` when the
/// route names one). nullopt when the bytes are not a valid message of that type.
std::optional<std::string> ResponseJson(const Route& route, const std::string& bytes);

/// Prints a message as the gateway prints every response.
std::string MessageJson(const google::protobuf::Message& message);

}  // namespace marketplace::gateway
