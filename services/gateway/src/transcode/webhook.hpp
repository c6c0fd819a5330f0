#pragma once
// POST /webhooks/payments/{provider}: a payment provider's notification, passed to
// PaymentsService.HandleProviderWebhook exactly as it arrived (the raw body bytes, which the
// signature covers, and the signature header) with the provider named in the path, for payments to
// verify. Not a transcoded route: the body is not the request message's JSON.
#include <string>
#include <string_view>
#include <vector>

#include "routing/route_table.hpp"

namespace marketplace::gateway {

inline constexpr char kWebhookPathPrefix[] = "/webhooks/payments/";
inline constexpr char kWebhookMethod[] = "marketplace.payments.v1.PaymentsService.HandleProviderWebhook";

struct WebhookOptions {
    /// Provider names accepted in the path; others get 404.
    std::vector<std::string> providers{"sandbox"};
    /// The header carrying the provider's signature ("t=<unix>,v1=<hex hmac>").
    std::string signature_header = "X-Signature";
};

/// The route the webhook is answered as (method, response type); null method when payments is not linked.
Route WebhookRoute();

/// The provider named by a webhook path ("/webhooks/payments/sandbox" -> "sandbox"), or empty when
/// `path` is not a webhook path.
std::string WebhookProvider(std::string_view raw_path);

/// The serialized HandleProviderWebhookRequest{body, signature, provider}.
std::string WebhookRequestBytes(std::string_view body, std::string_view signature, std::string_view provider);

}  // namespace marketplace::gateway
