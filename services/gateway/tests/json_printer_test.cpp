// The gateway's JSON printer against protobuf's (util::MessageToJsonString with the gateway's
// options): random messages of every request, response and stream type of the linked services, with
// edge values (extreme integers, floats that need 9 or 17 digits, NaN and infinities, control
// characters and non-ASCII text, unknown enum numbers, timestamps at the ends of their range, maps,
// oneofs, wrappers), must print the same JSON, byte for byte.
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>
#include <nlohmann/json.hpp>

#include "random_messages.hpp"
#include "routing/linked_protos.hpp"
#include "transcode/json_printer.hpp"

using namespace marketplace::gateway;
using random_messages::ApiTypes;
using random_messages::Filler;
namespace pb = google::protobuf;

namespace {

std::string ProtobufJson(const pb::Message& message) {
    pb::util::JsonPrintOptions options;
    options.always_print_primitive_fields = true;
    options.preserve_proto_field_names = true;
    std::string out;
    REQUIRE(pb::util::MessageToJsonString(message, &out, options).ok());
    return out;
}

}  // namespace

TEST_CASE("JSON printer: random messages of every API type print as protobuf prints them", "[gateway][unit]") {
    const auto types = ApiTypes();
    REQUIRE(types.size() > 100);
    Filler filler(20261207);
    int printed = 0;
    int fallbacks = 0;
    for (const auto* type : types) {
        const pb::Message* prototype = pb::MessageFactory::generated_factory()->GetPrototype(type);
        REQUIRE(prototype != nullptr);
        for (int round = 0; round < 40; ++round) {
            std::unique_ptr<pb::Message> message(prototype->New());
            if (round > 0) filler.Fill(*message, 0);
            const auto ours = PrintJson(*message);
            if (!ours) {
                ++fallbacks;  // a type protobuf's printer prints (Empty, Struct, ...): the caller falls back
                continue;
            }
            ++printed;
            INFO(type->full_name() << " round " << round);
            REQUIRE(*ours == ProtobufJson(*message));
        }
    }
    CHECK(printed > 4000);
    INFO("fell back for " << fallbacks);
}

TEST_CASE("JSON printer: what it leaves to protobuf's printer", "[gateway][unit]") {
    const auto* empty = pb::DescriptorPool::generated_pool()->FindMessageTypeByName("google.protobuf.Empty");
    if (empty != nullptr) {
        std::unique_ptr<pb::Message> message(pb::MessageFactory::generated_factory()->GetPrototype(empty)->New());
        CHECK_FALSE(PrintJson(*message).has_value());
    }
    const auto* timestamp = pb::DescriptorPool::generated_pool()->FindMessageTypeByName("google.protobuf.Timestamp");
    REQUIRE(timestamp != nullptr);
    std::unique_ptr<pb::Message> late(pb::MessageFactory::generated_factory()->GetPrototype(timestamp)->New());
    late->GetReflection()->SetInt64(late.get(), timestamp->field(0), 253'402'300'800);  // after 9999-12-31
    CHECK_FALSE(PrintJson(*late).has_value());
}

TEST_CASE("JSON printer: floating point, maps, durations and the other encodings print as protobuf prints them",
          "[gateway][unit]") {
    random_messages::Everything everything;
    const pb::Descriptor* type = everything.type();
    REQUIRE(type != nullptr);
    Filler filler(7);
    int maps = 0;
    for (int round = 0; round < 3000; ++round) {
        auto message = everything.New();
        filler.Fill(*message, 0);
        const auto ours = PrintJson(*message);
        REQUIRE(ours.has_value());
        const auto theirs = ProtobufJson(*message);
        INFO("round " << round);
        // Map entries come in an order neither printer promises; compare those documents as values.
        const auto* reflection = message->GetReflection();
        bool several = false;
        for (const char* map : {"m1", "m2", "m3", "m4"}) {
            several = several || reflection->FieldSize(*message, type->FindFieldByName(map)) > 1;
        }
        if (several) {
            ++maps;
            CHECK(nlohmann::json::parse(*ours) == nlohmann::json::parse(theirs));
        } else {
            REQUIRE(*ours == theirs);
        }
    }
    CHECK(maps > 100);
}
