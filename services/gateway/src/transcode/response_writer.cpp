#include "transcode/response_writer.hpp"

#include <utility>

#include <memory>

#include <google/protobuf/util/json_util.h>
#include <nlohmann/json.hpp>

#include "transcode/json_printer.hpp"

namespace marketplace::gateway {
namespace pb = google::protobuf;

std::string MessageJson(const pb::Message& message) {
    if (auto json = PrintJson(message)) return std::move(*json);
    pb::util::JsonPrintOptions options;
    options.always_print_primitive_fields = true;
    options.preserve_proto_field_names = true;
    std::string out;
    const auto status = pb::util::MessageToJsonString(message, &out, options);
    if (!status.ok()) return "{}";  // only for messages with invalid Any payloads, which the gateway never builds
    return out;
}

std::optional<std::string> ResponseJson(const Route& route, const std::string& bytes) {
    const pb::Message* prototype = pb::MessageFactory::generated_factory()->GetPrototype(route.method->output_type());
    std::unique_ptr<pb::Message> message(prototype->New());
    if (!message->ParseFromString(bytes)) return std::nullopt;
    std::string json = MessageJson(*message);
    if (route.response_body.empty()) return json;
    auto document = nlohmann::json::parse(json, nullptr, false);
    if (document.is_discarded() || !document.contains(route.response_body)) return std::string("null");
    return document[route.response_body].dump();
}

}  // namespace marketplace::gateway
