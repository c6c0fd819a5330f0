#pragma once
// Helpers for asserting which field an INVALID_ARGUMENT names and which error a call throws.
#include <string>

#include "marketplace/core/errors.hpp"

namespace marketplace::jobs::testing {

/// The field named by the core::InvalidArgument that `fn` throws; "<no error>" when it throws none.
/// Other exceptions propagate (and fail the test).
template <typename Fn>
std::string InvalidField(Fn&& fn) {
    try {
        fn();
    } catch (const core::InvalidArgument& e) {
        return e.field();
    }
    return "<no error>";
}

/// The caller message of the core::InvalidArgument that `fn` throws; empty when it throws none.
template <typename Fn>
std::string InvalidMessage(Fn&& fn) {
    try {
        fn();
    } catch (const core::InvalidArgument& e) {
        return e.caller_message();
    }
    return {};
}

}  // namespace marketplace::jobs::testing
