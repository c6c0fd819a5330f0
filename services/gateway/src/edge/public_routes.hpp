#pragma once
// THE list of what needs no login. Everything else the gateway serves requires a valid bearer
// token. A token sent to a public route is still verified (and refused when bad), and passed on.
#include <array>
#include <string_view>

namespace marketplace::gateway {

/// RPCs (full method names) callable without a token: whatever HTTP route reaches them.
inline constexpr std::array<std::string_view, 12> kPublicMethods = {
    "marketplace.auth.v1.AuthService.Register",
    "marketplace.auth.v1.AuthService.Login",
    "marketplace.auth.v1.AuthService.Refresh",
    "marketplace.auth.v1.AuthService.RequestPasswordReset",
    "marketplace.auth.v1.AuthService.ResetPassword",
    "marketplace.auth.v1.AuthService.GetJwks",
    "marketplace.jobs.v1.JobsService.ListTemplates",
    "marketplace.jobs.v1.JobsService.GetTemplate",
    "marketplace.jobs.v1.JobsService.SearchJobs",
    // Provider webhooks (POST /webhooks/payments/{provider}): authenticated by their signature,
    // which payments verifies.
    "marketplace.payments.v1.PaymentsService.HandleProviderWebhook",
    // Workroom file downloads (GET /v1/files/{token}): authenticated by the signed token, which the
    // workroom verifies.
    "marketplace.workroom.v1.WorkroomFilesService.DownloadFile",
    // GitHub deliveries (POST /webhooks/github/{link_id}): authenticated by X-Hub-Signature-256,
    // which the workroom verifies under the link's secret.
    "marketplace.workroom.v1.WorkroomCodeService.HandleGitHubDelivery",
};

/// The gateway's own endpoints (no RPC behind them), also public.
inline constexpr std::array<std::string_view, 3> kPublicGatewayPaths = {"/healthz", "/readyz", "/openapi.json"};

bool IsPublicMethod(std::string_view full_method_name);

}  // namespace marketplace::gateway
