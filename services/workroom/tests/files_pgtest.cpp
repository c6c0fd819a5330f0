// Files in rooms, end to end on real PostgreSQL and the filesystem blob store: over gRPC, and over
// HTTP through the gateway (in-process, routing to this workroom): upload, lookup by id, signed
// download links that expire by the service's clock, the per-file and per-room limits, and a declared
// type the bytes contradict.
#include <sodium.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <random>

#include <pqxx/pqxx>

#include "component.hpp"
#include "config.hpp"
#include "gateway_pg_fixture.hpp"
#include "marketplace/blob/digest.hpp"
#include "marketplace/contracts/v1/events.pb.h"
#include "marketplace/core/ids.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/rpc/status.hpp"
#include "marketplace/testing/database.hpp"
#include "marketplace/testing/http_client.hpp"
#include "marketplace/tokens/test_tokens.hpp"
#include "workroom_migrations.hpp"

namespace {

using namespace marketplace;
using namespace std::chrono_literals;
using workroom::v1::WorkroomFilesService;

constexpr std::int64_t kMaxFileBytes = 64 * 1024;
constexpr std::int64_t kMaxFilesPerRoom = 3;
constexpr auto kLinkTtl = 60s;

const std::string kPng = std::string("\x89PNG\r\n\x1a\n", 8) + std::string("\0\0\0\rIHDR", 8) + "pixels";
const std::string kPdf = "%PDF-1.7\n1 0 obj\n<< >>\nendobj\n";

// The blob store's folder, made before the service starts and removed after it stops.
std::filesystem::path NewBlobDir() {
    return std::filesystem::temp_directory_path() / ("workroom-files-pgtest-" + std::to_string(std::random_device{}()));
}

workroom::Component::Config FilesConfig(const std::filesystem::path& blob_dir) {
    workroom::Component::Config config;
    config.files.limits.max_file_bytes = kMaxFileBytes;
    config.files.limits.max_files_per_room = kMaxFilesPerRoom;
    config.files.blob.dir = blob_dir.string();
    config.files.blob.link_secret = "files-pgtest-link-secret-0123456789abcdef";
    config.files.blob.link_ttl = kLinkTtl;
    return config;
}

struct Fixture : workroom::testing::GatewayPgFixture {
    std::filesystem::path blob_dir;
    std::unique_ptr<WorkroomFilesService::Stub> stub;

    explicit Fixture(std::filesystem::path dir = NewBlobDir())
        : GatewayPgFixture("workroom_files", FilesConfig(dir)), blob_dir(std::move(dir)) {
        stub = WorkroomFilesService::NewStub(
            grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
    }

    ~Fixture() override {
        Stop();
        std::error_code ec;
        std::filesystem::remove_all(blob_dir, ec);
    }
};

Fixture& F() {
    static Fixture fixture;
    return fixture;
}

struct Room {
    std::string room_id;
    std::string client;
    std::string freelancer;
};

Room NewRoom() {
    Room room;
    room.client = "client-" + core::NewUuidV4().substr(0, 8);
    room.freelancer = "freelancer-" + core::NewUuidV4().substr(0, 8);
    contracts::v1::ContractCreated e;
    const std::string contract_id = core::NewUuidV7();
    e.set_contract_id(contract_id);
    e.set_proposal_id(core::NewUuidV7());
    e.set_client_id(room.client);
    e.set_freelancer_id(room.freelancer);
    e.add_milestone_ids(core::NewUuidV7());
    F().Deliver(e);
    db::InTransaction(F().runtime->pool(), [&](pqxx::work& tx) {
        room.room_id = tx.exec_params1("SELECT id::text FROM rooms WHERE contract_id = $1", contract_id)[0].c_str();
    });
    return room;
}

std::unique_ptr<grpc::ClientContext> As(const std::string& user_id) { return F().As(user_id); }

using workroom::testing::ErrorField;

struct Upload {
    grpc::Status status;
    std::string error_field;
    workroom::v1::WorkroomFile file;
};

Upload UploadAs(const std::string& user, const std::string& room_id, const std::string& name, const std::string& type,
                const std::string& data) {
    workroom::v1::UploadFileRequest request;
    request.set_room_id(room_id);
    request.set_filename(name);
    request.set_content_type(type);
    request.set_data(data);
    workroom::v1::UploadFileResponse response;
    auto ctx = As(user);
    Upload out;
    out.status = F().stub->UploadFile(ctx.get(), request, &response);
    out.error_field = ErrorField(*ctx);
    out.file = response.file();
    return out;
}

std::string Base64(const std::string& bytes) {
    const std::size_t cap = sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL);
    std::string out(cap, '\0');
    sodium_bin2base64(out.data(), cap, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                      sodium_base64_VARIANT_ORIGINAL);
    out.resize(cap - 1);
    return out;
}

std::size_t StoredBlobs(const std::string& room_id) {
    const auto dir = F().blob_dir / "objects" / "workroom" / room_id;
    if (!std::filesystem::exists(dir)) return 0;
    return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(dir), {}));
}

testing::HttpHeaders Bearer(const std::string& user) { return F().Bearer(user); }

}  // namespace

TEST_CASE("Files over gRPC: upload, look up by id, download through a link until it expires", "[workroom][files][pg]") {
    const auto room = NewRoom();
    const auto up = UploadAs(room.freelancer, room.room_id, "wireframe.png", "image/png", kPng);
    REQUIRE(up.status.ok());
    CHECK(up.file.sha256() == blob::Sha256Hex(kPng));
    CHECK(up.file.size_bytes() == static_cast<std::int64_t>(kPng.size()));
    CHECK(up.file.uploader_id() == room.freelancer);

    // By id, as evidence would reference it: the other party sees it, an outsider does not.
    workroom::v1::GetFileRequest get;
    get.set_file_id(up.file.file_id());
    workroom::v1::GetFileResponse got;
    auto ctx = As(room.client);
    REQUIRE(F().stub->GetFile(ctx.get(), get, &got).ok());
    CHECK(got.file().filename() == "wireframe.png");
    CHECK(got.file().sha256() == up.file.sha256());
    auto outsider = As("someone-else");
    CHECK(F().stub->GetFile(outsider.get(), get, &got).error_code() == grpc::StatusCode::NOT_FOUND);

    workroom::v1::ListFilesRequest list;
    list.set_room_id(room.room_id);
    workroom::v1::ListFilesResponse listed;
    ctx = As(room.client);
    REQUIRE(F().stub->ListFiles(ctx.get(), list, &listed).ok());
    REQUIRE(listed.files_size() == 1);
    CHECK(listed.files(0).file_id() == up.file.file_id());

    workroom::v1::CreateDownloadLinkRequest link_request;
    link_request.set_file_id(up.file.file_id());
    workroom::v1::CreateDownloadLinkResponse link;
    ctx = As(room.client);
    REQUIRE(F().stub->CreateDownloadLink(ctx.get(), link_request, &link).ok());
    CHECK(link.path() == "/v1/files/" + link.token());
    outsider = As("someone-else");
    CHECK(F().stub->CreateDownloadLink(outsider.get(), link_request, &link).error_code() ==
          grpc::StatusCode::NOT_FOUND);

    workroom::v1::DownloadFileRequest download;
    download.set_token(link.token());
    workroom::v1::DownloadFileResponse bytes;
    ctx = As("");  // the token is the credential
    REQUIRE(F().stub->DownloadFile(ctx.get(), download, &bytes).ok());
    CHECK(bytes.data() == kPng);
    CHECK(bytes.file().content_type() == "image/png");
    CHECK(bytes.file().file_id() == up.file.file_id());

    std::string forged = link.token();
    forged[0] = forged[0] == 'A' ? 'B' : 'A';
    download.set_token(forged);
    ctx = As("");
    CHECK(F().stub->DownloadFile(ctx.get(), download, &bytes).error_code() == grpc::StatusCode::PERMISSION_DENIED);

    F().clock->Advance(kLinkTtl);
    download.set_token(link.token());
    ctx = As("");
    const auto expired = F().stub->DownloadFile(ctx.get(), download, &bytes);
    CHECK(expired.error_code() == grpc::StatusCode::PERMISSION_DENIED);
    CHECK(expired.error_message().find("expired") != std::string::npos);
}

TEST_CASE("Files over gRPC: a declared type the bytes contradict is refused, naming content_type",
          "[workroom][files][pg]") {
    const auto room = NewRoom();
    const auto mismatch = UploadAs(room.client, room.room_id, "brief.png", "image/png", kPdf);
    CHECK(mismatch.status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(mismatch.error_field == "content_type");
    CHECK(mismatch.status.error_message().find("a PDF document") != std::string::npos);
    const auto html = UploadAs(room.client, room.room_id, "page.html", "text/html", "<script>alert(1)</script>");
    CHECK(html.error_field == "content_type");
    const auto bad_name = UploadAs(room.client, room.room_id, "../../etc/passwd", "text/plain", "x");
    CHECK(bad_name.error_field == "filename");
    CHECK(StoredBlobs(room.room_id) == 0);
}

TEST_CASE("Files over gRPC: the size and per-room count limits hold, and a refusal stores nothing",
          "[workroom][files][pg]") {
    const auto room = NewRoom();
    const auto too_big =
        UploadAs(room.client, room.room_id, "big.bin", "application/octet-stream", std::string(kMaxFileBytes + 1, 'x'));
    CHECK(too_big.status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(too_big.error_field == "data");
    CHECK(UploadAs(room.client, room.room_id, "edge.bin", "application/octet-stream", std::string(kMaxFileBytes, 'x'))
              .status.ok());
    for (int i = 1; i < kMaxFilesPerRoom; ++i) {
        CHECK(UploadAs(room.freelancer, room.room_id, "n" + std::to_string(i) + ".txt", "text/plain", "note")
                  .status.ok());
    }
    const auto over = UploadAs(room.freelancer, room.room_id, "one-more.txt", "text/plain", "note");
    CHECK(over.status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
    CHECK(over.status.error_message().find("room_id") != std::string::npos);
    CHECK(StoredBlobs(room.room_id) == static_cast<std::size_t>(kMaxFilesPerRoom));
    // Another room is not affected; an outsider cannot upload at all.
    const auto other = NewRoom();
    CHECK(UploadAs(other.client, other.room_id, "ok.txt", "text/plain", "fine").status.ok());
    CHECK(UploadAs("someone-else", other.room_id, "x.txt", "text/plain", "x").status.error_code() ==
          grpc::StatusCode::NOT_FOUND);
}

TEST_CASE("Files over HTTP through the gateway: upload, link, raw download, expiry", "[workroom][files][pg]") {
    const auto room = NewRoom();
    testing::HttpClient http(F().gateway_port);
    const nlohmann::json body = {
        {"filename", "statement of work.pdf"}, {"content_type", "application/pdf"}, {"data", Base64(kPdf)}};
    auto up = http.Post("/v1/workrooms/" + room.room_id + "/files", body.dump(), Bearer(room.client));
    REQUIRE(up.status == 200);
    const auto file = up.Json()["file"];
    CHECK(file["sha256"] == blob::Sha256Hex(kPdf));
    const std::string file_id = file["file_id"];

    auto by_id = http.Get("/v1/workroom-files/" + file_id, Bearer(room.freelancer));
    REQUIRE(by_id.status == 200);
    CHECK(by_id.Json()["file"]["filename"] == "statement of work.pdf");
    CHECK(http.Get("/v1/workroom-files/" + file_id, Bearer("someone-else")).status == 404);
    CHECK(http.Get("/v1/workroom-files/" + file_id).status == 401);

    auto link = http.Post("/v1/workroom-files/" + file_id + ":link", "{}", Bearer(room.freelancer));
    REQUIRE(link.status == 200);
    const std::string path = link.Json()["path"];

    auto download = http.Get(path);  // no Authorization: the link is enough
    REQUIRE(download.status == 200);
    CHECK(download.body == kPdf);
    CHECK(download.Header("content-type") == "application/pdf");
    CHECK(download.Header("content-disposition").find("attachment; filename=\"statement of work.pdf\"") == 0);
    CHECK(download.Header("x-content-type-options") == "nosniff");
    CHECK(download.Header("x-content-sha256") == blob::Sha256Hex(kPdf));

    CHECK(http.Get("/v1/files/not-a-token").status == 403);
    CHECK(http.Get("/v1/files/bad%20chars").status == 400);
    CHECK(http.Request("POST", path).status == 405);

    F().clock->Advance(kLinkTtl + 1s);
    const auto expired = http.Get(path);
    CHECK(expired.status == 403);
    CHECK(expired.Json()["message"].get<std::string>().find("expired") != std::string::npos);
}

TEST_CASE("Files over HTTP through the gateway: a type mismatch and the limits name their fields",
          "[workroom][files][pg]") {
    const auto room = NewRoom();
    testing::HttpClient http(F().gateway_port);
    const std::string target = "/v1/workrooms/" + room.room_id + "/files";
    auto mismatch = http.Post(
        target, nlohmann::json{{"filename", "logo.jpg"}, {"content_type", "image/jpeg"}, {"data", Base64(kPng)}}.dump(),
        Bearer(room.client));
    CHECK(mismatch.status == 400);
    CHECK(mismatch.Json()["field"] == "content_type");

    auto too_big = http.Post(target,
                             nlohmann::json{{"filename", "big.txt"},
                                            {"content_type", "text/plain"},
                                            {"data", Base64(std::string(kMaxFileBytes + 1, 'a'))}}
                                 .dump(),
                             Bearer(room.client));
    CHECK(too_big.status == 400);
    CHECK(too_big.Json()["field"] == "data");

    for (int i = 0; i < kMaxFilesPerRoom; ++i) {
        auto ok = http.Post(
            target,
            nlohmann::json{
                {"filename", "f" + std::to_string(i) + ".txt"}, {"content_type", "text/plain"}, {"data", Base64("hi")}}
                .dump(),
            Bearer(room.freelancer));
        CHECK(ok.status == 200);
    }
    auto over = http.Post(
        target, nlohmann::json{{"filename", "f.txt"}, {"content_type", "text/plain"}, {"data", Base64("hi")}}.dump(),
        Bearer(room.freelancer));
    CHECK(over.status == 429);
    auto listed = http.Get(target, Bearer(room.client));
    REQUIRE(listed.status == 200);
    CHECK(listed.Json()["files"].size() == static_cast<std::size_t>(kMaxFilesPerRoom));
}
