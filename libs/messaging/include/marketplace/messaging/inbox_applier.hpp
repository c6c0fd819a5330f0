#pragma once
// How a consumer applies events: in one PostgreSQL transaction, each event's inbox row (a
// redelivered event changes nothing) and its handler. InboxConsumer applies what it reads through
// an InboxApplier; a service (or a benchmark) that has events in hand calls the same Apply.
//
// Group commit: Apply may be called from many threads at once. A caller that finds fewer than
// max_transactions transactions running becomes a leader: it takes the events waiting (at most
// max_batch, its own among them) and applies them together in one transaction, with one BEGIN and one COMMIT, and with
// the batch handler when there is one (a handler that does the work of many events in a few
// statements). The others wait; each is answered only once the transaction that holds its event
// has committed, or has failed. When a batch fails, it rolls back as a whole and the leader applies
// each of its events alone, so one failing event cannot fail the others, and each caller gets the
// outcome (or the exception) of its own event. A batch either commits entirely or not at all, and
// an event whose caller got an exception left nothing behind: its redelivery applies it.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "marketplace/core/clock.hpp"
#include "marketplace/db/pool.hpp"
#include "marketplace/messaging/event.hpp"

namespace marketplace::messaging {

/// Applies one event inside the consumer's transaction. Throwing rolls the transaction back.
using EventHandler = std::function<void(pqxx::work& tx, const IncomingEvent& event)>;

/// Applies several events, in order, inside one transaction (an optional faster way to do what the
/// EventHandler would do for each). Throwing rolls the whole transaction back.
using BatchHandler = std::function<void(pqxx::work& tx, const std::vector<const IncomingEvent*>& events)>;

/// What became of an applied event.
enum class InboxOutcome {
    kHandled,    // claimed in the inbox and handled
    kDuplicate,  // already in the inbox: nothing was done
    kHeld,       // its key waits behind a dead letter: parked behind it
};

struct ApplierOptions {
    std::string consumer;  // the inbox's consumer name (a consumer's group)
    /// Stamps inbox rows' handled_at; null: the database's clock.
    std::shared_ptr<const core::Clock> clock;
    /// At most this many events in one group-committed transaction.
    int max_batch = 64;
    /// At most this many such transactions at once (more overlap a commit's WAL flush with the next
    /// transaction's work, but contend for the rows they share, such as fee accounts).
    int max_transactions = 1;
    /// How long a leader waits for more events when fewer wait than its predecessor applied (the
    /// callers it answered, on their way back): fewer, fuller transactions for that much latency.
    std::chrono::microseconds gather{300};
    /// Handles the claimed events of a transaction together; null: the EventHandler, one by one.
    BatchHandler batch_handler;
    /// Called (by the thread that committed) after each transaction of Apply that committed.
    std::function<void()> after_commit;
};

/// The inbox's dead letter row of `event` (status parked, waiting...), written in `tx`.
void InsertDeadLetter(pqxx::work& tx, const std::string& consumer, const IncomingEvent& event, const char* status,
                      const std::string& error, int attempts);

class InboxApplier final {
public:
    InboxApplier(db::Pool& pool, ApplierOptions options, EventHandler handler);
    InboxApplier(const InboxApplier&) = delete;
    InboxApplier& operator=(const InboxApplier&) = delete;

    /// Applies `event` in a transaction shared with the events of concurrent callers (see above);
    /// returns once that transaction has committed. Throws what applying the event alone threw.
    InboxOutcome Apply(const IncomingEvent& event);

    /// What became of one event of ApplyTogether: its outcome, or what applying it alone threw.
    struct Applied {
        InboxOutcome outcome = InboxOutcome::kDuplicate;
        std::exception_ptr error;
    };
    /// What a leader of Apply does with its events: applies them in one transaction; if that fails,
    /// each alone in its own. Never throws; each event's result is in the same place.
    std::vector<Applied> ApplyTogether(const std::vector<const IncomingEvent*>& events);

    /// Applies `events` (in order) inside `tx`, with a few statements for the whole batch: locks their
    /// keys, holds the events of keys parked behind a dead letter, claims the rest in the inbox (a
    /// conflict is a duplicate), and handles the claimed events.
    std::vector<InboxOutcome> ApplyIn(pqxx::work& tx, const std::vector<const IncomingEvent*>& events);

    /// Transactions Apply committed, and how many of them applied more than one event.
    std::uint64_t commits() const;
    std::uint64_t shared_commits() const;

private:
    struct Waiting;
    void Lead(std::vector<Waiting*>& batch);
    std::string HandledAt() const;

    db::Pool& pool_;
    ApplierOptions options_;
    EventHandler handler_;
    mutable std::mutex mu_;
    std::condition_variable answered_;
    std::condition_variable arrived_;  // a caller arrived while a leader gathers
    bool gathering_ = false;
    int last_batch_ = 1;
    std::deque<Waiting*> waiting_;
    int leading_ = 0;  // transactions of Apply running
    std::uint64_t commits_ = 0;
    std::uint64_t shared_commits_ = 0;
};

/// The event's ce_time when it is an RFC 3339 UTC time as the relay writes it, else "" (the inbox
/// records it as unknown rather than failing the event).
std::string InboxEventTime(const IncomingEvent& event);

/// The inbox's advisory lock key for events of `key` at `consumer` (what InboxApplier::ApplyIn locks).
long long InboxKeyLock(const std::string& consumer, const std::string& key);

}  // namespace marketplace::messaging
