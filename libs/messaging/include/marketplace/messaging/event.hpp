#pragma once
// Events as they travel: CloudEvents 1.0 in Kafka binary mode. The Kafka key is the aggregate id,
// the value is the protobuf payload, and the attributes are headers (ce_id, ce_source, ce_type, ...).
#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace marketplace::messaging {

/// Header names used on the wire.
namespace headers {
inline constexpr const char* kSpecVersion = "ce_specversion";
inline constexpr const char* kId = "ce_id";
inline constexpr const char* kSource = "ce_source";
inline constexpr const char* kType = "ce_type";
inline constexpr const char* kTime = "ce_time";
inline constexpr const char* kSchemaVersion = "ce_schemaversion";
inline constexpr const char* kContentType = "content-type";
inline constexpr const char* kTraceparent = "traceparent";
// Added when an event is dead-lettered.
inline constexpr const char* kDlqError = "dlq_error";
inline constexpr const char* kDlqConsumer = "dlq_consumer";
inline constexpr const char* kDlqTopic = "dlq_original_topic";
inline constexpr const char* kDlqPartition = "dlq_original_partition";
inline constexpr const char* kDlqOffset = "dlq_original_offset";
inline constexpr const char* kDlqAttempts = "dlq_attempts";
}  // namespace headers

inline constexpr const char* kProtobufContentType = "application/protobuf";

/// What a service appends to its outbox.
struct OutgoingEvent {
    std::string topic;    // "<service>.events.v1"
    std::string key;      // the aggregate id: all events of one aggregate stay in order
    std::string type;     // "marketplace.<service>.v1.<EventName>"
    std::string payload;  // serialized protobuf message
    int schema_version = 1;
    std::string traceparent;  // W3C; empty starts a new trace at publish time
};

/// What a consumer handler receives.
struct IncomingEvent {
    std::string id;
    std::string source;
    std::string type;
    std::string time;
    int schema_version = 1;
    std::string traceparent;
    std::string key;
    std::string payload;
    std::string topic;
    std::int32_t partition = 0;
    std::int64_t offset = 0;
    std::map<std::string, std::string> headers;
};

/// Limits applied on append: a larger event is refused with InvalidArgument naming the field.
inline constexpr std::size_t kMaxPayloadBytes = 900 * 1024;
inline constexpr std::size_t kMaxKeyBytes = 512;

/// The topic where a consumer dead-letters events of `topic`.
inline std::string DlqTopic(const std::string& topic) { return topic + ".dlq"; }

}  // namespace marketplace::messaging
