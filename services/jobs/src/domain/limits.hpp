#pragma once
// The explicit limits of the jobs service: sizes, counts and ranges accepted on input.
#include <cstddef>
#include <cstdint>

namespace marketplace::jobs {

inline constexpr std::size_t kMaxTitleChars = 200;
inline constexpr std::size_t kMaxDescriptionChars = 20000;
inline constexpr std::size_t kMaxStackEntries = 20;
inline constexpr std::size_t kMaxStackEntryChars = 50;
inline constexpr std::size_t kMaxRepoUrlChars = 500;

inline constexpr std::size_t kMaxCoverLetterChars = 10000;
inline constexpr std::size_t kMaxMilestones = 20;
inline constexpr std::size_t kMaxMilestoneDescriptionChars = 5000;
inline constexpr std::size_t kMaxDoneItems = 20;
inline constexpr std::size_t kMaxDoneItemChars = 500;
inline constexpr std::int32_t kMaxDeliveryDays = 3650;

inline constexpr std::size_t kMaxInviteMessageChars = 5000;

inline constexpr std::size_t kMaxSearchQueryChars = 200;
inline constexpr std::int32_t kDefaultPageSize = 20;
inline constexpr std::int32_t kMaxPageSize = 100;
inline constexpr std::size_t kMaxPageTokenChars = 512;

}  // namespace marketplace::jobs
