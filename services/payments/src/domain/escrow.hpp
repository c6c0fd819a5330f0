#pragma once
// The escrow of a milestone as a state machine, pure: no database, no events (docs/ARCHITECTURE.md,
// "The sagas" and "The dispute saga"). The application loads the escrow, asks Decide, saves what it
// returns and carries out the effects in one transaction (app/escrow_flows.hpp).
//
//   (none) --Fund--> funded                               the client's wallet pays the escrow
//   funded --Release--> released                          the fee and the payees (or a clan's plan)
//   funded --Refund--> refunded                           everything back to the client's wallet
//   funded --LockForDispute--> funded, held by a dispute  nothing is released or refunded but ...
//   held   --SettleDispute--> released | refunded | split ... the dispute's resolution
//   held   --UnlockFromDispute--> funded                  the dispute was withdrawn
//
// Every command comes from another service's event, so a replay is normal: a command whose result
// already holds is kAlreadyDone and answers again without moving money. A command that can never
// apply (no escrow, another dispute's hold, an amount that differs) is kRefused with the reason, and
// has no effects. A funding request that cannot be met (the wallet is short, the amount is invalid,
// the escrow was settled) is kDeclined: nothing moves, and the answer is EscrowFundingFailed.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "domain/account.hpp"
#include "domain/clan_split.hpp"
#include "domain/release_plan.hpp"

namespace marketplace::payments {

enum class EscrowState {
    kFunded,    // holds the client's money (possibly held by a dispute)
    kReleased,  // paid to the payees
    kRefunded,  // paid back to the client
    kSplit,     // a dispute released part and refunded the rest
};

inline constexpr EscrowState kAllEscrowStates[] = {EscrowState::kFunded, EscrowState::kReleased, EscrowState::kRefunded,
                                                   EscrowState::kSplit};

/// "funded", "released", "refunded", "split" (the names stored in the database).
std::string_view EscrowStateName(EscrowState state);
std::optional<EscrowState> ParseEscrowState(std::string_view name);

/// A clan's payout plan as contracts sends it (ids as sent; the decisions check them).
struct ClanSplitInput {
    std::string clan_id;
    std::string leader_id;
    std::string split_mode;  // "bps" or "fixed"
    std::vector<ClanMemberWeight> shares;
};

/// The escrow as the decisions read it.
struct Escrow {
    std::string milestone_id;
    std::string client_id;
    std::int64_t amount = 0;
    std::string currency;
    EscrowState state = EscrowState::kFunded;
    std::string settlement_operation_id;  // the operation that settled it, empty while funded
    std::string dispute_id;               // the dispute that holds it, empty when none does
    /// A clan's plan stored when the dispute held the escrow: `has_clan_split` says one was stored,
    /// `clan_split` is empty when it could not be read.
    bool has_clan_split = false;
    std::optional<ClanSplitInput> clan_split;

    bool operator==(const Escrow& other) const;
};

/// The answer already given to one funding attempt.
struct PriorFundingAnswer {
    bool funded = false;
    std::string reason;
};

/// Everything a decision reads, loaded under the milestone's lock.
struct EscrowLoaded {
    std::optional<Escrow> escrow;
    /// Fund only: the answer given before to the command's attempt.
    std::optional<PriorFundingAnswer> prior_answer;
    /// Fund only: the client's available balance (nullopt: no wallet), locked. Loaded only when
    /// FundingWallet names a wallet.
    std::optional<std::int64_t> client_available;
};

/// The platform's rules the decisions apply.
struct EscrowPolicy {
    std::int64_t platform_fee_bps = 1000;
    std::int64_t max_amount_minor = 0;
};

namespace command {
/// MilestoneFundingRequested: move `amount` from the client's wallet into the escrow.
struct Fund {
    std::string milestone_id;  // normalised
    std::string client_id;     // as sent
    std::string contract_id;   // as sent
    std::int64_t amount = 0;
    std::string currency;
    int attempt = 0;
};
/// MilestoneAccepted: pay the escrow out by the payees' shares or the clan's plan.
struct Release {
    std::string milestone_id;  // normalised
    std::int64_t amount = 0;
    std::string currency;
    std::vector<PayeeShare> payees;  // ids as sent
    std::optional<ClanSplitInput> clan_split;
    std::string operation_id;  // the release's ledger operation
};
/// MilestoneCancelled: the escrow goes back to the client.
struct Refund {
    std::string milestone_id;  // normalised
    bool refund = false;       // contracts says the escrow holds the amount
    std::string operation_id;
};
/// MilestoneDisputed: hold the escrow for the dispute.
struct LockForDispute {
    std::string milestone_id;     // normalised
    std::string dispute_id;       // normalised
    std::string clan_split_json;  // the clan's plan to store, empty for a freelancer's milestone
};
/// MilestoneDisputeLifted: the dispute was withdrawn.
struct UnlockFromDispute {
    std::string dispute_id;  // normalised
};
/// DisputeResolved: release `released`, refund the rest.
struct SettleDispute {
    std::string milestone_id;  // normalised
    std::string dispute_id;    // normalised
    std::string outcome;       // "release", "refund", "split" (passed on)
    std::int64_t escrow_amount = 0;
    std::string escrow_currency;
    std::int64_t released = 0;
    std::string released_currency;
    std::vector<PayeeShare> payees;  // ids as sent
    std::string operation_id;        // the settlement's ledger operation
};
}  // namespace command

using EscrowCommand = std::variant<command::Fund, command::Release, command::Refund, command::LockForDispute,
                                   command::UnlockFromDispute, command::SettleDispute>;

/// Where a leg out of the escrow goes.
enum class LegTo {
    kPlatformFee,  // the fee shard of the operation
    kWallet,       // `user_id`'s wallet in the escrow's currency
};

/// One leg out of the escrow. `kind` names it in the answer: "platform_fee", "payee",
/// "leader_commission", "member_share" or "refund".
struct PayoutLeg {
    LegTo to = LegTo::kWallet;
    std::string user_id;  // normalised; empty for the fee
    std::int64_t amount = 0;
    std::string kind;
    bool operator==(const PayoutLeg&) const = default;
};

namespace effect {
/// Create the escrow: one leg from the client's wallet to the milestone's escrow account, and the
/// escrow's row (funded by `attempt`).
struct OpenEscrow {
    std::string client_id;    // normalised
    std::string contract_id;  // normalised
    std::int64_t amount = 0;
    std::string currency;
    int attempt = 0;
    bool operator==(const OpenEscrow&) const = default;
};
/// Post `legs` out of the escrow as the operation `operation_id`, and mark the escrow `settled_as`.
struct PayOut {
    std::string operation_id;
    std::vector<PayoutLeg> legs;
    EscrowState settled_as = EscrowState::kReleased;
    bool operator==(const PayOut&) const = default;
};
/// Store the answer to a funding attempt (the first answer stays).
struct RecordFundingAnswer {
    int attempt = 0;
    bool funded = false;
    std::string reason;
    bool operator==(const RecordFundingAnswer&) const = default;
};
/// Hold the escrow for a dispute (with a clan's plan), or with an empty id release the hold.
struct SetDisputeHold {
    std::string dispute_id;
    std::string clan_split_json;
    bool operator==(const SetDisputeHold&) const = default;
};
/// Publish EscrowFunded.
struct AnnounceFunded {
    std::int64_t amount = 0;
    std::string currency;
    int attempt = 0;
    bool operator==(const AnnounceFunded&) const = default;
};
/// Publish EscrowFundingFailed.
struct AnnounceFundingFailed {
    std::string reason;
    int attempt = 0;
    bool operator==(const AnnounceFundingFailed&) const = default;
};
/// Publish EscrowReleased with the legs of `operation_id`; `kinds` names the non-fee legs in order
/// ("payee" when empty).
struct AnnounceReleased {
    std::string operation_id;
    std::vector<std::string> kinds;
    bool operator==(const AnnounceReleased&) const = default;
};
/// Publish EscrowRefunded.
struct AnnounceRefunded {
    bool operator==(const AnnounceRefunded&) const = default;
};
/// Publish EscrowSettled with the settlement's legs; `kinds` names the non-fee, non-refund legs.
struct AnnounceSettled {
    std::string dispute_id;
    std::string outcome;
    std::int64_t released = 0;
    std::vector<std::string> kinds;
    bool operator==(const AnnounceSettled&) const = default;
};
}  // namespace effect

using EscrowEffect = std::variant<effect::OpenEscrow, effect::PayOut, effect::RecordFundingAnswer,
                                  effect::SetDisputeHold, effect::AnnounceFunded, effect::AnnounceFundingFailed,
                                  effect::AnnounceReleased, effect::AnnounceRefunded, effect::AnnounceSettled>;

enum class EscrowOutcome {
    kApplied,      // the escrow changed; carry out the effects
    kAlreadyDone,  // a replay: the result holds already; the effects answer again, nothing moves
    kDeclined,     // a funding request that cannot be met: the effects answer EscrowFundingFailed
    kIgnored,      // nothing to do (a late or stale event)
    kRefused,      // can never apply: `reason` says why; no effects
};

struct EscrowDecision {
    EscrowOutcome outcome = EscrowOutcome::kIgnored;
    std::optional<Escrow> escrow;  // the escrow after the command
    std::vector<EscrowEffect> effects;
    std::string reason;  // kRefused and kDeclined: why
};

/// Fund only: the wallet whose balance the decision will read (lock it and load
/// `client_available`), or nullopt when the decision does not look at a wallet.
std::optional<AccountKey> FundingWallet(const EscrowLoaded& loaded, const command::Fund& fund,
                                        const EscrowPolicy& policy);

/// Decides `command` on the loaded escrow. Never touches a database; throws only on a programming
/// error (a Fund whose wallet was not loaded is decided as a missing wallet).
EscrowDecision Decide(const EscrowLoaded& loaded, const EscrowCommand& command, const EscrowPolicy& policy);

/// The non-fee kinds of a clan's legs for `plan` ("leader_commission", then "member_share" per
/// member with a part), in leg order.
std::vector<std::string> ClanLegKinds(const ClanReleasePlan& plan);

}  // namespace marketplace::payments
