#include "http/session.hpp"

#include <exception>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "http/upgraded_connection.hpp"
#include "marketplace/core/log.hpp"

namespace marketplace::gateway::impl {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace log = core::log;
using tcp = asio::ip::tcp;

namespace {
constexpr std::size_t kIdleReadBytes = 4096;
constexpr std::size_t kMaxLingerBytes = 1024 * 1024;
constexpr std::chrono::seconds kLingerTimeout{1};
}  // namespace

bool ServerShared::TakeAddress(const std::string& address) {
    std::lock_guard lock(per_address_mu_);
    auto& count = per_address_[address];
    if (count >= limits.max_connections_per_address) return false;
    ++count;
    return true;
}

void ServerShared::ReleaseAddress(const std::string& address) {
    std::lock_guard lock(per_address_mu_);
    const auto it = per_address_.find(address);
    if (it == per_address_.end()) return;
    if (--it->second == 0) per_address_.erase(it);
}

Session::Session(tcp::socket&& socket, std::shared_ptr<ServerShared> shared, std::string address, bool address_taken,
                 std::optional<Refusal> refusal)
    : stream_(std::move(socket)),
      request_timer_(stream_.get_executor()),
      shared_(std::move(shared)),
      address_taken_(address_taken),
      refusal_(std::move(refusal)) {
    peer_.address = std::move(address);
    if (refusal_) {
        ++shared_->refusing;
    } else {
        ++shared_->connections;
    }
}

Session::~Session() {
    if (dispatched_) --shared_->in_flight;
    if (refusal_) {
        --shared_->refusing;
        return;
    }
    if (!handed_over_) {
        --shared_->connections;
        if (address_taken_) shared_->ReleaseAddress(peer_.address);
    }
}

void Session::Start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadIdle(); });
}

void Session::ReadIdle() {
    if (buffer_.size() > 0) return ReadHeader();  // a pipelined request is already here
    // A refused connection gets only the request timeout to send the request it is refused.
    stream_.expires_after(refusal_ ? shared_->limits.request_timeout : shared_->limits.idle_timeout);
    stream_.async_read_some(buffer_.prepare(kIdleReadBytes),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                                if (ec) return self->Close();  // idle timeout, or the client left
                                self->buffer_.commit(n);
                                self->ReadHeader();
                            });
}

namespace {

// What a failed read means for the client; false when there is nobody left to answer.
bool ReadFailure(const beast::error_code& ec, bool timed_out, bhttp::status& status, std::string& code,
                 std::string& message, const HttpLimits& limits) {
    if (timed_out) {
        status = bhttp::status::request_timeout;
        code = "REQUEST_TIMEOUT";
        message = "the request did not arrive within " + std::to_string(limits.request_timeout.count()) + " ms";
    } else if (ec == bhttp::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
               ec == asio::error::operation_aborted || ec == asio::error::broken_pipe) {
        return false;
    } else if (ec == bhttp::error::header_limit) {
        status = bhttp::status::request_header_fields_too_large;
        code = "HEADERS_TOO_LARGE";
        message = "request headers exceed " + std::to_string(limits.max_header_bytes) + " bytes";
    } else if (ec == bhttp::error::body_limit) {
        status = bhttp::status::payload_too_large;
        code = "PAYLOAD_TOO_LARGE";
        message = "request body exceeds " + std::to_string(limits.max_body_bytes) + " bytes";
    } else {
        status = bhttp::status::bad_request;
        code = "INVALID_ARGUMENT";
        message = "malformed HTTP request: " + ec.message();
    }
    return true;
}

}  // namespace

void Session::ReadHeader() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(shared_->limits.max_header_bytes));
    parser_->body_limit(shared_->limits.max_body_bytes);
    // One deadline for the whole request, headers and body: a slow client cannot hold the connection.
    stream_.expires_never();
    StartRequestTimer();
    bhttp::async_read_header(
        stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            bhttp::status status;
            std::string code;
            std::string message;
            if (ec) {
                if (!ReadFailure(ec, self->timed_out_, status, code, message, self->shared_->limits))
                    return self->Close();
                return self->Fail(status, code, message);
            }
            const auto& header = self->parser_->get();
            self->version_ = header.version();
            self->keep_alive_ = header.keep_alive();
            if (self->refusal_) {
                auto response = ErrorResponse(self->refusal_->status, self->refusal_->code, self->refusal_->message);
                response.set(bhttp::field::retry_after, "1");
                self->StopRequestTimer();
                self->keep_alive_ = false;
                self->parser_.reset();
                return self->Write(std::move(response), true);
            }
            if (self->parser_->is_done()) return self->Dispatch();
            if (beast::iequals(header[bhttp::field::expect], "100-continue")) {
                self->continue_ = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, 11);
                return bhttp::async_write(self->stream_, *self->continue_, [self](beast::error_code wec, std::size_t) {
                    self->continue_.reset();
                    if (wec) return self->Close();
                    self->ReadBody();
                });
            }
            self->ReadBody();
        });
}

void Session::ReadBody() {
    bhttp::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
        bhttp::status status;
        std::string code;
        std::string message;
        if (ec) {
            if (!ReadFailure(ec, self->timed_out_, status, code, message, self->shared_->limits)) return self->Close();
            return self->Fail(status, code, message);
        }
        self->Dispatch();
    });
}

void Session::StartRequestTimer() {
    timed_out_ = false;
    request_timer_.expires_after(shared_->limits.request_timeout);
    request_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
        if (ec) return;  // cancelled: the request arrived in time
        self->timed_out_ = true;
        beast::error_code ignored;
        self->stream_.socket().cancel(ignored);
    });
}

void Session::StopRequestTimer() { request_timer_.cancel(); }

void Session::Dispatch() {
    StopRequestTimer();
    stream_.expires_never();  // the handler's upstream deadline bounds the wait from here
    dispatched_ = true;
    ++shared_->in_flight;
    HttpRequest request = parser_->release();
    parser_.reset();
    auto self = shared_from_this();
    Responder respond(
        [self](HttpResponse response) {
            asio::post(self->stream_.get_executor(),
                       [self, response = std::move(response)]() mutable { self->Write(std::move(response), false); });
        },
        [self](UpgradeFn take) {
            asio::post(self->stream_.get_executor(),
                       [self, take = std::move(take)]() mutable { self->HandOver(std::move(take)); });
        });
    try {
        shared_->handler(std::move(request), peer_, respond);
    } catch (const std::exception& e) {
        log::Error("http handler threw", {{"error", e.what()}});
        respond(ErrorResponse(bhttp::status::internal_server_error, "INTERNAL", "internal error"));
    }
}

void Session::Write(HttpResponse response, bool close) {
    if (dispatched_) {
        dispatched_ = false;
        --shared_->in_flight;
    }
    const bool keep_alive = keep_alive_ && !close;
    response.version(version_);
    response.keep_alive(keep_alive);
    response.prepare_payload();
    writing_ = std::make_shared<HttpResponse>(std::move(response));
    stream_.expires_after(shared_->limits.request_timeout);  // a client that does not read is dropped
    bhttp::async_write(stream_, *writing_, [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
        self->writing_.reset();
        if (ec) return self->Close();
        if (!keep_alive) return self->LingeringClose();
        self->ReadIdle();
    });
}

void Session::HandOver(UpgradeFn take) {
    if (dispatched_) {
        dispatched_ = false;
        --shared_->in_flight;
    }
    StopRequestTimer();
    stream_.expires_never();
    handed_over_ = true;
    auto shared = shared_;
    std::shared_ptr<void> slot(nullptr, [shared, address = address_taken_ ? peer_.address : std::string()](void*) {
        --shared->connections;
        if (!address.empty()) shared->ReleaseAddress(address);
    });
    try {
        take(std::make_unique<UpgradedConnection>(std::move(stream_), std::move(slot)));
    } catch (const std::exception& e) {
        log::Error("taking over a connection failed", {{"error", e.what()}});
    }
}

void Session::Fail(bhttp::status status, std::string_view code, std::string_view message) {
    StopRequestTimer();
    keep_alive_ = false;
    parser_.reset();
    Write(ErrorResponse(status, code, message), true);
}

void Session::LingeringClose() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return Close();
    drain_ = std::make_shared<std::array<char, 4096>>();
    stream_.expires_after(kLingerTimeout);
    DrainSome();
}

void Session::DrainSome() {
    stream_.async_read_some(asio::buffer(*drain_), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
        self->drained_ += n;
        if (ec || self->drained_ > kMaxLingerBytes) return self->Close();
        self->DrainSome();
    });
}

void Session::Close() {
    StopRequestTimer();
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
}

}  // namespace marketplace::gateway::impl
