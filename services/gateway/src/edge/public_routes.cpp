#include "edge/public_routes.hpp"

#include <algorithm>

namespace marketplace::gateway {

bool IsPublicMethod(std::string_view full_method_name) {
    return std::find(kPublicMethods.begin(), kPublicMethods.end(), full_method_name) != kPublicMethods.end();
}

}  // namespace marketplace::gateway
