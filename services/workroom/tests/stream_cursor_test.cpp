// A live stream's resume cursor: "room_id:sequence" pairs.
#include <catch2/catch.hpp>

#include "domain/stream_cursor.hpp"
#include "marketplace/core/errors.hpp"

using namespace marketplace;
using namespace marketplace::workroom;

namespace {

constexpr char kRoomA[] = "018f2b1e-0000-7000-8000-00000000000a";
constexpr char kRoomB[] = "018f2b1e-0000-7000-8000-00000000000b";

std::string FieldOf(const std::string& text) {
    try {
        ParseCursor(text, "resume_after");
    } catch (const core::InvalidArgument& e) {
        return e.field();
    }
    return "";
}

}  // namespace

TEST_CASE("Cursor: parses what it formats", "[workroom]") {
    CHECK(ParseCursor("", "resume_after").empty());
    const StreamCursor cursor{{kRoomA, 7}, {kRoomB, 0}};
    const auto text = FormatCursor(cursor);
    CHECK(text == std::string(kRoomA) + ":7," + kRoomB + ":0");
    CHECK(ParseCursor(text, "resume_after") == cursor);
}

TEST_CASE("Cursor: a malformed pair names its index", "[workroom]") {
    CHECK(FieldOf("not-a-room:1") == "resume_after[0]");
    CHECK(FieldOf(std::string(kRoomA) + ":1," + kRoomB) == "resume_after[1]");
    CHECK(FieldOf(std::string(kRoomA) + ":-1") == "resume_after[0]");
    CHECK(FieldOf(std::string(kRoomA) + ":1x") == "resume_after[0]");
    CHECK(FieldOf(std::string(kRoomA) + ":1," + kRoomA + ":2") == "resume_after[1]");
}
