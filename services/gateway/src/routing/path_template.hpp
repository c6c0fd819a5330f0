#pragma once
// google.api.http path templates (google/api/http.proto):
//
//   Template = "/" Segments [ Verb ] ;
//   Segments = Segment { "/" Segment } ;
//   Segment  = "*" | "**" | LITERAL | Variable ;
//   Variable = "{" FieldPath [ "=" Segments ] "}" ;
//   FieldPath = IDENT { "." IDENT } ;
//   Verb     = ":" LITERAL ;
//
// "/v1/contracts/{contract_id}", "/v1/jobs/{job_id}:close", "/v1/{name=projects/*/files/**}".
// "*" matches one segment, "**" zero or more (only as the last segment), a variable without "="
// one segment. Matching works on the raw (percent-encoded) segments; variable values are decoded.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace marketplace::gateway {

class PathTemplate final {
public:
    enum class SegmentKind { kLiteral, kSingle, kMulti };
    struct Segment {
        SegmentKind kind;
        std::string literal;  // for kLiteral
        bool operator==(const Segment&) const = default;
    };
    struct Variable {
        std::string field_path;  // "contract_id", "a.b"
        std::size_t first = 0;   // the first segment it covers
        std::size_t last = 0;    // one past its last segment
    };
    struct Binding {
        std::string field_path;
        std::string raw_value;  // as it was in the path: still percent-encoded
    };

    /// Parses a template. Throws std::invalid_argument naming the problem.
    static PathTemplate Parse(std::string_view text);

    /// The variable bindings when `raw_segments` (a request path split by SplitPath, its verb still on
    /// the last segment) match; nullopt otherwise. With a verb, the last segment must end in ":<verb>".
    /// Segments matched by a literal, "*" or a variable must not be empty. The caller decodes and
    /// checks the values (it knows which field each one goes to).
    std::optional<std::vector<Binding>> Match(const std::vector<std::string_view>& raw_segments) const;

    const std::vector<Segment>& segments() const noexcept { return segments_; }
    const std::vector<Variable>& variables() const noexcept { return variables_; }
    const std::string& verb() const noexcept { return verb_; }
    const std::string& text() const noexcept { return text_; }

    /// The template with each variable written as "{field_path}" (how OpenAPI paths name them).
    std::string OpenApiPath() const;

    /// Same segment kinds, literals and verb: two routes with the same method and shape are ambiguous.
    bool SameShape(const PathTemplate& other) const;

    /// Orders templates that match the same path: a verb beats none, then segment by segment a
    /// literal beats a single wildcard, which beats "**". True when this one is more specific.
    bool MoreSpecificThan(const PathTemplate& other) const;

private:
    std::vector<Segment> segments_;
    std::vector<Variable> variables_;
    std::string verb_;
    std::string text_;
};

}  // namespace marketplace::gateway
