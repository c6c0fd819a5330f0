#include "api/workroom_api.hpp"

#include <pqxx/pqxx>

#include "domain/message_rules.hpp"
#include "domain/stream_cursor.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/rpc/call_scope.hpp"
#include "marketplace/rpc/forwarding.hpp"
#include "marketplace/service/mutate.hpp"
#include "marketplace/wire/values.hpp"
#include "storage/calendar_store.hpp"
#include "storage/message_store.hpp"
#include "storage/room_store.hpp"
#include "storage/task_store.hpp"

namespace marketplace::workroom::api {
namespace {

/// How often a waiting stream checks whether its caller went away (the sync API has no callback).
constexpr std::chrono::milliseconds kCancelCheck{200};
/// How often a waiting stream checks that its token is still valid (expiry, revoked sessions).
constexpr std::chrono::milliseconds kTokenCheck{1000};

}  // namespace

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
        service::Mutate(runtime_, [&](pqxx::work& tx) {
            *response->mutable_message() = actions_.Post(tx, claims.subject, *request);
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
        service::Mutate(runtime_, [&](pqxx::work& tx) {
            *response->mutable_task() = actions_.CreateTask(tx, claims.subject, *request);
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
        db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
            actions_.RequireRoom(tx, request->room_id(), claims.subject);
            *response->mutable_event() = calendar_.Create(tx, claims.subject, *request);
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

grpc::Status WorkroomApi::StreamWorkroom(grpc::ServerContext* context, const v1::StreamWorkroomRequest* request,
                                         grpc::ServerWriter<v1::WorkroomEvent>* writer) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) -> grpc::Status {
        const auto claims = scope.RequireClaims();
        const std::string& user = claims.subject;
        const auto resume = ParseCursor(request->resume_after(), "resume_after");
        // Registered before the first read, so nothing written from here on goes unnoticed.
        const auto subscription = feed_.Subscribe(user);
        // The slot that counts across replicas; the source only when the gateway vouches for it.
        const auto lease = leases_.Acquire(
            user, gateway_secret_.empty() ? std::string() : rpc::ClientAddressOf(*context, gateway_secret_));
        StreamCursor cursor;
        // Reads the caller's rooms; a room not in the cursor yet starts from `fresh(room, last)`.
        auto load_rooms = [&](auto fresh) {
            const auto rooms =
                db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) { return storage::LastSequencesOf(tx, user); });
            std::set<std::string> ids;
            for (const auto& [room, last] : rooms) {
                ids.insert(room);
                if (!cursor.count(room)) cursor[room] = fresh(room, last);
            }
            subscription->SetRooms(ids);
            return ids;
        };
        // A room named in resume_after resumes there; another starts from its last sequence now.
        auto rooms = load_rooms([&](const std::string& room, std::int64_t last) {
            const auto it = resume.find(room);
            return it == resume.end() ? last : std::min(it->second, last);
        });
        {
            v1::WorkroomEvent live;
            live.mutable_live()->set_cursor(FormatCursor(cursor));
            wire::ToProto(runtime_.clock()->Now(), live.mutable_occurred_at());
            if (!writer->Write(live)) return grpc::Status::CANCELLED;
        }
        std::set<std::string> dirty = rooms;  // the catch-up after the cursor
        const RoomEventCache::Reader read_events = [this](const std::string& room, std::int64_t after, int limit) {
            auto connection = runtime_.pool().Acquire();
            pqxx::nontransaction read(*connection);
            return storage::EventsAfter(read, room, after, limit);
        };
        std::vector<std::pair<std::string, std::string>> typing;
        // The stream lives only as long as its token: it ends (UNAUTHENTICATED) once the token
        // expires or the user's sessions are revoked, checked at least every kTokenCheck (not on
        // every wake-up: a busy room wakes its streams many times a second).
        auto check_token_at = std::chrono::steady_clock::now() + kTokenCheck;
        const auto check_token = [&] {
            if (std::chrono::steady_clock::now() < check_token_at) return;
            scope.RequireStillValid();
            lease->KeepAlive();
            check_token_at = std::chrono::steady_clock::now() + kTokenCheck;
        };
        for (;;) {
            if (subscription->closed()) throw core::Unavailable("server is shutting down; resume with resume_after");
            if (context->IsCancelled()) return grpc::Status::CANCELLED;
            check_token();
            for (auto it = dirty.begin(); it != dirty.end();) {
                const auto& room = *it;
                // From the process's shared cache, or one statement outside a transaction: the
                // room's events commit in sequence order, so a single SELECT after the cursor never
                // skips one.
                const auto batch = feed_.events().After(room, cursor[room], kStreamBatch, read_events);
                for (const auto& event : batch) {
                    if (!writer->Write(*event)) return grpc::Status::CANCELLED;
                    cursor[room] = event->sequence();
                }
                // A full batch: more are waiting in this room; read it again next round.
                it = static_cast<int>(batch.size()) == kStreamBatch ? std::next(it) : dirty.erase(it);
            }
            for (const auto& [room, who] : typing) {
                if (who == user) continue;
                v1::WorkroomEvent event;
                event.set_room_id(room);
                event.mutable_typing()->set_user_id(who);
                wire::ToProto(runtime_.clock()->Now(), event.mutable_occurred_at());
                if (!writer->Write(event)) return grpc::Status::CANCELLED;
            }
            typing.clear();
            if (!dirty.empty()) continue;
            // Until a wake-up, the poll interval, the caller leaving or the feed closing.
            const auto until = std::chrono::steady_clock::now() + feed_.options().poll;
            LiveFeed::Work work;
            for (;;) {
                check_token();
                work = subscription->Take(kCancelCheck);
                const bool woken =
                    work.all_dirty || work.rooms_changed || !work.dirty_rooms.empty() || !work.typing.empty();
                if (woken || subscription->closed() || context->IsCancelled()) break;
                if (std::chrono::steady_clock::now() >= until) {
                    work.all_dirty = true;  // the safety net
                    break;
                }
            }
            if (work.rooms_changed) {
                // A room joined since: sent whole, from its first event.
                rooms = load_rooms([](const std::string&, std::int64_t) { return std::int64_t{0}; });
                dirty.insert(rooms.begin(), rooms.end());
            }
            if (work.all_dirty) dirty.insert(rooms.begin(), rooms.end());
            for (const auto& room : work.dirty_rooms) {
                if (rooms.count(room)) dirty.insert(room);
            }
            typing = std::move(work.typing);
        }
    });
}

}  // namespace marketplace::workroom::api
