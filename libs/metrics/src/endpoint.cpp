#include "marketplace/metrics/endpoint.hpp"

#include <prometheus/exposer.h>

#include <stdexcept>

#include "marketplace/core/config.hpp"
#include "process_registry.hpp"

namespace marketplace::metrics {

std::string ListenProblem(const std::string& value) {
    const auto colon = value.rfind(':');
    if (colon == std::string::npos || colon == 0) return "must be host:port or off";
    const std::string host = value.substr(0, colon);
    const std::string port = value.substr(colon + 1);
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(port) > 65535) {
        return "port must be a number within 0..65535";
    }
    const bool bracketed = host.front() == '[' && host.back() == ']' && host.size() > 2;
    if (!bracketed && host.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") !=
                          std::string::npos) {
        return "host must be a name, an IPv4 address or a bracketed IPv6 address";
    }
    return {};
}

EndpointConfig EndpointConfig::FromEnv(core::EnvReader& env, const std::string& fallback) {
    EndpointConfig c;
    const std::string value = env.String("METRICS_LISTEN", fallback);
    if (value == "off") return c;
    const std::string problem = ListenProblem(value);
    if (!problem.empty()) {
        env.Reject("METRICS_LISTEN", problem + ", got '" + value + "'");
        return c;
    }
    c.listen = value;
    return c;
}

struct Endpoint::Impl {
    std::unique_ptr<prometheus::Exposer> exposer;
};

Endpoint::Endpoint(const std::string& listen) : impl_(std::make_unique<Impl>()) {
    try {
        impl_->exposer = std::make_unique<prometheus::Exposer>(listen, 2);
    } catch (const std::exception& e) {
        throw std::runtime_error("METRICS_LISTEN: cannot listen on " + listen + ": " + e.what());
    }
    impl_->exposer->RegisterCollectable(impl::ProcessRegistry::Exposed(), "/metrics");
}

Endpoint::~Endpoint() = default;

int Endpoint::port() const {
    const auto ports = impl_->exposer->GetListeningPorts();
    return ports.empty() ? 0 : ports.front();
}

}  // namespace marketplace::metrics
