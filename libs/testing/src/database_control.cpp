#include "marketplace/testing/database_control.hpp"

#include <chrono>
#include <stdexcept>
#include <utility>
#include <vector>

#include "marketplace/testing/broker_control.hpp"
#include "marketplace/testing/process.hpp"

namespace marketplace::testing {

DatabaseControl::DatabaseControl() : DatabaseControl(BrokerControl::StateDir()) {}
DatabaseControl::DatabaseControl(std::string state_dir) : state_dir_(std::move(state_dir)) {}

std::string DatabaseControl::Script(const std::string& command, const std::string& argument) const {
    std::vector<std::string> argv{MARKETPLACE_STACK_SCRIPT, command};
    if (!argument.empty()) argv.push_back(argument);
    std::string output;
    const int status =
        RunToCompletion(argv, {{"MARKETPLACE_STATE_DIR", state_dir_}, {"MARKETPLACE_BIN_DIR", MARKETPLACE_BIN_DIR}},
                        std::chrono::seconds(120), &output);
    if (status != 0) {
        throw std::runtime_error("deploy/local/stack.sh " + command + " " + argument + " failed (status " +
                                 std::to_string(status) + "): " + output);
    }
    return output;
}

void DatabaseControl::Stop(PgStop how) const { Script("pg-stop", how == PgStop::kCrash ? "immediate" : "fast"); }

void DatabaseControl::Start() const { Script("pg-start", ""); }

}  // namespace marketplace::testing
