#pragma once
// Typed configuration from environment variables. Read every field through an EnvReader, then
// call Finish(): all problems are reported at once, each naming its variable, and a service's
// main() turns that into a clear message and a non-zero exit (ExitOnConfigError).
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace marketplace::core {

/// The development flag: "1" (or true/yes/on) lets a process use well-known development secrets
/// and the sandbox payment provider. Production never sets it.
inline constexpr char kDevModeVariable[] = "MARKETPLACE_DEV_MODE";

class ConfigError final : public std::runtime_error {
public:
    explicit ConfigError(std::vector<std::string> problems);
    const std::vector<std::string>& problems() const noexcept { return problems_; }

private:
    std::vector<std::string> problems_;
};

class EnvReader final {
public:
    /// `lookup` returns the variable's value or nullopt; the default reads the process environment.
    using Lookup = std::function<std::optional<std::string>(const std::string&)>;
    explicit EnvReader(std::string prefix = "", Lookup lookup = {});

    std::string String(const std::string& name, const std::string& fallback);
    std::string RequiredString(const std::string& name);
    /// A secret: the variable itself, or the contents of the file named by NAME_FILE (trailing newline trimmed).
    std::string Secret(const std::string& name, const std::string& fallback);
    /// A secret with a well-known value for development only: `dev_fallback` when neither NAME nor
    /// NAME_FILE is set and DevMode() is on; otherwise a missing secret is a problem naming NAME.
    std::string SecretOrDevDefault(const std::string& name, const std::string& dev_fallback);
    std::int64_t Int(const std::string& name, std::int64_t fallback, std::int64_t min, std::int64_t max);
    bool Bool(const std::string& name, bool fallback);
    /// A duration in milliseconds ("250") or with a unit suffix: "250ms", "5s", "2m", "1h", "14d".
    std::chrono::milliseconds Duration(const std::string& name, std::chrono::milliseconds fallback,
                                       std::chrono::milliseconds min = std::chrono::milliseconds(0),
                                       std::chrono::milliseconds max = std::chrono::hours(24 * 366));
    std::string OneOf(const std::string& name, const std::string& fallback, const std::vector<std::string>& allowed);

    /// Whether MARKETPLACE_DEV_MODE (never prefixed) is on: the process runs on a development machine
    /// and may use well-known secrets and the sandbox payment provider. Off unless set to a true value.
    bool DevMode();

    /// Records a problem found by the caller's own validation: "<PREFIX><name>: <rule>".
    void Reject(const std::string& name, const std::string& rule) { Problem(name, rule); }

    /// Throws ConfigError listing every problem met so far; does nothing when there were none.
    void Finish() const;

private:
    std::optional<std::string> Get(const std::string& name) const;
    std::string FullName(const std::string& name) const { return prefix_ + name; }
    void Problem(const std::string& name, const std::string& what);

    std::string prefix_;
    Lookup lookup_;
    std::vector<std::string> problems_;
};

/// Runs `load`; on ConfigError prints "configuration error: ..." lines to stderr and exits with status 2.
template <typename T>
T LoadConfigOrExit(const std::function<T()>& load);

[[noreturn]] void ExitOnConfigError(const ConfigError& e);

template <typename T>
T LoadConfigOrExit(const std::function<T()>& load) {
    try {
        return load();
    } catch (const ConfigError& e) {
        ExitOnConfigError(e);
    }
}

}  // namespace marketplace::core
