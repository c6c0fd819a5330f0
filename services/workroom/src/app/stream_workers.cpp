#include "app/stream_workers.hpp"

#include "marketplace/core/log.hpp"

namespace marketplace::workroom {

StreamWorkers::StreamWorkers(int threads, std::chrono::milliseconds tick, std::function<void()> on_tick)
    : tick_(tick), on_tick_(std::move(on_tick)) {
    threads_.reserve(static_cast<std::size_t>(threads));
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Work(); });
    if (on_tick_) ticker_ = std::thread([this] { Tick(); });
}

StreamWorkers::~StreamWorkers() { Stop(); }

void StreamWorkers::Post(std::function<void()> task) {
    {
        std::lock_guard lock(mu_);
        if (!stopping_) {
            queue_.push_back(std::move(task));
            task = nullptr;
        }
    }
    if (!task) {
        cv_.notify_one();  // after the lock is released: the worker woken does not wait for it
        return;
    }
    task();  // stopped: nobody else would run it
}

void StreamWorkers::Stop() {
    {
        std::lock_guard lock(mu_);
        if (ticker_stopping_) return;
        ticker_stopping_ = true;
    }
    tick_cv_.notify_all();
    if (ticker_.joinable()) ticker_.join();
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    for (auto& thread : threads_) thread.join();
}

void StreamWorkers::Work() {
    std::unique_lock lock(mu_);
    for (;;) {
        cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping, and nothing left
        auto task = std::move(queue_.front());
        queue_.pop_front();
        lock.unlock();
        try {
            task();
        } catch (const std::exception& e) {
            core::log::Error("live stream task failed", {{"error", e.what()}});
        }
        lock.lock();
    }
}

void StreamWorkers::Tick() {
    std::unique_lock lock(mu_);
    for (;;) {
        if (tick_cv_.wait_for(lock, tick_, [&] { return ticker_stopping_; })) return;
        lock.unlock();
        on_tick_();
        lock.lock();
    }
}

}  // namespace marketplace::workroom
