#pragma once
// SIGTERM/SIGINT → callbacks. The signal handler only writes a byte to a pipe (async-signal-safe);
// a watcher thread reads it and runs the registered callbacks, whatever thread got the signal.
// After the first signal the previous handlers are back, so a second SIGINT/SIGTERM during a
// drain ends the process the usual way.
#include <functional>

namespace marketplace::rpc::impl {

/// Registers `on_signal`; the first registration installs the handlers. Returns an id for Remove.
int AddSignalCallback(std::function<void()> on_signal);
/// Unregisters (waiting for a running callback); the last removal restores the previous handlers.
void RemoveSignalCallback(int id);

}  // namespace marketplace::rpc::impl
