#pragma once
// What one event tells people: a notice has a kind, a title, the contract and milestone it is about
// and its recipients, either named users or a contract's parties (resolved through the read model
// of contracts' parties). Writing it makes one notification per recipient user.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace marketplace::notifications {

/// Someone a notice is for: a named user, or a party of the notice's contract.
struct Recipient {
    enum class Kind { kUser, kClient, kFreelancer };
    Kind kind = Kind::kUser;
    std::string user_id;  // kUser only

    static Recipient User(std::string id) { return {Kind::kUser, std::move(id)}; }
    static Recipient Client() { return {Kind::kClient, {}}; }
    static Recipient Freelancer() { return {Kind::kFreelancer, {}}; }
    bool operator==(const Recipient&) const = default;
};

struct Notice {
    std::string kind;          // "milestone.funded"
    std::string title;         // one line for people
    std::string contract_id;   // empty when the event does not say (resolved through milestone_id)
    std::string milestone_id;  // empty when it is about the contract or a wallet
    std::vector<Recipient> recipients;

    /// True when writing it needs the contract's parties (a party recipient) or its contract id
    /// (a milestone whose contract the event does not name).
    bool NeedsContract() const;
};

/// A contract's parties, from ContractCreated.
struct Parties {
    std::string contract_id;
    std::string client_id;
    std::string freelancer_id;
};

/// The users `notice` goes to, each once, in recipient order. Party recipients need `parties`
/// (std::logic_error without them).
std::vector<std::string> RecipientUsers(const Notice& notice, const std::optional<Parties>& parties);

/// Recipients as stored with a waiting notice: "client freelancer user:<id>" (ids hold no spaces).
std::string EncodeRecipients(const std::vector<Recipient>& recipients);
/// The inverse; throws std::invalid_argument on a token it does not know.
std::vector<Recipient> DecodeRecipients(std::string_view text);

/// At most `max_chars` UTF-8 characters of `text` (never cutting one in half), with "…" when cut.
std::string Shorten(std::string_view text, std::size_t max_chars);

}  // namespace marketplace::notifications
