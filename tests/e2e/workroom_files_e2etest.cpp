// Workroom files end to end: every service and the gateway as processes on the local stack. A party
// uploads through the gateway; a second workroom replica (same database, same files folder, same link
// secret) makes a download link that the gateway, routing to the first replica, serves as the raw
// bytes without an access token; after the link's lifetime (the services' shared clock moved on) the
// same link is refused.
#include <sodium.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "http_story.hpp"
#include "marketplace/blob/digest.hpp"
#include "marketplace/testing/wait.hpp"
#include "marketplace/workroom/v1/workroom.grpc.pb.h"
#include "money_stack.hpp"

using namespace std::chrono_literals;
using namespace marketplace::e2e::http;
using marketplace::e2e::MoneyStack;

namespace {

std::string RoomOf(const HttpDeal& d) {
    std::string room_id;
    marketplace::testing::WaitUntil(
        [&] {
            for (const auto& room : Get(d.client.token, "/v1/workrooms").value("rooms", json::array())) {
                if (room.value("contract_id", "") == d.contract_id) room_id = room.value("room_id", "");
            }
            return !room_id.empty();
        },
        30s, 100ms);
    if (room_id.empty()) throw std::runtime_error("no room for contract " + d.contract_id);
    return room_id;
}

std::string Base64(const std::string& bytes) {
    const std::size_t cap = sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL);
    std::string out(cap, '\0');
    sodium_bin2base64(out.data(), cap, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                      sodium_base64_VARIANT_ORIGINAL);
    out.resize(cap - 1);
    return out;
}

}  // namespace

TEST_CASE("Workroom files E2E: upload through the gateway, a link from another replica, raw download, expiry",
          "[e2e][http][workroom][files]") {
    auto& stack = MoneyStack::Get();
    auto d = NewHttpDeal(50000, 0);
    const auto room = RoomOf(d);
    const std::string pdf = "%PDF-1.7\n% statement of work, signed\n" + std::string(200'000, 'p');

    const auto file =
        Post(d.client.token, "/v1/workrooms/" + room + "/files",
             json{{"filename", "sow-signed.pdf"}, {"content_type", "application/pdf"}, {"data", Base64(pdf)}})
            .at("file");
    CHECK(file.at("sha256") == marketplace::blob::Sha256Hex(pdf));
    const std::string file_id = file.at("file_id");

    // A type the bytes contradict is refused at the edge with the field named.
    const auto mismatch =
        Send(Request{"POST",
                     "/v1/workrooms/" + room + "/files",
                     d.freelancer.token,
                     json{{"filename", "photo.png"}, {"content_type", "image/png"}, {"data", Base64(pdf)}}.dump(),
                     MoneyStack::NewKey(),
                     {}});
    CHECK(mismatch.status == 400);
    CHECK(mismatch.Json().value("field", "") == "content_type");

    // The link comes from a second replica; the gateway routes the download to the first.
    const int second = stack.StartReplica("workroom");
    auto direct = marketplace::workroom::v1::WorkroomFilesService::NewStub(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(second), grpc::InsecureChannelCredentials()));
    marketplace::workroom::v1::CreateDownloadLinkRequest link_request;
    link_request.set_file_id(file_id);
    marketplace::workroom::v1::CreateDownloadLinkResponse link;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + 10s);
    ctx.AddMetadata("authorization", "Bearer " + d.freelancer.token);
    const auto status = direct->CreateDownloadLink(&ctx, link_request, &link);
    INFO(status.error_message() << "\n" << stack.Logs());
    REQUIRE(status.ok());

    const auto download = Send(Request{"GET", link.path(), "", std::nullopt, "", {}});
    INFO(stack.GatewayLogs());
    REQUIRE(download.status == 200);
    CHECK(download.body == pdf);
    CHECK(download.Header("content-type") == "application/pdf");
    CHECK(download.Header("content-disposition").find("filename=\"sow-signed.pdf\"") != std::string::npos);
    CHECK(download.Header("x-content-type-options") == "nosniff");

    stack.AdvanceClock(16min);  // past the default 15-minute lifetime, on every service's clock
    marketplace::testing::WaitUntil(
        [&] {
            return Send(Request{"GET", link.path(), "", std::nullopt, "", {}}).status == 403;
        },
        10s, 100ms);
    const auto expired = Send(Request{"GET", link.path(), "", std::nullopt, "", {}});
    CHECK(expired.status == 403);
    CHECK(expired.Json().value("message", "").find("expired") != std::string::npos);
}
