// make bench-gateway, first section: what checking one access token costs every hop (the gateway and
// each service verify the caller's token), in one process and one run:
//   full        StaticKeyVerifier: the Ed25519 signature and the claims, every time (the baseline)
//   remembered  JwksVerifier presented the same token again: the signature is skipped, the expiry,
//               the key and the session revocations are still checked
// Prints verifications/s and µs per verification for each, and their ratio.
//   --seconds S (2 per variant)   --tokens N (64 distinct tokens, used in turn)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "marketplace/tokens/jwt.hpp"
#include "marketplace/tokens/signing_key.hpp"
#include "marketplace/tokens/verifier.hpp"

using namespace marketplace;

namespace {

struct Result {
    long long verifications = 0;
    double seconds = 0;
};

template <typename Verify>
Result Run(const std::vector<std::string>& tokens, double seconds, Verify verify) {
    Result r;
    const auto start = std::chrono::steady_clock::now();
    const auto until = start + std::chrono::duration<double>(seconds);
    std::size_t i = 0;
    while (std::chrono::steady_clock::now() < until) {
        for (int k = 0; k < 256; ++k) {
            if (!verify(tokens[i])) {
                std::fprintf(stderr, "token_bench: a valid token was refused\n");
                std::exit(1);
            }
            i = (i + 1) % tokens.size();
            ++r.verifications;
        }
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    double seconds = 2;
    int count = 64;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--seconds") == 0) seconds = std::atof(argv[i + 1]);
        if (std::strcmp(argv[i], "--tokens") == 0) count = std::atoi(argv[i + 1]);
    }
    if (seconds <= 0 || count <= 0) {
        std::fprintf(stderr, "usage: token_bench [--seconds S>0] [--tokens N>0]\n");
        return 2;
    }
    const auto key = tokens::SigningKey::Generate();
    const tokens::JwtIssuer issuer(key, tokens::kDefaultIssuer, std::chrono::seconds(900));
    std::vector<std::string> tokens;
    for (int i = 0; i < count; ++i) tokens.push_back(issuer.Issue("user-" + std::to_string(i), "client"));

    const tokens::StaticKeyVerifier full({key.public_key()});
    const tokens::JwksVerifier remembered([&] { return std::vector<tokens::PublicKey>{key.public_key()}; });

    std::printf("== tokens: %d distinct access tokens verified in turn, %.1f s per variant, one thread\n", count,
                seconds);
    const auto base = Run(tokens, seconds, [&](const std::string& t) { return full.Verify(t).has_value(); });
    const auto fast = Run(tokens, seconds, [&](const std::string& t) { return remembered.Verify(t).has_value(); });
    const double base_rate = static_cast<double>(base.verifications) / base.seconds;
    const double fast_rate = static_cast<double>(fast.verifications) / fast.seconds;
    std::printf("token_full_per_s %.0f\n", base_rate);
    std::printf("token_full_us %.2f\n", 1e6 / base_rate);
    std::printf("token_remembered_per_s %.0f\n", fast_rate);
    std::printf("token_remembered_us %.2f\n", 1e6 / fast_rate);
    std::printf("token_ratio %.1f\n", fast_rate / base_rate);
    return 0;
}
