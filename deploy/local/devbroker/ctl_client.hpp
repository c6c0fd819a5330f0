// "devbroker ctl <command...>": sends one command to the running dev broker's control port.
#pragma once

#include <string>
#include <vector>

namespace marketplace::devbroker {

/// Reads <state_dir>/devbroker/control, sends the words as one line, prints the reply line.
/// Returns 0 when the reply starts with "ok", 1 otherwise (including when the broker is unreachable).
int RunCtl(const std::string& state_dir, const std::vector<std::string>& words);

}  // namespace marketplace::devbroker
