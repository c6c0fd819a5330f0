#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "marketplace/core/log.hpp"

using namespace marketplace::core;

TEST_CASE("Log: a line is one JSON object carrying the scope's trace and request ids", "[core][log]") {
    log::Init("payments", "info");
    std::string line;
    {
        log::LogScope scope("4bf92f3577b34da6a3ce929d0e0e4736", "req-1");
        line = log::Render(log::Level::kWarn, "escrow \"released\"\n", {{"amount", 1200L}, {"who", "a\tb"}});
    }
    const auto j = nlohmann::json::parse(line);
    CHECK(j["level"] == "warn");
    CHECK(j["service"] == "payments");
    CHECK(j["msg"] == "escrow \"released\"\n");
    CHECK(j["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736");
    CHECK(j["request_id"] == "req-1");
    CHECK(j["amount"] == 1200);
    CHECK(j["who"] == "a\tb");
    const auto outside = nlohmann::json::parse(log::Render(log::Level::kInfo, "x", {}));
    CHECK_FALSE(outside.contains("trace_id"));
}

TEST_CASE("Log: control characters are escaped", "[core][log]") {
    std::string out;
    log::AppendJsonEscaped(out, std::string("a\x01z", 3));
    CHECK(out == "a\\u0001z");
}

namespace {

/// Points fd 1 at `fd` while alive (the logger writes to fd 1), then puts the real stdout back.
class StdoutTo final {
public:
    explicit StdoutTo(int fd) : saved_(::dup(STDOUT_FILENO)) {
        log::Flush();
        ::dup2(fd, STDOUT_FILENO);
    }
    ~StdoutTo() {
        ::dup2(saved_, STDOUT_FILENO);
        ::close(saved_);
    }
    StdoutTo(const StdoutTo&) = delete;
    StdoutTo& operator=(const StdoutTo&) = delete;

private:
    int saved_;
};

std::vector<nlohmann::json> JsonLines(const std::string& text) {
    std::vector<nlohmann::json> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty()) out.push_back(nlohmann::json::parse(line));
    }
    return out;
}

}  // namespace

TEST_CASE("Log: every line from several threads is written, each thread's in order, by Flush", "[core][log]") {
    log::Init("payments", "info");
    char name[] = "/tmp/log-test-XXXXXX";
    const int file = ::mkstemp(name);
    REQUIRE(file >= 0);
    {
        StdoutTo redirect(file);
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([t] {
                for (int i = 0; i < 1000; ++i) log::Info("step", {{"thread", t}, {"i", i}});
            });
        }
        for (auto& thread : threads) thread.join();
        log::Flush();
    }
    std::ifstream in(name);
    std::stringstream text;
    text << in.rdbuf();
    ::close(file);
    ::unlink(name);
    std::map<int, int> next;  // thread -> the i expected next
    int lines = 0;
    for (const auto& j : JsonLines(text.str())) {
        if (j.value("msg", "") != "step") continue;
        const int t = j["thread"].get<int>();
        CHECK(j["i"].get<int>() == next[t]);
        next[t] = j["i"].get<int>() + 1;
        ++lines;
    }
    CHECK(lines == 4000);
}

TEST_CASE("Log: a stalled stdout does not hold up the caller; what did not fit is counted, not lost silently",
          "[core][log]") {
    log::Init("payments", "info");
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    std::string received;
    std::thread reader;
    {
        StdoutTo redirect(pipe_fds[1]);
        // Nobody reads the pipe yet: once its buffer is full the logger's writer is stuck in write().
        // The caller goes on: more lines than the queue holds are logged without waiting.
        const int total = static_cast<int>(log::kMaxQueuedLines) * 2;
        for (int i = 0; i < total; ++i) log::Info("flood", {{"i", i}});
        reader = std::thread([&] {
            char buffer[65536];
            for (;;) {
                const ssize_t n = ::read(pipe_fds[0], buffer, sizeof buffer);
                if (n <= 0) break;
                received.append(buffer, static_cast<std::size_t>(n));
            }
        });
        log::Warn("after the flood");  // warnings are never dropped
        log::Flush();
    }
    ::close(pipe_fds[1]);  // the real stdout is back on fd 1: the reader sees the end
    reader.join();
    ::close(pipe_fds[0]);
    long written = 0, dropped = 0;
    bool warning = false;
    for (const auto& j : JsonLines(received)) {
        const auto msg = j.value("msg", "");
        if (msg == "flood") ++written;
        if (msg == "after the flood") warning = true;
        if (msg.rfind("log lines dropped", 0) == 0) dropped += j["dropped"].get<long>();
    }
    CHECK(warning);
    CHECK(dropped > 0);
    CHECK(written + dropped == static_cast<long>(log::kMaxQueuedLines) * 2);
}
