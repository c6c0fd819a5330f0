#include "app/termination_signals.hpp"

#include <csignal>

#include <pthread.h>

namespace marketplace::notifications {
namespace {
sigset_t TerminationSignals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    return set;
}
}  // namespace

void BlockTerminationSignals() {
    const sigset_t set = TerminationSignals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int WaitForTerminationSignal() {
    const sigset_t set = TerminationSignals();
    int signal = 0;
    while (sigwait(&set, &signal) != 0) {
    }
    pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
    return signal;
}

}  // namespace marketplace::notifications
