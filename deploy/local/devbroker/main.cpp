// devbroker: a Kafka-protocol broker for DEVELOPMENT AND TESTS ONLY.
//
// It runs librdkafka's mock cluster (rdkafka_mock.h): real Kafka wire protocol on loopback,
// several brokers, topics kept in memory, fault injection (brokers down/up, leader moves,
// injected request errors, round-trip delays) through a small text control port. Nothing is
// durable and nothing is secured. Production runs real Apache Kafka (KRaft); never point a
// deployed service at this program.
//
//   devbroker [--state-dir DIR] [--brokers N] [--partitions N] [--topics a,b,c]
//   devbroker [--state-dir DIR] ctl <command...>
//
// See docs/LOCAL-STACK.md for the control commands.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <iostream>
#include <set>
#include <stdexcept>
#include <string>

#include "command_handler.hpp"
#include "control_server.hpp"
#include "ctl_client.hpp"
#include "log.hpp"
#include "mock_cluster.hpp"
#include "options.hpp"
#include "state_files.hpp"

namespace marketplace::devbroker {
namespace {

// Every service of services/registry.tsv (deploy/local/CMakeLists.txt passes the list).
constexpr const char* kServices[] = {MARKETPLACE_REGISTRY_SERVICES};

// Removes, on every way out, the files this process published (only if they still hold its values).
class PublishedFiles final {
public:
    explicit PublishedFiles(StatePaths paths) : paths_(std::move(paths)) {}
    ~PublishedFiles() {
        RemoveIfHolds(paths_.control, control_);
        RemoveIfHolds(paths_.bootstrap, bootstrap_);
        RemoveIfHolds(paths_.pid, pid_);
    }
    PublishedFiles(const PublishedFiles&) = delete;
    PublishedFiles& operator=(const PublishedFiles&) = delete;

    void Publish(const std::string& bootstrap, int control_port) {
        bootstrap_ = bootstrap;
        control_ = std::to_string(control_port);
        pid_ = std::to_string(::getpid());
        WriteFileAtomically(paths_.bootstrap, bootstrap_ + "\n");
        WriteFileAtomically(paths_.control, control_ + "\n");
        WriteFileAtomically(paths_.pid, pid_ + "\n");
    }
    /// Withdraws the addresses first so no new client reaches a broker that is going away.
    void WithdrawAddresses() {
        RemoveIfHolds(paths_.control, control_);
        RemoveIfHolds(paths_.bootstrap, bootstrap_);
    }

private:
    StatePaths paths_;
    std::string bootstrap_ = "\x01";
    std::string control_ = "\x01";
    std::string pid_ = "\x01";
};

void CreateStartupTopics(MockCluster& cluster, const Options& options) {
    std::set<std::string> seen;
    std::vector<std::string> topics;
    for (const char* service : kServices) {
        topics.push_back(std::string(service) + ".events.v1");
        topics.push_back(std::string(service) + ".events.v1.dlq");
    }
    topics.insert(topics.end(), options.extra_topics.begin(), options.extra_topics.end());
    for (const auto& topic : topics) {
        if (!seen.insert(topic).second) {
            continue;
        }
        cluster.CreateTopic(topic, options.partitions);
        Log("topic created: " + topic + " partitions=" + std::to_string(options.partitions) +
            " replication=" + std::to_string(cluster.ReplicationFactor()));
    }
}

int RunBroker(const Options& options, const std::string& state_dir) {
    // Block the stop signals before any thread exists (librdkafka's included); sigwait takes them below.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    ::signal(SIGPIPE, SIG_IGN);

    const StatePaths paths = PathsFor(state_dir);
    MakeDirectories(paths.kafka_dir);
    const int lock_fd = TryLockFile(paths.lock);
    if (lock_fd < 0) {
        const auto pid = ReadTrimmed(paths.pid);
        std::cerr << "devbroker: another dev broker already serves " << state_dir
                  << (pid ? " (pid " + *pid + ")" : std::string()) << "\n";
        return 1;
    }
    Log("starting (development tool only; production runs real Apache Kafka): state=" + state_dir +
        " brokers=" + std::to_string(options.brokers) + " partitions=" + std::to_string(options.partitions) +
        " pid=" + std::to_string(::getpid()));

    PublishedFiles files(paths);
    MockCluster cluster(options.brokers);
    Log("mock cluster up: bootstrap=" + cluster.Bootstraps());
    CreateStartupTopics(cluster, options);
    CommandHandler handler(cluster);
    ControlServer server(handler);
    server.Start();
    files.Publish(cluster.Bootstraps(), server.Port());
    Log("ready: bootstrap=" + cluster.Bootstraps() + " control=127.0.0.1:" + std::to_string(server.Port()) +
        " files=" + paths.kafka_dir);

    int signal_number = 0;
    while (sigwait(&stop_signals, &signal_number) != 0) {
    }
    Log(std::string("received ") + (signal_number == SIGTERM ? "SIGTERM" : "SIGINT") + "; shutting down");
    files.WithdrawAddresses();
    server.Stop();
    Log("control port closed; destroying the mock cluster");
    return 0;  // cluster, server and files are released in reverse order; the pid file goes last
}

}  // namespace
}  // namespace marketplace::devbroker

int main(int argc, char** argv) {
    using namespace marketplace::devbroker;
    Options options;
    try {
        options = ParseOptions(argc, argv);
    } catch (const std::invalid_argument& e) {
        std::cerr << "devbroker: " << e.what() << "\n" << UsageText();
        return 2;
    }
    if (options.help) {
        std::cout << UsageText();
        return 0;
    }
    const std::string state_dir = ResolveStateDir(options.state_dir);
    if (options.ctl) {
        return RunCtl(state_dir, options.ctl_words);
    }
    try {
        const int rc = RunBroker(options, state_dir);
        if (rc == 0) {
            Log("stopped");
        }
        return rc;
    } catch (const std::exception& e) {
        Log(std::string("fatal: ") + e.what());
        std::cerr << "devbroker: " << e.what() << "\n";
        return 1;
    }
}
