#pragma once
// The WorkroomService gRPC handlers: decode, take the caller from the access token, run the use
// case in one transaction, encode. A caller who is not a member of the room gets NOT_FOUND, as if it
// did not exist.
//
// StreamWorkroom covers every room of the caller: it registers with the LiveFeed, reads each room's
// last sequence, sends `live` with the cursor it starts from, then the stored events after that
// cursor room by room, then each new one as it commits (and typing indicators of the others). It
// ends when the caller cancels, and with UNAVAILABLE when the server shuts down; the client resumes
// anywhere with resume_after = the last sequence it saw in each room. It is the service's one
// method on gRPC's callback API (a reactor per open stream, no thread per stream:
// api/workroom_stream.hpp); the others are synchronous handlers.
#include <grpcpp/grpcpp.h>

#include "api/workroom_stream.hpp"
#include "app/calendar_actions.hpp"
#include "app/live_feed.hpp"
#include "app/room_actions.hpp"
#include "marketplace/service/runtime.hpp"
#include "marketplace/service/stream_leases.hpp"
#include "marketplace/workroom/v1/workroom.grpc.pb.h"

namespace marketplace::workroom::api {

/// 0 means `fallback`; outside 0..100 is INVALID_ARGUMENT page_size.
int PageSize(int requested, int fallback);

class WorkroomApi final : public v1::WorkroomService::WithCallbackMethod_StreamWorkroom<v1::WorkroomService::Service> {
public:
    /// `gateway_secret`: whose forwarded client address counts for the stream budget (empty: none).
    WorkroomApi(service::Runtime& runtime, LiveFeed& feed, service::StreamLeases& leases, std::string gateway_secret)
        : runtime_(runtime),
          actions_(runtime),
          calendar_(runtime),
          streams_(runtime, feed, leases, std::move(gateway_secret)) {}

    grpc::Status ListRooms(grpc::ServerContext* context, const v1::ListRoomsRequest* request,
                           v1::ListRoomsResponse* response) override;
    grpc::Status GetRoom(grpc::ServerContext* context, const v1::GetRoomRequest* request,
                         v1::GetRoomResponse* response) override;
    grpc::Status SetHandle(grpc::ServerContext* context, const v1::SetHandleRequest* request,
                           v1::SetHandleResponse* response) override;
    grpc::Status PostMessage(grpc::ServerContext* context, const v1::PostMessageRequest* request,
                             v1::PostMessageResponse* response) override;
    grpc::Status EditMessage(grpc::ServerContext* context, const v1::EditMessageRequest* request,
                             v1::EditMessageResponse* response) override;
    grpc::Status DeleteMessage(grpc::ServerContext* context, const v1::DeleteMessageRequest* request,
                               v1::DeleteMessageResponse* response) override;
    grpc::Status ListMessages(grpc::ServerContext* context, const v1::ListMessagesRequest* request,
                              v1::ListMessagesResponse* response) override;
    grpc::Status GetMessageHistory(grpc::ServerContext* context, const v1::GetMessageHistoryRequest* request,
                                   v1::GetMessageHistoryResponse* response) override;
    grpc::Status SearchMessages(grpc::ServerContext* context, const v1::SearchMessagesRequest* request,
                                v1::SearchMessagesResponse* response) override;
    grpc::Status MarkRead(grpc::ServerContext* context, const v1::MarkReadRequest* request,
                          v1::MarkReadResponse* response) override;
    grpc::Status SendTyping(grpc::ServerContext* context, const v1::SendTypingRequest* request,
                            v1::SendTypingResponse* response) override;
    grpc::Status CreateTask(grpc::ServerContext* context, const v1::CreateTaskRequest* request,
                            v1::CreateTaskResponse* response) override;
    grpc::Status UpdateTask(grpc::ServerContext* context, const v1::UpdateTaskRequest* request,
                            v1::UpdateTaskResponse* response) override;
    grpc::Status MoveTask(grpc::ServerContext* context, const v1::MoveTaskRequest* request,
                          v1::MoveTaskResponse* response) override;
    grpc::Status ListTasks(grpc::ServerContext* context, const v1::ListTasksRequest* request,
                           v1::ListTasksResponse* response) override;
    grpc::Status CreateCalendarEvent(grpc::ServerContext* context, const v1::CreateCalendarEventRequest* request,
                                     v1::CreateCalendarEventResponse* response) override;
    grpc::Status ListCalendarEvents(grpc::ServerContext* context, const v1::ListCalendarEventsRequest* request,
                                    v1::ListCalendarEventsResponse* response) override;
    grpc::Status ExportCalendar(grpc::ServerContext* context, const v1::ExportCalendarRequest* request,
                                v1::ExportCalendarResponse* response) override;
    grpc::ServerWriteReactor<v1::WorkroomEvent>* StreamWorkroom(grpc::CallbackServerContext* context,
                                                                const v1::StreamWorkroomRequest* request) override;

private:
    service::Runtime& runtime_;
    RoomActions actions_;
    CalendarActions calendar_;
    WorkroomStreams streams_;
};

}  // namespace marketplace::workroom::api
