#pragma once
// SQL for reviews.
#include <optional>
#include <pqxx/transaction>
#include <string>
#include <vector>

#include "domain/review.hpp"
#include "storage/contract_store.hpp"

namespace marketplace::contracts::storage {

struct ReviewRecord {
    std::string id;
    std::string contract_id;
    std::string milestone_id;
    std::string reviewer_id;
    std::string reviewee_id;
    Actor reviewer_role = Actor::kClient;
    ReviewInput input;
    TimePoint created_at;
};

/// Stores the review; returns false (storing nothing) when the reviewer already reviewed the milestone.
bool InsertReview(pqxx::work& tx, const ReviewRecord& review);

/// Reviews of a contract, or received by a user (exactly one of the two non-empty), newest first.
std::vector<ReviewRecord> ListReviews(pqxx::work& tx, const std::string& contract_id, const std::string& reviewee_id,
                                      const std::optional<Cursor>& after, int limit);
Cursor CursorOf(const ReviewRecord& review);

}  // namespace marketplace::contracts::storage
