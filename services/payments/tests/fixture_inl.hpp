#pragma once
// Template definitions of fixture.hpp.
#include <pqxx/transaction>

#include "marketplace/core/ids.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/rpc/client.hpp"
#include "marketplace/rpc/status.hpp"

namespace marketplace::payments::test {

template <typename Request, typename Response>
CallResult Call(grpc::Status (v1::PaymentsService::Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                const User& who, const Request& request, Response* response, const std::string& idempotency_key) {
    grpc::ClientContext context;
    rpc::OutgoingCall call;
    call.deadline = std::chrono::system_clock::now() + std::chrono::seconds(30);
    call.idempotency_key = idempotency_key == "auto" ? core::NewUuidV4() : idempotency_key;
    if (!who.id.empty()) call.bearer_token = Service::Get().tokens().For(who.id, who.role);
    rpc::PrepareClientContext(context, call);
    CallResult result;
    result.status = (Service::Get().stub().*method)(&context, request, response);
    result.field = rpc::ErrorField(context);
    return result;
}

template <typename Message>
void Deliver(const Message& event, const std::string& key, const std::string& event_id) {
    messaging::IncomingEvent in;
    in.id = event_id.empty() ? core::NewUuidV4() : event_id;
    in.source = "//marketplace/contracts";
    in.type = Message::descriptor()->full_name();
    in.key = key;
    in.payload = event.SerializeAsString();
    in.topic = "contracts.events.v1";
    auto& service = Service::Get();
    const auto handler = service.component().router().Handler();
    db::InTransaction(service.runtime().pool(), [&](pqxx::work& tx) { handler(tx, in); });
    service.runtime().Published();
}

template <typename Message>
std::vector<Message> PublishedOf(const std::string& key) {
    std::vector<Message> out;
    for (const auto& [type, payload] : Published(key)) {
        if (type != Message::descriptor()->full_name()) continue;
        Message m;
        m.ParseFromString(payload);
        out.push_back(std::move(m));
    }
    return out;
}

}  // namespace marketplace::payments::test
