#pragma once
// GET /openapi.json: an OpenAPI 3.0 document. protoc-gen-swagger makes Swagger 2.0 documents at build
// time from the same protos the routes come from (one per proto package, embedded in the binary); they
// are merged for the packages the gateway serves, with the gateway's own endpoints and the security
// scheme (bearer token everywhere except the public routes), and converted to OpenAPI 3.0: schemas
// under components (a field's description from its proto comment kept beside its $ref through allOf),
// request bodies, every operation with a description, tag and operationId, the Error body as every
// operation's default response, and the Idempotency-Key header on every write: required where the
// method's proto declares (marketplace.common.v1.requires_idempotency_key), optional elsewhere; and
// `format: uuid` on a path parameter whose field declares (marketplace.common.v1.uuid).
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "routing/route_table.hpp"

namespace marketplace::gateway {

struct EmbeddedOpenApiDocument {
    std::string_view package;  // "jobs"
    std::string_view json;     // protoc-gen-swagger's output for marketplace/<package>/v1/<package>.proto
};

/// Generated at build time (services/gateway/cmake/embed_openapi.cmake).
const std::vector<EmbeddedOpenApiDocument>& EmbeddedOpenApiDocuments();

/// The merged document for `packages`. `routes` decides which operations are public
/// (`is_public(full method name)`): those get an empty security requirement. Definitions that two
/// packages name alike but define differently are renamed "<package>.<name>" in the later package.
/// With a `webhook_signature_header`, the payments webhook path is listed too.
/// Throws std::runtime_error when a package has no embedded document.
std::string BuildOpenApiDocument(const std::vector<std::string>& packages, const RouteTable& routes,
                                 const std::function<bool(std::string_view)>& is_public,
                                 const std::string& webhook_signature_header);

}  // namespace marketplace::gateway
