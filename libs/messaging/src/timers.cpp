#include "marketplace/messaging/timers.hpp"

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include <pqxx/binarystring>
#include <pqxx/nontransaction>
#include <pqxx/pqxx>

#include "marketplace/core/errors.hpp"
#include "marketplace/core/log.hpp"
#include "marketplace/db/errors.hpp"
#include "marketplace/db/statements.hpp"
#include "marketplace/db/transaction.hpp"

namespace marketplace::messaging {
namespace {

std::string Timestamp(core::Clock::TimePoint t) { return core::FormatRfc3339(t); }

}  // namespace

void ScheduleTimer(pqxx::work& tx, const std::string& kind, const std::string& key, core::Clock::TimePoint due_at,
                   const std::string& payload) {
    if (kind.empty() || kind.size() > 128) throw core::InvalidArgument("timer.kind", "must be 1..128 characters");
    if (key.empty() || key.size() > 512) throw core::InvalidArgument("timer.key", "must be 1..512 characters");
    const pqxx::binarystring data(payload.data(), payload.size());
    db::Exec(tx,
             "INSERT INTO timers (kind, timer_key, due_at, payload) VALUES ($1, $2, $3::timestamptz, $4) "
             "ON CONFLICT (kind, timer_key) DO UPDATE SET due_at = EXCLUDED.due_at, payload = EXCLUDED.payload, "
             "attempts = 0, last_error = ''",
             kind, key, Timestamp(due_at), data);
}

bool CancelTimer(pqxx::work& tx, const std::string& kind, const std::string& key) {
    return db::Exec(tx, "DELETE FROM timers WHERE kind = $1 AND timer_key = $2", kind, key).affected_rows() > 0;
}

class TimerScheduler::Impl {
public:
    Impl(db::PgConfig pg, std::shared_ptr<const core::Clock> clock, SchedulerOptions options)
        : pool_(std::move(pg)), clock_(std::move(clock)), options_(options) {}
    ~Impl() { Stop(); }

    void On(const std::string& kind, TimerHandler handler) { handlers_[kind] = std::move(handler); }

    void Start() {
        if (thread_.joinable()) return;
        stop_ = false;
        thread_ = std::thread([this] {
            // After a failed pass the loop waits longer each time (up to kMaxFailurePause), so a
            // database outage is waited out without spinning; the first pass that works resets it.
            constexpr std::chrono::milliseconds kMaxFailurePause{5000};
            std::chrono::milliseconds pause = options_.poll;
            int failures = 0;
            while (!stop_) {
                try {
                    const int fired = RunDue();
                    pause = options_.poll;
                    failures = 0;
                    if (fired > 0) continue;
                } catch (const std::exception& e) {
                    ++failures;
                    if (failures <= 3 || failures % 20 == 0) {
                        core::log::Error("timer scheduler pass failed; trying again after a pause",
                                         {{"error", e.what()},
                                          {"failures_in_a_row", failures},
                                          {"pause_ms", static_cast<long long>(pause.count())}});
                    }
                } catch (...) {
                    ++failures;
                    core::log::Error("timer scheduler pass failed with a non-standard exception", {});
                }
                std::unique_lock lock(mu_);
                cv_.wait_for(lock, pause, [this] { return stop_.load(); });
                if (failures > 0) pause = std::min(std::max(pause * 2, options_.poll), kMaxFailurePause);
            }
        });
    }

    void Stop() {
        stop_ = true;
        cv_.notify_all();
        if (thread_.joinable()) thread_.join();
    }

    int RunDue() {
        int fired = 0;
        for (int i = 0; i < options_.batch && !stop_; ++i) {
            if (!FireOne()) break;
            ++fired;
            if (options_.after_fire) options_.after_fire();
        }
        return fired;
    }

    std::int64_t Overdue(std::chrono::seconds grace) {
        auto lease = pool_.Acquire();
        pqxx::nontransaction q(*lease);
        return db::Exec1(q, "SELECT count(*) FROM timers WHERE due_at <= $1::timestamptz",
                         Timestamp(clock_->Now() - grace))[0]
            .as<std::int64_t>();
    }

    const TimerMetrics& metrics() const { return metrics_; }

private:
    /// Claims one due timer of a known kind, runs its handler and deletes it, all in one
    /// transaction; returns false when none is due. A failing handler pushes its timer back.
    bool FireOne() {
        if (handlers_.empty()) return false;
        std::string kinds = "{";
        for (const auto& [kind, _] : handlers_)
            kinds += (kinds.size() > 1 ? "," : "") + std::string("\"") + kind + "\"";
        kinds += "}";
        Timer claimed;
        try {
            const bool fired = db::InTransaction(pool_, [&](pqxx::work& tx) {
                const auto r = db::Exec(
                    tx,
                    "SELECT id, kind, timer_key, extract(epoch FROM due_at)::float8, payload, attempts FROM timers "
                    "WHERE due_at <= $1::timestamptz AND kind = ANY($2::text[]) "
                    "ORDER BY due_at, id LIMIT 1 FOR UPDATE SKIP LOCKED",
                    Timestamp(clock_->Now()), kinds);
                if (r.empty()) return false;
                claimed.id = r[0][0].as<std::int64_t>();
                claimed.kind = r[0][1].c_str();
                claimed.key = r[0][2].c_str();
                claimed.due_at = core::Clock::TimePoint(std::chrono::duration_cast<core::Clock::TimePoint::duration>(
                    std::chrono::duration<double>(r[0][3].as<double>())));
                const pqxx::binarystring payload(r[0][4]);
                claimed.payload.assign(payload.get(), payload.size());
                claimed.attempts = r[0][5].as<int>();
                handlers_.at(claimed.kind)(tx, claimed);
                db::Exec(tx, "DELETE FROM timers WHERE id = $1", claimed.id);
                return true;
            });
            if (fired) metrics_.Fired(claimed.kind);
            return fired;
        } catch (const std::exception& e) {
            // Nothing claimed, or the database went away under the handler: the transaction rolled
            // back, so the timer is still due and fires once the database answers again.
            if (claimed.id == 0 || db::IsConnectionFailure(e)) throw;
            const std::chrono::milliseconds delay = std::min<std::chrono::milliseconds>(
                options_.retry_base * (1LL << std::min(claimed.attempts, 20)), options_.retry_max);
            core::log::Error("timer handler failed; it will fire again later",
                             {{"kind", claimed.kind},
                              {"key", claimed.key},
                              {"error", e.what()},
                              {"retry_in_ms", static_cast<long long>(delay.count())}});
            db::InTransaction(pool_, [&](pqxx::work& tx) {
                db::Exec(
                    tx,
                    "UPDATE timers SET attempts = attempts + 1, last_error = $2, due_at = $3::timestamptz WHERE id = "
                    "$1",
                    claimed.id, std::string(e.what()).substr(0, 2000), Timestamp(clock_->Now() + delay));
            });
            return true;
        }
    }

    db::Pool pool_;
    std::shared_ptr<const core::Clock> clock_;
    SchedulerOptions options_;
    TimerMetrics metrics_;
    std::map<std::string, TimerHandler> handlers_;
    std::atomic<bool> stop_{false};
    std::mutex mu_;
    std::condition_variable cv_;
    std::thread thread_;
};

TimerScheduler::TimerScheduler(db::PgConfig pg, std::shared_ptr<const core::Clock> clock, SchedulerOptions options)
    : impl_(std::make_unique<Impl>(std::move(pg), std::move(clock), options)) {}
TimerScheduler::~TimerScheduler() = default;
void TimerScheduler::On(const std::string& kind, TimerHandler handler) { impl_->On(kind, std::move(handler)); }
void TimerScheduler::Start() { impl_->Start(); }
void TimerScheduler::Stop() { impl_->Stop(); }
int TimerScheduler::RunDue() { return impl_->RunDue(); }
std::int64_t TimerScheduler::Overdue(std::chrono::seconds grace) { return impl_->Overdue(grace); }
const TimerMetrics& TimerScheduler::metrics() const { return impl_->metrics(); }

}  // namespace marketplace::messaging
