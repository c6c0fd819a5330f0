#pragma once
// Private helpers around librdkafka's C++ API.
#include <librdkafka/rdkafkacpp.h>

#include <memory>
#include <string>

#include "marketplace/messaging/kafka_config.hpp"

namespace marketplace::messaging::impl {

void SetConf(RdKafka::Conf& conf, const std::string& key, const std::string& value);
/// A global configuration with the common client settings applied.
std::unique_ptr<RdKafka::Conf> BaseConf(const KafkaConfig& config, const std::string& client_id);
/// Idempotent producer settings (acks=all, in-order retries), with `dr_cb` for delivery reports.
std::unique_ptr<RdKafka::Producer> MakeProducer(const KafkaConfig& config, const std::string& client_id,
                                                RdKafka::DeliveryReportCb* dr_cb);
/// FNV-1a 64-bit, for stable advisory-lock keys.
long long StableHash(const std::string& text);

}  // namespace marketplace::messaging::impl
