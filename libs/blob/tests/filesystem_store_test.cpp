// The filesystem store: what is put comes back with its type, replaces atomically, and no key leaves the root.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "marketplace/blob/filesystem_store.hpp"
#include "marketplace/core/errors.hpp"

namespace fs = std::filesystem;
using marketplace::blob::FilesystemBlobStore;

namespace {

struct TempRoot {
    fs::path base;
    TempRoot() {
        base = fs::temp_directory_path() / ("blob-fs-test-" + std::to_string(std::random_device{}()));
        fs::create_directories(base);
    }
    ~TempRoot() {
        std::error_code ec;
        fs::remove_all(base, ec);
    }
};

std::string InvalidField(FilesystemBlobStore& store, const std::string& key) {
    try {
        store.Put(key, "x", "text/plain");
    } catch (const marketplace::core::InvalidArgument& e) {
        return e.field();
    }
    return "(accepted)";
}

std::size_t CountFiles(const fs::path& dir) {
    std::size_t n = 0;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (e.is_regular_file()) ++n;
    }
    return n;
}

}  // namespace

TEST_CASE("Filesystem store: put, get, stat and delete round-trip bytes and content type", "[blob][fs]") {
    TempRoot tmp;
    FilesystemBlobStore store(tmp.base / "root");
    std::string bytes = "\x89PNG\r\n\x1a\n";
    bytes.push_back('\0');
    bytes += std::string(100'000, 'z');

    store.Put("workroom/room-1/file-1", bytes, "image/png");
    auto blob = store.Get("workroom/room-1/file-1");
    REQUIRE(blob);
    CHECK(blob->data == bytes);
    CHECK(blob->info.content_type == "image/png");
    CHECK(blob->info.size == bytes.size());

    auto info = store.Stat("workroom/room-1/file-1");
    REQUIRE(info);
    CHECK(info->size == bytes.size());
    CHECK(store.Exists("workroom/room-1/file-1"));

    store.Put("workroom/room-1/file-1", "second", "text/plain");
    CHECK(store.Get("workroom/room-1/file-1")->data == "second");
    CHECK(store.Get("workroom/room-1/file-1")->info.content_type == "text/plain");
    CHECK(CountFiles(tmp.base / "root" / "tmp") == 0);

    store.Delete("workroom/room-1/file-1");
    CHECK_FALSE(store.Get("workroom/room-1/file-1"));
    CHECK_FALSE(store.Exists("workroom/room-1/file-1"));
    CHECK_NOTHROW(store.Delete("workroom/room-1/file-1"));
    CHECK_FALSE(store.Stat("never/put"));
}

TEST_CASE("Filesystem store: keys that could escape the root are refused before touching the disk", "[blob][fs]") {
    TempRoot tmp;
    FilesystemBlobStore store(tmp.base / "root");
    const std::vector<std::string> keys = {"../outside",
                                           "a/../../outside",
                                           "/etc/passwd",
                                           "a//b",
                                           "a/./b",
                                           "a/",
                                           "..",
                                           ".",
                                           "a\\..\\b",
                                           "%2e%2e/x",
                                           "a b",
                                           std::string("a\0b", 3),
                                           "",
                                           std::string(513, 'k')};
    for (const std::string& key : keys) {
        INFO("key: " << key);
        CHECK(InvalidField(store, key) == "key");
        CHECK_THROWS_AS(store.Get(key), marketplace::core::InvalidArgument);
        CHECK_THROWS_AS(store.Delete(key), marketplace::core::InvalidArgument);
    }
    CHECK_FALSE(fs::exists(tmp.base / "outside"));
    CHECK(CountFiles(tmp.base) == 0);
    CHECK(InvalidField(store, "a.b/c_d-e/..f") == "(accepted)");
}

TEST_CASE("Filesystem store: a symlink planted under the root is not followed on read", "[blob][fs]") {
    TempRoot tmp;
    FilesystemBlobStore store(tmp.base / "root");
    {
        std::ofstream secret(tmp.base / "secret.txt");
        secret << "do not serve";
    }
    fs::create_symlink(tmp.base / "secret.txt", tmp.base / "root" / "objects" / "link");
    CHECK_FALSE(store.Get("link"));
}

TEST_CASE("Filesystem store: content types are checked, naming the field", "[blob][fs]") {
    TempRoot tmp;
    FilesystemBlobStore store(tmp.base / "root");
    auto field = [&](const std::string& type) {
        try {
            store.Put("k", "x", type);
        } catch (const marketplace::core::InvalidArgument& e) {
            return e.field();
        }
        return std::string("(accepted)");
    };
    CHECK(field("") == "content_type");
    CHECK(field("text/plain\r\nX-Evil: 1") == "content_type");
    CHECK(field(std::string(300, 'a')) == "content_type");
    CHECK(field("application/pdf") == "(accepted)");
}
