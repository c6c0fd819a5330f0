#pragma once
// What a file upload must be: a name, a declared content type the bytes agree with, and a size within
// the limits. The declared type is checked against the bytes' first bytes (magic numbers) for the kinds
// that have them, and text kinds must be UTF-8 without NUL bytes. Pure functions: no I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace marketplace::workroom {

struct FileLimits {
    /// Largest file, in bytes (WORKROOM_FILE_MAX_BYTES).
    std::int64_t max_file_bytes = 3 * 1024 * 1024;
    /// Most files in one room (WORKROOM_FILES_MAX_PER_ROOM).
    std::int64_t max_files_per_room = 200;
    /// Most bytes in one room's files together (WORKROOM_FILES_MAX_ROOM_BYTES).
    std::int64_t max_room_bytes = 256ll * 1024 * 1024;
};

/// Throws InvalidArgument("filename") unless 1-255 bytes of valid UTF-8 without control characters,
/// '/' or '\', and not "." or "..".
void RequireFilename(std::string_view filename);

/// The kind the bytes show by their first bytes ("image/png", "application/pdf", "application/zip", ...),
/// or nullopt when none is recognised.
std::optional<std::string> SniffContentType(std::string_view bytes);

/// The declared type without parameters, lowercased: "Text/Plain; charset=utf-8" -> "text/plain".
std::string BaseContentType(std::string_view declared);

/// Throws InvalidArgument("content_type") when the type is not accepted (HTML, SVG and scripts never are)
/// or the bytes are not what it says: "content_type: declared image/png but the bytes are a PDF document".
/// InvalidArgument("data") when the bytes are empty.
void RequireContentMatches(std::string_view declared, std::string_view bytes);

/// Throws InvalidArgument("data") when the size passes the per-file limit.
void RequireFileSize(std::int64_t size, const FileLimits& limits);

}  // namespace marketplace::workroom
