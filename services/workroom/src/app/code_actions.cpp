#include "app/code_actions.hpp"

#include <sodium.h>

#include <stdexcept>

#include <pqxx/pqxx>

#include "domain/github.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/core/log.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/wire/values.hpp"
#include "storage/code_store.hpp"
#include "storage/file_store.hpp"
#include "storage/room_store.hpp"
#include "storage/task_store.hpp"

namespace marketplace::workroom {
namespace {

constexpr int kMaxPullRequestsListed = 200;

std::string NewSecret() {
    if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
    unsigned char bytes[32];
    randombytes_buf(bytes, sizeof bytes);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (const unsigned char b : bytes) {
        out.push_back(kHex[b >> 4]);
        out.push_back(kHex[b & 0xF]);
    }
    return out;
}

bool SameRepository(std::string a, std::string b) {
    const auto lower = [](std::string& s) {
        for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    };
    lower(a);
    lower(b);
    return a == b;
}

void RequireMilestoneId(pqxx::work& tx, const std::string& room_id, const std::string& milestone_id) {
    if (milestone_id.empty() || milestone_id.size() > 64 || !storage::HasMilestone(tx, room_id, milestone_id)) {
        throw core::InvalidArgument("milestone_id", "must be a milestone of the room's contract");
    }
}

}  // namespace

CodeOptions CodeOptions::FromEnv(core::EnvReader& env) {
    CodeOptions o;
    o.delivery_max_age = env.Duration("GITHUB_DELIVERY_MAX_AGE", o.delivery_max_age, std::chrono::minutes(1),
                                      std::chrono::hours(24 * 7));
    o.max_links_per_room = static_cast<int>(env.Int("REPOSITORIES_MAX_PER_ROOM", o.max_links_per_room, 1, 100));
    return o;
}

void CodeActions::RequireMember(pqxx::work& tx, const std::string& room_id, const std::string& user_id) const {
    core::RequireUuid(room_id, "room_id");
    if (!storage::IsMember(tx, room_id, user_id)) throw core::NotFound("room not found");
}

void CodeActions::StoreEvent(pqxx::work& tx, const std::string& room_id, v1::WorkroomEvent event) const {
    event.set_room_id(room_id);
    event.set_sequence(storage::NextSequence(tx, room_id));
    wire::ToProto(runtime_.clock()->Now(), event.mutable_occurred_at());
    storage::AppendEvent(tx, event);
}

v1::LinkRepositoryResponse CodeActions::Link(const std::string& user_id,
                                             const v1::LinkRepositoryRequest& request) const {
    v1::LinkRepositoryResponse response;
    db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
        RequireMember(tx, request.room_id(), user_id);  // to anyone else the room does not exist
        RequireRepositoryName(request.repository());
        storage::LockRoom(tx, request.room_id());  // the per-room count holds under concurrent links
        if (storage::LiveLinkCount(tx, request.room_id()) >= options_.max_links_per_room) {
            throw core::ResourceExhausted("room_id: the room already links " +
                                          std::to_string(options_.max_links_per_room) +
                                          " repositories, the most allowed");
        }
        auto& link = *response.mutable_link();
        link.set_link_id(core::NewUuidV7());
        link.set_room_id(request.room_id());
        link.set_repository(request.repository());
        link.set_linked_by(user_id);
        link.set_webhook_path("/webhooks/github/" + link.link_id());
        const auto now = runtime_.clock()->Now();
        wire::ToProto(now, link.mutable_created_at());
        response.set_secret(NewSecret());
        if (!storage::InsertLink(tx, link, response.secret(), now)) {
            throw core::Conflict("repository: " + request.repository() + " is already linked to this room");
        }
    });
    core::log::Info("repository linked", {{"room_id", request.room_id()}, {"link_id", response.link().link_id()}});
    return response;
}

std::vector<v1::RepositoryLink> CodeActions::Links(const std::string& user_id, const std::string& room_id) const {
    std::vector<v1::RepositoryLink> links;
    db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
        RequireMember(tx, room_id, user_id);
        links = storage::LinksOf(tx, room_id);
    });
    return links;
}

void CodeActions::Unlink(const std::string& user_id, const v1::UnlinkRepositoryRequest& request) const {
    core::RequireUuid(request.link_id(), "link_id");
    db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
        RequireMember(tx, request.room_id(), user_id);
        if (!storage::Unlink(tx, request.room_id(), request.link_id(), runtime_.clock()->Now())) {
            throw core::NotFound("repository link not found");
        }
    });
}

std::vector<v1::PullRequest> CodeActions::PullRequests(const std::string& user_id,
                                                       const v1::ListPullRequestsRequest& request) const {
    std::vector<v1::PullRequest> out;
    db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
        RequireMember(tx, request.room_id(), user_id);
        if (!request.milestone_id().empty()) RequireMilestoneId(tx, request.room_id(), request.milestone_id());
        out = storage::PullRequestsOf(tx, request.room_id(), request.milestone_id(), kMaxPullRequestsListed);
    });
    return out;
}

v1::PullRequest CodeActions::SetMilestone(const std::string& user_id,
                                          const v1::SetPullRequestMilestoneRequest& request) const {
    core::RequireUuid(request.pull_request_id(), "pull_request_id");
    v1::PullRequest pr;
    db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
        RequireMember(tx, request.room_id(), user_id);
        if (!request.milestone_id().empty()) RequireMilestoneId(tx, request.room_id(), request.milestone_id());
        if (!storage::FindPullRequest(tx, request.room_id(), request.pull_request_id())) {
            throw core::NotFound("pull request not found");
        }
        storage::SetPullRequestMilestone(tx, request.pull_request_id(), request.milestone_id());
        pr = *storage::FindPullRequest(tx, request.room_id(), request.pull_request_id());
        v1::WorkroomEvent event;
        *event.mutable_pull_request_updated() = pr;
        StoreEvent(tx, request.room_id(), event);
    });
    return pr;
}

v1::MilestoneCode CodeActions::ReadMilestone(pqxx::work& tx, const std::string& room_id,
                                             const std::string& milestone_id) const {
    v1::MilestoneCode code;
    code.set_milestone_id(milestone_id);
    for (auto& pr : storage::PullRequestsOf(tx, room_id, milestone_id, kMaxPullRequestsListed)) {
        *code.add_pull_requests() = std::move(pr);
    }
    if (const auto at = storage::SubmittedAt(tx, room_id, milestone_id)) {
        wire::ToProto(*at, code.mutable_submitted_at());
    }
    return code;
}

v1::MilestoneCode CodeActions::MilestoneCode(const std::string& user_id, const std::string& room_id,
                                             const std::string& milestone_id) const {
    v1::MilestoneCode code;
    db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
        RequireMember(tx, room_id, user_id);
        RequireMilestoneId(tx, room_id, milestone_id);
        code = ReadMilestone(tx, room_id, milestone_id);
    });
    return code;
}

std::string CodeActions::HandleDelivery(const v1::HandleGitHubDeliveryRequest& request) const {
    core::RequireUuid(request.link_id(), "link_id");
    if (request.event().empty() || request.event().size() > 64) {
        throw core::InvalidArgument("event", "the X-GitHub-Event header must be 1..64 characters");
    }
    if (request.delivery_id().empty() || request.delivery_id().size() > 100) {
        throw core::InvalidArgument("delivery_id", "the X-GitHub-Delivery header must be 1..100 characters");
    }
    if (request.body().size() > kMaxDeliveryBytes) throw core::InvalidArgument("body", "at most 1 MiB");

    std::string outcome;
    db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
        // The link's row is locked: one link's deliveries are applied one at a time.
        const auto link = storage::FindLink(tx, request.link_id(), /*for_update=*/true);
        if (!link || !link->live) throw core::NotFound("repository link not found");
        // Nothing is read from the body before its signature is checked.
        if (!GitHubSignatureMatches(link->secret, request.body(), request.signature())) {
            throw core::Unauthenticated("signature: X-Hub-Signature-256 does not match the body");
        }
        const auto facts = ReadDelivery(request.event(), request.body());
        const auto now = runtime_.clock()->Now();
        if (facts.kept) {
            if (!SameRepository(facts.repository, link->link.repository())) {
                throw core::InvalidArgument("body", "repository.full_name is " + facts.repository +
                                                        ", the link is for " + link->link.repository());
            }
            if (facts.event_time < now - options_.delivery_max_age) {
                throw core::FailedPrecondition(
                    "body: the delivery is stale (its event time is older than " +
                    std::to_string(
                        std::chrono::duration_cast<std::chrono::seconds>(options_.delivery_max_age).count()) +
                    " seconds)");
            }
            if (facts.event_time > now + options_.max_clock_skew) {
                throw core::FailedPrecondition("body: the delivery's event time is in the future");
            }
        }
        if (!storage::RecordDelivery(tx, request.link_id(), request.delivery_id(), now,
                                     now - options_.delivery_max_age - options_.max_clock_skew)) {
            outcome = "duplicate";
            return;
        }
        if (!facts.kept) {
            outcome = "ignored";
            return;
        }
        bool written = false;
        std::vector<std::string> changed;
        if (facts.pull_request) {
            if (auto id =
                    storage::UpsertPullRequest(tx, *link, *facts.pull_request, facts.event_time, core::NewUuidV7())) {
                written = true;
                changed.push_back(*id);
            }
        } else if (facts.check) {
            // A check of a commit no pull request names yet is kept for the one that will.
            written = storage::UpsertCheck(tx, request.link_id(), *facts.check, facts.event_time);
            if (written) changed = storage::PullRequestsAtHead(tx, request.link_id(), facts.check->head_sha);
        }
        if (!written) {
            outcome = "outdated";
            return;
        }
        outcome = "applied";
        const auto& room_id = link->link.room_id();
        for (const auto& id : changed) {
            v1::WorkroomEvent event;
            *event.mutable_pull_request_updated() = *storage::FindPullRequest(tx, room_id, id);
            StoreEvent(tx, room_id, event);
        }
    });
    return outcome;
}

bool CodeActions::MilestoneSubmitted(pqxx::work& tx, const std::string& contract_id,
                                     const std::string& milestone_id) const {
    const auto room_id = storage::RoomOfContract(tx, contract_id);
    if (!room_id) return false;
    if (!storage::MarkSubmitted(tx, *room_id, milestone_id, runtime_.clock()->Now())) return false;
    v1::WorkroomEvent event;
    *event.mutable_milestone_submitted() = ReadMilestone(tx, *room_id, milestone_id);
    StoreEvent(tx, *room_id, event);
    return true;
}

}  // namespace marketplace::workroom
