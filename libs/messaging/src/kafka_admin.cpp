#include "marketplace/messaging/kafka_admin.hpp"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <functional>
#include <stdexcept>

#include "kafka.hpp"

namespace marketplace::messaging {

namespace {

using Ms = std::chrono::milliseconds;

int TimeoutMs(Ms timeout) { return static_cast<int>(std::max<Ms::rep>(1, timeout.count())); }

/// Owns one admin request's queue and waits for its result event.
class ResultWait final {
public:
    explicit ResultWait(rd_kafka_t* rk) : queue_(rd_kafka_queue_new(rk)) {}
    ~ResultWait() {
        if (event_ != nullptr) rd_kafka_event_destroy(event_);
        rd_kafka_queue_destroy(queue_);
    }
    ResultWait(const ResultWait&) = delete;
    ResultWait& operator=(const ResultWait&) = delete;

    rd_kafka_queue_t* queue() { return queue_; }

    rd_kafka_event_t* Wait(const std::string& what, Ms timeout) {
        event_ = rd_kafka_queue_poll(queue_, TimeoutMs(timeout));
        if (event_ == nullptr)
            throw std::runtime_error(what + ": no answer within " + std::to_string(timeout.count()) + " ms");
        if (rd_kafka_event_error(event_) != RD_KAFKA_RESP_ERR_NO_ERROR) {
            throw std::runtime_error(what + ": " + rd_kafka_event_error_string(event_));
        }
        return event_;
    }

private:
    rd_kafka_queue_t* queue_;
    rd_kafka_event_t* event_ = nullptr;
};

rd_kafka_AdminOptions_t* Options(rd_kafka_t* rk, rd_kafka_admin_op_t op, Ms timeout) {
    rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(rk, op);
    char err[256];
    rd_kafka_AdminOptions_set_request_timeout(options, TimeoutMs(timeout), err, sizeof err);
    if (op == RD_KAFKA_ADMIN_OP_CREATETOPICS) {
        rd_kafka_AdminOptions_set_operation_timeout(options, TimeoutMs(timeout), err, sizeof err);
    }
    return options;
}

/// The request objects of one admin call (new topics, ACL bindings), destroyed however the call ends.
template <typename T, void (*Destroy)(T*)>
class RequestList final {
public:
    RequestList() = default;
    ~RequestList() {
        for (T* item : items_) Destroy(item);
    }
    RequestList(const RequestList&) = delete;
    RequestList& operator=(const RequestList&) = delete;

    void Add(T* item) { items_.push_back(item); }
    T** data() { return items_.data(); }
    std::size_t size() const { return items_.size(); }

private:
    std::vector<T*> items_;
};

rd_kafka_AclOperation_t Operation(const std::string& name) {
    static const std::map<std::string, rd_kafka_AclOperation_t> kOps{
        {"ALL", RD_KAFKA_ACL_OPERATION_ALL},
        {"READ", RD_KAFKA_ACL_OPERATION_READ},
        {"WRITE", RD_KAFKA_ACL_OPERATION_WRITE},
        {"CREATE", RD_KAFKA_ACL_OPERATION_CREATE},
        {"DELETE", RD_KAFKA_ACL_OPERATION_DELETE},
        {"ALTER", RD_KAFKA_ACL_OPERATION_ALTER},
        {"DESCRIBE", RD_KAFKA_ACL_OPERATION_DESCRIBE},
        {"CLUSTER_ACTION", RD_KAFKA_ACL_OPERATION_CLUSTER_ACTION},
        {"DESCRIBE_CONFIGS", RD_KAFKA_ACL_OPERATION_DESCRIBE_CONFIGS},
        {"ALTER_CONFIGS", RD_KAFKA_ACL_OPERATION_ALTER_CONFIGS},
        {"IDEMPOTENT_WRITE", RD_KAFKA_ACL_OPERATION_IDEMPOTENT_WRITE}};
    const auto it = kOps.find(name);
    if (it == kOps.end()) throw std::invalid_argument("acl operation: unknown '" + name + "'");
    return it->second;
}

rd_kafka_ResourceType_t ResourceType(const std::string& name) {
    if (name == "TOPIC") return RD_KAFKA_RESOURCE_TOPIC;
    if (name == "GROUP") return RD_KAFKA_RESOURCE_GROUP;
    if (name == "CLUSTER") return RD_KAFKA_RESOURCE_BROKER;
    throw std::invalid_argument("acl resource type: must be TOPIC, GROUP or CLUSTER, got '" + name + "'");
}

rd_kafka_ResourcePatternType_t Pattern(const std::string& name) {
    if (name == "LITERAL") return RD_KAFKA_RESOURCE_PATTERN_LITERAL;
    if (name == "PREFIXED") return RD_KAFKA_RESOURCE_PATTERN_PREFIXED;
    throw std::invalid_argument("acl pattern: must be LITERAL or PREFIXED, got '" + name + "'");
}

}  // namespace

struct KafkaAdmin::Impl {
    std::unique_ptr<RdKafka::Producer> client;  // an admin request needs a client handle; this one sends nothing
    rd_kafka_t* rk = nullptr;

    explicit Impl(const KafkaConfig& config) {
        auto conf = impl::BaseConf(config, "marketplace-admin");
        for (const auto& [k, v] : config.extra) impl::SetConf(*conf, k, v);
        std::string err;
        client.reset(RdKafka::Producer::create(conf.get(), err));
        if (!client) throw std::runtime_error("kafka admin client: " + err);
        rk = client->c_ptr();
    }

    /// The whole cluster's metadata (brokers and every topic).
    const rd_kafka_metadata_t* ClusterMetadata(Ms timeout) {
        const rd_kafka_metadata_t* md = nullptr;
        const auto err = rd_kafka_metadata(rk, 1, nullptr, &md, TimeoutMs(timeout));
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
            throw std::runtime_error(std::string("metadata: ") + rd_kafka_err2str(err));
        return md;
    }
};

KafkaAdmin::KafkaAdmin(const KafkaConfig& config) : impl_(std::make_unique<Impl>(config)) {}
KafkaAdmin::~KafkaAdmin() = default;

std::vector<int> KafkaAdmin::Brokers(Ms timeout) {
    const auto* md = impl_->ClusterMetadata(timeout);
    std::vector<int> ids;
    for (int i = 0; i < md->broker_cnt; ++i) ids.push_back(md->brokers[i].id);
    rd_kafka_metadata_destroy(md);
    return ids;
}

namespace {

/// The topics a create or delete request did, from its per-topic results; `nothing_to_do` (the topic
/// exists already, or is not there to delete) is neither done nor a problem. Throws naming each
/// topic that failed otherwise.
std::vector<std::string> TopicsDone(const rd_kafka_topic_result_t** results, size_t count,
                                    rd_kafka_resp_err_t nothing_to_do, const std::string& what) {
    std::vector<std::string> done;
    std::string problems;
    for (size_t i = 0; i < count; ++i) {
        const auto code = rd_kafka_topic_result_error(results[i]);
        const std::string name = rd_kafka_topic_result_name(results[i]);
        if (code == RD_KAFKA_RESP_ERR_NO_ERROR) {
            done.push_back(name);
        } else if (code != nothing_to_do) {
            const char* text = rd_kafka_topic_result_error_string(results[i]);
            problems +=
                (problems.empty() ? "" : "; ") + name + ": " + (text != nullptr ? text : rd_kafka_err2str(code));
        }
    }
    if (!problems.empty()) throw std::runtime_error(what + ": " + problems);
    return done;
}

// Submits a request about topics (`submit` with the options and the queue to answer on), waits for
// its answer, and reads the per-topic results (`topics_of`) with TopicsDone.
template <typename Submit, typename TopicsOf>
std::vector<std::string> RunTopicsRequest(rd_kafka_t* rk, rd_kafka_admin_op_t op, Ms timeout, const std::string& what,
                                          rd_kafka_resp_err_t nothing_to_do, Submit submit, TopicsOf topics_of) {
    ResultWait wait(rk);
    rd_kafka_AdminOptions_t* options = Options(rk, op, timeout);
    submit(options, wait.queue());
    rd_kafka_AdminOptions_destroy(options);
    rd_kafka_event_t* event = wait.Wait(what, timeout + Ms(2000));
    size_t count = 0;
    const rd_kafka_topic_result_t** results = topics_of(event, &count);
    return TopicsDone(results, count, nothing_to_do, what);
}

}  // namespace

std::vector<std::string> KafkaAdmin::CreateTopics(const std::vector<TopicSpec>& topics, Ms timeout) {
    if (topics.empty()) return {};
    RequestList<rd_kafka_NewTopic_t, rd_kafka_NewTopic_destroy> requests;
    char err[512];
    for (const auto& spec : topics) {
        rd_kafka_NewTopic_t* t =
            rd_kafka_NewTopic_new(spec.name.c_str(), spec.partitions, spec.replication, err, sizeof err);
        if (t == nullptr) throw std::invalid_argument("topic " + spec.name + ": " + err);
        requests.Add(t);
        for (const auto& [k, v] : spec.configs) rd_kafka_NewTopic_set_config(t, k.c_str(), v.c_str());
    }
    return RunTopicsRequest(
        impl_->rk, RD_KAFKA_ADMIN_OP_CREATETOPICS, timeout, "create topics", RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS,
        [&](rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
            rd_kafka_CreateTopics(impl_->rk, requests.data(), requests.size(), options, queue);
        },
        [](rd_kafka_event_t* event, size_t* count) {
            return rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), count);
        });
}

std::vector<std::string> KafkaAdmin::Topics(Ms timeout) {
    const rd_kafka_metadata_t* md = nullptr;
    const auto err = rd_kafka_metadata(impl_->rk, 1, nullptr, &md, TimeoutMs(timeout));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) throw std::runtime_error(std::string("metadata: ") + rd_kafka_err2str(err));
    std::vector<std::string> names;
    for (int t = 0; t < md->topic_cnt; ++t) names.emplace_back(md->topics[t].topic);
    rd_kafka_metadata_destroy(md);
    return names;
}

std::vector<std::string> KafkaAdmin::DeleteTopics(const std::vector<std::string>& names, Ms timeout) {
    if (names.empty()) return {};
    RequestList<rd_kafka_DeleteTopic_t, rd_kafka_DeleteTopic_destroy> requests;
    for (const auto& name : names) requests.Add(rd_kafka_DeleteTopic_new(name.c_str()));
    return RunTopicsRequest(
        impl_->rk, RD_KAFKA_ADMIN_OP_DELETETOPICS, timeout, "delete topics", RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,
        [&](rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
            rd_kafka_DeleteTopics(impl_->rk, requests.data(), requests.size(), options, queue);
        },
        [](rd_kafka_event_t* event, size_t* count) {
            return rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(event), count);
        });
}

namespace {

/// Calls `visit` with the metadata of `topic`'s partitions, fetched for that topic alone.
void VisitPartitions(rd_kafka_t* rk, const std::string& topic, Ms timeout,
                     const std::function<void(const rd_kafka_metadata_topic_t&)>& visit) {
    rd_kafka_topic_t* handle = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
    const rd_kafka_metadata_t* md = nullptr;
    const auto err = rd_kafka_metadata(rk, 0, handle, &md, TimeoutMs(timeout));
    rd_kafka_topic_destroy(handle);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        throw std::runtime_error("metadata of " + topic + ": " + rd_kafka_err2str(err));
    try {
        for (int t = 0; t < md->topic_cnt; ++t) visit(md->topics[t]);
    } catch (...) {
        rd_kafka_metadata_destroy(md);
        throw;
    }
    rd_kafka_metadata_destroy(md);
}

}  // namespace

int KafkaAdmin::Leader(const std::string& topic, int partition, Ms timeout) {
    int leader = -1;
    bool found = false;
    VisitPartitions(impl_->rk, topic, timeout, [&](const rd_kafka_metadata_topic_t& t) {
        for (int p = 0; p < t.partition_cnt; ++p) {
            if (t.partitions[p].id != partition) continue;
            found = true;
            if (t.partitions[p].err == RD_KAFKA_RESP_ERR_NO_ERROR) leader = t.partitions[p].leader;
        }
    });
    if (!found) throw std::runtime_error("metadata of " + topic + ": no partition " + std::to_string(partition));
    return leader;
}

std::vector<int> KafkaAdmin::InSyncReplicas(const std::string& topic, Ms timeout) {
    std::vector<int> isr;
    VisitPartitions(impl_->rk, topic, timeout, [&](const rd_kafka_metadata_topic_t& t) {
        isr.assign(static_cast<std::size_t>(t.partition_cnt), 0);
        for (int p = 0; p < t.partition_cnt; ++p) {
            const auto& part = t.partitions[p];
            if (part.id >= 0 && part.id < t.partition_cnt) isr[static_cast<std::size_t>(part.id)] = part.isr_cnt;
        }
    });
    return isr;
}

void KafkaAdmin::AllowAcls(const std::vector<AclRule>& rules, Ms timeout) {
    if (rules.empty()) return;
    RequestList<rd_kafka_AclBinding_t, rd_kafka_AclBinding_destroy> bindings;
    char err[512];
    for (const auto& r : rules) {
        const std::string name = r.resource_type == "CLUSTER" ? "kafka-cluster" : r.resource_name;
        rd_kafka_AclBinding_t* b = rd_kafka_AclBinding_new(
            ResourceType(r.resource_type), name.c_str(), Pattern(r.pattern), r.principal.c_str(), r.host.c_str(),
            Operation(r.operation), RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW, err, sizeof err);
        if (b == nullptr) throw std::invalid_argument("acl for " + r.principal + " on " + name + ": " + err);
        bindings.Add(b);
    }
    ResultWait wait(impl_->rk);
    rd_kafka_AdminOptions_t* options = Options(impl_->rk, RD_KAFKA_ADMIN_OP_CREATEACLS, timeout);
    rd_kafka_CreateAcls(impl_->rk, bindings.data(), bindings.size(), options, wait.queue());
    rd_kafka_AdminOptions_destroy(options);
    rd_kafka_event_t* event = wait.Wait("create acls", timeout + Ms(2000));
    const rd_kafka_CreateAcls_result_t* result = rd_kafka_event_CreateAcls_result(event);
    size_t count = 0;
    const rd_kafka_acl_result_t** results = rd_kafka_CreateAcls_result_acls(result, &count);
    for (size_t i = 0; i < count; ++i) {
        if (const rd_kafka_error_t* e = rd_kafka_acl_result_error(results[i]); e != nullptr) {
            throw std::runtime_error(std::string("create acls: ") + rd_kafka_error_string(e));
        }
    }
}

}  // namespace marketplace::messaging
