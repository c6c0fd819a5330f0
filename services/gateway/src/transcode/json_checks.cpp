#include "transcode/json_checks.hpp"

#include <string>
#include <vector>

#include "http/request_error.hpp"
#include "http/utf8.hpp"

namespace marketplace::gateway {

void CheckJsonBody(std::string_view body, int max_depth, bool allow_nested_arrays) {
    const auto bad = FirstInvalidUtf8(body);
    if (bad != std::string_view::npos) {
        throw RequestError::InvalidArgument("",
                                            "the request body is not valid UTF-8 (byte " + std::to_string(bad) + ")");
    }
    std::vector<char> open;  // the containers we are in: '{' or '['
    bool in_string = false;
    for (std::size_t i = 0; i < body.size(); ++i) {
        const char c = body[i];
        if (in_string) {
            if (c == '\\') {
                ++i;  // whatever is escaped cannot end the string
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        switch (c) {
            case '"':
                in_string = true;
                break;
            case '{':
            case '[':
                if (c == '[' && !allow_nested_arrays && !open.empty() && open.back() == '[') {
                    throw RequestError::InvalidArgument("", "the JSON body holds a list inside a list");
                }
                open.push_back(c);
                if (static_cast<int>(open.size()) > max_depth) {
                    throw RequestError::InvalidArgument(
                        "", "the JSON body nests deeper than " + std::to_string(max_depth) + " levels");
                }
                break;
            case '}':
            case ']':
                if (!open.empty()) open.pop_back();
                break;
            default:
                break;
        }
    }
}

bool IsBlank(std::string_view body) { return body.find_first_not_of(" \t\r\n") == std::string_view::npos; }

}  // namespace marketplace::gateway
