#include "domain/message_rules.hpp"

#include <algorithm>

#include "marketplace/core/errors.hpp"

namespace marketplace::workroom {
namespace {

bool IsHandleChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

/// Characters that make a following "@" part of a word or an address rather than a mention.
bool IsWordChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '-' || c == '@' || (static_cast<unsigned char>(c) & 0x80) != 0;
}

}  // namespace

std::size_t Utf8Length(std::string_view text) {
    return static_cast<std::size_t>(
        std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string Excerpt(std::string_view text, std::size_t max_chars) {
    std::size_t chars = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
        if (chars == max_chars) return std::string(text.substr(0, i)) + "\u2026";
        ++chars;
    }
    return std::string(text);
}

void RequireMessageText(std::string_view text, std::string_view field) {
    if (std::all_of(text.begin(), text.end(), IsSpace)) {
        throw core::InvalidArgument(std::string(field), "must not be empty");
    }
    if (Utf8Length(text) > kMaxTextChars) {
        throw core::InvalidArgument(std::string(field),
                                    "must be at most " + std::to_string(kMaxTextChars) + " characters");
    }
}

void RequireHandle(std::string_view handle, std::string_view field) {
    if (handle.size() < 2 || handle.size() > 32 || !std::all_of(handle.begin(), handle.end(), IsHandleChar)) {
        throw core::InvalidArgument(std::string(field),
                                    "must be 2 to 32 characters of a-z, 0-9, '_', '-' and '.' (without '@')");
    }
}

std::vector<std::string> MentionedHandles(std::string_view text) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < text.size() && out.size() < kMaxMentions; ++i) {
        if (text[i] != '@' || (i > 0 && IsWordChar(text[i - 1]))) continue;
        std::size_t end = i + 1;
        while (end < text.size() && IsHandleChar(Lower(text[end]))) ++end;
        // Punctuation that ends a sentence is not part of the handle.
        while (end > i + 1 && (text[end - 1] == '.' || text[end - 1] == '-')) --end;
        std::string handle;
        for (std::size_t k = i + 1; k < end; ++k) handle += Lower(text[k]);
        if (handle.size() >= 2 && handle.size() <= 32 && std::find(out.begin(), out.end(), handle) == out.end()) {
            out.push_back(handle);
        }
        i = end > i ? end - 1 : i;
    }
    return out;
}

std::vector<std::string> MentionedUsers(std::string_view text, const std::vector<MemberHandle>& members,
                                        const std::string& author_id) {
    std::vector<std::string> out;
    for (const auto& handle : MentionedHandles(text)) {
        const auto member =
            std::find_if(members.begin(), members.end(), [&](const MemberHandle& m) { return m.handle == handle; });
        if (member == members.end() || member->user_id == author_id) continue;
        if (std::find(out.begin(), out.end(), member->user_id) == out.end()) out.push_back(member->user_id);
    }
    return out;
}

}  // namespace marketplace::workroom
