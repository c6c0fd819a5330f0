#pragma once
// Identifiers: UUIDs in their canonical lower-case text form. Version 7 ids are time-ordered
// (like ULIDs), so rows keyed by them insert in index order; version 4 ids are fully random.
#include <string>
#include <string_view>

namespace marketplace::core {

std::string NewUuidV4();
std::string NewUuidV7();
/// True for a canonical 36-character UUID text (any version, either case).
bool IsUuid(std::string_view text);
/// Throws InvalidArgument(field, "must be a UUID") unless IsUuid(text).
void RequireUuid(std::string_view text, std::string_view field);
/// `n` random bytes as lower-case hex (2n characters), from the OS's random source.
std::string RandomHex(std::size_t n);

}  // namespace marketplace::core
