#include "marketplace/db/migration_runner.hpp"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <pqxx/except>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>
#include <utility>

#include "marketplace/core/log.hpp"
#include "marketplace/db/statements.hpp"

namespace marketplace::db {
namespace {

/// The advisory lock every migration runner holds while it runs ("mktmigr" in ASCII).
constexpr std::int64_t kMigrationLockKey = 0x6d6b746d696772;
/// Versions are PostgreSQL ints; nine digits keep every version in range.
constexpr std::size_t kMaxVersionDigits = 9;

struct Migration {
    int version = 0;
    const MigrationFile* file = nullptr;
};

std::string NameRule(const std::string& filename) {
    return "migration file name '" + filename +
           "' does not match V<version>__<name>.sql (version: digits, at least 1; name: letters, digits, _ or -)";
}

/// The version of a file named V<digits>__<name>.sql, or nullopt when the name does not match.
std::optional<int> ParseVersion(const std::string& filename) {
    constexpr std::string_view kSuffix = ".sql";
    if (filename.size() < 1 + 1 + 2 + 1 + kSuffix.size() || filename[0] != 'V') return std::nullopt;
    if (filename.compare(filename.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0) return std::nullopt;
    std::size_t i = 1;
    while (i < filename.size() && std::isdigit(static_cast<unsigned char>(filename[i]))) ++i;
    const std::size_t digits = i - 1;
    if (digits == 0 || digits > kMaxVersionDigits) return std::nullopt;
    if (filename.compare(i, 2, "__") != 0) return std::nullopt;
    const std::size_t name_begin = i + 2;
    const std::size_t name_end = filename.size() - kSuffix.size();
    if (name_begin >= name_end) return std::nullopt;
    for (std::size_t j = name_begin; j < name_end; ++j) {
        const unsigned char c = static_cast<unsigned char>(filename[j]);
        if (!std::isalnum(c) && c != '_' && c != '-') return std::nullopt;
    }
    const int version = std::stoi(filename.substr(1, digits));
    if (version < 1) return std::nullopt;
    return version;
}

/// Validates names and versions; returns the files ordered by version.
std::vector<Migration> Order(const std::vector<MigrationFile>& files) {
    std::vector<Migration> ordered;
    ordered.reserve(files.size());
    for (const auto& f : files) {
        const auto version = ParseVersion(f.filename);
        if (!version) throw MigrationError(NameRule(f.filename));
        ordered.push_back({*version, &f});
    }
    std::stable_sort(ordered.begin(), ordered.end(),
                     [](const Migration& a, const Migration& b) { return a.version < b.version; });
    for (std::size_t i = 1; i < ordered.size(); ++i) {
        if (ordered[i].version == ordered[i - 1].version) {
            throw MigrationError("migration files " + ordered[i - 1].file->filename + " and " +
                                 ordered[i].file->filename + " share version " + std::to_string(ordered[i].version));
        }
    }
    return ordered;
}

std::string Trimmed(std::string s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    return s;
}

/// Holds pg_advisory_lock(kMigrationLockKey) on a connection; releases it whatever happens.
class AdvisoryLock final {
public:
    explicit AdvisoryLock(pqxx::connection& conn) : conn_(conn) {
        pqxx::nontransaction tx(conn_, "migration_lock");
        db::Exec(tx, "SELECT pg_advisory_lock($1)", kMigrationLockKey);
    }
    ~AdvisoryLock() {
        try {
            pqxx::nontransaction tx(conn_, "migration_unlock");
            db::Exec(tx, "SELECT pg_advisory_unlock($1)", kMigrationLockKey);
        } catch (const std::exception& e) {
            // A broken session has released the lock already.
            core::log::Warn("migrations: could not release the advisory lock", {{"error", Trimmed(e.what())}});
        }
    }
    AdvisoryLock(const AdvisoryLock&) = delete;
    AdvisoryLock& operator=(const AdvisoryLock&) = delete;

private:
    pqxx::connection& conn_;
};

struct Applied {
    std::string name;
    std::string checksum;
};

/// Checksums recorded before checksums covered only statements (the SHA-256 of the whole file), of
/// files whose comments were corrected since, each with the checksum of the statements it recorded.
/// The corrected files' statements must still match, so no statement can change unnoticed.
const std::map<std::string, std::string>& CommentOnlyEdits() {
    static const std::map<std::string, std::string> edits = {
        // libs/rpc V001__idempotency_keys.sql
        {"f568c7edd55cef86c07cdf30d5c85f7b1f6fa91cc18975fc9a673b462d111206",
         "ccb8198bfc0d8d5b4371a4b22e5277d373854db2394785078dfd02fdd0e4190d"},
        // services/jobs V001__init.sql
        {"2c10c407be6c3eccb29acc605ab8091cfe14a024fd44049be65be9c16c57922c",
         "501cce5ac135c6bedf263f2874036ad50be54c960c34e30dbd97f996f1a99f95"},
        // services/payments V001__init.sql
        {"c3b22b4ad700ded173feddcda35b9572e75669d33659a760c1c327a29ad85386",
         "6e834382805a075ea53fa938ae9f4a25a762ca9c7060381d9f9ff371ff32efaa"},
    };
    return edits;
}

void RecordChecksum(pqxx::connection& conn, const std::string& component, int version, const std::string& checksum) {
    pqxx::work tx(conn, "migration_checksum");
    db::Exec(tx, "UPDATE schema_migrations SET checksum = $3 WHERE component = $1 AND version = $2", component, version,
             checksum);
    tx.commit();
}

std::map<int, Applied> ReadApplied(pqxx::connection& conn, const std::string& component) {
    pqxx::work tx(conn, "migration_state");
    tx.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " component text NOT NULL,"
        " version int NOT NULL,"
        " name text NOT NULL,"
        " checksum text NOT NULL,"
        " applied_at timestamptz NOT NULL DEFAULT now(),"
        " PRIMARY KEY (component, version))");
    const pqxx::result rows = db::Exec(
        tx, "SELECT version, name, checksum FROM schema_migrations WHERE component = $1 ORDER BY version", component);
    tx.commit();
    std::map<int, Applied> applied;
    for (const auto& row : rows) {
        applied.emplace(row[0].as<int>(), Applied{row[1].as<std::string>(), row[2].as<std::string>()});
    }
    return applied;
}

void ApplyOne(pqxx::connection& conn, const std::string& component, const Migration& m, const std::string& checksum) {
    const auto started = std::chrono::steady_clock::now();
    try {
        pqxx::work tx(conn, "migration");
        tx.exec(m.file->sql);
        db::Exec(tx, "INSERT INTO schema_migrations (component, version, name, checksum) VALUES ($1, $2, $3, $4)",
                 component, m.version, m.file->filename, checksum);
        tx.commit();
    } catch (const std::exception& e) {
        throw MigrationError(component + ": migration " + m.file->filename + " failed: " + Trimmed(e.what()));
    }
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    core::log::Info("migration applied", {{"component", component},
                                          {"file", m.file->filename},
                                          {"version", m.version},
                                          {"duration_ms", static_cast<long long>(ms)}});
}

}  // namespace

std::string Sha256Hex(const std::string& data) {
    static const bool initialized = [] {
        if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
        return true;
    }();
    (void)initialized;
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(2 * sizeof(digest));
    for (unsigned char b : digest) {
        hex += kHex[b >> 4];
        hex += kHex[b & 0x0f];
    }
    return hex;
}

std::string StatementsOf(const std::string& sql) {
    std::string text;
    text.reserve(sql.size());
    const std::size_t n = sql.size();
    std::size_t i = 0;
    while (i < n) {
        const char c = sql[i];
        if (c == '-' && i + 1 < n && sql[i + 1] == '-') {  // a line comment: up to the newline
            while (i < n && sql[i] != '\n') ++i;
        } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {  // a block comment; PostgreSQL nests them
            int depth = 0;
            while (i < n) {
                if (sql[i] == '/' && i + 1 < n && sql[i + 1] == '*') {
                    ++depth;
                    i += 2;
                } else if (sql[i] == '*' && i + 1 < n && sql[i + 1] == '/') {
                    i += 2;
                    if (--depth == 0) break;
                } else {
                    ++i;
                }
            }
        } else if (c == '\'' || c == '"') {  // a literal or a quoted identifier; doubled quotes stay inside
            const std::size_t start = i++;
            while (i < n) {
                if (sql[i] == c) {
                    if (i + 1 < n && sql[i + 1] == c) {
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                ++i;
            }
            text.append(sql, start, i - start);
        } else if (c == '$') {  // a dollar-quoted body: $tag$ ... $tag$
            std::size_t j = i + 1;
            while (j < n && (std::isalnum(static_cast<unsigned char>(sql[j])) || sql[j] == '_')) ++j;
            if (j < n && sql[j] == '$' && !(j > i + 1 && std::isdigit(static_cast<unsigned char>(sql[i + 1])))) {
                const std::string tag = sql.substr(i, j - i + 1);
                const std::size_t close = sql.find(tag, j + 1);
                const std::size_t end = close == std::string::npos ? n : close + tag.size();
                text.append(sql, i, end - i);
                i = end;
            } else {
                text += c;  // a parameter such as $1
                ++i;
            }
        } else {
            text += c;
            ++i;
        }
    }
    // Trailing blanks off each line, empty lines out.
    std::string out;
    out.reserve(text.size());
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t eol = text.find('\n', pos);
        if (eol == std::string::npos) eol = text.size();
        std::size_t end = eol;
        while (end > pos && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
        if (end > pos) {
            if (!out.empty()) out += '\n';
            out.append(text, pos, end - pos);
        }
        pos = eol + 1;
    }
    return out;
}

std::string MigrationChecksum(const std::string& sql) { return Sha256Hex(StatementsOf(sql)); }

bool ChecksumMatches(const std::string& recorded, const std::string& sql) {
    const std::string checksum = MigrationChecksum(sql);
    if (recorded == checksum || recorded == Sha256Hex(sql)) return true;
    const auto it = CommentOnlyEdits().find(recorded);
    return it != CommentOnlyEdits().end() && it->second == checksum;
}

std::vector<MigrationFile> LoadMigrationDir(const std::filesystem::path& dir) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
        throw MigrationError("migration directory " + dir.string() + " does not exist or is not a directory");
    }
    std::vector<MigrationFile> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (!entry.is_regular_file()) continue;
        const std::string filename = entry.path().filename().string();
        std::string extension = entry.path().extension().string();
        std::transform(extension.begin(), extension.end(), extension.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (extension != ".sql") continue;  // READMEs and the like live next to migrations
        if (!ParseVersion(filename)) throw MigrationError(NameRule(filename) + " in " + dir.string());
        std::ifstream in(entry.path(), std::ios::binary);
        if (!in) throw MigrationError("cannot open migration file " + entry.path().string());
        std::string content{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        if (in.bad()) throw MigrationError("cannot read migration file " + entry.path().string());
        files.push_back({filename, std::move(content)});
    }
    const auto ordered = Order(files);  // validates names and versions
    std::vector<MigrationFile> sorted;
    sorted.reserve(ordered.size());
    for (const auto& m : ordered) sorted.push_back(*m.file);
    return sorted;
}

MigrationReport ApplyMigrations(pqxx::connection& conn, const std::string& component,
                                const std::vector<MigrationFile>& files) {
    if (component.empty()) throw MigrationError("migrations: the component name must not be empty");
    const std::vector<Migration> ordered = Order(files);

    AdvisoryLock lock(conn);
    const std::map<int, Applied> applied = ReadApplied(conn, component);

    std::map<int, const Migration*> by_version;
    for (const auto& m : ordered) by_version.emplace(m.version, &m);
    for (const auto& [version, row] : applied) {
        if (by_version.find(version) == by_version.end()) {
            throw MigrationError(component + ": migration " + row.name + " (version " + std::to_string(version) +
                                 ") was applied but its file is missing; migrations are never removed");
        }
    }

    MigrationReport report;
    const int latest_applied = applied.empty() ? 0 : applied.rbegin()->first;
    std::vector<std::pair<const Migration*, std::string>> pending;
    for (const auto& m : ordered) {
        const std::string checksum = MigrationChecksum(m.file->sql);
        const auto it = applied.find(m.version);
        if (it != applied.end()) {
            if (!ChecksumMatches(it->second.checksum, m.file->sql)) {
                throw MigrationError(component + ": " + m.file->filename +
                                     " was changed after it was applied (checksum " + checksum +
                                     " != " + it->second.checksum + " applied as " + it->second.name + ")");
            }
            // An older form of the checksum is replaced by the statements' one, which later
            // corrections of comments keep.
            if (it->second.checksum != checksum) RecordChecksum(conn, component, m.version, checksum);
            ++report.already_applied;
            continue;
        }
        if (m.version < latest_applied) {
            throw MigrationError(
                component + ": " + m.file->filename + " is older than " + applied.rbegin()->second.name +
                ", which is applied already; give it a version above " + std::to_string(latest_applied));
        }
        pending.emplace_back(&m, checksum);
    }

    for (const auto& [m, checksum] : pending) {
        ApplyOne(conn, component, *m, checksum);
        report.applied.push_back(m->file->filename);
    }
    return report;
}

}  // namespace marketplace::db
