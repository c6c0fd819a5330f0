#include "timeline.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <memory>
#include <set>
#include <stdexcept>
#include <thread>
#include <tuple>

#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>
#include <pqxx/nontransaction>
#include <pqxx/pqxx>

#include "marketplace/auth/v1/auth.grpc.pb.h"
#include "marketplace/contracts/v1/contracts.grpc.pb.h"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/db/arrays.hpp"
#include "marketplace/db/pool.hpp"
#include "marketplace/disputes/v1/disputes.grpc.pb.h"
#include "marketplace/payments/v1/payments.grpc.pb.h"
#include "marketplace/rpc/client.hpp"
#include "marketplace/rpc/status.hpp"

namespace marketplace::timeline {
namespace {

// Every time read from a database is (microseconds since the epoch, RFC 3339 UTC text with milliseconds).
std::string TimeColumns(const std::string& column) {
    return "(extract(epoch FROM " + column + ") * 1000000)::bigint, to_char(" + column +
           " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";
}

// The same text for a time the services answered with: milliseconds truncated, as to_char's MS does.
std::string MillisText(std::int64_t at_us) {
    std::int64_t secs = at_us / 1'000'000;
    std::int64_t frac = at_us % 1'000'000;
    if (frac < 0) {
        frac += 1'000'000;
        secs -= 1;
    }
    const auto t = static_cast<std::time_t>(secs);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char date[32];
    std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    char out[48];
    std::snprintf(out, sizeof out, "%s.%03lldZ", date, static_cast<long long>(frac / 1000));
    return out;
}

std::int64_t MicrosOf(const google::protobuf::Timestamp& t) { return t.seconds() * 1'000'000 + t.nanos() / 1000; }

// "2026-11-21T14:07:47.123456Z" (payments' times) -> microseconds since the epoch.
std::int64_t MicrosOfRfc3339(const std::string& text) {
    std::tm tm{};
    int consumed = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                    &tm.tm_min, &tm.tm_sec, &consumed) != 6) {
        throw std::runtime_error("payments answered a time that is not RFC 3339: '" + text + "'");
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    std::int64_t micros = static_cast<std::int64_t>(timegm(&tm)) * 1'000'000;
    std::size_t i = static_cast<std::size_t>(consumed);
    if (i < text.size() && text[i] == '.') {
        std::int64_t scale = 100'000;
        for (++i; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0; ++i) {
            micros += (text[i] - '0') * scale;
            scale /= 10;
        }
    }
    if (i >= text.size() || text[i] != 'Z') {
        throw std::runtime_error("payments answered a time that is not in UTC: '" + text + "'");
    }
    return micros;
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

// "funding_pending" for MILESTONE_STATE_FUNDING_PENDING: the names contracts stores.
std::string StateName(contracts::v1::MilestoneState state) {
    std::string name = contracts::v1::MilestoneState_Name(state);
    const std::string prefix = "MILESTONE_STATE_";
    if (name.rfind(prefix, 0) == 0) name = name.substr(prefix.size());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return name;
}

Entry MakeEntry(const pqxx::row& r, int time_column, std::string service, std::string kind) {
    Entry e;
    e.at_us = r[time_column].as<std::int64_t>();
    e.at = r[time_column + 1].c_str();
    e.service = std::move(service);
    e.kind = std::move(kind);
    return e;
}

Entry MakeEntry(std::int64_t at_us, std::string service, std::string kind) {
    Entry e;
    e.at_us = at_us;
    e.at = MillisText(at_us);
    e.service = std::move(service);
    e.kind = std::move(kind);
    return e;
}

std::string Describe(const grpc::Status& status) {
    return std::string(rpc::StatusCodeName(status.error_code())) + ": " + status.error_message();
}

// One service's channel and the context of each call to it.
class Caller {
public:
    Caller(const std::string& target, const Sources& sources) : token_(sources.token), timeout_(sources.call_timeout) {
        rpc::ChannelOptions options;
        options.target = target;
        options.load_balancing = "pick_first";
        channel_ = rpc::CreateChannel(options);
    }
    const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
    std::unique_ptr<grpc::ClientContext> Context() const {
        auto ctx = std::make_unique<grpc::ClientContext>();
        rpc::PrepareClientContext(
            *ctx,
            {.deadline = std::chrono::system_clock::now() + timeout_, .idempotency_key = {}, .bearer_token = token_});
        return ctx;
    }

private:
    std::shared_ptr<grpc::Channel> channel_;
    std::string token_;
    std::chrono::milliseconds timeout_;
};

// contracts: the milestone's contract and every state it entered.
void ReadTransitions(const Caller& contracts, const std::string& milestone_id, Timeline& out,
                     std::vector<Entry>& entries) {
    auto stub = contracts::v1::ContractsService::NewStub(contracts.channel());
    contracts::v1::ListMilestoneTransitionsRequest request;
    request.set_milestone_id(milestone_id);
    contracts::v1::ListMilestoneTransitionsResponse response;
    const auto status = stub->ListMilestoneTransitions(contracts.Context().get(), request, &response);
    if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
        throw core::NotFound("milestone " + milestone_id + " is not in the contracts database");
    }
    if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
        throw core::InvalidArgument("milestone_id", status.error_message());
    }
    if (!status.ok()) throw std::runtime_error("contracts: " + Describe(status));
    out.contract_id = response.contract_id();
    for (const auto& t : response.transitions()) {
        Entry e = MakeEntry(MicrosOf(t.recorded_at()), "contracts", "state");
        const std::string to = StateName(t.to_state());
        if (t.from_state() == contracts::v1::MILESTONE_STATE_UNSPECIFIED) {
            e.what = "milestone created in " + to;
        } else {
            const std::string from = StateName(t.from_state());
            e.what = "milestone " + from + " -> " + to;
            e.fields["from_state"] = from;
        }
        e.fields["to_state"] = to;
        e.fields["service_clock"] = MillisText(MicrosOf(t.at()));
        entries.push_back(std::move(e));
    }
}

// payments: every ledger leg of the milestone's operations.
void ReadLedger(const Caller& payments, const std::string& milestone_id, std::vector<Entry>& entries) {
    auto stub = payments::v1::PaymentsService::NewStub(payments.channel());
    payments::v1::ListMilestoneLedgerLegsRequest request;
    request.set_milestone_id(milestone_id);
    payments::v1::ListMilestoneLedgerLegsResponse response;
    const auto status = stub->ListMilestoneLedgerLegs(payments.Context().get(), request, &response);
    if (!status.ok()) throw std::runtime_error("ledger legs not read: " + Describe(status));
    for (const auto& l : response.legs()) {
        Entry e = MakeEntry(MicrosOfRfc3339(l.created_at()), "payments", "ledger");
        const std::string amount = FormatMinor(l.amount().minor_units(), l.amount().currency());
        const std::string debit = l.debit_account_kind() + "(" + l.debit_account_owner() + ")";
        const std::string credit = l.credit_account_kind() + "(" + l.credit_account_owner() + ")";
        e.what = l.operation_kind() + " leg " + std::to_string(l.leg()) + ": " + amount + " " + debit + " -> " + credit;
        e.fields["operation_id"] = l.operation_id();
        e.fields["operation_kind"] = l.operation_kind();
        e.fields["leg"] = std::to_string(l.leg());
        e.fields["debit"] = debit;
        e.fields["credit"] = credit;
        e.fields["amount_minor"] = std::to_string(l.amount().minor_units());
        e.fields["currency"] = l.amount().currency();
        entries.push_back(std::move(e));
    }
}

// disputes: every step of every dispute over the milestone, in time order.
void ReadDisputeSteps(const Caller& disputes, const std::string& milestone_id, std::vector<Entry>& entries) {
    auto stub = disputes::v1::DisputesService::NewStub(disputes.channel());
    std::vector<std::string> dispute_ids;
    disputes::v1::ListDisputesRequest list;
    list.set_milestone_id(milestone_id);
    list.set_page_size(100);
    do {
        disputes::v1::ListDisputesResponse page;
        const auto status = stub->ListDisputes(disputes.Context().get(), list, &page);
        if (!status.ok()) throw std::runtime_error("disputes not listed: " + Describe(status));
        for (const auto& d : page.disputes()) dispute_ids.push_back(d.dispute_id());
        list.set_page_token(page.next_page_token());
    } while (!list.page_token().empty());

    std::vector<std::tuple<std::int64_t, std::int32_t, Entry>> steps;
    for (const auto& id : dispute_ids) {
        disputes::v1::ListDisputeStepsRequest request;
        request.set_dispute_id(id);
        disputes::v1::ListDisputeStepsResponse response;
        const auto status = stub->ListDisputeSteps(disputes.Context().get(), request, &response);
        if (!status.ok()) throw std::runtime_error("steps of dispute " + id + " not read: " + Describe(status));
        for (const auto& s : response.steps()) {
            Entry e = MakeEntry(MicrosOf(s.at()), "disputes", "dispute");
            e.what = s.step() + " (" + s.stage() + "): " + s.summary();
            e.fields["dispute_id"] = response.dispute_id();
            e.fields["seq"] = std::to_string(s.seq());
            e.fields["step"] = s.step();
            e.fields["stage"] = s.stage();
            e.fields["actor"] = s.actor();
            steps.emplace_back(e.at_us, s.seq(), std::move(e));
        }
    }
    std::stable_sort(steps.begin(), steps.end(), [](const auto& a, const auto& b) {
        return std::tie(std::get<0>(a), std::get<1>(a)) < std::tie(std::get<0>(b), std::get<1>(b));
    });
    for (auto& s : steps) entries.push_back(std::move(std::get<2>(s)));
}

void ReadPublished(pqxx::connection& conn, const std::string& service, const std::vector<std::string>& keys,
                   std::vector<Entry>& entries) {
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
        entries.push_back(std::move(e));
    }
}

void ReadConsumed(pqxx::connection& conn, const std::string& service, const std::vector<std::string>& keys,
                  std::vector<Entry>& entries) {
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
        entries.push_back(std::move(e));
    }
}

void Append(std::vector<Entry>& to, std::vector<Entry>& from) {
    to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

}  // namespace

Timeline Build(const Sources& sources, const std::string& milestone_id) {
    core::RequireUuid(milestone_id, "milestone_id");
    const auto contracts_target = sources.services.find("contracts");
    if (contracts_target == sources.services.end() || contracts_target->second.empty()) {
        throw core::InvalidArgument("contracts", "the contracts service is required");
    }
    Timeline out;
    out.milestone_id = milestone_id;
    // The milestone's contract (and NOT_FOUND) first: nothing else is read for an unknown milestone.
    std::vector<Entry> states;
    ReadTransitions(Caller(contracts_target->second, sources), milestone_id, out, states);
    // Events about the milestone are keyed by its id; those about its contract by the contract's.
    const std::vector<std::string> keys{milestone_id, out.contract_id};

    std::set<std::string> names;
    for (const auto& [service, conninfo] : sources.databases) names.insert(service);
    for (const auto& [service, target] : sources.services) names.insert(service);
    for (const auto& service : names) {
        // Each service's record of its own, then its messaging tables: the order entries of equal
        // time and kind keep.
        if (service == "contracts") Append(out.entries, states);
        const auto target = sources.services.find(service);
        if (target != sources.services.end() && !target->second.empty() && service != "contracts") {
            std::vector<Entry> own;
            try {
                const Caller caller(target->second, sources);
                if (service == "payments") ReadLedger(caller, milestone_id, own);
                if (service == "disputes") ReadDisputeSteps(caller, milestone_id, own);
                Append(out.entries, own);
            } catch (const std::exception& e) {
                out.notes.push_back(service + ": " + e.what());
            }
        }
        const auto database = sources.databases.find(service);
        if (database == sources.databases.end() || database->second.empty()) continue;
        std::vector<Entry> messaging;
        try {
            auto conn = db::Connect(database->second);
            ReadPublished(*conn, service, keys, messaging);
            ReadConsumed(*conn, service, keys, messaging);
            Append(out.entries, messaging);
        } catch (const std::exception& e) {
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

std::string LogIn(const std::string& auth_target, const std::string& email, const std::string& password,
                  std::chrono::milliseconds timeout) {
    rpc::ChannelOptions options;
    options.target = auth_target;
    options.load_balancing = "pick_first";
    auto stub = auth::v1::AuthService::NewStub(rpc::CreateChannel(options));
    auth::v1::LoginRequest request;
    request.set_email(email);
    request.set_password(password);
    const auto deadline = std::chrono::system_clock::now() + timeout;
    auto backoff = std::chrono::milliseconds(20);
    for (;;) {
        grpc::ClientContext ctx;
        rpc::PrepareClientContext(ctx, deadline);
        auth::v1::LoginResponse response;
        const auto status = stub->Login(&ctx, request, &response);
        if (status.ok()) return response.session().access_token();
        // RESOURCE_EXHAUSTED: every password-hashing slot of auth is busy and nothing was done.
        if (status.error_code() != grpc::StatusCode::RESOURCE_EXHAUSTED ||
            std::chrono::system_clock::now() + backoff >= deadline) {
            throw std::runtime_error("logging in to auth at " + auth_target + " failed: " + Describe(status));
        }
        std::this_thread::sleep_for(backoff);
        backoff = std::min(backoff * 2, std::chrono::milliseconds(500));
    }
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
