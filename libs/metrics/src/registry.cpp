#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <mutex>

#include "marketplace/core/log.hpp"
#include "process_registry.hpp"

namespace marketplace::metrics {
namespace impl {

ProcessRegistry& ProcessRegistry::Instance() {
    // Never destroyed: families held in function-local statics may be used until the very end.
    static auto* instance = new ProcessRegistry();
    return *instance;
}

std::uint64_t ProcessRegistry::Add(Collector collector) {
    std::lock_guard lock(mu_);
    const std::uint64_t id = next_id_++;
    collectors_.emplace(id, std::move(collector));
    return id;
}

void ProcessRegistry::Remove(std::uint64_t id) {
    std::lock_guard lock(mu_);  // waits for a scrape that may be calling it
    collectors_.erase(id);
}

void ProcessRegistry::SetService(const std::string& name) {
    std::lock_guard lock(mu_);
    service_ = name;
}

namespace {

prometheus::MetricType TypeOf(Type type) {
    return type == Type::kCounter ? prometheus::MetricType::Counter : prometheus::MetricType::Gauge;
}

prometheus::ClientMetric ToClientMetric(const Sample& sample, Type type) {
    prometheus::ClientMetric m;
    for (const auto& [name, value] : sample.labels) m.label.push_back({name, value});
    if (type == Type::kCounter) {
        m.counter.value = sample.value;
    } else {
        m.gauge.value = sample.value;
    }
    return m;
}

}  // namespace

std::vector<prometheus::MetricFamily> ProcessRegistry::Collect() const {
    std::lock_guard lock(mu_);
    auto families = registry_->Collect();
    std::map<std::string, std::size_t> by_name;
    for (std::size_t i = 0; i < families.size(); ++i) by_name[families[i].name] = i;
    for (const auto& [id, collector] : collectors_) {
        std::vector<Family> computed;
        try {
            computed = collector();
        } catch (const std::exception& e) {
            core::log::Warn("a metrics collector failed; its values are missing from this scrape",
                            {{"error", e.what()}});
            continue;
        }
        for (const auto& f : computed) {
            auto it = by_name.find(f.name);
            if (it == by_name.end()) {
                prometheus::MetricFamily family;
                family.name = f.name;
                family.help = f.help;
                family.type = TypeOf(f.type);
                families.push_back(std::move(family));
                it = by_name.emplace(f.name, families.size() - 1).first;
            } else if (families[it->second].type != TypeOf(f.type)) {
                core::log::Warn("a metrics collector returned a family under a name of another type; skipped",
                                {{"family", f.name}});
                continue;
            }
            for (const auto& s : f.samples) families[it->second].metric.push_back(ToClientMetric(s, f.type));
        }
    }
    if (!service_.empty()) {
        for (auto& family : families) {
            for (auto& metric : family.metric) {
                metric.label.push_back({"service", service_});
                std::sort(metric.label.begin(), metric.label.end());
            }
        }
    }
    return families;
}

std::shared_ptr<prometheus::Collectable> ProcessRegistry::Exposed() {
    class View final : public prometheus::Collectable {
    public:
        std::vector<prometheus::MetricFamily> Collect() const override { return Instance().Collect(); }
    };
    static auto view = std::make_shared<View>();
    return view;
}

}  // namespace impl

namespace {

using impl::ProcessRegistry;

prometheus::Family<prometheus::Counter>& Counters(void* family) {
    return *static_cast<prometheus::Family<prometheus::Counter>*>(family);
}
prometheus::Family<prometheus::Gauge>& Gauges(void* family) {
    return *static_cast<prometheus::Family<prometheus::Gauge>*>(family);
}
prometheus::Family<prometheus::Histogram>& Histograms(void* family) {
    return *static_cast<prometheus::Family<prometheus::Histogram>*>(family);
}

}  // namespace

CounterFamily::CounterFamily(const std::string& name, const std::string& help)
    : family_(&prometheus::BuildCounter().Name(name).Help(help).Register(ProcessRegistry::Instance().registry())) {}

void CounterFamily::Increment(const Labels& labels, double by) const { Counters(family_).Add(labels).Increment(by); }

GaugeFamily::GaugeFamily(const std::string& name, const std::string& help)
    : family_(&prometheus::BuildGauge().Name(name).Help(help).Register(ProcessRegistry::Instance().registry())) {}

void GaugeFamily::Set(const Labels& labels, double value) const { Gauges(family_).Add(labels).Set(value); }
void GaugeFamily::Add(const Labels& labels, double delta) const { Gauges(family_).Add(labels).Increment(delta); }

HistogramFamily::HistogramFamily(const std::string& name, const std::string& help, std::vector<double> buckets)
    : family_(&prometheus::BuildHistogram().Name(name).Help(help).Register(ProcessRegistry::Instance().registry())),
      buckets_(std::move(buckets)) {}

void HistogramFamily::Observe(const Labels& labels, double value) const {
    Histograms(family_).Add(labels, buckets_).Observe(value);
}

std::vector<double> LatencyBuckets() {
    return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

std::vector<double> StepBuckets() {
    return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600};
}

Registration& Registration::operator=(Registration&& other) noexcept {
    if (this != &other) {
        Reset();
        id_ = other.id_;
        other.id_ = 0;
    }
    return *this;
}

void Registration::Reset() {
    if (id_ != 0) ProcessRegistry::Instance().Remove(id_);
    id_ = 0;
}

Registration AddCollector(Collector collector) {
    return Registration(ProcessRegistry::Instance().Add(std::move(collector)));
}

void SetService(const std::string& name) { ProcessRegistry::Instance().SetService(name); }

std::string Render() { return prometheus::TextSerializer().Serialize(ProcessRegistry::Instance().Collect()); }

}  // namespace marketplace::metrics
