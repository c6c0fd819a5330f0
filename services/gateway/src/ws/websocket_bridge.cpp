#include "ws/websocket_bridge.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "http/upgraded_connection.hpp"
#include "marketplace/core/log.hpp"
#include "marketplace/rpc/status.hpp"
#include "routing/route_table.hpp"
#include "transcode/response_writer.hpp"
#include "transcode/status_mapping.hpp"

namespace marketplace::gateway {
namespace {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace log = core::log;

// What is sent last: an optional text frame, then the close frame.
struct Ending {
    std::string frame;
    websocket::close_reason reason;
};

Ending EndingFor(const UpstreamResult& result) {
    if (result.status.ok()) return {{}, websocket::close_reason(websocket::close_code::normal, "the stream ended")};
    const auto response = ErrorResponseFromGrpc(result.status, result.error_field);
    return {response.body(), websocket::close_reason(static_cast<websocket::close_code>(4000 + response.result_int()),
                                                     rpc::StatusCodeName(result.status.error_code()))};
}

// The same upstream message reaches many WebSockets at once (every connected member of a workroom
// gets each of its events, as the same bytes): its JSON is made once and shared by every WebSocket
// that sends it (one buffer, not a copy per WebSocket), for the next identical bytes of the same
// route. Bounded: the latest kMaxEntries distinct messages per route (a message's deliveries to its
// receivers come within moments of each other, but under load they spread over a few hundred
// milliseconds). A stream's first message is its own starting state (the workroom's `live` with the
// caller's cursor), never shared: it does not go through the memo, so idle connections hold nothing
// in it.
using SharedJson = std::shared_ptr<const std::string>;

class JsonMemo final {
public:
    SharedJson Json(const Route& route, const std::string& bytes) {
        // Made under the lock: the receivers' copies of one message arrive together on gRPC's
        // threads, and the second thread waits for the first one's JSON rather than making it again.
        std::lock_guard lock(mu_);
        auto& memo = routes_[&route];
        const auto it = memo.entries.find(std::string_view(bytes));
        if (it != memo.entries.end()) return it->second;
        auto json = ResponseJson(route, bytes);
        if (!json) return nullptr;
        auto shared = std::make_shared<const std::string>(std::move(*json));
        if (memo.entries.emplace(bytes, shared).second) {
            memo.order.push_back(bytes);
            if (memo.order.size() > kMaxEntries) {
                memo.entries.erase(memo.order.front());
                memo.order.pop_front();
            }
        }
        return shared;
    }

private:
    static constexpr std::size_t kMaxEntries = 256;
    // Looked up by the received bytes themselves, without making a key.
    struct BytesHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view bytes) const noexcept { return std::hash<std::string_view>{}(bytes); }
    };
    struct RouteMemo {
        std::unordered_map<std::string, SharedJson, BytesHash, std::equal_to<>> entries;
        std::deque<std::string> order;  // oldest first
    };
    std::mutex mu_;
    std::unordered_map<const Route*, RouteMemo> routes_;
};

JsonMemo& Memo() {
    static JsonMemo memo;
    return memo;
}

class BridgeSession final : public StreamObserver,
                            public GoingAwayTarget,
                            public std::enable_shared_from_this<BridgeSession> {
public:
    BridgeSession(std::unique_ptr<UpgradedConnection> connection, WebSocketBridge bridge)
        : ws_(std::move(connection->stream)),
          connection_slot_(std::move(connection->connection_slot)),
          send_timer_(ws_.get_executor()),
          bridge_(std::move(bridge)),
          started_(std::chrono::steady_clock::now()) {}

    ~BridgeSession() override {
        if (!accepted_) return;
        log::LogScope scope(bridge_.trace_id, bridge_.request_id);
        const auto millis =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started_).count();
        log::Info("websocket closed", {{"path", bridge_.path},
                                       {"messages", static_cast<unsigned long>(sent_)},
                                       {"close_code", static_cast<int>(close_code_)},
                                       {"duration_ms", static_cast<long long>(millis)}});
    }

    void Start(HttpRequest request) {
        bridge_.place->Attach(weak_from_this());
        beast::get_lowest_layer(ws_).expires_never();  // the WebSocket's own timeouts apply
        websocket::stream_base::timeout timeout{};
        timeout.handshake_timeout = bridge_.options.handshake_timeout;
        timeout.idle_timeout = bridge_.options.idle_timeout;
        timeout.keep_alive_pings = true;
        ws_.set_option(timeout);
        ws_.read_message_max(bridge_.options.max_inbound_bytes);
        ws_.set_option(
            websocket::stream_base::decorator([subprotocol = bridge_.subprotocol, request_id = bridge_.request_id,
                                               traceparent = bridge_.traceparent](websocket::response_type& response) {
                if (!subprotocol.empty()) response.set(bhttp::field::sec_websocket_protocol, subprotocol);
                response.set("X-Request-Id", request_id);
                response.set("traceparent", traceparent);
            }));
        request_ = std::move(request);
        ws_.async_accept(request_, [self = shared_from_this()](beast::error_code ec) { self->OnAccepted(ec); });
    }

    // GoingAwayTarget: any thread.
    void GoAway() override {
        PostEnding({{}, websocket::close_reason(websocket::close_code::going_away, "the gateway is shutting down")});
    }

    // StreamObserver: gRPC's threads, one at a time.
    bool OnMessage(std::string bytes) override {
        SharedJson json;
        if (first_message_) {
            if (auto own = ResponseJson(*bridge_.route, bytes))
                json = std::make_shared<const std::string>(std::move(*own));
        } else {
            json = Memo().Json(*bridge_.route, bytes);
        }
        first_message_ = false;
        if (!json) {
            log::Error("upstream stream message does not parse", {{"method", bridge_.route->grpc_path}});
            PostEnding({ErrorJson("INTERNAL", rpc::kInternalErrorMessage),
                        websocket::close_reason(static_cast<websocket::close_code>(4500), "INTERNAL")});
            return true;
        }
        bool room = true;
        {
            std::lock_guard lock(mu_);
            if (ending_ || ended_) return true;  // read on to the end; the call is being cancelled
            queued_bytes_ += json->size();
            queue_.push_back(std::move(json));
            room = HasRoom();
            paused_ = !room;
        }
        asio::post(ws_.get_executor(), [self = shared_from_this(), room] {
            if (!room) self->ArmSendTimer();
            self->Pump();
        });
        return room;  // full: the feed waits until the writer makes room (Pump resumes it)
    }

    void OnFinish(UpstreamResult result) override {
        const auto code = result.status.error_code();
        if (!result.status.ok() && code != grpc::StatusCode::CANCELLED && code != grpc::StatusCode::INVALID_ARGUMENT &&
            HttpStatusFromGrpc(code) >= bhttp::status::internal_server_error) {
            log::Warn("upstream stream failed", {{"method", bridge_.route->grpc_path},
                                                 {"code", static_cast<int>(code)},
                                                 {"error", result.status.error_message()}});
        }
        auto ending = EndingFor(result);
        asio::post(ws_.get_executor(), [self = shared_from_this(), ending = std::move(ending)]() mutable {
            self->stream_.reset();
            self->BeginEnding(std::move(ending), false);
            self->Pump();
        });
    }

private:
    void OnAccepted(beast::error_code ec) {
        if (ec) {
            log::LogScope scope(bridge_.trace_id, bridge_.request_id);
            log::Info("websocket handshake failed", {{"path", bridge_.path}, {"error", ec.message()}});
            return;
        }
        accepted_ = true;
        request_ = {};  // the upgrade request's headers are not needed once it was answered
        {
            log::LogScope scope(bridge_.trace_id, bridge_.request_id);
            log::Info("websocket opened", {{"path", bridge_.path}, {"status", 101}});
        }
        ws_.text(true);
        bool ending = false;
        {
            std::lock_guard lock(mu_);
            ending = ending_;
        }
        if (!ending) stream_ = bridge_.upstream->OpenStream(std::move(bridge_.call), shared_from_this());
        Read();
        Pump();
    }

    void Read() {
        ws_.async_read(inbound_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            self->inbound_.clear();
            if (!ec) {
                // Clients may send control frames only.
                self->PostEnding({{},
                                  websocket::close_reason(websocket::close_code::policy_error,
                                                          "this WebSocket accepts no messages")});
                return self->Read();
            }
            // The client closed (or the close handshake finished), timed out, or the socket failed.
            self->Finished(ec == websocket::error::closed ? self->ws_.reason().code : std::uint16_t{0});
        });
    }

    // Nothing more goes out: the connection is closed or broken.
    void Finished(std::uint16_t client_code) {
        {
            std::lock_guard lock(mu_);
            ended_ = true;
            queue_.clear();
            queued_bytes_ = 0;
        }
        if (close_code_ == 0) close_code_ = client_code;
        send_timer_.cancel();
        CancelUpstream();
        beast::error_code ignored;
        beast::get_lowest_layer(ws_).socket().close(ignored);
    }

    void CancelUpstream() {
        if (stream_) stream_->Cancel();
    }

    // Under mu_.
    bool HasRoom() const {
        return queue_.size() < bridge_.options.max_queued_messages && queued_bytes_ < bridge_.options.max_queued_bytes;
    }

    // On the strand, when the queue filled: a client that leaves it full for send_timeout is too slow.
    void ArmSendTimer() {
        {
            std::lock_guard lock(mu_);
            if (!paused_) return;  // the writer made room already
        }
        send_timer_.expires_after(bridge_.options.send_timeout);
        send_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (ec) return;  // cancelled: the writer made room
            {
                std::lock_guard lock(self->mu_);
                if (!self->paused_ || self->ending_ || self->ended_) return;
            }
            log::LogScope scope(self->bridge_.trace_id, self->bridge_.request_id);
            log::Warn("websocket client reads too slowly; closing", {{"path", self->bridge_.path}});
            self->PostEnding(
                {ErrorJson("RESOURCE_EXHAUSTED", "the client read too slowly: its " +
                                                     std::to_string(self->bridge_.options.max_queued_messages) +
                                                     " waiting messages were not taken within " +
                                                     std::to_string(self->bridge_.options.send_timeout.count()) +
                                                     " ms; they were dropped, reconnect to resume"),
                 websocket::close_reason(websocket::close_code::policy_error, "the client reads too slowly")});
            // A client that reads nothing at all cannot take the close either: drop it after the
            // closing handshake's time.
            self->send_timer_.expires_after(self->bridge_.options.handshake_timeout);
            self->send_timer_.async_wait([self](beast::error_code wait_ec) {
                if (!wait_ec) self->Finished(0);
            });
        });
    }

    // Any thread: the session ends with `ending` (dropping what is queued); the call is cancelled.
    void PostEnding(Ending ending) {
        BeginEnding(std::move(ending), true);
        asio::post(ws_.get_executor(), [self = shared_from_this()] {
            self->CancelUpstream();
            self->Pump();
        });
    }

    // Any thread. The first ending wins; `drop_queue` discards the messages not yet written.
    void BeginEnding(Ending ending, bool drop_queue) {
        std::lock_guard lock(mu_);
        if (ending_ || ended_) return;
        ending_ = true;
        ending_value_ = std::move(ending);
        if (drop_queue) {
            queue_.clear();
            queued_bytes_ = 0;
        }
    }

    // On the strand: writes the next queued message, then the ending's frame, then the close.
    void Pump() {
        if (!accepted_ || writing_ || close_sent_) return;
        std::optional<websocket::close_reason> close;
        bool resume = false;
        {
            std::lock_guard lock(mu_);
            if (ended_) return;
            if (!queue_.empty()) {
                out_ = std::move(queue_.front());
                queue_.pop_front();
                queued_bytes_ -= out_->size();
                if (paused_ && HasRoom()) {
                    paused_ = false;
                    resume = true;
                }
            } else if (ending_value_ && !ending_value_->frame.empty()) {
                out_ = std::make_shared<const std::string>(std::move(ending_value_->frame));
                ending_value_->frame.clear();
            } else if (ending_value_) {
                close = ending_value_->reason;
            } else {
                return;
            }
        }
        if (resume) {
            send_timer_.cancel();
            if (stream_) stream_->Resume();
        }
        writing_ = true;
        if (close) {
            close_sent_ = true;
            close_code_ = close->code;
            return ws_.async_close(*close, [self = shared_from_this()](beast::error_code) {
                self->writing_ = false;
                // The read completes with `closed` once the client answers (or the timeout passes).
            });
        }
        ws_.async_write(asio::buffer(*out_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
            self->writing_ = false;
            self->out_.reset();
            if (ec) return self->Finished(0);
            ++self->sent_;
            self->Pump();
        });
    }

    websocket::stream<beast::tcp_stream> ws_;
    std::shared_ptr<void> connection_slot_;
    asio::steady_timer send_timer_;
    WebSocketBridge bridge_;
    HttpRequest request_;
    beast::flat_buffer inbound_;
    std::shared_ptr<UpstreamStream> stream_;  // on the strand
    std::chrono::steady_clock::time_point started_;

    // On the strand.
    bool accepted_ = false;
    bool writing_ = false;
    bool close_sent_ = false;
    SharedJson out_;  // the frame being written
    std::size_t sent_ = 0;
    std::uint16_t close_code_ = 0;

    // Shared with gRPC's threads.
    bool first_message_ = true;  // OnMessage: gRPC's threads, one at a time
    std::mutex mu_;
    std::deque<SharedJson> queue_;
    std::size_t queued_bytes_ = 0;
    bool paused_ = false;  // the queue is full and the feed waits
    bool ending_ = false;  // an ending is chosen: no more messages are queued
    bool ended_ = false;   // the connection is gone
    std::optional<Ending> ending_value_;
};

}  // namespace

void StartWebSocketBridge(std::unique_ptr<UpgradedConnection> connection, HttpRequest request, WebSocketBridge bridge) {
    std::make_shared<BridgeSession>(std::move(connection), std::move(bridge))->Start(std::move(request));
}

}  // namespace marketplace::gateway
