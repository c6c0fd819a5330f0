#include "marketplace/messaging/inbox_applier.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <nlohmann/json.hpp>
#include <pqxx/binarystring>
#include <pqxx/pqxx>

#include "kafka.hpp"
#include "marketplace/core/log.hpp"
#include "marketplace/core/trace.hpp"
#include "marketplace/db/arrays.hpp"
#include "marketplace/db/statements.hpp"
#include "marketplace/db/transaction.hpp"

namespace marketplace::messaging {
namespace {

std::string HeadersJson(const IncomingEvent& e) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [k, v] : e.headers) j[k] = v;
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string TraceIdOf(const IncomingEvent& event) {
    auto t = core::TraceContext::Parse(event.traceparent);
    return t ? t->trace_id : std::string();
}

}  // namespace

std::string InboxEventTime(const IncomingEvent& e) {
    const std::string& t = e.time;
    auto digits = [&t](std::size_t at, std::size_t n, int lo, int hi) {
        if (t.size() < at + n) return -1;
        int v = 0;
        for (std::size_t i = at; i < at + n; ++i) {
            if (t[i] < '0' || t[i] > '9') return -1;
            v = v * 10 + (t[i] - '0');
        }
        return v >= lo && v <= hi ? v : -1;
    };
    if (t.size() < 20 || t.size() > 40 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':' ||
        t.back() != 'Z') {
        return {};
    }
    const int year = digits(0, 4, 1970, 9999), month = digits(5, 2, 1, 12), day = digits(8, 2, 1, 31);
    if (year < 0 || month < 0 || day < 0 || digits(11, 2, 0, 23) < 0 || digits(14, 2, 0, 59) < 0 ||
        digits(17, 2, 0, 59) < 0) {
        return {};
    }
    static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (day > kDays[month - 1] || (month == 2 && day == 29 && !leap)) return {};
    if (t.size() > 20) {  // a fraction: '.' and 1..9 digits before the 'Z'
        if (t[19] != '.' || t.size() < 22 || t.size() > 30) return {};
        for (std::size_t i = 20; i + 1 < t.size(); ++i) {
            if (t[i] < '0' || t[i] > '9') return {};
        }
    }
    return t;
}

long long InboxKeyLock(const std::string& consumer, const std::string& key) {
    return impl::StableHash(consumer + '\x1f' + key);
}

void InsertDeadLetter(pqxx::work& tx, const std::string& consumer, const IncomingEvent& event, const char* status,
                      const std::string& error, int attempts) {
    const pqxx::binarystring payload(event.payload.data(), event.payload.size());
    db::Exec(tx,
             "INSERT INTO dead_letters (consumer, topic, partition, \"offset\", event_key, event_id, headers, payload, "
             "status, error, attempts) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11)",
             consumer, event.topic, event.partition, event.offset, event.key, event.id, HeadersJson(event), payload,
             status, error.substr(0, 2000), attempts);
}

/// A caller of Apply waiting for its event's transaction.
struct InboxApplier::Waiting {
    const IncomingEvent* event = nullptr;
    bool done = false;
    InboxOutcome outcome = InboxOutcome::kDuplicate;
    std::exception_ptr error;
};

InboxApplier::InboxApplier(db::Pool& pool, ApplierOptions options, EventHandler handler)
    : pool_(pool), options_(std::move(options)), handler_(std::move(handler)) {
    if (options_.max_batch < 1) options_.max_batch = 1;
    if (options_.max_transactions < 1) options_.max_transactions = 1;
}

InboxOutcome InboxApplier::Apply(const IncomingEvent& event) {
    Waiting me;
    me.event = &event;
    std::unique_lock lock(mu_);
    waiting_.push_back(&me);
    if (gathering_) arrived_.notify_one();
    while (!me.done) {
        // Wait while as many transactions as allowed are running, or while this caller's event is
        // in one of them (nothing waits any more).
        if (leading_ >= options_.max_transactions || waiting_.empty()) {
            answered_.wait(lock);
            continue;
        }
        // Lead a transaction with the events waiting (this caller's among them unless a running
        // transaction already took it).
        ++leading_;
        // As many callers as the last transaction held are likely on their way back: wait a little
        // for them, so that one commit (one WAL flush) answers them all. Without concurrent callers
        // the last transaction held one event and nothing waits.
        const auto gather_until = std::chrono::steady_clock::now() + options_.gather;
        while (static_cast<int>(waiting_.size()) < std::min(last_batch_, options_.max_batch) &&
               std::chrono::steady_clock::now() < gather_until) {
            gathering_ = true;
            arrived_.wait_until(lock, gather_until);
            gathering_ = false;
        }
        std::vector<Waiting*> batch;
        while (!waiting_.empty() && static_cast<int>(batch.size()) < options_.max_batch) {
            batch.push_back(waiting_.front());
            waiting_.pop_front();
        }
        last_batch_ = static_cast<int>(batch.size());
        lock.unlock();
        Lead(batch);
        lock.lock();
        --leading_;
        for (auto* w : batch) w->done = true;
        answered_.notify_all();
    }
    if (me.error) std::rethrow_exception(me.error);
    return me.outcome;
}

void InboxApplier::Lead(std::vector<Waiting*>& batch) {
    std::vector<const IncomingEvent*> events;
    events.reserve(batch.size());
    for (const auto* w : batch) events.push_back(w->event);
    auto applied = ApplyTogether(events);
    for (std::size_t i = 0; i < batch.size(); ++i) {
        batch[i]->outcome = applied[i].outcome;
        batch[i]->error = applied[i].error;
    }
}

std::vector<InboxApplier::Applied> InboxApplier::ApplyTogether(const std::vector<const IncomingEvent*>& events) {
    std::vector<Applied> applied(events.size());
    if (events.size() > 1) {
        std::vector<InboxOutcome> outcomes;
        try {
            outcomes = db::InTransaction(pool_, [&](pqxx::work& tx) { return ApplyIn(tx, events); });
        } catch (const std::exception& e) {
            core::log::Info("shared transaction failed; applying its events one at a time",
                            {{"consumer", options_.consumer},
                             {"events", static_cast<long long>(events.size())},
                             {"error", e.what()}});
        }
        if (!outcomes.empty()) {
            {
                std::lock_guard lock(mu_);
                ++commits_;
                ++shared_commits_;
            }
            if (options_.after_commit) options_.after_commit();
            for (std::size_t i = 0; i < events.size(); ++i) applied[i].outcome = outcomes[i];
            return applied;
        }
    }
    for (std::size_t i = 0; i < events.size(); ++i) {
        try {
            const std::vector<const IncomingEvent*> one{events[i]};
            applied[i].outcome = db::InTransaction(pool_, [&](pqxx::work& tx) { return ApplyIn(tx, one); }).front();
            {
                std::lock_guard lock(mu_);
                ++commits_;
            }
            if (options_.after_commit) options_.after_commit();
        } catch (...) {
            applied[i].error = std::current_exception();
        }
    }
    return applied;
}

std::vector<InboxOutcome> InboxApplier::ApplyIn(pqxx::work& tx, const std::vector<const IncomingEvent*>& events) {
    std::vector<std::int64_t> locks;
    std::vector<std::string> keys;
    for (const auto* e : events) {
        locks.push_back(InboxKeyLock(options_.consumer, e->key));
        keys.push_back(e->key);
    }
    // Sorted, so two transactions locking overlapping keys cannot deadlock.
    db::Exec(tx, "SELECT pg_advisory_xact_lock(h) FROM unnest($1::bigint[]) AS h ORDER BY h", db::IntArray(locks));

    // In one statement (its snapshot taken once the keys are locked): the open dead letters of the
    // keys, and the inbox claims of the events whose key has none (a conflict is a duplicate).
    std::vector<std::string> sources, ids, topics, types, event_keys, times;
    std::vector<std::int64_t> partitions, offsets;
    for (const auto* e : events) {
        sources.push_back(e->source);
        ids.push_back(e->id);
        topics.push_back(e->topic);
        partitions.push_back(e->partition);
        offsets.push_back(e->offset);
        types.push_back(e->type);
        event_keys.push_back(e->key);
        times.push_back(InboxEventTime(*e));
    }
    std::map<std::string, std::set<std::string>> parked;  // key -> ids of its open dead letters
    std::set<std::pair<std::string, std::string>> claimed;
    for (const auto& row : db::Exec(
             tx,
             "WITH parked AS (SELECT event_key, event_id FROM dead_letters "
             "WHERE consumer = $1 AND event_key = ANY($8::text[]) AND status <> 'resolved'), "
             "claimed AS (INSERT INTO inbox (consumer, source, event_id, topic, partition, \"offset\", event_type, "
             "event_key, event_time, handled_at) "
             "SELECT $1, s, i, t, p, o, ty, k, NULLIF(tm, '')::timestamptz, "
             "COALESCE(NULLIF($10, '')::timestamptz, clock_timestamp()) "
             "FROM unnest($2::text[], $3::text[], $4::text[], $5::int[], $6::bigint[], $7::text[], $8::text[], "
             "$9::text[]) AS x(s, i, t, p, o, ty, k, tm) WHERE k NOT IN (SELECT event_key FROM parked) "
             "ON CONFLICT DO NOTHING RETURNING source, event_id) "
             "SELECT true, event_key, event_id FROM parked UNION ALL SELECT false, source, event_id FROM claimed",
             options_.consumer, db::TextArray(sources), db::TextArray(ids), db::TextArray(topics),
             db::IntArray(partitions), db::IntArray(offsets), db::TextArray(types), db::TextArray(event_keys),
             db::TextArray(times), HandledAt())) {
        if (row[0].as<bool>()) {
            parked[row[1].c_str()].insert(row[2].c_str());
        } else {
            claimed.emplace(row[1].c_str(), row[2].c_str());
        }
    }

    std::vector<InboxOutcome> outcomes(events.size(), InboxOutcome::kDuplicate);
    std::vector<std::size_t> to_claim;
    for (std::size_t i = 0; i < events.size(); ++i) {
        const IncomingEvent& e = *events[i];
        auto it = parked.find(e.key);
        if (it == parked.end()) {
            to_claim.push_back(i);
            continue;
        }
        // The key waits behind a dead letter: keep this event behind it, once.
        if (it->second.insert(e.id).second) {
            InsertDeadLetter(tx, options_.consumer, e, "waiting",
                             "held behind an earlier dead letter with the same key", 0);
        }
        outcomes[i] = InboxOutcome::kHeld;
    }
    std::vector<const IncomingEvent*> handled;
    for (std::size_t i : to_claim) {
        const IncomingEvent& e = *events[i];
        // erase: a copy of the same event later in the batch is a duplicate.
        if (claimed.erase({e.source, e.id}) == 0) continue;
        handled.push_back(&e);
        outcomes[i] = InboxOutcome::kHandled;
    }
    if (options_.batch_handler && handled.size() > 1) {
        options_.batch_handler(tx, handled);
        return outcomes;
    }
    for (const auto* e : handled) {
        core::log::LogScope scope(TraceIdOf(*e), e->id);
        handler_(tx, *e);
    }
    return outcomes;
}

std::string InboxApplier::HandledAt() const {
    return options_.clock ? core::FormatRfc3339(options_.clock->Now()) : std::string();
}

std::uint64_t InboxApplier::commits() const {
    std::lock_guard lock(mu_);
    return commits_;
}

std::uint64_t InboxApplier::shared_commits() const {
    std::lock_guard lock(mu_);
    return shared_commits_;
}

}  // namespace marketplace::messaging
