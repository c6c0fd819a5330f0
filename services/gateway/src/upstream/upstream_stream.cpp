// Upstream::OpenStream: a server-streaming call through the generic stub. The generic callback API
// has no server-streaming reactor, so the call is a bidi one that writes its one request and
// half-closes at once: on the wire that is exactly a server-streaming call.
#include "upstream/upstream_stream.hpp"

#include <mutex>

#include <grpcpp/grpcpp.h>

#include "marketplace/rpc/status.hpp"
#include "upstream/upstream.hpp"

namespace marketplace::gateway {
namespace {

class StreamReactor;

// The handle, shared by the caller and the reactor: cancels and resumes while the call lives.
class StreamControl final : public UpstreamStream {
public:
    void Cancel() override;
    void Resume() override;

    void Attach(grpc::ClientContext* context, StreamReactor* reactor) {
        std::lock_guard lock(mu_);
        context_ = context;
        reactor_ = reactor;
    }
    /// The call is over: nothing to cancel or resume any more.
    void Detach() {
        std::lock_guard lock(mu_);
        context_ = nullptr;
        reactor_ = nullptr;
    }
    /// The observer asked to wait. False when it resumed or the call was cancelled meanwhile: read on.
    bool Pause() {
        std::lock_guard lock(mu_);
        if (cancelled_ || resumed_early_) {
            resumed_early_ = false;
            return false;
        }
        paused_ = true;
        return true;
    }

private:
    // Under mu_: the reactor to read on, if the stream was paused (and is no more).
    StreamReactor* Unpause() {
        if (!paused_ || reactor_ == nullptr) return nullptr;
        paused_ = false;
        return reactor_;
    }

    std::mutex mu_;
    grpc::ClientContext* context_ = nullptr;
    StreamReactor* reactor_ = nullptr;
    bool paused_ = false;
    bool resumed_early_ = false;  // Resume came before the reactor paused
    bool cancelled_ = false;
};

// Owns itself from Start until OnDone. A hold keeps OnDone back while reads may still be started
// from outside a reaction (Resume); it is removed when a read finds the stream's end.
class StreamReactor final : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
public:
    StreamReactor(const UpstreamCall& call, std::shared_ptr<StreamObserver> observer,
                  std::shared_ptr<StreamControl> control, std::shared_ptr<CallTracker> tracker)
        : observer_(std::move(observer)), control_(std::move(control)), tracker_(std::move(tracker)) {
        if (call.deadline != std::chrono::system_clock::time_point::max()) context_.set_deadline(call.deadline);
        for (const auto& [key, value] : call.metadata) context_.AddMetadata(key, value);
        grpc::Slice slice(call.request_bytes);
        request_ = grpc::ByteBuffer(&slice, 1);
    }

    void Start(grpc::GenericStub& stub, const std::string& method_path) {
        if (tracker_) tracker_->Begin();
        control_->Attach(&context_, this);
        stub.PrepareBidiStreamingCall(&context_, method_path, grpc::StubOptions(), this);
        AddHold();
        StartWriteLast(&request_, grpc::WriteOptions());
        StartRead(&response_);
        StartCall();  // from here on `this` may be gone
    }

    void ReadNext() { StartRead(&response_); }

    void OnReadDone(bool ok) override {
        if (!ok) return RemoveHold();  // the stream ended: OnDone follows
        bool more = true;
        try {
            more = observer_->OnMessage(ToBytes(response_));
        } catch (...) {
            // Observers do not throw; nothing may escape into gRPC's thread.
        }
        response_.Clear();
        if (more || !control_->Pause()) ReadNext();
    }

    void OnDone(const grpc::Status& status) override {
        control_->Detach();
        UpstreamResult result;
        result.status = status;
        if (!status.ok()) result.error_field = rpc::ErrorField(context_);
        auto observer = std::move(observer_);
        auto tracker = std::move(tracker_);
        delete this;
        try {
            observer->OnFinish(std::move(result));
        } catch (...) {
        }
        observer.reset();  // drops what it holds (the client's connection) before End()
        if (tracker) tracker->End();
    }

private:
    grpc::ClientContext context_;
    grpc::ByteBuffer request_;
    grpc::ByteBuffer response_;
    std::shared_ptr<StreamObserver> observer_;
    std::shared_ptr<StreamControl> control_;
    std::shared_ptr<CallTracker> tracker_;
};

// The read is started outside the lock (a reaction may run inline); the hold keeps the reactor
// alive until that read completes.
void StreamControl::Cancel() {
    StreamReactor* resume = nullptr;
    {
        std::lock_guard lock(mu_);
        cancelled_ = true;
        if (context_ != nullptr) context_->TryCancel();
        resume = Unpause();  // a paused stream reads on, to find its end
    }
    if (resume != nullptr) resume->ReadNext();
}

void StreamControl::Resume() {
    StreamReactor* resume = nullptr;
    {
        std::lock_guard lock(mu_);
        resume = Unpause();
        if (resume == nullptr && !paused_) resumed_early_ = reactor_ != nullptr;
    }
    if (resume != nullptr) resume->ReadNext();
}

}  // namespace

std::shared_ptr<UpstreamStream> Upstream::OpenStream(UpstreamCall call, std::shared_ptr<StreamObserver> observer) {
    auto control = std::make_shared<StreamControl>();
    auto* reactor = new StreamReactor(call, std::move(observer), control, tracker_);
    reactor->Start(stream_stub_, call.method_path);
    return control;
}

}  // namespace marketplace::gateway
