// The message rules without a database: text limits, handles, which members a text mentions.
#include <catch2/catch.hpp>

#include "domain/message_rules.hpp"
#include "marketplace/core/errors.hpp"

using namespace marketplace;
using namespace marketplace::workroom;

namespace {

std::string FieldOf(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const core::InvalidArgument& e) {
        return e.field();
    }
    return "";
}

}  // namespace

TEST_CASE("Message text: 1 to 4000 characters, counted as characters, not bytes", "[workroom]") {
    CHECK(FieldOf([] { RequireMessageText("hello", "text"); }).empty());
    CHECK(FieldOf([] { RequireMessageText("", "text"); }) == "text");
    CHECK(FieldOf([] { RequireMessageText(" \n\t ", "text"); }) == "text");
    CHECK(FieldOf([] { RequireMessageText(std::string(4000, 'a'), "text"); }).empty());
    CHECK(FieldOf([] { RequireMessageText(std::string(4001, 'a'), "text"); }) == "text");
    std::string accents;
    for (int i = 0; i < 4000; ++i) accents += "\xc3\xa9";  // é: 2 bytes, 1 character
    CHECK(FieldOf([&] { RequireMessageText(accents, "text"); }).empty());
    CHECK(FieldOf([&] { RequireMessageText(accents + "e", "text"); }) == "text");
}

TEST_CASE("Handles: 2 to 32 of a-z, 0-9, '_', '-', '.'", "[workroom]") {
    CHECK(FieldOf([] { RequireHandle("anna_k", "handle"); }).empty());
    CHECK(FieldOf([] { RequireHandle("a", "handle"); }) == "handle");
    CHECK(FieldOf([] { RequireHandle("Anna", "handle"); }) == "handle");
    CHECK(FieldOf([] { RequireHandle("@anna", "handle"); }) == "handle");
    CHECK(FieldOf([] { RequireHandle(std::string(33, 'a'), "handle"); }) == "handle");
}

TEST_CASE("Mentions: @handle at a word start, lower-cased, each once, sentence punctuation left out", "[workroom]") {
    CHECK(MentionedHandles("hi @Anna and @bob.") == std::vector<std::string>{"anna", "bob"});
    CHECK(MentionedHandles("@anna @anna @ANNA") == std::vector<std::string>{"anna"});
    CHECK(MentionedHandles("mail anna@example.com").empty());
    CHECK(MentionedHandles("a lone @ sign, and @x too short").empty());
    CHECK(MentionedHandles("(@client) please review") == std::vector<std::string>{"client"});
    CHECK(MentionedHandles("@first.last, see this") == std::vector<std::string>{"first.last"});
}

TEST_CASE("Mentions resolve to members only, and the author does not mention themselves", "[workroom]") {
    const std::vector<MemberHandle> members{{"user-a", "client"}, {"user-b", "freelancer"}};
    CHECK(MentionedUsers("@freelancer @client @nobody", members, "user-a") == std::vector<std::string>{"user-b"});
    CHECK(MentionedUsers("@freelancer and again @Freelancer", members, "user-a") == std::vector<std::string>{"user-b"});
    CHECK(MentionedUsers("no mention here", members, "user-a").empty());
}

TEST_CASE("Excerpt cuts on a character boundary and marks the cut", "[workroom]") {
    CHECK(Excerpt("short", 10) == "short");
    CHECK(Excerpt("abcdef", 3) == "abc\u2026");
    CHECK(Excerpt("\xc3\xa9\xc3\xa9\xc3\xa9", 2) == "\xc3\xa9\xc3\xa9\u2026");
}
