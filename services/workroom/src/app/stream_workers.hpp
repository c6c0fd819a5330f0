#pragma once
// A small fixed pool of threads for the work of the open live streams that may block: starting a
// stream (its lease, its rooms), reading a room's events after a cursor (from the shared cache, or
// PostgreSQL when the cache does not hold them), renewing a lease, checking a token. gRPC's callback
// threads must not block, and a thread per stream is what the streams no longer have; so each
// stream hands its turns to this pool, one at a time. A ticker calls `on_tick` every `tick` (the
// streams' token checks and poll safety net).
//
// Stop() (and the destructor) runs what is queued, then joins the threads: a task posted after it
// runs on the calling thread, so nothing posted is ever lost.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace marketplace::workroom {

class StreamWorkers final {
public:
    StreamWorkers(int threads, std::chrono::milliseconds tick, std::function<void()> on_tick);
    ~StreamWorkers();
    StreamWorkers(const StreamWorkers&) = delete;
    StreamWorkers& operator=(const StreamWorkers&) = delete;

    /// Runs `task` on one of the threads, in the order posted.
    void Post(std::function<void()> task);
    /// Runs what is queued, stops the ticker and joins the threads. Idempotent.
    void Stop();

private:
    void Work();
    void Tick();

    std::chrono::milliseconds tick_;
    std::function<void()> on_tick_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::condition_variable tick_cv_;
    std::deque<std::function<void()>> queue_;
    bool stopping_ = false;
    bool ticker_stopping_ = false;  // the ticker stops first: it never posts after stopping_
    std::vector<std::thread> threads_;
    std::thread ticker_;
};

}  // namespace marketplace::workroom
