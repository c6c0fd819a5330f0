#include "transcode/github_webhook.hpp"

#include <algorithm>

#include "marketplace/workroom/v1/workroom.pb.h"

namespace marketplace::gateway {

Route GitHubWebhookRoute() {
    Route route;
    route.http_method = "POST";
    route.path = PathTemplate::Parse("/webhooks/github/{link_id}");
    route.method = google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(kGitHubWebhookMethod);
    if (route.method != nullptr) {
        route.grpc_path = "/" + route.method->service()->full_name() + "/" + route.method->name();
    }
    return route;
}

std::optional<std::string> GitHubWebhookLink(std::string_view raw_path) {
    const std::string_view prefix = kGitHubWebhookPathPrefix;
    if (raw_path.substr(0, prefix.size()) != prefix) return std::nullopt;
    const auto id = raw_path.substr(prefix.size());
    const bool ok = id.size() == 36 && std::all_of(id.begin(), id.end(), [](char c) {
                        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '-';
                    });
    return ok ? std::string(id) : std::string();
}

std::string GitHubDeliveryBytes(std::string_view link_id, std::string_view event, std::string_view delivery_id,
                                std::string_view signature, std::string_view body) {
    workroom::v1::HandleGitHubDeliveryRequest request;
    request.set_link_id(std::string(link_id));
    request.set_event(std::string(event));
    request.set_delivery_id(std::string(delivery_id));
    request.set_signature(std::string(signature));
    request.set_body(std::string(body));
    return request.SerializeAsString();
}

}  // namespace marketplace::gateway
