#pragma once
// The rules of a room's messages, without I/O: the text's limits, handles, which members a text
// mentions, and the excerpt a notification shows.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace marketplace::workroom {

/// A message's text: 1..kMaxTextChars code points, not only whitespace.
inline constexpr std::size_t kMaxTextChars = 4000;
/// A search query: at most kMaxQueryChars code points.
inline constexpr std::size_t kMaxQueryChars = 200;
/// A notification's excerpt of the mentioning message.
inline constexpr std::size_t kExcerptChars = 140;
/// A task's title: 1..kMaxTaskTitleChars code points.
inline constexpr std::size_t kMaxTaskTitleChars = 200;
/// At most this many members a message may mention (more "@" are left as text).
inline constexpr std::size_t kMaxMentions = 50;

/// A room member, as the mention rules see it.
struct MemberHandle {
    std::string user_id;
    std::string handle;
};

/// The number of code points in `text` (protobuf guarantees valid UTF-8 in string fields).
std::size_t Utf8Length(std::string_view text);

/// At most `max_chars` code points of `text`, with "…" when it was cut.
std::string Excerpt(std::string_view text, std::size_t max_chars);

/// Throws core::InvalidArgument(field, ...) unless `text` is a message text within the limits.
void RequireMessageText(std::string_view text, std::string_view field);

/// Throws core::InvalidArgument(field, ...) unless `handle` is 2..32 of a-z, 0-9, "_", "-", ".".
void RequireHandle(std::string_view handle, std::string_view field);

/// The handles written as "@handle" in `text`, lower-cased, each once, in order of appearance. An
/// "@" counts only at the start or after a character that cannot be part of a handle or an address
/// ("mail@example.com" mentions nobody); a trailing "." ends the handle ("@anna." names "anna").
std::vector<std::string> MentionedHandles(std::string_view text);

/// The members `text` mentions, each once, in order of appearance; the author mentioning
/// themselves and handles no member holds are left out.
std::vector<std::string> MentionedUsers(std::string_view text, const std::vector<MemberHandle>& members,
                                        const std::string& author_id);

}  // namespace marketplace::workroom
