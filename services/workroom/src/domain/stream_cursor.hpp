#pragma once
// A live stream's cursor: for each room, the last sequence the client saw, written
// "room_id:sequence,room_id:sequence". Pure: parsing and formatting only.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace marketplace::workroom {

/// The most rooms a cursor may name.
inline constexpr std::size_t kMaxCursorRooms = 500;

using StreamCursor = std::map<std::string, std::int64_t>;

/// Parses `text` ("" is an empty cursor). Throws core::InvalidArgument(field, ...) for a pair that is
/// not "<uuid>:<sequence >= 0>", a room named twice, or more than kMaxCursorRooms pairs.
StreamCursor ParseCursor(std::string_view text, std::string_view field);

/// The inverse of ParseCursor, rooms in id order.
std::string FormatCursor(const StreamCursor& cursor);

}  // namespace marketplace::workroom
