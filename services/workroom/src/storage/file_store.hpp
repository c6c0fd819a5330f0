#pragma once
// SQL for the files table (migrations/V020__files.sql).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "marketplace/core/clock.hpp"
#include "marketplace/workroom/v1/workroom.pb.h"

namespace marketplace::workroom::storage {

struct StoredFile {
    v1::WorkroomFile file;
    std::string blob_key;
};

/// Whether `user_id` is a member of `room_id`.
bool IsMember(pqxx::work& tx, const std::string& room_id, const std::string& user_id);

/// Locks the room's row (FOR UPDATE) and returns its files' count and total bytes.
struct RoomUsage {
    std::int64_t files = 0;
    std::int64_t bytes = 0;
};
RoomUsage LockRoomUsage(pqxx::work& tx, const std::string& room_id);

void InsertFile(pqxx::work& tx, const StoredFile& stored, core::Clock::TimePoint now);

/// The file, if `user_id` is a member of its room.
std::optional<StoredFile> FileForMember(pqxx::work& tx, const std::string& file_id, const std::string& user_id);

std::vector<v1::WorkroomFile> ListFiles(pqxx::work& tx, const std::string& room_id, int limit);

}  // namespace marketplace::workroom::storage
