#include "marketplace/tokens/jwt.hpp"

#include <limits>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "marketplace/core/ids.hpp"
#include "marketplace/tokens/base64url.hpp"
#include "marketplace/tokens/roles.hpp"

namespace marketplace::tokens {
namespace {

using Json = nlohmann::json;
using Seconds = std::chrono::seconds;

std::int64_t ToUnixSeconds(core::Clock::TimePoint t) {
    return std::chrono::duration_cast<Seconds>(t.time_since_epoch()).count();
}

core::Clock::TimePoint FromUnixSeconds(std::int64_t s) { return core::Clock::TimePoint(Seconds(s)); }

// Whole-second claims a JSON integer may carry without the time_point arithmetic overflowing.
constexpr std::int64_t kMaxClaimSeconds = std::int64_t{1} << 40;

std::optional<std::int64_t> IntClaim(const Json& claims, const char* name) {
    const auto it = claims.find(name);
    if (it == claims.end() || !it->is_number_integer()) return std::nullopt;
    const auto v = it->get<std::int64_t>();
    if (it->is_number_unsigned() && it->get<std::uint64_t>() > static_cast<std::uint64_t>(kMaxClaimSeconds)) {
        return std::nullopt;
    }
    if (v < 0 || v > kMaxClaimSeconds) return std::nullopt;
    return v;
}

const std::string* StringClaim(const Json& object, const char* name) {
    const auto it = object.find(name);
    if (it == object.end() || !it->is_string()) return nullptr;
    return it->get_ptr<const std::string*>();
}

Verification Reject(Rejection r, std::string kid = {}) {
    Verification v;
    v.rejection = r;
    v.kid = std::move(kid);
    return v;
}

}  // namespace

JwtIssuer::JwtIssuer(SigningKey key, std::string issuer, std::chrono::seconds ttl,
                     std::shared_ptr<const core::Clock> clock)
    : key_(std::move(key)),
      issuer_(std::move(issuer)),
      ttl_(ttl),
      clock_(clock ? std::move(clock) : core::SystemClock::Instance()) {
    if (issuer_.empty()) throw std::invalid_argument("jwt issuer: issuer must not be empty");
    if (ttl_ <= Seconds::zero()) throw std::invalid_argument("jwt issuer: ttl must be positive");
}

std::string JwtIssuer::Issue(std::string_view subject, std::string_view role) const {
    return IssueToken(subject, role).token;
}

IssuedToken JwtIssuer::IssueToken(std::string_view subject, std::string_view role, std::int64_t session_epoch) const {
    return IssueAt(subject, role, clock_->Now(), session_epoch);
}

IssuedToken JwtIssuer::IssueAt(std::string_view subject, std::string_view role, core::Clock::TimePoint issued_at,
                               std::int64_t session_epoch) const {
    if (session_epoch < 0) throw std::invalid_argument("jwt issuer: session epoch must be >= 0");
    if (subject.empty()) throw std::invalid_argument("jwt issuer: subject must not be empty");
    if (!IsKnownRole(role)) throw std::invalid_argument("jwt issuer: unknown role '" + std::string(role) + "'");
    IssuedToken out;
    out.jti = core::NewUuidV7();
    const std::int64_t iat = ToUnixSeconds(issued_at);
    const std::int64_t exp = iat + ttl_.count();
    out.issued_at = FromUnixSeconds(iat);
    out.expires_at = FromUnixSeconds(exp);
    const Json header = {{"alg", "EdDSA"}, {"typ", "JWT"}, {"kid", key_.kid()}};
    const Json claims = {{"sub", std::string(subject)},
                         {"role", std::string(role)},
                         {"iss", issuer_},
                         {"iat", iat},
                         {"exp", exp},
                         {"jti", out.jti},
                         {"sep", session_epoch}};
    out.token = EncodeJws(key_, header.dump(), claims.dump());
    return out;
}

std::string EncodeJws(const SigningKey& key, std::string_view header_json, std::string_view claims_json) {
    std::string signing_input = Base64UrlEncode(header_json);
    signing_input += '.';
    signing_input += Base64UrlEncode(claims_json);
    const std::string signature = key.Sign(signing_input);
    signing_input += '.';
    signing_input += Base64UrlEncode(signature);
    return signing_input;
}

std::string_view RejectionName(Rejection rejection) {
    switch (rejection) {
        case Rejection::kNone:
            return "none";
        case Rejection::kMalformed:
            return "malformed";
        case Rejection::kBadAlgorithm:
            return "bad algorithm";
        case Rejection::kMissingKeyId:
            return "missing kid";
        case Rejection::kUnknownKey:
            return "unknown key";
        case Rejection::kBadSignature:
            return "bad signature";
        case Rejection::kWrongIssuer:
            return "wrong issuer";
        case Rejection::kBadClaims:
            return "bad claims";
        case Rejection::kExpired:
            return "expired";
        case Rejection::kNotYetValid:
            return "not yet valid";
        case Rejection::kUnknownRole:
            return "unknown role";
        case Rejection::kRevoked:
            return "revoked";
    }
    return "unknown";
}

Verification VerifyJwt(std::string_view token, const KeyLookup& keys, const VerifierOptions& options) {
    if (token.empty() || token.size() > kMaxTokenBytes) return Reject(Rejection::kMalformed);
    const auto dot1 = token.find('.');
    if (dot1 == std::string_view::npos) return Reject(Rejection::kMalformed);
    const auto dot2 = token.find('.', dot1 + 1);
    if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
        return Reject(Rejection::kMalformed);
    }
    const auto header_b64 = token.substr(0, dot1);
    const auto claims_b64 = token.substr(dot1 + 1, dot2 - dot1 - 1);
    const auto signature_b64 = token.substr(dot2 + 1);
    const auto header_text = Base64UrlDecode(header_b64);
    const auto claims_text = Base64UrlDecode(claims_b64);
    const auto signature = Base64UrlDecode(signature_b64);
    if (!header_text || !claims_text || !signature || header_b64.empty() || claims_b64.empty()) {
        return Reject(Rejection::kMalformed);
    }

    const Json header = Json::parse(*header_text, nullptr, /*allow_exceptions=*/false);
    if (!header.is_object()) return Reject(Rejection::kMalformed);
    const std::string* kid = StringClaim(header, "kid");
    std::string kid_text = kid != nullptr ? *kid : std::string();
    const std::string* alg = StringClaim(header, "alg");
    if (alg == nullptr || *alg != "EdDSA") return Reject(Rejection::kBadAlgorithm, kid_text);
    if (header.contains("typ")) {
        const std::string* typ = StringClaim(header, "typ");
        if (typ == nullptr || *typ != "JWT") return Reject(Rejection::kBadAlgorithm, kid_text);
    }
    if (header.contains("crit")) return Reject(Rejection::kBadAlgorithm, kid_text);  // no extension is understood
    if (kid == nullptr || kid->empty()) return Reject(Rejection::kMissingKeyId);

    const auto key = keys ? keys(*kid) : std::nullopt;
    if (!key) return Reject(Rejection::kUnknownKey, kid_text);
    if (!VerifySignature(*key, token.substr(0, dot2), *signature)) return Reject(Rejection::kBadSignature, kid_text);

    const Json claims = Json::parse(*claims_text, nullptr, /*allow_exceptions=*/false);
    if (!claims.is_object()) return Reject(Rejection::kMalformed, kid_text);
    const std::string* iss = StringClaim(claims, "iss");
    if (iss == nullptr || *iss != options.issuer) return Reject(Rejection::kWrongIssuer, kid_text);
    const std::string* sub = StringClaim(claims, "sub");
    const std::string* role = StringClaim(claims, "role");
    const auto iat = IntClaim(claims, "iat");
    const auto exp = IntClaim(claims, "exp");
    if (sub == nullptr || sub->empty() || role == nullptr || !iat || !exp || *exp <= *iat) {
        return Reject(Rejection::kBadClaims, kid_text);
    }
    std::int64_t session_epoch = 0;
    if (claims.contains("sep")) {
        const auto sep = IntClaim(claims, "sep");
        if (!sep || *sep < 0) return Reject(Rejection::kBadClaims, kid_text);
        session_epoch = *sep;
    }
    std::optional<std::int64_t> nbf;
    if (claims.contains("nbf")) {
        nbf = IntClaim(claims, "nbf");
        if (!nbf) return Reject(Rejection::kBadClaims, kid_text);
    }

    const auto now = options.clock ? options.clock->Now() : std::chrono::system_clock::now();
    const std::int64_t now_s = ToUnixSeconds(now);
    const std::int64_t leeway = options.leeway.count();
    if (*exp <= now_s - leeway) return Reject(Rejection::kExpired, kid_text);
    if (*iat > now_s + leeway || (nbf && *nbf > now_s + leeway)) return Reject(Rejection::kNotYetValid, kid_text);
    if (!IsKnownRole(*role)) return Reject(Rejection::kUnknownRole, kid_text);

    Verification ok;
    ok.kid = std::move(kid_text);
    ok.claims = rpc::Claims{*sub, *role, FromUnixSeconds(*exp), session_epoch};
    return ok;
}

}  // namespace marketplace::tokens
