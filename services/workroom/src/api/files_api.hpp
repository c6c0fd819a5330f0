#pragma once
// The WorkroomFilesService gRPC handlers: decode, take the caller from the access token (DownloadFile
// takes none: its signed token is the credential), run the use case, encode.
#include <grpcpp/grpcpp.h>

#include "app/file_actions.hpp"
#include "marketplace/workroom/v1/workroom.grpc.pb.h"

namespace marketplace::workroom::api {

class FilesApi final : public v1::WorkroomFilesService::Service {
public:
    explicit FilesApi(FileActions& actions) : actions_(actions) {}

    grpc::Status UploadFile(grpc::ServerContext* context, const v1::UploadFileRequest* request,
                            v1::UploadFileResponse* response) override;
    grpc::Status ListFiles(grpc::ServerContext* context, const v1::ListFilesRequest* request,
                           v1::ListFilesResponse* response) override;
    grpc::Status GetFile(grpc::ServerContext* context, const v1::GetFileRequest* request,
                         v1::GetFileResponse* response) override;
    grpc::Status CreateDownloadLink(grpc::ServerContext* context, const v1::CreateDownloadLinkRequest* request,
                                    v1::CreateDownloadLinkResponse* response) override;
    grpc::Status DownloadFile(grpc::ServerContext* context, const v1::DownloadFileRequest* request,
                              v1::DownloadFileResponse* response) override;

private:
    FileActions& actions_;
};

}  // namespace marketplace::workroom::api
