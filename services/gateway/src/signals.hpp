#pragma once
// SIGTERM / SIGINT handling for the gateway process: block them in every thread (call before any
// thread starts), then wait for one in main.
namespace marketplace::gateway {

void BlockTerminationSignals();
/// Returns the signal number once SIGTERM or SIGINT arrives.
int WaitForTerminationSignal();

}  // namespace marketplace::gateway
