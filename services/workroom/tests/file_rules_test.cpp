// Upload rules: names, the declared type against the bytes, the size limit; each refusal names its field.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "domain/file_rules.hpp"
#include "marketplace/core/errors.hpp"

using namespace marketplace::workroom;

namespace {

const std::string kPng = std::string("\x89PNG\r\n\x1a\n", 8) + std::string("\0\0\0\rIHDR", 8);
const std::string kPdf = "%PDF-1.7\n1 0 obj\n";
const std::string kZip = std::string("PK\x03\x04", 4) + std::string(20, '\0');
const std::string kJpeg = "\xFF\xD8\xFF\xE0" + std::string(10, 'j');

std::string Refusal(const std::string& declared, const std::string& bytes) {
    try {
        RequireContentMatches(declared, bytes);
    } catch (const marketplace::core::InvalidArgument& e) {
        return e.caller_message();  // "<field>: <rule>"
    }
    return "(accepted)";
}

std::string FilenameField(const std::string& name) {
    try {
        RequireFilename(name);
    } catch (const marketplace::core::InvalidArgument& e) {
        return e.field();
    }
    return "(accepted)";
}

}  // namespace

TEST_CASE("File rules: the bytes are sniffed by their first bytes", "[workroom][files]") {
    CHECK(SniffContentType(kPng) == "image/png");
    CHECK(SniffContentType(kPdf) == "application/pdf");
    CHECK(SniffContentType(kZip) == "application/zip");
    CHECK(SniffContentType(kJpeg) == "image/jpeg");
    CHECK(SniffContentType("GIF89a....") == "image/gif");
    CHECK(SniffContentType(std::string("RIFF\0\0\0\0WEBPVP8 ", 16)) == "image/webp");
    CHECK(SniffContentType("\x1F\x8B\x08\x00") == "application/gzip");
    CHECK(SniffContentType(std::string("\0\0\0\x18"
                                       "ftypmp42\0\0\0\0",
                                       16)) == "video/mp4");
    CHECK_FALSE(SniffContentType("hello, world"));
}

TEST_CASE("File rules: a declared type the bytes agree with is accepted", "[workroom][files]") {
    CHECK(Refusal("image/png", kPng) == "(accepted)");
    CHECK(Refusal("Application/PDF", kPdf) == "(accepted)");
    CHECK(Refusal("application/vnd.openxmlformats-officedocument.wordprocessingml.document", kZip) == "(accepted)");
    CHECK(Refusal("text/plain; charset=utf-8", "Kickoff notes: ✓ scope agreed") == "(accepted)");
    CHECK(Refusal("text/csv", "a,b\n1,2\n") == "(accepted)");
    CHECK(Refusal("application/octet-stream", std::string("\0\1\2", 3)) == "(accepted)");
}

TEST_CASE("File rules: a mismatch is refused, naming content_type and both kinds", "[workroom][files]") {
    CHECK(Refusal("image/png", kPdf) == "content_type: declared image/png but the bytes are a PDF document");
    CHECK(Refusal("application/pdf", "just text") ==
          "content_type: declared application/pdf but the bytes are not a "
          "PDF document");
    CHECK(Refusal("text/plain", kPng) == "content_type: declared text/plain but the bytes are a PNG image");
    CHECK(Refusal("text/plain", std::string("ab\0cd", 5)) ==
          "content_type: declared text/plain but the bytes are not UTF-8 text");
    CHECK(Refusal("text/plain", "\xC3\x28") == "content_type: declared text/plain but the bytes are not UTF-8 text");
    CHECK(Refusal("image/jpeg", kPng) == "content_type: declared image/jpeg but the bytes are a PNG image");
}

TEST_CASE("File rules: types a browser would run are never accepted", "[workroom][files]") {
    CHECK(Refusal("text/html", "<html></html>").rfind("content_type: 'text/html' is not an accepted type", 0) == 0);
    CHECK(Refusal("image/svg+xml", "<svg/>").rfind("content_type: 'image/svg+xml' is not", 0) == 0);
    CHECK(Refusal("application/javascript", "alert(1)").rfind("content_type:", 0) == 0);
    CHECK(Refusal("", "x").rfind("content_type:", 0) == 0);
    CHECK(Refusal("text/plain\r\nX: y", "x").rfind("content_type:", 0) == 0);
    CHECK(Refusal("text/plain", "").rfind("data:", 0) == 0);
}

TEST_CASE("File rules: names and sizes", "[workroom][files]") {
    CHECK(FilenameField("report final (v2).pdf") == "(accepted)");
    CHECK(FilenameField("отчёт.pdf") == "(accepted)");
    const std::vector<std::string> bad_names = {
        "", ".", "..", "../etc/passwd", "a\\b", "a\nb", std::string(256, 'n'), "\xC3"};
    for (const auto& bad : bad_names) {
        INFO("name: " << bad);
        CHECK(FilenameField(bad) == "filename");
    }
    FileLimits limits;
    limits.max_file_bytes = 100;
    CHECK_NOTHROW(RequireFileSize(100, limits));
    CHECK_THROWS_AS(RequireFileSize(101, limits), marketplace::core::InvalidArgument);
}
