#include <stdexcept>

#include "routing/linked_protos.hpp"

namespace marketplace::gateway {

const LinkedProtoPackage* FindLinkedPackage(const std::string& name) {
    for (const auto& package : LinkedProtoPackages()) {
        if (package.name == name) return &package;
    }
    return nullptr;
}

std::vector<const google::protobuf::ServiceDescriptor*> ServicesOf(const LinkedProtoPackage& package) {
    const auto* file = google::protobuf::DescriptorPool::generated_pool()->FindFileByName(package.proto_file);
    if (file == nullptr || package.anchor == nullptr) {
        throw std::runtime_error("proto file " + package.proto_file + " is not linked into the gateway");
    }
    std::vector<const google::protobuf::ServiceDescriptor*> services;
    for (int i = 0; i < file->service_count(); ++i) services.push_back(file->service(i));
    return services;
}

}  // namespace marketplace::gateway
