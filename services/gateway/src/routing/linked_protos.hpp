#pragma once
// The proto packages linked into the gateway (generated from the CMake list
// gateway_proto_packages): their generated code is kept by the linker and registered in
// google::protobuf::DescriptorPool::generated_pool(), where the route table finds the services.
#include <string>
#include <vector>

#include <google/protobuf/descriptor.h>

namespace marketplace::gateway {

struct LinkedProtoPackage {
    std::string name;        // "jobs"
    std::string proto_file;  // "marketplace/jobs/v1/jobs.proto"
    const void* anchor;      // the file's descriptor table: referencing it keeps the code linked
};

const std::vector<LinkedProtoPackage>& LinkedProtoPackages();

/// The linked package of that name, or null.
const LinkedProtoPackage* FindLinkedPackage(const std::string& name);

/// The services declared in a linked package's proto file. Throws std::runtime_error when the file
/// is not in the generated pool.
std::vector<const google::protobuf::ServiceDescriptor*> ServicesOf(const LinkedProtoPackage& package);

}  // namespace marketplace::gateway
