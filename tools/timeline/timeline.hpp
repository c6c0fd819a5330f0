#pragma once
// A milestone's whole story across services, in time order, from the services' own records (not
// from logs): each state it entered (contracts' milestone_transitions), each event published about
// it or its contract (every service's published_events) and each time a service consumed one (its
// inbox, with the lag from the event's ce_time), each ledger leg of its escrow (payments), and each
// step of a dispute over it (disputes).
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

/// Reads the timeline of `milestone_id` from the databases in `conninfo_by_service` (service name ->
/// libpq connection string). "contracts" is required; the others are read when given. Throws
/// core::InvalidArgument for a malformed id and core::NotFound when contracts has no such milestone.
Timeline Build(const std::map<std::string, std::string>& conninfo_by_service, const std::string& milestone_id);

/// One line per entry, aligned, for a terminal.
std::string FormatText(const Timeline& timeline);
/// The timeline as a JSON document.
std::string FormatJson(const Timeline& timeline);

}  // namespace marketplace::timeline
