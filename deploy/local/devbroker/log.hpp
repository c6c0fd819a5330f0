// One line per event on stdout, timestamped; safe to call from any thread.
#pragma once

#include <string_view>

namespace marketplace::devbroker {

/// Writes "<UTC time> devbroker: <message>" as one line to stdout and flushes it.
void Log(std::string_view message);

}  // namespace marketplace::devbroker
