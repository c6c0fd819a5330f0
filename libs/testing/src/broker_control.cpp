#include "marketplace/testing/broker_control.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>

#include "marketplace/messaging/kafka_admin.hpp"
#include "marketplace/testing/process.hpp"

namespace marketplace::testing {

namespace {
constexpr int kConnectTimeoutMs = 5000;
constexpr int kReplyTimeoutMs = 30000;
constexpr std::size_t kMaxReplyBytes = 1 << 20;

std::string Trimmed(const std::string& s) {
    const auto begin = s.find_first_not_of(" \t\r\n");
    if (begin == std::string::npos) {
        return {};
    }
    return s.substr(begin, s.find_last_not_of(" \t\r\n") - begin + 1);
}

const char* Folder(BrokerKind kind) { return kind == BrokerKind::kKafka ? "/kafka/" : "/devbroker/"; }

// The trimmed content of a file in <state>/kafka (or devbroker), or a runtime_error saying the stack is not up.
std::string ReadKafkaFile(const std::string& state_dir, const char* name, BrokerKind kind = BrokerKind::kKafka) {
    const std::string path = state_dir + Folder(kind) + name;
    std::ifstream in(path);
    std::ostringstream content;
    if (in) {
        content << in.rdbuf();
    }
    std::string value = Trimmed(content.str());
    if (value.empty()) {
        throw std::runtime_error("the local stack is not up: " + path +
                                 " is missing or empty (start it with 'make up' or deploy/local/stack.sh up" +
                                 (kind == BrokerKind::kKafka ? "" : " devbroker") +
                                 "; MARKETPLACE_STATE_DIR selects the state folder)");
    }
    return value;
}

class Fd final {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

std::string SystemError(const std::string& what, int error) { return what + ": " + std::strerror(error); }

void WaitFor(int fd, short events, std::chrono::steady_clock::time_point deadline, const char* what) {
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd pfd{fd, events, 0};
        const int rc = ::poll(&pfd, 1, static_cast<int>(std::max<long long>(left.count(), 0)));
        if (rc > 0) {
            return;
        }
        if (rc == 0) {
            throw std::runtime_error(std::string("timed out ") + what);
        }
        if (errno != EINTR) {
            throw std::runtime_error(SystemError("poll", errno));
        }
    }
}

std::string Exchange(int port, const std::string& line) {
    using Clock = std::chrono::steady_clock;
    const Fd socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (socket.get() < 0) {
        throw std::runtime_error(SystemError("socket", errno));
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    if (::connect(socket.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
        if (errno != EINPROGRESS) {
            throw std::runtime_error(SystemError("connect", errno));
        }
        WaitFor(socket.get(), POLLOUT, Clock::now() + std::chrono::milliseconds(kConnectTimeoutMs), "connecting");
        int error = 0;
        socklen_t len = sizeof(error);
        ::getsockopt(socket.get(), SOL_SOCKET, SO_ERROR, &error, &len);
        if (error != 0) {
            throw std::runtime_error(SystemError("connect", error));
        }
    }
    const auto deadline = Clock::now() + std::chrono::milliseconds(kReplyTimeoutMs);
    const std::string request = line + "\n";
    std::size_t sent = 0;
    while (sent < request.size()) {
        WaitFor(socket.get(), POLLOUT, deadline, "sending the command");
        const ssize_t n = ::send(socket.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            continue;
        }
        if (n <= 0) {
            throw std::runtime_error(SystemError("send", errno));
        }
        sent += static_cast<std::size_t>(n);
    }
    std::string reply;
    for (;;) {
        WaitFor(socket.get(), POLLIN, deadline, "waiting for the reply");
        char chunk[4096];
        const ssize_t n = ::recv(socket.get(), chunk, sizeof(chunk), 0);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            continue;
        }
        if (n < 0) {
            throw std::runtime_error(SystemError("recv", errno));
        }
        if (n == 0) {
            throw std::runtime_error("the broker closed the connection without a reply");
        }
        reply.append(chunk, static_cast<std::size_t>(n));
        if (const auto newline = reply.find('\n'); newline != std::string::npos) {
            return reply.substr(0, newline);
        }
        if (reply.size() > kMaxReplyBytes) {
            throw std::runtime_error("reply longer than " + std::to_string(kMaxReplyBytes) + " bytes");
        }
    }
}
}  // namespace

BrokerControl::BrokerControl() : BrokerControl(BrokerKind::kKafka, StateDir()) {}
BrokerControl::BrokerControl(std::string state_dir) : BrokerControl(BrokerKind::kKafka, std::move(state_dir)) {}
BrokerControl::BrokerControl(BrokerKind kind) : BrokerControl(kind, StateDir()) {}
BrokerControl::BrokerControl(BrokerKind kind, std::string state_dir) : kind_(kind), state_dir_(std::move(state_dir)) {}

std::string BrokerControl::StateDir() {
    if (const char* env = std::getenv("MARKETPLACE_STATE_DIR"); env != nullptr && *env != '\0') {
        return env;
    }
    return ".state";
}

std::string BrokerControl::Bootstrap() { return ReadKafkaFile(StateDir(), "bootstrap"); }

std::string BrokerControl::bootstrap() const { return ReadKafkaFile(state_dir_, "bootstrap", kind_); }

std::string BrokerControl::Cluster(const std::string& command, const std::string& argument) const {
    std::string output;
    const int status =
        RunToCompletion({MARKETPLACE_KAFKA_CLUSTER_SCRIPT, command, argument},
                        {{"MARKETPLACE_STATE_DIR", state_dir_}, {"MARKETPLACE_BIN_DIR", MARKETPLACE_BIN_DIR}},
                        std::chrono::seconds(360), &output);  // above cluster.sh's own 300 s per node
    if (status != 0) {
        throw std::runtime_error("deploy/local/kafka/cluster.sh " + command + " " + argument + " failed (status " +
                                 std::to_string(status) + "): " + Trimmed(output));
    }
    return output;
}

namespace {
messaging::KafkaAdmin AdminFor(const std::string& bootstrap) {
    messaging::KafkaConfig config;
    config.bootstrap = bootstrap;
    return messaging::KafkaAdmin(config);
}
}  // namespace

void BrokerControl::CreateTopic(const std::string& topic, int partitions) const {
    if (kind_ == BrokerKind::kDevBroker) {
        Command("topic-create " + topic + " " + std::to_string(partitions));
        return;
    }
    // Replication as the cluster was made: every node holds a copy, and two must acknowledge a write.
    const int nodes = BrokerCount();
    messaging::TopicSpec spec{.name = topic,
                              .partitions = partitions,
                              .replication = nodes >= 3 ? 3 : 1,
                              .configs = {{"min.insync.replicas", nodes >= 3 ? "2" : "1"}}};
    std::string last;
    for (int attempt = 0; attempt < 20; ++attempt) {
        try {
            AdminFor(bootstrap()).CreateTopics({spec}, std::chrono::seconds(15));
            return;
        } catch (const std::runtime_error& e) {  // a controller still electing after a restart
            last = e.what();
            std::this_thread::sleep_for(std::chrono::milliseconds(500));
        }
    }
    throw std::runtime_error("creating topic " + topic + ": " + last);
}

int BrokerControl::BrokerCount() const {
    if (kind_ == BrokerKind::kKafka) {
        // The nodes the cluster was made with (kafka/settings), whether or not all run right now.
        std::ifstream in(state_dir_ + "/kafka/settings");
        std::string line;
        while (std::getline(in, line)) {
            if (line.starts_with("SAVED_NODES=")) return std::stoi(line.substr(12));
        }
    }
    return static_cast<int>(AdminFor(bootstrap()).Brokers(std::chrono::seconds(10)).size());
}

int BrokerControl::Leader(const std::string& topic, int partition) const {
    return AdminFor(bootstrap()).Leader(topic, partition, std::chrono::seconds(10));
}

std::string BrokerControl::Command(const std::string& line) const {
    if (kind_ != BrokerKind::kDevBroker) {
        throw std::logic_error("BrokerControl::Command ('" + line + "') is for the mock broker only");
    }
    if (line.find_first_of("\r\n") != std::string::npos) {
        throw std::invalid_argument("BrokerControl::Command: the command must be one line");
    }
    const std::string port_text = ReadKafkaFile(state_dir_, "control", kind_);
    int port = 0;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 1 || port > 65535) {
        throw std::runtime_error(state_dir_ + "/devbroker/control does not hold a port number: '" + port_text + "'");
    }
    std::string reply;
    try {
        reply = Exchange(port, line);
    } catch (const std::runtime_error& e) {
        throw std::runtime_error("dev broker control port 127.0.0.1:" + std::to_string(port) + " ('" + line + "'): " +
                                 e.what() + " (is the local stack up? see " + state_dir_ + "/logs/devbroker.log)");
    }
    if (reply != "ok" && !reply.starts_with("ok ")) {
        throw std::runtime_error("dev broker refused '" + line + "': " + reply);
    }
    return reply;
}

void BrokerControl::BrokerDown(int id) const {
    if (kind_ == BrokerKind::kKafka) {
        Cluster("node-kill", std::to_string(id));
    } else {
        Command("broker-down " + std::to_string(id));
    }
}

void BrokerControl::BrokerUp(int id) const {
    if (kind_ == BrokerKind::kKafka) {
        Cluster("node-start", std::to_string(id));
    } else {
        Command("broker-up " + std::to_string(id));
    }
}

void BrokerControl::RequestErrors(int api_key, int error_code, int count) const {
    Command("request-errors " + std::to_string(api_key) + " " + std::to_string(error_code) + " " +
            std::to_string(count));
}

void BrokerControl::ClearRequestErrors(int api_key) const {
    Command("clear-request-errors " + std::to_string(api_key));
}

}  // namespace marketplace::testing
