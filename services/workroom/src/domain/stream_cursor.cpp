#include "domain/stream_cursor.hpp"

#include <charconv>

#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"

namespace marketplace::workroom {

StreamCursor ParseCursor(std::string_view text, std::string_view field) {
    StreamCursor cursor;
    std::size_t index = 0;
    while (!text.empty()) {
        const auto comma = text.find(',');
        const auto pair = text.substr(0, comma);
        text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
        const std::string where = std::string(field) + "[" + std::to_string(index++) + "]";
        if (cursor.size() == kMaxCursorRooms) {
            throw core::InvalidArgument(std::string(field),
                                        "must name at most " + std::to_string(kMaxCursorRooms) + " rooms");
        }
        const auto colon = pair.find(':');
        if (colon == std::string_view::npos || !core::IsUuid(pair.substr(0, colon))) {
            throw core::InvalidArgument(where, "must be <room_id>:<sequence>");
        }
        std::int64_t sequence = -1;
        const auto digits = pair.substr(colon + 1);
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), sequence);
        if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || sequence < 0) {
            throw core::InvalidArgument(where, "sequence must be a whole number >= 0");
        }
        if (!cursor.emplace(std::string(pair.substr(0, colon)), sequence).second) {
            throw core::InvalidArgument(where, "names a room already named");
        }
    }
    return cursor;
}

std::string FormatCursor(const StreamCursor& cursor) {
    std::string out;
    for (const auto& [room, sequence] : cursor) {
        if (!out.empty()) out += ',';
        out += room + ':' + std::to_string(sequence);
    }
    return out;
}

}  // namespace marketplace::workroom
