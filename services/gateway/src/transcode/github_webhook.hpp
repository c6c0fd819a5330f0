#pragma once
// POST /webhooks/github/{link_id}: a GitHub webhook delivery for a repository linked to a workroom,
// passed to WorkroomCodeService.HandleGitHubDelivery exactly as it arrived (the raw body bytes,
// which X-Hub-Signature-256 covers, with the X-GitHub-Event, X-GitHub-Delivery and
// X-Hub-Signature-256 headers) for the workroom to verify under the link's secret. Not a transcoded
// route: the body is GitHub's JSON, not the request message's.
#include <optional>
#include <string>
#include <string_view>

#include "routing/route_table.hpp"

namespace marketplace::gateway {

inline constexpr char kGitHubWebhookPathPrefix[] = "/webhooks/github/";
inline constexpr char kGitHubWebhookMethod[] = "marketplace.workroom.v1.WorkroomCodeService.HandleGitHubDelivery";

/// The route GitHub deliveries are answered as; null method when the workroom is not linked.
Route GitHubWebhookRoute();

/// The link id of a GitHub webhook path ("/webhooks/github/<id>" -> "<id>"), or nullopt when
/// `raw_path` is not one. An empty or malformed id (not 36 characters of hex digits and "-") is "".
std::optional<std::string> GitHubWebhookLink(std::string_view raw_path);

/// The serialized HandleGitHubDeliveryRequest.
std::string GitHubDeliveryBytes(std::string_view link_id, std::string_view event, std::string_view delivery_id,
                                std::string_view signature, std::string_view body);

}  // namespace marketplace::gateway
