#include "domain/notice.hpp"

#include <algorithm>
#include <stdexcept>

namespace marketplace::notifications {

bool Notice::NeedsContract() const {
    if (contract_id.empty() && !milestone_id.empty()) return true;
    return std::any_of(recipients.begin(), recipients.end(),
                       [](const Recipient& r) { return r.kind != Recipient::Kind::kUser; });
}

std::vector<std::string> RecipientUsers(const Notice& notice, const std::optional<Parties>& parties) {
    std::vector<std::string> users;
    for (const auto& r : notice.recipients) {
        std::string id;
        switch (r.kind) {
            case Recipient::Kind::kUser:
                id = r.user_id;
                break;
            case Recipient::Kind::kClient:
            case Recipient::Kind::kFreelancer:
                if (!parties) throw std::logic_error("notice " + notice.kind + " needs its contract's parties");
                id = r.kind == Recipient::Kind::kClient ? parties->client_id : parties->freelancer_id;
                break;
        }
        if (!id.empty() && std::find(users.begin(), users.end(), id) == users.end()) users.push_back(std::move(id));
    }
    return users;
}

std::string EncodeRecipients(const std::vector<Recipient>& recipients) {
    std::string out;
    for (const auto& r : recipients) {
        if (!out.empty()) out += ' ';
        switch (r.kind) {
            case Recipient::Kind::kUser:
                out += "user:" + r.user_id;
                break;
            case Recipient::Kind::kClient:
                out += "client";
                break;
            case Recipient::Kind::kFreelancer:
                out += "freelancer";
                break;
        }
    }
    return out;
}

std::vector<Recipient> DecodeRecipients(std::string_view text) {
    std::vector<Recipient> out;
    while (!text.empty()) {
        const auto space = text.find(' ');
        const std::string_view token = text.substr(0, space);
        text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
        if (token.empty()) continue;
        if (token == "client") {
            out.push_back(Recipient::Client());
        } else if (token == "freelancer") {
            out.push_back(Recipient::Freelancer());
        } else if (token.size() > 5 && token.substr(0, 5) == "user:") {
            out.push_back(Recipient::User(std::string(token.substr(5))));
        } else {
            throw std::invalid_argument("recipients: unknown token '" + std::string(token) + "'");
        }
    }
    return out;
}

std::string Shorten(std::string_view text, std::size_t max_chars) {
    if (max_chars == 0) return {};
    std::size_t chars = 0;
    std::size_t keep = 0;  // bytes of the first max_chars - 1 characters: room for the ellipsis
    for (std::size_t i = 0; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;  // a continuation byte
        if (chars == max_chars - 1) keep = i;
        if (chars == max_chars) return std::string(text.substr(0, keep)) + "\u2026";
        ++chars;
    }
    return std::string(text);
}

}  // namespace marketplace::notifications
