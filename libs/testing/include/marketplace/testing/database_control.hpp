// Access from tests to the local stack's PostgreSQL server, for outage tests: stop it (a crash, or a
// clean stop) and start it again, through deploy/local/stack.sh pg-stop / pg-start. The data stays.
#pragma once

#include <string>

namespace marketplace::testing {

enum class PgStop {
    kCrash,  ///< pg_ctl stop -m immediate: every session cut at once, crash recovery on the next start
    kClean,  ///< pg_ctl stop -m fast: sessions told to terminate, a checkpoint written
};

/// Stops and starts the PostgreSQL server of a state folder ($MARKETPLACE_STATE_DIR or ".state" by default).
/// Every call throws std::runtime_error with the script's output when it fails.
class DatabaseControl final {
public:
    DatabaseControl();
    explicit DatabaseControl(std::string state_dir);

    /// Stops the server; waits until its process is gone.
    void Stop(PgStop how = PgStop::kCrash) const;
    /// Starts it again; waits until it answers on its port.
    void Start() const;

private:
    std::string Script(const std::string& command, const std::string& argument) const;
    std::string state_dir_;
};

}  // namespace marketplace::testing
