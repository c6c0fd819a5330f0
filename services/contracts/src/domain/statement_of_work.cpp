#include "domain/statement_of_work.hpp"

#include <sodium.h>

#include <stdexcept>

#include "marketplace/core/errors.hpp"

namespace marketplace::contracts {
namespace {

std::string Date(TimePoint t) { return core::FormatRfc3339(t).substr(0, 10); }

std::string Plural(long long n, const char* unit) { return std::to_string(n) + " " + unit + (n == 1 ? "" : "s"); }

void Section(std::string& out, int number, const char* title) {
    out += "\n";
    out += std::to_string(number) + ". " + title + "\n";
}

std::string Quoted(const std::string& s) { return "\"" + s + "\""; }

}  // namespace

std::string DescribePeriod(std::chrono::seconds period) {
    const long long s = period.count();
    if (s > 0 && s % 86400 == 0) return Plural(s / 86400, "day");
    if (s > 0 && s % 3600 == 0) return Plural(s / 3600, "hour");
    if (s > 0 && s % 60 == 0) return Plural(s / 60, "minute");
    return Plural(s, "second");
}

StatementOfWork GenerateStatementOfWork(const ContractTerms& t) {
    std::string out;
    out += "STATEMENT OF WORK\n";
    out += "Contract: " + t.contract_id + "\n";
    out += "Proposal: " + t.proposal_id + "\n";
    out += "Job: " + t.job_id + "\n";
    out += "Client: " + t.client_id + "\n";
    out += "Freelancer: " + t.freelancer_id + "\n";

    Section(out, 1, "SCOPE");
    out += "Title: " + t.title + "\n";
    out += (t.scope.empty() ? std::string("(no description)") : t.scope) + "\n";
    out += "Technology stack: ";
    if (t.stack.empty()) out += "not specified";
    for (std::size_t i = 0; i < t.stack.size(); ++i) out += (i ? ", " : "") + t.stack[i];
    out += "\n";

    Section(out, 2, "DELIVERABLES");
    for (std::size_t i = 0; i < t.milestones.size(); ++i) {
        const auto& m = t.milestones[i];
        out += "2." + std::to_string(i + 1) + " " + m.title + "\n";
        if (!m.description.empty()) out += m.description + "\n";
        out += "Definition of done:";
        if (m.definition_of_done.empty()) out += " the client's acceptance";
        out += "\n";
        for (const auto& item : m.definition_of_done) out += "  - " + item + "\n";
    }

    Section(out, 3, "TIMELINE");
    out += "Delivery within " + Plural(t.delivery_days, "day") + " of the contract's start.\n";
    for (std::size_t i = 0; i < t.milestones.size(); ++i) {
        const auto& m = t.milestones[i];
        out += "Milestone " + std::to_string(i + 1) + " " + Quoted(m.title) + ": " +
               (m.due_date ? "due " + Date(*m.due_date) : std::string("no fixed due date")) + "\n";
    }

    Section(out, 4, "PAYMENT SCHEDULE");
    out +=
        "Each milestone is funded into escrow by the client before work on it starts, and the escrow is "
        "released to the freelancer when the client accepts the milestone.\n";
    for (std::size_t i = 0; i < t.milestones.size(); ++i) {
        const auto& m = t.milestones[i];
        out += "Milestone " + std::to_string(i + 1) + " " + Quoted(m.title) + ": " + m.amount.ToString() + "\n";
    }
    out += "Total: " + t.total.ToString() + "\n";
    out += "Review period: the client accepts a submitted milestone or requests changes within " +
           DescribePeriod(t.review_period) +
           "; without an answer by then the milestone is accepted on the client's behalf and its escrow released.\n";

    Section(out, 5, "CONFIDENTIALITY");
    out += t.nda_required
               ? "A non-disclosure agreement applies: the freelancer keeps confidential all non-public information "
                 "received under this contract, during the contract and after it ends.\n"
               : "No non-disclosure agreement applies to this contract.\n";

    Section(out, 6, "INTELLECTUAL PROPERTY");
    out += t.ip_assignment
               ? "On payment of each milestone, all intellectual property rights in its deliverables are assigned "
                 "to the client.\n"
               : "The freelancer keeps the intellectual property in the deliverables and grants the client a "
                 "perpetual, non-exclusive licence to use them once they are paid.\n";

    Section(out, 7, "CANCELLATION");
    out +=
        "The client may cancel a milestone before it is funded, or after it is funded and before work is "
        "submitted, in which case the escrowed amount is refunded to the client in full.\n";

    StatementOfWork sow;
    sow.content_hash = Sha256Hex(out);
    sow.text = std::move(out);
    return sow;
}

std::string Sha256Hex(std::string_view data) {
    static const bool ready = [] { return sodium_init() >= 0; }();
    if (!ready) throw std::runtime_error("libsodium could not be initialised");
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(2 * sizeof digest);
    for (const unsigned char b : digest) {
        hex += kHex[b >> 4];
        hex += kHex[b & 0x0F];
    }
    return hex;
}

bool IsContentHash(std::string_view text) {
    if (text.size() != 64) return false;
    for (const char c : text) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

void RequireSameContent(std::string_view claimed, std::string_view current) {
    if (claimed.empty()) throw core::InvalidArgument("content_hash", "is required");
    if (!IsContentHash(claimed)) throw core::InvalidArgument("content_hash", "must be 64 lower-case hex characters");
    if (claimed != current) {
        throw core::FailedPrecondition(
            "content_hash does not match the current statement of work; fetch it again, review it and sign its hash");
    }
}

}  // namespace marketplace::contracts
