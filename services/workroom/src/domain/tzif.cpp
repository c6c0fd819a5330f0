#include "domain/tzif.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>

namespace marketplace::workroom {
namespace {

std::int64_t Big(std::string_view s, std::size_t at, int bytes) {
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(s[at + static_cast<std::size_t>(i)]);
    if (bytes == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
    return static_cast<std::int64_t>(v);
}

struct Header {
    std::uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

std::optional<Header> ReadHeader(std::string_view s, std::size_t at) {
    if (s.size() < at + 44 || s.substr(at, 4) != "TZif") return std::nullopt;
    Header h{};
    h.isutcnt = static_cast<std::uint32_t>(Big(s, at + 20, 4));
    h.isstdcnt = static_cast<std::uint32_t>(Big(s, at + 24, 4));
    h.leapcnt = static_cast<std::uint32_t>(Big(s, at + 28, 4));
    h.timecnt = static_cast<std::uint32_t>(Big(s, at + 32, 4));
    h.typecnt = static_cast<std::uint32_t>(Big(s, at + 36, 4));
    h.charcnt = static_cast<std::uint32_t>(Big(s, at + 40, 4));
    if (h.typecnt == 0 || h.typecnt > 256 || h.timecnt > 100000 || h.charcnt > 1000 || h.leapcnt > 1000) {
        return std::nullopt;
    }
    return h;
}

std::size_t BlockSize(const Header& h, int time_bytes) {
    return h.timecnt * static_cast<std::size_t>(time_bytes) + h.timecnt + h.typecnt * 6u + h.charcnt +
           h.leapcnt * static_cast<std::size_t>(time_bytes + 4) + h.isstdcnt + h.isutcnt;
}

// A POSIX TZ string's pieces, read left to right.
class PosixReader {
public:
    explicit PosixReader(std::string_view s) : s_(s) {}
    bool Done() const { return at_ >= s_.size(); }
    bool Peek(char c) const { return at_ < s_.size() && s_[at_] == c; }
    bool Eat(char c) {
        if (!Peek(c)) return false;
        ++at_;
        return true;
    }
    std::optional<std::string> Name() {
        if (Eat('<')) {
            const auto end = s_.find('>', at_);
            if (end == std::string_view::npos) return std::nullopt;
            std::string name(s_.substr(at_, end - at_));
            at_ = end + 1;
            return name;
        }
        const auto start = at_;
        while (at_ < s_.size() && std::isalpha(static_cast<unsigned char>(s_[at_])) != 0) ++at_;
        if (at_ - start < 3) return std::nullopt;
        return std::string(s_.substr(start, at_ - start));
    }
    std::optional<std::int32_t> Number(int max) {
        const auto start = at_;
        int n = 0;
        while (at_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[at_])) != 0) {
            n = n * 10 + (s_[at_++] - '0');
            if (n > max) return std::nullopt;
        }
        if (at_ == start) return std::nullopt;
        return n;
    }
    // [+-]hh[:mm[:ss]] in seconds.
    std::optional<std::int32_t> Duration(int max_hours) {
        int sign = 1;
        if (Eat('-')) {
            sign = -1;
        } else {
            Eat('+');
        }
        const auto h = Number(max_hours);
        if (!h) return std::nullopt;
        std::int32_t total = *h * 3600;
        if (Eat(':')) {
            const auto m = Number(59);
            if (!m) return std::nullopt;
            total += *m * 60;
            if (Eat(':')) {
                const auto sec = Number(59);
                if (!sec) return std::nullopt;
                total += *sec;
            }
        }
        return sign * total;
    }

private:
    std::string_view s_;
    std::size_t at_ = 0;
};

std::int64_t DaysOf(int year, int month, int day) {
    using namespace std::chrono;
    return sys_days{std::chrono::year{year} / std::chrono::month{static_cast<unsigned>(month)} /
                    std::chrono::day{static_cast<unsigned>(day)}}
        .time_since_epoch()
        .count();
}

int YearOf(std::int64_t unix_seconds) {
    using namespace std::chrono;
    const sys_days d{days{unix_seconds >= 0 ? unix_seconds / 86400 : (unix_seconds - 86399) / 86400}};
    return static_cast<int>(year_month_day{d}.year());
}

}  // namespace

std::optional<ZoneRules> ZoneRules::Parse(std::string_view s) {
    const auto v1 = ReadHeader(s, 0);
    if (!v1 || s.size() < 5 || s[4] < '2') return std::nullopt;
    const std::size_t second = 44 + BlockSize(*v1, 4);
    const auto h = ReadHeader(s, second);
    if (!h) return std::nullopt;
    const std::size_t data = second + 44;
    std::size_t at = data;
    if (s.size() < data + BlockSize(*h, 8) + 2) return std::nullopt;
    ZoneRules z;
    for (std::uint32_t i = 0; i < h->timecnt; ++i) z.times_.push_back(Big(s, at + i * 8u, 8));
    at += h->timecnt * 8u;
    for (std::uint32_t i = 0; i < h->timecnt; ++i) {
        const int type = static_cast<unsigned char>(s[at + i]);
        if (type >= static_cast<int>(h->typecnt)) return std::nullopt;
        z.type_of_.push_back(type);
    }
    at += h->timecnt;
    const std::size_t chars_at = at + h->typecnt * 6u;
    for (std::uint32_t i = 0; i < h->typecnt; ++i) {
        ZoneType t;
        t.utc_offset_seconds = static_cast<std::int32_t>(Big(s, at + i * 6u, 4));
        t.is_dst = s[at + i * 6u + 4] != 0;
        const auto abbr = static_cast<unsigned char>(s[at + i * 6u + 5]);
        if (abbr >= h->charcnt) return std::nullopt;
        const auto name = s.substr(chars_at + abbr, h->charcnt - abbr);
        t.abbreviation = std::string(name.substr(0, name.find('\0')));
        z.types_.push_back(t);
    }
    at = data + BlockSize(*h, 8);
    // The footer: "\n<POSIX TZ>\n".
    if (s[at] != '\n') return std::nullopt;
    const auto end = s.find('\n', at + 1);
    if (end == std::string_view::npos) return std::nullopt;
    PosixReader r(s.substr(at + 1, end - at - 1));
    const auto std_name = r.Name();
    const auto std_offset = r.Duration(24);
    if (!std_name || !std_offset) return std::nullopt;
    z.standard_ = ZoneType{-*std_offset, false, *std_name};
    if (!r.Done()) {
        const auto dst_name = r.Name();
        if (!dst_name) return std::nullopt;
        std::int32_t dst_offset = -*std_offset + 3600;
        if (!r.Peek(',')) {
            const auto given = r.Duration(24);
            if (!given) return std::nullopt;
            dst_offset = -*given;
        }
        z.daylight_ = ZoneType{dst_offset, true, *dst_name};
        for (Rule* rule : {&z.to_daylight_, &z.to_standard_}) {
            if (!r.Eat(',') || !r.Eat('M')) return std::nullopt;  // the IANA database writes Mm.w.d only
            const auto m = r.Number(12);
            if (!m || *m < 1 || !r.Eat('.')) return std::nullopt;
            const auto w = r.Number(5);
            if (!w || *w < 1 || !r.Eat('.')) return std::nullopt;
            const auto d = r.Number(6);
            if (!d) return std::nullopt;
            *rule = Rule{*m, *w, *d, 7200};
            if (r.Eat('/')) {
                const auto t = r.Duration(167);
                if (!t) return std::nullopt;
                rule->local_seconds = *t;
            }
        }
        if (!r.Done()) return std::nullopt;
    }
    return z;
}

std::vector<ZoneTransition> ZoneRules::FooterTransitions(int year) const {
    if (!daylight_) return {};
    const auto when = [&](const Rule& rule, std::int32_t offset_before) {
        // The week-th `weekday` of the month (5: the last), at the rule's local time in the offset
        // in force before the change.
        const std::int64_t first = DaysOf(year, rule.month, 1);
        const int first_weekday = static_cast<int>(((first % 7) + 11) % 7);  // 1970-01-01 was a Thursday (4)
        std::int64_t day = first + (rule.weekday - first_weekday + 7) % 7 + (rule.week - 1) * 7;
        const std::int64_t next_month = rule.month == 12 ? DaysOf(year + 1, 1, 1) : DaysOf(year, rule.month + 1, 1);
        while (day >= next_month) day -= 7;
        return day * 86400 + rule.local_seconds - offset_before;
    };
    std::vector<ZoneTransition> out{{when(to_daylight_, standard_.utc_offset_seconds), standard_, *daylight_},
                                    {when(to_standard_, daylight_->utc_offset_seconds), *daylight_, standard_}};
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.at < b.at; });
    return out;
}

ZoneType ZoneRules::TypeAt(std::int64_t t) const {
    if (times_.empty() || t >= times_.back()) {
        const ZoneType table_last = times_.empty() ? standard_ : types_[static_cast<std::size_t>(type_of_.back())];
        if (!daylight_) return table_last;
        // The latest of the footer's transitions at or before t (each year has two, so it lies in
        // this year or the one before), if it comes after the table.
        std::optional<ZoneTransition> latest;
        for (int year = YearOf(t) - 1; year <= YearOf(t); ++year) {
            for (const auto& tr : FooterTransitions(year)) {
                if (tr.at <= t && (times_.empty() || tr.at > times_.back())) latest = tr;
            }
        }
        return latest ? latest->after : table_last;
    }
    const auto it = std::upper_bound(times_.begin(), times_.end(), t);
    if (it == times_.begin()) {
        // Before the first transition: the first non-DST type, as RFC 8536 says.
        for (const auto& type : types_) {
            if (!type.is_dst) return type;
        }
        return types_.front();
    }
    return types_[static_cast<std::size_t>(type_of_[static_cast<std::size_t>(it - times_.begin() - 1)])];
}

std::vector<ZoneTransition> ZoneRules::TransitionsBetween(std::int64_t from, std::int64_t to) const {
    std::vector<ZoneTransition> out;
    for (std::size_t i = 0; i < times_.size(); ++i) {
        if (times_[i] <= from || times_[i] > to) continue;
        const auto before = TypeAt(times_[i] - 1);
        const auto& after = types_[static_cast<std::size_t>(type_of_[i])];
        if (before.utc_offset_seconds == after.utc_offset_seconds && before.is_dst == after.is_dst &&
            before.abbreviation == after.abbreviation) {
            continue;  // no change a calendar sees
        }
        out.push_back({times_[i], before, after});
    }
    const std::int64_t table_end = times_.empty() ? INT64_MIN : times_.back();
    for (int year = YearOf(std::max(from, table_end)); year <= YearOf(to); ++year) {
        for (const auto& tr : FooterTransitions(year)) {
            if (tr.at > from && tr.at <= to && tr.at > table_end) out.push_back(tr);
        }
    }
    return out;
}

}  // namespace marketplace::workroom
