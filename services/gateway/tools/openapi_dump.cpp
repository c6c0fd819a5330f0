// Prints the gateway's /openapi.json for every proto package linked into it (the document a gateway
// routing all of them serves), for linters and client generators that want it without a running stack.
//   marketplace-openapi-dump [--packages auth,jobs,...] > openapi.json
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "edge/public_routes.hpp"
#include "openapi/openapi.hpp"
#include "routing/linked_protos.hpp"
#include "routing/route_table.hpp"

using namespace marketplace::gateway;

int main(int argc, char** argv) {
    std::vector<std::string> packages;
    if (argc == 3 && std::string(argv[1]) == "--packages") {
        std::stringstream list(argv[2]);
        for (std::string name; std::getline(list, name, ',');) {
            if (!name.empty()) packages.push_back(name);
        }
    } else if (argc != 1) {
        std::cerr << "usage: " << argv[0] << " [--packages auth,jobs,...]\n";
        return 2;
    } else {
        for (const auto& package : LinkedProtoPackages()) packages.push_back(package.name);
    }
    try {
        std::vector<const google::protobuf::ServiceDescriptor*> services;
        for (const auto& name : packages) {
            const auto* package = FindLinkedPackage(name);
            if (package == nullptr) {
                std::cerr << "no linked proto package '" << name << "'\n";
                return 2;
            }
            for (const auto* service : ServicesOf(*package)) services.push_back(service);
        }
        std::cout << BuildOpenApiDocument(packages, RouteTable::FromServices(services), IsPublicMethod, "X-Signature")
                  << "\n";
    } catch (const std::exception& e) {
        std::cerr << "openapi: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
