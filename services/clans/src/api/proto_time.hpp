#pragma once
// Times on the wire: a protobuf Timestamp from a time point (microseconds, as the database keeps them).
#include <chrono>

#include <google/protobuf/timestamp.pb.h>

namespace marketplace::clans::api {

inline void SetTime(google::protobuf::Timestamp* out, std::chrono::system_clock::time_point t) {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
    out->set_seconds(us / 1'000'000);
    out->set_nanos(static_cast<int>((us % 1'000'000) * 1000));
}

}  // namespace marketplace::clans::api
