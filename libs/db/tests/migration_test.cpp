// Migration files without a database: checksums, file names, ordering.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "marketplace/db/migration_runner.hpp"

namespace db = marketplace::db;
namespace fs = std::filesystem;

namespace {

/// A scratch directory removed when the test ends.
class TempDir final {
public:
    TempDir() {
        std::random_device rd;
        path_ =
            fs::temp_directory_path() / ("migration_test_" + std::to_string(::getpid()) + "_" + std::to_string(rd()));
        fs::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const fs::path& path() const { return path_; }
    void Write(const std::string& name, const std::string& content) const {
        std::ofstream out(path_ / name, std::ios::binary);
        out << content;
    }

private:
    fs::path path_;
};

std::vector<std::string> Names(const std::vector<db::MigrationFile>& files) {
    std::vector<std::string> names;
    for (const auto& f : files) names.push_back(f.filename);
    return names;
}

}  // namespace

TEST_CASE("Sha256Hex matches the published SHA-256 test vectors", "[db][migrations]") {
    CHECK(db::Sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(db::Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(db::Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(db::Sha256Hex(std::string(1'000'000, 'a')) ==
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("Sha256Hex hashes every byte, including NUL bytes", "[db][migrations]") {
    // sha256sum of the three bytes 'a', 0x00, 'b'.
    CHECK(db::Sha256Hex(std::string("a\0b", 3)) == "59b271ae1bbcb1d31d41929817f4b16fb439eb4f31520b5ad1d5ce98920a7138");
    CHECK(db::Sha256Hex(std::string("a\0b", 3)) != db::Sha256Hex("a"));
}

TEST_CASE("LoadMigrationDir orders files by numeric version and reads them byte for byte", "[db][migrations]") {
    TempDir dir;
    dir.Write("V10__tenth.sql", "SELECT 10;\r\n");
    dir.Write("V2__second.sql", "SELECT 2;\n");
    dir.Write("V001__first.sql", "CREATE TABLE t (id int);\n-- comment with 'quotes' and \\ backslash\n");
    dir.Write("V3__empty.sql", "");
    dir.Write("README.md", "not a migration");
    dir.Write("notes.txt", "V4__looks_like_one.sql");
    fs::create_directories(dir.path() / "V5__a_directory.sql");

    const auto files = db::LoadMigrationDir(dir.path());

    // Lexicographic order would put V10 before V2.
    REQUIRE(Names(files) ==
            std::vector<std::string>{"V001__first.sql", "V2__second.sql", "V3__empty.sql", "V10__tenth.sql"});
    CHECK(files[0].sql == "CREATE TABLE t (id int);\n-- comment with 'quotes' and \\ backslash\n");
    CHECK(files[1].sql == "SELECT 2;\n");
    CHECK(files[2].sql.empty());
    CHECK(files[3].sql == "SELECT 10;\r\n");
}

TEST_CASE("LoadMigrationDir rejects a .sql file whose name is not V<version>__<name>.sql, naming it",
          "[db][migrations]") {
    const std::string bad =
        GENERATE(as<std::string>{}, "V1_init.sql", "v1__init.sql", "V__init.sql", "Vx__init.sql", "V1__.sql",
                 "V1__in it.sql", "init.sql", "V0__zero.sql", "V1234567890__huge.sql", "V1__init.SQL");
    TempDir dir;
    dir.Write("V1__fine.sql", "SELECT 1;");
    dir.Write(bad, "SELECT 2;");

    try {
        db::LoadMigrationDir(dir.path());
        FAIL("expected a MigrationError for " << bad);
    } catch (const db::MigrationError& e) {
        CHECK_THAT(e.what(), Catch::Matchers::Contains("'" + bad + "'"));
        CHECK_THAT(e.what(), Catch::Matchers::Contains("V<version>__<name>.sql"));
    }
}

TEST_CASE("LoadMigrationDir rejects two files with the same version, naming both", "[db][migrations]") {
    TempDir dir;
    dir.Write("V1__first.sql", "SELECT 1;");
    dir.Write("V001__also_first.sql", "SELECT 1;");
    dir.Write("V2__second.sql", "SELECT 2;");

    try {
        db::LoadMigrationDir(dir.path());
        FAIL("expected a MigrationError");
    } catch (const db::MigrationError& e) {
        CHECK_THAT(e.what(), Catch::Matchers::Contains("V1__first.sql"));
        CHECK_THAT(e.what(), Catch::Matchers::Contains("V001__also_first.sql"));
        CHECK_THAT(e.what(), Catch::Matchers::Contains("version 1"));
    }
}

TEST_CASE("LoadMigrationDir refuses a directory that does not exist", "[db][migrations]") {
    TempDir dir;
    const auto missing = dir.path() / "nope";
    CHECK_THROWS_MATCHES(
        db::LoadMigrationDir(missing), db::MigrationError,
        Catch::Matchers::Message("migration directory " + missing.string() + " does not exist or is not a directory"));
}

TEST_CASE("LoadMigrationDir of an empty directory returns no files", "[db][migrations]") {
    TempDir dir;
    CHECK(db::LoadMigrationDir(dir.path()).empty());
}

TEST_CASE("StatementsOf drops comments and blank lines and keeps literals, quoted names and bodies whole",
          "[db][migrations]") {
    CHECK(db::StatementsOf("CREATE TABLE t (id int);") == "CREATE TABLE t (id int);");
    CHECK(db::StatementsOf("-- a table\nCREATE TABLE t (id int);  -- its id\n\n\nSELECT 1;\n") ==
          "CREATE TABLE t (id int);\nSELECT 1;");
    CHECK(db::StatementsOf("SELECT /* one /* nested */ still */ 1;") == "SELECT  1;");
    // Comment markers inside literals, quoted identifiers and dollar-quoted bodies are text.
    CHECK(db::StatementsOf("SELECT '--not a comment', 'it''s /* kept */';") ==
          "SELECT '--not a comment', 'it''s /* kept */';");
    CHECK(db::StatementsOf("SELECT 1 AS \"a -- b\";") == "SELECT 1 AS \"a -- b\";");
    const std::string body =
        "CREATE FUNCTION f() RETURNS int AS $fn$\n-- inside the body\nSELECT 1;\n$fn$ LANGUAGE sql;";
    CHECK(db::StatementsOf(body) == body);
    CHECK(db::StatementsOf("SELECT $1 -- a parameter\n, $$x -- y$$;") == "SELECT $1\n, $$x -- y$$;");
}

TEST_CASE("A migration's checksum ignores its comments and catches every change to its statements",
          "[db][migrations]") {
    const std::string sql = "-- Items (see docs).\nCREATE TABLE items (id int);\n";
    CHECK(db::MigrationChecksum(sql) == db::MigrationChecksum("-- Items, corrected.\nCREATE TABLE items (id int);"));
    CHECK(db::MigrationChecksum(sql) != db::MigrationChecksum("-- Items (see docs).\nCREATE TABLE items (id bigint);"));
    CHECK(db::MigrationChecksum(sql) != db::MigrationChecksum("CREATE TABLE items (id int, '--');"));
    // What was recorded before (the whole file's SHA-256) still stands for the same file.
    CHECK(db::ChecksumMatches(db::Sha256Hex(sql), sql));
    CHECK(db::ChecksumMatches(db::MigrationChecksum(sql), sql));
    CHECK_FALSE(db::ChecksumMatches(db::Sha256Hex(sql), "-- Items, corrected.\nCREATE TABLE items (id int);"));
    CHECK_FALSE(db::ChecksumMatches(db::Sha256Hex("x"), sql));
}

TEST_CASE("The migrations whose comments were corrected still match the whole-file checksums recorded before",
          "[db][migrations]") {
    const fs::path root = MARKETPLACE_SOURCE_DIR;
    const std::vector<std::pair<std::string, std::string>> corrected = {
        {"libs/service/migrations/idempotency/V001__idempotency_keys.sql",
         "f568c7edd55cef86c07cdf30d5c85f7b1f6fa91cc18975fc9a673b462d111206"},
        {"services/jobs/migrations/V001__init.sql", "2c10c407be6c3eccb29acc605ab8091cfe14a024fd44049be65be9c16c57922c"},
        {"services/payments/migrations/V001__init.sql",
         "c3b22b4ad700ded173feddcda35b9572e75669d33659a760c1c327a29ad85386"},
    };
    for (const auto& [path, recorded] : corrected) {
        INFO(path);
        std::ifstream in(root / path, std::ios::binary);
        REQUIRE(in);
        const std::string sql{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        CHECK(db::Sha256Hex(sql) != recorded);      // the file did change...
        CHECK(db::ChecksumMatches(recorded, sql));  // ...in its comments only
        CHECK_FALSE(db::ChecksumMatches(recorded, sql + "\nSELECT 1;"));
    }
}
