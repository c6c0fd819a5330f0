// The control protocol: one text command in, one reply line out ("ok ..." or "error <why>").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mock_cluster.hpp"

namespace marketplace::devbroker {

class CommandHandler final {
public:
    explicit CommandHandler(MockCluster& cluster) : cluster_(cluster) {}

    /// Executes one command line (without its newline) and returns the reply (without newline).
    /// Never throws: every failure becomes "error <why>".
    std::string Handle(std::string_view line);

private:
    std::string Dispatch(const std::vector<std::string>& words);
    std::string StatusReply();

    MockCluster& cluster_;
};

/// `text` made printable and short enough to quote in a reply or a log line.
std::string Printable(std::string_view text, std::size_t max_length = 64);

}  // namespace marketplace::devbroker
