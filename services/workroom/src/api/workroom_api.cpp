#include "api/workroom_api.hpp"

#include <pqxx/pqxx>

#include "domain/message_rules.hpp"
#include "domain/stream_cursor.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/rpc/call_scope.hpp"
#include "marketplace/service/mutate.hpp"
#include "marketplace/wire/values.hpp"
#include "storage/calendar_store.hpp"
#include "storage/message_store.hpp"
#include "storage/room_store.hpp"
#include "storage/task_store.hpp"

namespace marketplace::workroom::api {

int PageSize(int requested, int fallback) {
    if (requested < 0 || requested > 100) throw core::InvalidArgument("page_size", "must be between 0 and 100");
    return requested == 0 ? fallback : requested;
}

grpc::Status WorkroomApi::ListRooms(grpc::ServerContext* context, const v1::ListRoomsRequest* request,
                                    v1::ListRoomsResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const auto claims = scope.RequireClaims();
        const int limit = PageSize(request->page_size(), 20);
        db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
            response->Clear();
            for (auto& room : storage::RoomsOf(tx, claims.subject, limit)) *response->add_rooms() = std::move(room);
        });
    });
}

grpc::Status WorkroomApi::GetRoom(grpc::ServerContext* context, const v1::GetRoomRequest* request,
                                  v1::GetRoomResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const auto claims = scope.RequireClaims();
        db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
            *response->mutable_room() = actions_.RequireRoom(tx, request->room_id(), claims.subject);
        });
    });
}

grpc::Status WorkroomApi::SetHandle(grpc::ServerContext* context, const v1::SetHandleRequest* request,
                                    v1::SetHandleResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const auto claims = scope.RequireClaims();
        db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
            actions_.RequireRoom(tx, request->room_id(), claims.subject);
            RequireHandle(request->handle(), "handle");
            *response->mutable_member() = storage::SetHandle(tx, request->room_id(), claims.subject, request->handle());
        });
    });
}

grpc::Status WorkroomApi::PostMessage(grpc::ServerContext* context, const v1::PostMessageRequest* request,
                                      v1::PostMessageResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const auto claims = scope.RequireClaims();
        *response =
            service::MutateWithOptionalKey<v1::PostMessageResponse>(runtime_, scope, *request, [&](pqxx::work& tx) {
                v1::PostMessageResponse out;
                *out.mutable_message() = actions_.Post(tx, claims.subject, *request);
                return out;
            });
    });
}

grpc::Status WorkroomApi::EditMessage(grpc::ServerContext* context, const v1::EditMessageRequest* request,
                                      v1::EditMessageResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const auto claims = scope.RequireClaims();
        service::Mutate(runtime_, [&](pqxx::work& tx) {
            *response->mutable_message() = actions_.Edit(tx, claims.subject, *request);
        });
    });
}

grpc::Status WorkroomApi::DeleteMessage(grpc::ServerContext* context, const v1::DeleteMessageRequest* request,
                                        v1::DeleteMessageResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const auto claims = scope.RequireClaims();
        db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
            *response->mutable_message() = actions_.Delete(tx, claims.subject, *request);
        });
    });
}

grpc::Status WorkroomApi::ListMessages(grpc::ServerContext* context, const v1::ListMessagesRequest* request,
                                       v1::ListMessagesResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const auto claims = scope.RequireClaims();
        const int limit = PageSize(request->page_size(), 50);
        if (request->before_sequence() < 0) throw core::InvalidArgument("before_sequence", "must be >= 0");
        if (request->after_sequence() < 0) throw core::InvalidArgument("after_sequence", "must be >= 0");
        if (request->before_sequence() > 0 && request->after_sequence() > 0) {
            throw core::InvalidArgument("after_sequence", "must be 0 when before_sequence is set");
        }
        if (!request->thread_root_id().empty()) core::RequireUuid(request->thread_root_id(), "thread_root_id");
        db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
            actions_.RequireRoom(tx, request->room_id(), claims.subject);
            auto page = storage::ListMessages(tx, request->room_id(), request->thread_root_id(),
                                              request->before_sequence(), request->after_sequence(), limit);
            response->Clear();
            for (auto& m : page.messages) *response->add_messages() = std::move(m);
            response->set_has_more(page.has_more);
        });
    });
}

grpc::Status WorkroomApi::GetMessageHistory(grpc::ServerContext* context, const v1::GetMessageHistoryRequest* request,
                                            v1::GetMessageHistoryResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const auto claims = scope.RequireClaims();
        db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
            actions_.RequireRoom(tx, request->room_id(), claims.subject);
            core::RequireUuid(request->message_id(), "message_id");
            const auto message = storage::FindMessage(tx, request->room_id(), request->message_id());
            if (!message) throw core::NotFound("message not found");
            response->Clear();
            *response->mutable_message() = *message;
            for (auto& v : storage::Versions(tx, request->message_id())) *response->add_versions() = std::move(v);
        });
    });
}

grpc::Status WorkroomApi::SearchMessages(grpc::ServerContext* context, const v1::SearchMessagesRequest* request,
                                         v1::SearchMessagesResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const auto claims = scope.RequireClaims();
        const int limit = PageSize(request->page_size(), 20);
        if (Utf8Length(request->query()) > kMaxQueryChars) {
            throw core::InvalidArgument("query", "must be at most " + std::to_string(kMaxQueryChars) + " characters");
        }
        db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
            actions_.RequireRoom(tx, request->room_id(), claims.subject);
            response->Clear();
            for (auto& m : storage::Search(tx, request->room_id(), request->query(), limit)) {
                *response->add_messages() = std::move(m);
            }
        });
    });
}

grpc::Status WorkroomApi::MarkRead(grpc::ServerContext* context, const v1::MarkReadRequest* request,
                                   v1::MarkReadResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const auto claims = scope.RequireClaims();
        *response = db::InTransaction(runtime_.pool(),
                                      [&](pqxx::work& tx) { return actions_.MarkRead(tx, claims.subject, *request); });
    });
}

grpc::Status WorkroomApi::SendTyping(grpc::ServerContext* context, const v1::SendTypingRequest* request,
                                     v1::SendTypingResponse* /*response*/) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const auto claims = scope.RequireClaims();
        db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
            actions_.RequireRoom(tx, request->room_id(), claims.subject);
            storage::NotifyTyping(tx, request->room_id(), claims.subject);
        });
    });
}

grpc::Status WorkroomApi::CreateTask(grpc::ServerContext* context, const v1::CreateTaskRequest* request,
                                     v1::CreateTaskResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const auto claims = scope.RequireClaims();
        *response =
            service::MutateWithOptionalKey<v1::CreateTaskResponse>(runtime_, scope, *request, [&](pqxx::work& tx) {
                v1::CreateTaskResponse out;
                *out.mutable_task() = actions_.CreateTask(tx, claims.subject, *request);
                return out;
            });
    });
}

grpc::Status WorkroomApi::UpdateTask(grpc::ServerContext* context, const v1::UpdateTaskRequest* request,
                                     v1::UpdateTaskResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const auto claims = scope.RequireClaims();
        service::Mutate(runtime_, [&](pqxx::work& tx) {
            *response->mutable_task() = actions_.UpdateTask(tx, claims.subject, *request);
        });
    });
}

grpc::Status WorkroomApi::MoveTask(grpc::ServerContext* context, const v1::MoveTaskRequest* request,
                                   v1::MoveTaskResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const auto claims = scope.RequireClaims();
        service::Mutate(runtime_, [&](pqxx::work& tx) {
            *response->mutable_task() = actions_.MoveTask(tx, claims.subject, *request);
        });
    });
}

grpc::Status WorkroomApi::ListTasks(grpc::ServerContext* context, const v1::ListTasksRequest* request,
                                    v1::ListTasksResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const auto claims = scope.RequireClaims();
        db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
            actions_.RequireRoom(tx, request->room_id(), claims.subject);
            response->Clear();
            for (auto& t : storage::ListTasks(tx, request->room_id())) *response->add_tasks() = std::move(t);
        });
    });
}

grpc::Status WorkroomApi::CreateCalendarEvent(grpc::ServerContext* context,
                                              const v1::CreateCalendarEventRequest* request,
                                              v1::CreateCalendarEventResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const auto claims = scope.RequireClaims();
        *response = service::MutateWithOptionalKey<v1::CreateCalendarEventResponse>(
            runtime_, scope, *request, [&](pqxx::work& tx) {
                actions_.RequireRoom(tx, request->room_id(), claims.subject);
                v1::CreateCalendarEventResponse out;
                *out.mutable_event() = calendar_.Create(tx, claims.subject, *request);
                return out;
            });
    });
}

grpc::Status WorkroomApi::ListCalendarEvents(grpc::ServerContext* context, const v1::ListCalendarEventsRequest* request,
                                             v1::ListCalendarEventsResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const auto claims = scope.RequireClaims();
        db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
            actions_.RequireRoom(tx, request->room_id(), claims.subject);
            response->Clear();
            for (auto& e : storage::ListCalendarEvents(tx, request->room_id())) *response->add_events() = std::move(e);
        });
    });
}

grpc::Status WorkroomApi::ExportCalendar(grpc::ServerContext* context, const v1::ExportCalendarRequest* request,
                                         v1::ExportCalendarResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const auto claims = scope.RequireClaims();
        db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
            const auto room = actions_.RequireRoom(tx, request->room_id(), claims.subject);
            response->set_icalendar(calendar_.Export(tx, room.room_id(), room.contract_id()));
        });
    });
}

grpc::ServerWriteReactor<v1::WorkroomEvent>* WorkroomApi::StreamWorkroom(grpc::CallbackServerContext* context,
                                                                         const v1::StreamWorkroomRequest* request) {
    return streams_.Open(context, *request);
}

}  // namespace marketplace::workroom::api
