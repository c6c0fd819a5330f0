// A relay or consumer in its own process, which the crash tests kill at a chosen point with _exit:
//   messaging_fault_agent relay <conninfo> <service>                 dies after the broker acknowledged a batch,
//                                                                     before the relay recorded it
//   messaging_fault_agent consumer <conninfo> <group> <topic>        dies after an event's transaction committed,
//                                                                     before its offset was stored
// Exit status 3 means it died where asked; 4 means nothing happened within 60 s.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "marketplace/core/config.hpp"
#include "marketplace/core/log.hpp"
#include "marketplace/messaging/consumer.hpp"
#include "marketplace/messaging/relay.hpp"
#include "support.hpp"

using namespace marketplace;

int main(int argc, char** argv) {
    core::log::Init("fault-agent");
    if (argc < 4) {
        std::fprintf(stderr, "usage: messaging_fault_agent relay|consumer <conninfo> ...\n");
        return 64;
    }
    const std::string mode = argv[1];
    db::PgConfig pg;
    pg.conninfo = argv[2];
    core::EnvReader env;
    const auto kafka = messaging::KafkaConfig::FromEnv(env);
    try {
        env.Finish();
    } catch (const core::ConfigError& e) {
        core::ExitOnConfigError(e);
    }
    if (mode == "relay") {
        messaging::RelayOptions options;
        options.service = argv[3];
        options.after_publish_before_record = [] { _exit(3); };
        messaging::OutboxRelay relay(pg, kafka, options);
        relay.Start();
        std::this_thread::sleep_for(std::chrono::seconds(60));
        return 4;
    }
    if (mode == "consumer" && argc >= 5) {
        messaging::ConsumerOptions options;
        options.group = argv[3];
        options.topics = {argv[4]};
        options.after_commit_before_offset = [](const messaging::IncomingEvent&) { _exit(3); };
        messaging::InboxConsumer consumer(pg, kafka, options, messaging::test::RecordingHandler(options.group));
        consumer.Start();
        std::this_thread::sleep_for(std::chrono::seconds(60));
        return 4;
    }
    std::fprintf(stderr, "messaging_fault_agent: unknown mode '%s'\n", mode.c_str());
    return 64;
}
