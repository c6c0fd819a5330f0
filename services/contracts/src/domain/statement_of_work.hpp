#pragma once
// The statement of work: deterministic text generated from a contract's terms (scope,
// deliverables, timeline, payment schedule, review period, NDA and IP terms) and its content hash.
// The same terms always give the same text, byte for byte, and so the same hash; both parties sign
// the hash they reviewed, and a signature over any other hash is refused.
#include <string>
#include <string_view>

#include "domain/contract.hpp"

namespace marketplace::contracts {

struct StatementOfWork {
    std::string text;
    std::string content_hash;  // hex SHA-256 of `text`
};

StatementOfWork GenerateStatementOfWork(const ContractTerms& terms);

/// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

/// True for 64 lower-case hex characters.
bool IsContentHash(std::string_view text);

/// Throws core::InvalidArgument("content_hash", ...) when `claimed` is not a content hash, and
/// core::FailedPrecondition when it differs from `current` (the signer reviewed another text).
void RequireSameContent(std::string_view claimed, std::string_view current);

/// "14 days", "1 day", "36 hours", "90 minutes", "45 seconds": the largest whole unit.
std::string DescribePeriod(std::chrono::seconds period);

}  // namespace marketplace::contracts
