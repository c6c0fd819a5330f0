// Access from tests to the local stack's dev Kafka broker (deploy/local/devbroker).
//
// The dev broker is a development and test tool built on librdkafka's mock cluster; production
// runs real Apache Kafka. Tests use this class to find the bootstrap servers and to inject
// faults (brokers down/up, request errors) through the broker's control port.
#pragma once

#include <string>

namespace marketplace::testing {

/// Reads the stack's state folder and sends control commands to the dev broker.
///
///   auto brokers = BrokerControl::Bootstrap();          // "127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3"
///   BrokerControl control;
///   control.BrokerDown(1);                              // throws std::runtime_error on failure
///   control.RequestErrors(0 /*Produce*/, 6 /*NOT_LEADER_FOR_PARTITION*/, 3);
///
/// Each command opens one short TCP connection to 127.0.0.1, so the object may be shared between
/// threads and survives a broker restart (the port is re-read every time).
class BrokerControl final {
public:
    /// Uses StateDir().
    BrokerControl();
    explicit BrokerControl(std::string state_dir);

    /// $MARKETPLACE_STATE_DIR if set and non-empty, else ".state".
    static std::string StateDir();

    /// The bootstrap servers from <StateDir()>/kafka/bootstrap; throws std::runtime_error saying how
    /// to start the stack when the file is missing or empty.
    static std::string Bootstrap();

    /// Sends one command line (e.g. "broker-down 1") and returns the reply line ("ok ...").
    /// Throws std::runtime_error on an "error ..." reply (the message holds the command and the
    /// reply) and when the broker cannot be reached; std::invalid_argument if `line` holds a line break.
    std::string Command(const std::string& line) const;

    void BrokerDown(int id) const;
    void BrokerUp(int id) const;
    /// The next `count` requests with this Kafka api key fail with `error_code`.
    void RequestErrors(int api_key, int error_code, int count) const;
    void ClearRequestErrors(int api_key) const;

    const std::string& state_dir() const { return state_dir_; }

private:
    std::string state_dir_;
};

}  // namespace marketplace::testing
