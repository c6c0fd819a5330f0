// marketplace-kafka-admin: the local stack's use of Kafka's admin API (topics, leaders, ACLs).
//
//   marketplace-kafka-admin wait-brokers N [SECONDS]       until the metadata lists N brokers
//   marketplace-kafka-admin create-topics [--partitions P] [--replication R] [--config k=v]... TOPIC...
//   marketplace-kafka-admin list-topics                     prints every topic's name, one a line
//   marketplace-kafka-admin delete-topics TOPIC...          deletes them (a missing one is no error)
//   marketplace-kafka-admin leader TOPIC PARTITION          prints the leading broker's id
//   marketplace-kafka-admin isr TOPIC                       prints each partition's in-sync replica count
//   marketplace-kafka-admin acls FILE                       ALLOW rules, one a line:
//                                                           principal operation TOPIC|GROUP|CLUSTER name
//                                                           [LITERAL|PREFIXED]
//
// The cluster and the client's security come from the services' own variables (KAFKA_BOOTSTRAP, else the
// local stack's bootstrap file; KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_*, KAFKA_SSL_CA_LOCATION).
// Exit status: 0 done, 1 the cluster refused or did not answer, 2 bad usage or configuration.
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "marketplace/core/config.hpp"
#include "marketplace/messaging/kafka_admin.hpp"

namespace {

using marketplace::messaging::AclRule;
using marketplace::messaging::KafkaAdmin;
using marketplace::messaging::TopicSpec;
using namespace std::chrono_literals;

[[noreturn]] void Usage(const std::string& problem) {
    std::cerr << "marketplace-kafka-admin: " << problem << "\n"
              << "usage: marketplace-kafka-admin wait-brokers N [SECONDS]\n"
              << "       marketplace-kafka-admin create-topics [--partitions P] [--replication R] [--config k=v]... "
                 "TOPIC...\n"
              << "       marketplace-kafka-admin list-topics\n"
              << "       marketplace-kafka-admin delete-topics TOPIC...\n"
              << "       marketplace-kafka-admin leader TOPIC PARTITION\n"
              << "       marketplace-kafka-admin isr TOPIC\n"
              << "       marketplace-kafka-admin acls FILE\n";
    std::exit(2);
}

int Number(const std::string& what, const std::string& text, int min, int max) {
    try {
        std::size_t used = 0;
        const int value = std::stoi(text, &used);
        if (used == text.size() && value >= min && value <= max) return value;
    } catch (const std::exception&) {
    }
    Usage(what + ": must be a whole number within " + std::to_string(min) + ".." + std::to_string(max) + ", got '" +
          text + "'");
}

int WaitBrokers(KafkaAdmin& admin, int want, int seconds) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    std::string last;
    while (std::chrono::steady_clock::now() < deadline) {
        try {
            const auto brokers = admin.Brokers(2s);
            if (static_cast<int>(brokers.size()) >= want) return 0;
            last = std::to_string(brokers.size()) + " of " + std::to_string(want) + " brokers";
        } catch (const std::exception& e) {
            last = e.what();
        }
        std::this_thread::sleep_for(200ms);
    }
    std::cerr << "marketplace-kafka-admin: the cluster did not list " << want << " brokers within " << seconds
              << " s (last: " << last << ")\n";
    return 1;
}

int CreateTopics(KafkaAdmin& admin, const std::vector<std::string>& args) {
    TopicSpec base;
    std::vector<TopicSpec> topics;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        const auto value = [&]() -> const std::string& {
            if (i + 1 >= args.size()) Usage(a + ": missing value");
            return args[++i];
        };
        if (a == "--partitions") {
            base.partitions = Number(a, value(), 1, 1000);
        } else if (a == "--replication") {
            base.replication = Number(a, value(), 1, 16);
        } else if (a == "--config") {
            const std::string& kv = value();
            const auto eq = kv.find('=');
            if (eq == std::string::npos || eq == 0) Usage("--config: must be key=value, got '" + kv + "'");
            base.configs[kv.substr(0, eq)] = kv.substr(eq + 1);
        } else if (a.starts_with("--")) {
            Usage("unknown option " + a);
        } else {
            TopicSpec t = base;
            t.name = a;
            topics.push_back(t);
        }
    }
    if (topics.empty()) Usage("create-topics: no topic named");
    // Topic creation right after start-up can meet a controller that is still electing: retry briefly.
    std::string last;
    for (int attempt = 0; attempt < 20; ++attempt) {
        try {
            const auto created = admin.CreateTopics(topics, 15s);
            std::cout << "created " << created.size() << " of " << topics.size() << " topics (the rest existed)\n";
            return 0;
        } catch (const std::runtime_error& e) {
            last = e.what();
            std::this_thread::sleep_for(500ms);
        }
    }
    std::cerr << "marketplace-kafka-admin: " << last << "\n";
    return 1;
}

int Acls(KafkaAdmin& admin, const std::string& path) {
    std::ifstream in(path);
    if (!in) Usage("acls: cannot read " + path);
    std::vector<AclRule> rules;
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (line.empty() || line[0] == '#') continue;
        std::istringstream words(line);
        AclRule r;
        words >> r.principal >> r.operation >> r.resource_type >> r.resource_name;
        std::string pattern;
        if (words >> pattern) r.pattern = pattern;
        if (r.resource_name.empty())
            Usage(path + ":" + std::to_string(number) + ": expected 'principal operation type name [pattern]'");
        rules.push_back(r);
    }
    admin.AllowAcls(rules, 15s);
    std::cout << "allowed " << rules.size() << " ACL rules\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "-h" || args[0] == "--help") Usage("no command");
    const std::string command = args[0];
    args.erase(args.begin());
    marketplace::messaging::KafkaConfig config;
    try {
        marketplace::core::EnvReader env;
        config = marketplace::messaging::KafkaConfig::FromEnv(env);
        env.Finish();
    } catch (const marketplace::core::ConfigError& e) {
        for (const auto& p : e.problems()) std::cerr << "configuration error: " << p << "\n";
        return 2;
    }
    try {
        KafkaAdmin admin(config);
        if (command == "wait-brokers") {
            if (args.empty() || args.size() > 2) Usage("wait-brokers N [SECONDS]");
            return WaitBrokers(admin, Number("N", args[0], 1, 100),
                               args.size() == 2 ? Number("SECONDS", args[1], 1, 3600) : 60);
        }
        if (command == "create-topics") return CreateTopics(admin, args);
        if (command == "list-topics") {
            if (!args.empty()) Usage("list-topics takes no arguments");
            for (const auto& name : admin.Topics(10s)) std::cout << name << "\n";
            return 0;
        }
        if (command == "delete-topics") {
            if (args.empty()) Usage("delete-topics: no topic named");
            for (const auto& name : args) {
                if (name.starts_with("__")) Usage("delete-topics: " + name + " is one of Kafka's own topics");
            }
            const auto deleted = admin.DeleteTopics(args, 30s);
            std::cout << "deleted " << deleted.size() << " of " << args.size() << " topics (the rest did not exist)\n";
            return 0;
        }
        if (command == "leader") {
            if (args.size() != 2) Usage("leader TOPIC PARTITION");
            std::cout << admin.Leader(args[0], Number("PARTITION", args[1], 0, 100000), 10s) << "\n";
            return 0;
        }
        if (command == "isr") {
            if (args.size() != 1) Usage("isr TOPIC");
            for (int n : admin.InSyncReplicas(args[0], 10s)) std::cout << n << "\n";
            return 0;
        }
        if (command == "acls") {
            if (args.size() != 1) Usage("acls FILE");
            return Acls(admin, args[0]);
        }
        Usage("unknown command '" + command + "'");
    } catch (const std::invalid_argument& e) {
        std::cerr << "marketplace-kafka-admin: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "marketplace-kafka-admin: " << e.what() << "\n";
        return 1;
    }
}
