#pragma once
// Forward-only SQL migrations: files named V###__name.sql, applied in version order, each in its
// own transaction, recorded in schema_migrations with a SHA-256 checksum of its statements (the
// SQL without its comments, so comments can be corrected). A component (a service, or a library
// such as messaging) keeps its own version sequence. An applied file whose statements changed
// refuses the start. Runs under a PostgreSQL advisory lock, so replicas starting together
// do not race.
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <pqxx/connection>

namespace marketplace::db {

struct MigrationFile {
    std::string filename;  // "V001__init.sql"
    std::string sql;
};

class MigrationError final : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct MigrationReport {
    std::vector<std::string> applied;  // filenames applied by this run
    int already_applied = 0;
};

/// Reads every V###__*.sql file of `dir` (sorted by version).
std::vector<MigrationFile> LoadMigrationDir(const std::filesystem::path& dir);

/// Applies what is not applied yet; throws MigrationError on a bad name, a duplicate version, a gap
/// in what was applied before, a checksum mismatch, or a failing statement (naming the file).
MigrationReport ApplyMigrations(pqxx::connection& conn, const std::string& component,
                                const std::vector<MigrationFile>& files);

/// Hex SHA-256 of `data` (used for checksums; exposed for tests).
std::string Sha256Hex(const std::string& data);

/// The statements of a migration: its SQL without `--` and `/* */` comments (string literals,
/// quoted identifiers and dollar-quoted bodies are kept whole), each line's trailing blanks and
/// the lines left empty removed. A file without comments or blank lines is returned unchanged.
std::string StatementsOf(const std::string& sql);

/// The checksum recorded for a migration: Sha256Hex(StatementsOf(sql)).
std::string MigrationChecksum(const std::string& sql);

/// Whether a checksum recorded in schema_migrations stands for `sql`: its MigrationChecksum; the
/// SHA-256 of the whole file, as recorded before checksums covered only statements; or such a
/// whole-file checksum of one of the files whose comments alone were corrected since, whose
/// statements must still match. A match of an older form is rewritten to MigrationChecksum.
bool ChecksumMatches(const std::string& recorded, const std::string& sql);

}  // namespace marketplace::db
