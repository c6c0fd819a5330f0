#pragma once
// Metrics of the process, in Prometheus form. Everything lives in one registry per process; the
// endpoint (endpoint.hpp) serves it as GET /metrics in the text format, with the label
// service="<name>" added to every sample.
//
//   static const metrics::CounterFamily kHandled("marketplace_x_handled_total", "Events handled.");
//   kHandled.Increment({{"kind", "fund"}});
//
// Families are cheap handles onto the registry: constructing one twice with the same name gives the
// same family. Values computed from state (a table's size, an atomic kept elsewhere) come from a
// collector, called at every scrape. This header names no prometheus-cpp type.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace marketplace::metrics {

using Labels = std::map<std::string, std::string>;

class CounterFamily final {
public:
    CounterFamily(const std::string& name, const std::string& help);
    void Increment(const Labels& labels = {}, double by = 1) const;

private:
    void* family_;
};

class GaugeFamily final {
public:
    GaugeFamily(const std::string& name, const std::string& help);
    void Set(const Labels& labels, double value) const;
    void Add(const Labels& labels, double delta) const;

private:
    void* family_;
};

class HistogramFamily final {
public:
    /// `buckets`: the upper bounds, ascending (+Inf is implicit).
    HistogramFamily(const std::string& name, const std::string& help, std::vector<double> buckets);
    void Observe(const Labels& labels, double value) const;

private:
    void* family_;
    std::vector<double> buckets_;
};

/// Buckets for request latencies: 1 ms .. 10 s.
std::vector<double> LatencyBuckets();
/// Buckets for steps that wait on other services and people: 5 ms .. 1 h.
std::vector<double> StepBuckets();

enum class Type { kCounter, kGauge };

struct Sample {
    Labels labels;
    double value = 0;
};

/// A family computed at scrape time.
struct Family {
    std::string name;
    std::string help;
    Type type = Type::kGauge;
    std::vector<Sample> samples;
};

using Collector = std::function<std::vector<Family>()>;

/// Keeps a collector registered; destroying it (or Reset()) removes the collector, after which it
/// is never called again.
class Registration final {
public:
    Registration() = default;
    explicit Registration(std::uint64_t id) : id_(id) {}
    ~Registration() { Reset(); }
    Registration(Registration&& other) noexcept : id_(other.id_) { other.id_ = 0; }
    Registration& operator=(Registration&& other) noexcept;
    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;
    void Reset();

private:
    std::uint64_t id_ = 0;
};

/// Registers `collector`, called (on the scraping thread) at every scrape. A collector that throws
/// contributes nothing to that scrape. Two collectors must not return the same family name.
[[nodiscard]] Registration AddCollector(Collector collector);

/// Sets the value of the `service` label every sample of this process carries ("" for none).
void SetService(const std::string& name);

/// Everything in the process's registry in the Prometheus text format, as GET /metrics serves it.
std::string Render();

}  // namespace marketplace::metrics
