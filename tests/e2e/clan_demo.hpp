#pragma once
// The clan story of `make demo`: a clan of four is hired with a plan, two milestones are funded,
// submitted by its ADMIN and HEAD, accepted, and every member's payout is printed.
#include <functional>
#include <string>

#include "http_story.hpp"

namespace marketplace::e2e::http {

struct ClanDemoHooks {
    std::function<void(int, const std::string&)> step;                              // prints a numbered step
    std::function<HttpUser(const std::string&, const std::string&)> register_user;  // role, name
    std::function<void()> events;                                                   // prints the events since
};

/// Plays the story from step `first`; returns the next step's number. Throws when a step fails or
/// the ledger audit is not healthy.
int PlayClanStory(int first, const ClanDemoHooks& hooks);

}  // namespace marketplace::e2e::http
