#include "timeline.hpp"

#include <algorithm>
#include <cstdio>

#include <nlohmann/json.hpp>
#include <pqxx/nontransaction>
#include <pqxx/pqxx>

#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/db/arrays.hpp"
#include "marketplace/db/pool.hpp"

namespace marketplace::timeline {
namespace {

// Every time is read as (microseconds since the epoch, RFC 3339 UTC text with milliseconds).
std::string TimeColumns(const std::string& column) {
    return "(extract(epoch FROM " + column + ") * 1000000)::bigint, to_char(" + column +
           " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";
}

std::string ShortType(const std::string& type) {
    const auto dot = type.rfind('.');
    return dot == std::string::npos ? type : type.substr(dot + 1);
}

std::string FormatMinor(std::int64_t minor, const std::string& currency) {
    const bool negative = minor < 0;
    const auto abs = negative ? -static_cast<std::uint64_t>(minor) : static_cast<std::uint64_t>(minor);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s%llu.%02llu %s", negative ? "-" : "", static_cast<unsigned long long>(abs / 100),
                  static_cast<unsigned long long>(abs % 100), currency.c_str());
    return buf;
}

// The producing service of a ce_source "//marketplace/<service>".
std::string SourceService(const std::string& source) {
    const std::string prefix = "//marketplace/";
    return source.rfind(prefix, 0) == 0 ? source.substr(prefix.size()) : source;
}

Entry MakeEntry(const pqxx::row& r, int time_column, std::string service, std::string kind) {
    Entry e;
    e.at_us = r[time_column].as<std::int64_t>();
    e.at = r[time_column + 1].c_str();
    e.service = std::move(service);
    e.kind = std::move(kind);
    return e;
}

void ReadTransitions(pqxx::connection& conn, const std::string& milestone_id, Timeline& out) {
    pqxx::nontransaction q(conn);
    const auto rows =
        q.exec_params("SELECT " + TimeColumns("recorded_at") + ", COALESCE(from_state, ''), to_state, " +
                          TimeColumns("at") + " FROM milestone_transitions WHERE milestone_id = $1 ORDER BY id",
                      milestone_id);
    for (const auto& r : rows) {
        Entry e = MakeEntry(r, 0, "contracts", "state");
        const std::string from = r[2].c_str(), to = r[3].c_str();
        e.what = from.empty() ? "milestone created in " + to : "milestone " + from + " -> " + to;
        if (!from.empty()) e.fields["from_state"] = from;
        e.fields["to_state"] = to;
        e.fields["service_clock"] = r[5].c_str();
        out.entries.push_back(std::move(e));
    }
}

void ReadPublished(pqxx::connection& conn, const std::string& service, const std::vector<std::string>& keys,
                   Timeline& out) {
    pqxx::nontransaction q(conn);
    const auto rows = q.exec_params(
        // At the time the event was written (its ce_time, committed with the change that caused it);
        // the broker's acknowledgement, recorded after, may come later than a consumer's handling.
        "SELECT " + TimeColumns("created_at") +
            ", event_id::text, event_type, event_key, topic, traceparent, "
            "(extract(epoch FROM published_at - created_at) * 1000)::bigint "
            "FROM published_events WHERE event_key = ANY($1::text[]) ORDER BY created_at",
        db::TextArray(keys));
    for (const auto& r : rows) {
        Entry e = MakeEntry(r, 0, service, "published");
        e.what = ShortType(r[3].c_str()) + " (acknowledged by Kafka after " + r[7].c_str() + " ms)";
        e.fields["event_id"] = r[2].c_str();
        e.fields["event_type"] = r[3].c_str();
        e.fields["event_key"] = r[4].c_str();
        e.fields["topic"] = r[5].c_str();
        if (!r[6].is_null() && !std::string(r[6].c_str()).empty()) e.fields["traceparent"] = r[6].c_str();
        e.fields["publish_ms"] = r[7].c_str();
        out.entries.push_back(std::move(e));
    }
}

void ReadConsumed(pqxx::connection& conn, const std::string& service, const std::vector<std::string>& keys,
                  Timeline& out) {
    pqxx::nontransaction q(conn);
    const auto rows = q.exec_params("SELECT " + TimeColumns("handled_at") +
                                        ", event_id, event_type, source, consumer, topic, partition, \"offset\", "
                                        "CASE WHEN event_time IS NULL THEN NULL "
                                        "ELSE (extract(epoch FROM handled_at - event_time) * 1000)::bigint END "
                                        "FROM inbox WHERE event_key = ANY($1::text[]) ORDER BY handled_at",
                                    db::TextArray(keys));
    for (const auto& r : rows) {
        Entry e = MakeEntry(r, 0, service, "consumed");
        const std::string from = SourceService(r[4].c_str());
        e.what = ShortType(r[3].c_str()) + " from " + from;
        if (!r[9].is_null()) {
            e.what += " (lag " + std::string(r[9].c_str()) + " ms)";
            e.fields["lag_ms"] = r[9].c_str();
        }
        e.fields["event_id"] = r[2].c_str();
        e.fields["event_type"] = r[3].c_str();
        e.fields["consumer"] = r[5].c_str();
        e.fields["topic"] = r[6].c_str();
        e.fields["partition"] = r[7].c_str();
        e.fields["offset"] = r[8].c_str();
        out.entries.push_back(std::move(e));
    }
}

void ReadLedger(pqxx::connection& conn, const std::string& milestone_id, Timeline& out) {
    pqxx::nontransaction q(conn);
    const auto rows =
        q.exec_params("SELECT " + TimeColumns("t.created_at") +
                          ", o.id, o.kind, t.leg, d.kind, d.owner, c.kind, c.owner, t.amount, t.currency "
                          "FROM operations o JOIN transfers t ON t.operation_id = o.id "
                          "JOIN accounts d ON d.id = t.debit_account_id JOIN accounts c ON c.id = t.credit_account_id "
                          "WHERE o.reference = $1 ORDER BY t.id",
                      milestone_id);
    for (const auto& r : rows) {
        Entry e = MakeEntry(r, 0, "payments", "ledger");
        const std::string amount = FormatMinor(r[9].as<std::int64_t>(), r[10].c_str());
        const std::string debit = std::string(r[5].c_str()) + "(" + r[6].c_str() + ")";
        const std::string credit = std::string(r[7].c_str()) + "(" + r[8].c_str() + ")";
        e.what = std::string(r[3].c_str()) + " leg " + r[4].c_str() + ": " + amount + " " + debit + " -> " + credit;
        e.fields["operation_id"] = r[2].c_str();
        e.fields["operation_kind"] = r[3].c_str();
        e.fields["leg"] = r[4].c_str();
        e.fields["debit"] = debit;
        e.fields["credit"] = credit;
        e.fields["amount_minor"] = r[9].c_str();
        e.fields["currency"] = r[10].c_str();
        out.entries.push_back(std::move(e));
    }
}

void ReadDisputeSteps(pqxx::connection& conn, const std::string& milestone_id, Timeline& out) {
    pqxx::nontransaction q(conn);
    const auto rows = q.exec_params("SELECT " + TimeColumns("s.at") +
                                        ", d.id::text, s.seq, s.step, s.stage, s.actor, s.summary "
                                        "FROM dispute_steps s JOIN disputes d ON d.id = s.dispute_id "
                                        "WHERE d.milestone_id = $1 ORDER BY s.at, s.seq",
                                    milestone_id);
    for (const auto& r : rows) {
        Entry e = MakeEntry(r, 0, "disputes", "dispute");
        e.what = std::string(r[4].c_str()) + " (" + r[5].c_str() + "): " + r[7].c_str();
        e.fields["dispute_id"] = r[2].c_str();
        e.fields["seq"] = r[3].c_str();
        e.fields["step"] = r[4].c_str();
        e.fields["stage"] = r[5].c_str();
        e.fields["actor"] = r[6].c_str();
        out.entries.push_back(std::move(e));
    }
}

}  // namespace

Timeline Build(const std::map<std::string, std::string>& conninfo_by_service, const std::string& milestone_id) {
    core::RequireUuid(milestone_id, "milestone_id");
    const auto contracts = conninfo_by_service.find("contracts");
    if (contracts == conninfo_by_service.end()) {
        throw core::InvalidArgument("contracts", "the contracts database is required");
    }
    Timeline out;
    out.milestone_id = milestone_id;
    {
        auto conn = db::Connect(contracts->second);
        pqxx::nontransaction q(*conn);
        const auto found = q.exec_params("SELECT contract_id::text FROM milestones WHERE id = $1", milestone_id);
        if (found.empty()) throw core::NotFound("milestone " + milestone_id + " is not in the contracts database");
        out.contract_id = found[0][0].c_str();
    }
    // Events about the milestone are keyed by its id; those about its contract by the contract's.
    const std::vector<std::string> keys{milestone_id, out.contract_id};

    for (const auto& [service, conninfo] : conninfo_by_service) {
        try {
            auto conn = db::Connect(conninfo);
            if (service == "contracts") ReadTransitions(*conn, milestone_id, out);
            if (service == "payments") ReadLedger(*conn, milestone_id, out);
            if (service == "disputes") ReadDisputeSteps(*conn, milestone_id, out);
            ReadPublished(*conn, service, keys, out);
            ReadConsumed(*conn, service, keys, out);
        } catch (const std::exception& e) {
            if (service == "contracts") throw;
            out.notes.push_back(service + ": not read (" + e.what() + ")");
        }
    }
    // Time order; for equal times, the order a saga's steps happen in.
    auto rank = [](const std::string& kind) {
        if (kind == "consumed") return 0;
        if (kind == "state" || kind == "ledger" || kind == "dispute") return 1;
        return 2;  // published
    };
    std::stable_sort(out.entries.begin(), out.entries.end(), [&](const Entry& a, const Entry& b) {
        if (a.at_us != b.at_us) return a.at_us < b.at_us;
        return rank(a.kind) < rank(b.kind);
    });
    return out;
}

std::string FormatText(const Timeline& timeline) {
    std::string out = "milestone " + timeline.milestone_id + " (contract " + timeline.contract_id + ")\n";
    const std::int64_t start = timeline.entries.empty() ? 0 : timeline.entries.front().at_us;
    for (const auto& e : timeline.entries) {
        char line[160];
        std::snprintf(line, sizeof line, "%s  +%8.1f ms  %-13s %-9s ", e.at.c_str(),
                      static_cast<double>(e.at_us - start) / 1000.0, e.service.c_str(), e.kind.c_str());
        out += line;
        out += e.what;
        out += '\n';
    }
    for (const auto& note : timeline.notes) out += "note: " + note + "\n";
    return out;
}

std::string FormatJson(const Timeline& timeline) {
    nlohmann::json doc;
    doc["milestone_id"] = timeline.milestone_id;
    doc["contract_id"] = timeline.contract_id;
    doc["entries"] = nlohmann::json::array();
    for (const auto& e : timeline.entries) {
        doc["entries"].push_back(
            {{"at", e.at}, {"service", e.service}, {"kind", e.kind}, {"what", e.what}, {"fields", e.fields}});
    }
    doc["notes"] = timeline.notes;
    return doc.dump(2);
}

}  // namespace marketplace::timeline
