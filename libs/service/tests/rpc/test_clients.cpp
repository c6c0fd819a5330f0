#include "test_clients.hpp"

#include <stdexcept>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <grpcpp/client_context.h>
#include <grpcpp/completion_queue.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/proto_buffer_reader.h>
#include <grpcpp/support/proto_buffer_writer.h>

#include "grpc/health/v1/health.grpc.pb.h"
#include "marketplace/rpc/client.hpp"
#include "marketplace/rpc/status.hpp"

namespace marketplace::rpctest {
namespace {

namespace pb = google::protobuf;

// The reflection messages are compiled into libgrpc++_reflection; reach them through the
// generated pool instead of generating reflection.proto a second time (which would clash).
std::unique_ptr<pb::Message> NewReflectionMessage(const std::string& name) {
    const auto* descriptor = pb::DescriptorPool::generated_pool()->FindMessageTypeByName(name);
    if (descriptor == nullptr) throw std::runtime_error("descriptor not linked: " + name);
    return std::unique_ptr<pb::Message>(pb::MessageFactory::generated_factory()->GetPrototype(descriptor)->New());
}

void Await(grpc::CompletionQueue& cq, void* expected, const char* step) {
    void* tag = nullptr;
    bool ok = false;
    if (!cq.Next(&tag, &ok) || tag != expected || !ok) throw std::runtime_error(std::string("reflection: ") + step);
}

}  // namespace

std::shared_ptr<grpc::Channel> ChannelTo(int port, int max_attempts) {
    rpc::ChannelOptions options;
    options.target = "127.0.0.1:" + std::to_string(port);
    options.retry.max_attempts = max_attempts;
    options.retry.initial_backoff = std::chrono::milliseconds(10);
    return rpc::CreateChannel(options);
}

std::string HealthStatus(const std::shared_ptr<grpc::Channel>& channel, const std::string& service) {
    auto stub = grpc::health::v1::Health::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(In(std::chrono::seconds(5)));
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    grpc::health::v1::HealthCheckResponse response;
    const auto status = stub->Check(&context, request, &response);
    if (!status.ok()) return "error: " + std::string(rpc::StatusCodeName(status.error_code()));
    return grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status());
}

std::vector<std::string> ReflectedServices(const std::shared_ptr<grpc::Channel>& channel) {
    auto request = NewReflectionMessage("grpc.reflection.v1alpha.ServerReflectionRequest");
    request->GetReflection()->SetString(request.get(), request->GetDescriptor()->FindFieldByName("list_services"), "");
    grpc::ByteBuffer request_bytes;
    bool own = false;
    if (!grpc::SerializationTraits<pb::Message>::Serialize(*request, &request_bytes, &own).ok()) {
        throw std::runtime_error("reflection: serialize");
    }

    grpc::GenericStub stub(channel);
    grpc::CompletionQueue cq;
    grpc::ClientContext context;
    context.set_deadline(In(std::chrono::seconds(5)));
    auto call = stub.PrepareCall(&context, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
    int start = 0, write = 0, read = 0, finish = 0;
    call->StartCall(&start);
    Await(cq, &start, "start");
    call->WriteLast(request_bytes, grpc::WriteOptions(), &write);
    Await(cq, &write, "write");
    grpc::ByteBuffer response_bytes;
    call->Read(&response_bytes, &read);
    Await(cq, &read, "read");
    grpc::Status status;
    call->Finish(&status, &finish);
    Await(cq, &finish, "finish");
    if (!status.ok()) throw std::runtime_error("reflection: " + status.error_message());

    auto response = NewReflectionMessage("grpc.reflection.v1alpha.ServerReflectionResponse");
    if (!grpc::SerializationTraits<pb::Message>::Deserialize(&response_bytes, response.get()).ok()) {
        throw std::runtime_error("reflection: parse");
    }
    const auto* reflection = response->GetReflection();
    const auto& list =
        reflection->GetMessage(*response, response->GetDescriptor()->FindFieldByName("list_services_response"));
    const auto* services_field = list.GetDescriptor()->FindFieldByName("service");
    std::vector<std::string> names;
    for (int i = 0; i < list.GetReflection()->FieldSize(list, services_field); ++i) {
        const auto& service = list.GetReflection()->GetRepeatedMessage(list, services_field, i);
        names.push_back(service.GetReflection()->GetString(service, service.GetDescriptor()->FindFieldByName("name")));
    }
    cq.Shutdown();
    void* tag = nullptr;
    bool ok = false;
    while (cq.Next(&tag, &ok)) {
    }
    return names;
}

}  // namespace marketplace::rpctest
