// Messages over gRPC against PostgreSQL: limits, threads, mentions (a MemberMentioned event in the
// outbox for the notifications service), edits with history, tombstones, pages both ways, full-text
// search, read markers and unread counts.
#include <catch2/catch.hpp>

#include <google/protobuf/util/message_differencer.h>

#include "marketplace/core/ids.hpp"
#include "workroom_fixture.hpp"

using namespace marketplace;
using namespace marketplace::workroom;
using namespace marketplace::workroom::testing;

namespace {

struct Outcome {
    grpc::StatusCode code;
    std::string field;
};

Outcome TryPost(const Room& room, const std::string& user, const std::string& text, const std::string& parent = {}) {
    v1::PostMessageRequest request;
    request.set_room_id(room.room_id);
    request.set_text(text);
    request.set_parent_message_id(parent);
    v1::PostMessageResponse response;
    auto ctx = Context(user);
    const auto status = F().stub->PostMessage(ctx.get(), request, &response);
    return {status.error_code(), ErrorField(*ctx)};
}

v1::ListMessagesResponse List(const Room& room, const std::string& user, std::int64_t before, std::int64_t after,
                              int page_size, const std::string& thread = {}) {
    v1::ListMessagesRequest request;
    request.set_room_id(room.room_id);
    request.set_before_sequence(before);
    request.set_after_sequence(after);
    request.set_page_size(page_size);
    request.set_thread_root_id(thread);
    v1::ListMessagesResponse response;
    auto ctx = Context(user);
    const auto status = F().stub->ListMessages(ctx.get(), request, &response);
    if (!status.ok()) throw std::runtime_error("ListMessages: " + status.error_message());
    return response;
}

std::vector<std::string> Texts(const v1::ListMessagesResponse& page) {
    std::vector<std::string> out;
    for (const auto& m : page.messages()) out.push_back(m.text());
    return out;
}

v1::MarkReadResponse MarkRead(const Room& room, const std::string& user, std::int64_t sequence) {
    v1::MarkReadRequest request;
    request.set_room_id(room.room_id);
    request.set_sequence(sequence);
    v1::MarkReadResponse response;
    auto ctx = Context(user);
    const auto status = F().stub->MarkRead(ctx.get(), request, &response);
    if (!status.ok()) throw std::runtime_error("MarkRead: " + status.error_message());
    return response;
}

}  // namespace

TEST_CASE("Messages: the text's limits are enforced and name the field", "[workroom][pg]") {
    const auto room = NewRoom();
    CHECK(TryPost(room, room.client, std::string(4000, 'x')).code == grpc::StatusCode::OK);
    const auto too_long = TryPost(room, room.client, std::string(4001, 'x'));
    CHECK(too_long.code == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(too_long.field == "text");
    CHECK(TryPost(room, room.client, "   ").field == "text");
    const auto bad_parent = TryPost(room, room.client, "reply", "018f2b1e-0000-7000-8000-000000000000");
    CHECK(bad_parent.code == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(bad_parent.field == "parent_message_id");
}

TEST_CASE("Messages: with an Idempotency-Key a retried post posts once; without one each call posts",
          "[workroom][pg]") {
    const auto room = NewRoom();
    const auto post = [&](const std::string& text, const std::string& key, v1::PostMessageResponse* out) {
        v1::PostMessageRequest request;
        request.set_room_id(room.room_id);
        request.set_text(text);
        auto ctx = Context(room.client);
        if (!key.empty()) ctx->AddMetadata("idempotency-key", key);
        return F().stub->PostMessage(ctx.get(), request, out).error_code();
    };
    const std::string key = "post-" + core::RandomHex(6);
    v1::PostMessageResponse first, retry, other, plain1, plain2;
    REQUIRE(post("hello once", key, &first) == grpc::StatusCode::OK);
    REQUIRE(post("hello once", key, &retry) == grpc::StatusCode::OK);
    CHECK(retry.SerializeAsString() == first.SerializeAsString());  // the first answer, replayed
    CHECK(post("something else", key, &other) == grpc::StatusCode::ALREADY_EXISTS);
    REQUIRE(post("no key", "", &plain1) == grpc::StatusCode::OK);
    REQUIRE(post("no key", "", &plain2) == grpc::StatusCode::OK);
    CHECK(plain1.message().message_id() != plain2.message().message_id());
    CHECK(Texts(List(room, room.client, 0, 0, 50)) == std::vector<std::string>{"hello once", "no key", "no key"});
}

TEST_CASE("Messages: a reply names its parent and joins the parent's thread", "[workroom][pg]") {
    const auto room = NewRoom();
    const auto root = Post(room, room.client, "Shall we use PostgreSQL?");
    const auto reply = Post(room, room.freelancer, "Yes", root.message_id());
    const auto reply_to_reply = Post(room, room.client, "Good", reply.message_id());
    Post(room, room.client, "Unrelated");
    CHECK(root.thread_root_id() == root.message_id());
    CHECK(reply.parent_message_id() == root.message_id());
    CHECK(reply_to_reply.parent_message_id() == reply.message_id());
    CHECK(reply_to_reply.thread_root_id() == root.message_id());
    const auto thread = List(room, room.client, 0, 0, 50, root.message_id());
    CHECK(Texts(thread) == std::vector<std::string>{"Shall we use PostgreSQL?", "Yes", "Good"});
    CHECK(thread.messages(0).reply_count() == 2);
}

TEST_CASE("Messages: a posted message is the same in the answer, in a read and on the stream", "[workroom][pg]") {
    const auto room = NewRoom();
    Stream stream(F(), room.freelancer);
    const auto root = Post(room, room.client, "Shall we use PostgreSQL?");
    const auto reply = Post(room, room.client, "@freelancer what do you think?", root.message_id());
    REQUIRE(reply.mentioned_user_ids_size() == 1);
    REQUIRE(reply.created_at().seconds() > 0);
    const auto thread = List(room, room.client, 0, 0, 50, root.message_id());
    REQUIRE(thread.messages_size() == 2);
    // The answer was built with the row, not read back: a read returns the same message.
    CHECK(google::protobuf::util::MessageDifferencer::Equals(thread.messages(1), reply));
    const auto first = stream.NextIn(room.room_id);
    const auto second = stream.NextIn(room.room_id);
    REQUIRE(first.has_message_posted());
    REQUIRE(second.has_message_posted());
    CHECK(google::protobuf::util::MessageDifferencer::Equals(first.message_posted(), root));
    CHECK(google::protobuf::util::MessageDifferencer::Equals(second.message_posted(), reply));
    CHECK(second.sequence() == reply.sequence());
}

TEST_CASE("Messages: a mention of a member publishes MemberMentioned for that member only", "[workroom][pg]") {
    const auto room = NewRoom();
    const auto m = Post(room, room.client, "@freelancer please look; @client is me and @nobody is nobody");
    CHECK(std::vector<std::string>(m.mentioned_user_ids().begin(), m.mentioned_user_ids().end()) ==
          std::vector<std::string>{room.freelancer});
    CHECK(MentionedInOutbox(m.message_id()) == std::vector<std::string>{room.freelancer});
    const auto plain = Post(room, room.client, "no mention");
    CHECK(MentionedInOutbox(plain.message_id()).empty());
}

TEST_CASE("Messages: an edit keeps the earlier text in the history; only the author may edit", "[workroom][pg]") {
    const auto room = NewRoom();
    const auto m = Post(room, room.freelancer, "first draft");
    v1::EditMessageRequest edit;
    edit.set_room_id(room.room_id);
    edit.set_message_id(m.message_id());
    edit.set_text("second draft, @client");
    v1::EditMessageResponse edited;
    {
        auto ctx = Context(room.client);
        CHECK(F().stub->EditMessage(ctx.get(), edit, &edited).error_code() == grpc::StatusCode::PERMISSION_DENIED);
    }
    {
        auto ctx = Context(room.freelancer);
        REQUIRE(F().stub->EditMessage(ctx.get(), edit, &edited).ok());
    }
    CHECK(edited.message().text() == "second draft, @client");
    CHECK(edited.message().edit_count() == 1);
    CHECK(edited.message().has_edited_at());
    // The edit newly mentions the client: they are told.
    CHECK(MentionedInOutbox(m.message_id()) == std::vector<std::string>{room.client});
    v1::GetMessageHistoryRequest request;
    request.set_room_id(room.room_id);
    request.set_message_id(m.message_id());
    v1::GetMessageHistoryResponse history;
    auto ctx = Context(room.client);
    REQUIRE(F().stub->GetMessageHistory(ctx.get(), request, &history).ok());
    REQUIRE(history.versions_size() == 1);
    CHECK(history.versions(0).version() == 1);
    CHECK(history.versions(0).text() == "first draft");
    CHECK(history.message().text() == "second draft, @client");
}

TEST_CASE("Messages: a deleted message stays as a tombstone without its text or history", "[workroom][pg]") {
    const auto room = NewRoom();
    const auto m = Post(room, room.client, "oops, a secret");
    Post(room, room.freelancer, "a reply", m.message_id());
    {
        v1::EditMessageRequest edit;
        edit.set_room_id(room.room_id);
        edit.set_message_id(m.message_id());
        edit.set_text("oops, another secret");
        v1::EditMessageResponse edited;
        auto ctx = Context(room.client);
        REQUIRE(F().stub->EditMessage(ctx.get(), edit, &edited).ok());
    }
    v1::DeleteMessageRequest request;
    request.set_room_id(room.room_id);
    request.set_message_id(m.message_id());
    v1::DeleteMessageResponse response;
    {
        auto ctx = Context(room.freelancer);
        CHECK(F().stub->DeleteMessage(ctx.get(), request, &response).error_code() ==
              grpc::StatusCode::PERMISSION_DENIED);
    }
    {
        auto ctx = Context(room.client);
        REQUIRE(F().stub->DeleteMessage(ctx.get(), request, &response).ok());
    }
    CHECK(response.message().deleted());
    CHECK(response.message().text().empty());
    const auto page = List(room, room.freelancer, 0, 0, 50);
    REQUIRE(page.messages_size() == 2);
    CHECK(page.messages(0).deleted());
    CHECK(page.messages(0).text().empty());
    CHECK(page.messages(1).text() == "a reply");  // the thread stays
    v1::GetMessageHistoryRequest hr;
    hr.set_room_id(room.room_id);
    hr.set_message_id(m.message_id());
    v1::GetMessageHistoryResponse history;
    auto ctx = Context(room.client);
    REQUIRE(F().stub->GetMessageHistory(ctx.get(), hr, &history).ok());
    CHECK(history.versions().empty());
    InTx([&](pqxx::work& tx) {
        CHECK(tx.exec_params1("SELECT count(*) FROM messages WHERE body LIKE '%secret%' AND room_id = $1::uuid",
                              room.room_id)[0]
                  .as<int>() == 0);
    });
}

TEST_CASE("Messages: pages go both ways from a sequence without overlap or gap", "[workroom][pg]") {
    const auto room = NewRoom();
    std::vector<std::string> all;
    for (int i = 1; i <= 7; ++i) {
        all.push_back("m" + std::to_string(i));
        Post(room, i % 2 ? room.client : room.freelancer, all.back());
    }
    // Backwards from the newest, three at a time.
    std::vector<std::string> back;
    std::int64_t before = 0;
    for (;;) {
        const auto page = List(room, room.client, before, 0, 3);
        auto texts = Texts(page);
        back.insert(back.begin(), texts.begin(), texts.end());
        if (!page.has_more()) break;
        before = page.messages(0).sequence();
    }
    CHECK(back == all);
    // Forwards from the start, three at a time.
    std::vector<std::string> forward;
    std::int64_t after = 0;
    const auto first = List(room, room.client, 0, 0, 100);
    after = first.messages(0).sequence() - 1;
    for (;;) {
        const auto page = List(room, room.client, 0, after, 3);
        auto texts = Texts(page);
        forward.insert(forward.end(), texts.begin(), texts.end());
        if (!page.has_more()) break;
        after = page.messages(page.messages_size() - 1).sequence();
    }
    CHECK(forward == all);
    // Both bounds at once are refused, naming the field.
    v1::ListMessagesRequest request;
    request.set_room_id(room.room_id);
    request.set_before_sequence(5);
    request.set_after_sequence(2);
    v1::ListMessagesResponse response;
    auto ctx = Context(room.client);
    CHECK(F().stub->ListMessages(ctx.get(), request, &response).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(ErrorField(*ctx) == "after_sequence");
}

TEST_CASE("Messages: full-text search finds words in this room only, not deleted ones", "[workroom][pg]") {
    const auto room = NewRoom();
    const auto other = NewRoom();
    Post(room, room.client, "The deployment pipeline is green");
    Post(room, room.freelancer, "Deploying the staging build now");
    const auto gone = Post(room, room.client, "pipeline secret to delete");
    Post(other, other.client, "another pipeline elsewhere");
    {
        v1::DeleteMessageRequest request;
        request.set_room_id(room.room_id);
        request.set_message_id(gone.message_id());
        v1::DeleteMessageResponse response;
        auto ctx = Context(room.client);
        REQUIRE(F().stub->DeleteMessage(ctx.get(), request, &response).ok());
    }
    auto search = [&](const std::string& query) {
        v1::SearchMessagesRequest request;
        request.set_room_id(room.room_id);
        request.set_query(query);
        v1::SearchMessagesResponse response;
        auto ctx = Context(room.freelancer);
        const auto status = F().stub->SearchMessages(ctx.get(), request, &response);
        if (!status.ok()) throw std::runtime_error("SearchMessages: " + status.error_message());
        std::vector<std::string> texts;
        for (const auto& m : response.messages()) texts.push_back(m.text());
        return texts;
    };
    CHECK(search("pipeline") == std::vector<std::string>{"The deployment pipeline is green"});
    CHECK(search("PIPELINE green") == std::vector<std::string>{"The deployment pipeline is green"});
    CHECK(search("staging -pipeline") == std::vector<std::string>{"Deploying the staging build now"});
    CHECK(search("nothing-like-this").empty());
    CHECK(search("").empty());
    v1::SearchMessagesRequest request;
    request.set_room_id(room.room_id);
    request.set_query(std::string(201, 'q'));
    v1::SearchMessagesResponse response;
    auto ctx = Context(room.client);
    CHECK(F().stub->SearchMessages(ctx.get(), request, &response).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(ErrorField(*ctx) == "query");
}

TEST_CASE("Messages: read markers move forward only and drive unread counts", "[workroom][pg]") {
    const auto room = NewRoom();
    Post(room, room.client, "one");
    const auto two = Post(room, room.client, "two");
    Post(room, room.client, "three");
    Post(room, room.freelancer, "my own message does not count");
    // Only others' messages count: the client has the freelancer's one, the freelancer the client's three.
    CHECK(MarkRead(room, room.client, 1).unread_count() == 1);
    const auto partial = MarkRead(room, room.freelancer, two.sequence());
    CHECK(partial.last_read_sequence() == two.sequence());
    CHECK(partial.unread_count() == 1);
    // Backwards changes nothing.
    CHECK(MarkRead(room, room.freelancer, 1).last_read_sequence() == two.sequence());
    const auto all = MarkRead(room, room.freelancer, 0);
    CHECK(all.unread_count() == 0);
    // Beyond the room's last sequence is refused.
    v1::MarkReadRequest request;
    request.set_room_id(room.room_id);
    request.set_sequence(1000);
    v1::MarkReadResponse response;
    auto ctx = Context(room.freelancer);
    CHECK(F().stub->MarkRead(ctx.get(), request, &response).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(ErrorField(*ctx) == "sequence");
}
