#include "transcode/webhook.hpp"

#include "marketplace/payments/v1/payments.pb.h"

namespace marketplace::gateway {

Route WebhookRoute() {
    Route route;
    route.http_method = "POST";
    route.path = PathTemplate::Parse("/webhooks/payments/{provider}");
    route.method = google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(kWebhookMethod);
    if (route.method != nullptr) {
        route.grpc_path = "/" + route.method->service()->full_name() + "/" + route.method->name();
    }
    return route;
}

std::string WebhookProvider(std::string_view raw_path) {
    const std::string_view prefix = kWebhookPathPrefix;
    if (raw_path.substr(0, prefix.size()) != prefix) return {};
    const auto rest = raw_path.substr(prefix.size());
    if (rest.empty() || rest.find('/') != std::string_view::npos) return {};
    return std::string(rest);
}

std::string WebhookRequestBytes(std::string_view body, std::string_view signature, std::string_view provider) {
    payments::v1::HandleProviderWebhookRequest request;
    request.set_body(std::string(body));
    request.set_signature(std::string(signature));
    request.set_provider(std::string(provider));
    return request.SerializeAsString();
}

}  // namespace marketplace::gateway
