#pragma once
// A milestone's whole story across services, in time order, from the services' own records (not
// from logs): each state it entered (contracts' record of its transitions), each event published
// about it or its contract (every service's published_events) and each time a service consumed one
// (its inbox, with the lag from the event's ce_time), each ledger leg of its escrow (payments), and
// each step of a dispute over it (disputes).
//
// Of the services' databases only the messaging tables every service shares (published_events and
// inbox, libs/messaging/migrations) are read; what lives in a service's own tables is asked of the
// service, over gRPC, with a staff token: contracts' ListMilestoneTransitions and payments'
// ListMilestoneLedgerLegs (admins only), disputes' ListDisputes and ListDisputeSteps (staff).
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace marketplace::timeline {

struct Entry {
    std::int64_t at_us = 0;                     // microseconds since the epoch: the order of the timeline
    std::string at;                             // the same time, RFC 3339 UTC with milliseconds
    std::string service;                        // whose record it is: "contracts", "payments", ...
    std::string kind;                           // "state", "published", "consumed", "ledger", "dispute"
    std::string what;                           // one line for people
    std::map<std::string, std::string> fields;  // the record's details (ids, states, amounts, lag)
};

struct Timeline {
    std::string milestone_id;
    std::string contract_id;
    std::vector<Entry> entries;      // oldest first
    std::vector<std::string> notes;  // sources that could not be read, and why
};

/// Where the timeline is read from.
struct Sources {
    /// Service name -> libpq connection string: its published_events and inbox are read (nothing else).
    std::map<std::string, std::string> databases;
    /// "contracts", "payments", "disputes" -> the gRPC target of the service ("127.0.0.1:7103").
    /// contracts is required (it knows the milestone's contract); the others are asked when given.
    std::map<std::string, std::string> services;
    /// The access token sent with every call: an admin's (payments and contracts answer admins only).
    std::string token;
    /// The deadline of each call.
    std::chrono::milliseconds call_timeout{10'000};
};

/// Reads the timeline of `milestone_id`. Throws core::InvalidArgument for a malformed id or no
/// contracts target, core::NotFound when contracts has no such milestone, and std::runtime_error
/// when contracts cannot be asked (unreachable, or it refused the token). Every other source that
/// cannot be read is named in the timeline's notes.
Timeline Build(const Sources& sources, const std::string& milestone_id);

/// Logs in to auth at `auth_target` and returns the access token. Throws std::runtime_error with
/// auth's answer when it refuses.
std::string LogIn(const std::string& auth_target, const std::string& email, const std::string& password,
                  std::chrono::milliseconds timeout = std::chrono::seconds(10));

/// One line per entry, aligned, for a terminal.
std::string FormatText(const Timeline& timeline);
/// The timeline as a JSON document.
std::string FormatJson(const Timeline& timeline);

}  // namespace marketplace::timeline
