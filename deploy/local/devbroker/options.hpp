// Command-line flags of the dev broker.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace marketplace::devbroker {

struct Options final {
    std::optional<std::string> state_dir;   // --state-dir DIR
    int brokers = 3;                        // --brokers N
    int partitions = 6;                     // --partitions N
    std::vector<std::string> extra_topics;  // --topics a,b,c
    bool help = false;                      // --help
    bool ctl = false;                       // "ctl" subcommand: client mode
    std::vector<std::string> ctl_words;     // the command after "ctl"
};

/// Parses argv; throws std::invalid_argument naming the bad flag or value.
Options ParseOptions(int argc, char** argv);

/// The usage text printed by --help and after a bad flag.
const char* UsageText();

}  // namespace marketplace::devbroker
