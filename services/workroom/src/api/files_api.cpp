#include "api/files_api.hpp"

#include "marketplace/core/errors.hpp"
#include "marketplace/rpc/call_scope.hpp"

namespace marketplace::workroom::api {

grpc::Status FilesApi::UploadFile(grpc::ServerContext* context, const v1::UploadFileRequest* request,
                                  v1::UploadFileResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const auto claims = scope.RequireClaims();
        *response->mutable_file() = actions_.Upload(claims.subject, *request);
    });
}

grpc::Status FilesApi::ListFiles(grpc::ServerContext* context, const v1::ListFilesRequest* request,
                                 v1::ListFilesResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const auto claims = scope.RequireClaims();
        if (request->page_size() < 0 || request->page_size() > 100) {
            throw core::InvalidArgument("page_size", "must be between 0 and 100");
        }
        const int limit = request->page_size() == 0 ? 50 : request->page_size();
        response->Clear();
        for (auto& f : actions_.List(claims.subject, request->room_id(), limit)) *response->add_files() = std::move(f);
    });
}

grpc::Status FilesApi::GetFile(grpc::ServerContext* context, const v1::GetFileRequest* request,
                               v1::GetFileResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const auto claims = scope.RequireClaims();
        *response->mutable_file() = actions_.Get(claims.subject, request->file_id());
    });
}

grpc::Status FilesApi::CreateDownloadLink(grpc::ServerContext* context, const v1::CreateDownloadLinkRequest* request,
                                          v1::CreateDownloadLinkResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const auto claims = scope.RequireClaims();
        *response = actions_.CreateLink(claims.subject, request->file_id());
    });
}

grpc::Status FilesApi::DownloadFile(grpc::ServerContext* context, const v1::DownloadFileRequest* request,
                                    v1::DownloadFileResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope&) { *response = actions_.Download(request->token()); });
}

}  // namespace marketplace::workroom::api
