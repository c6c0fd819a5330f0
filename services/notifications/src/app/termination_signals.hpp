#pragma once
// SIGTERM / SIGINT for this process: block them in every thread (call before any thread starts),
// then wait for the first in one thread. After it, a second one ends the process at once.
namespace marketplace::notifications {

void BlockTerminationSignals();
/// Returns the signal number once SIGTERM or SIGINT arrives, and unblocks them in the calling
/// thread, so that the next one gets the default action (the process ends).
int WaitForTerminationSignal();

}  // namespace marketplace::notifications
