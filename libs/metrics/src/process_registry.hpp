#pragma once
// The process's registry: prometheus-cpp families, the collectors called at scrape time, and the
// service label added to every sample.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <prometheus/metric_family.h>
#include <prometheus/registry.h>

#include "marketplace/metrics/metrics.hpp"

namespace marketplace::metrics::impl {

class ProcessRegistry final {
public:
    static ProcessRegistry& Instance();

    prometheus::Registry& registry() { return *registry_; }
    std::uint64_t Add(Collector collector);
    void Remove(std::uint64_t id);
    void SetService(const std::string& name);
    /// Every family: the registry's, then the collectors', each sample labelled with the service.
    std::vector<prometheus::MetricFamily> Collect() const;
    /// What the HTTP endpoint serves (the same as Collect()).
    static std::shared_ptr<prometheus::Collectable> Exposed();

private:
    ProcessRegistry() = default;

    std::shared_ptr<prometheus::Registry> registry_ = std::make_shared<prometheus::Registry>();
    mutable std::mutex mu_;  // held through a scrape, so a removed collector is never called after
    std::map<std::uint64_t, Collector> collectors_;
    std::uint64_t next_id_ = 1;
    std::string service_;
};

}  // namespace marketplace::metrics::impl
