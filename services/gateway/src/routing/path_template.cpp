#include "routing/path_template.hpp"

#include <stdexcept>

namespace marketplace::gateway {
namespace {

bool IsLiteralChar(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    switch (c) {
        case '-':
        case '.':
        case '_':
        case '~':
        case '!':
        case '$':
        case '&':
        case '\'':
        case '(':
        case ')':
        case '+':
        case ',':
        case ';':
        case '@':
        case '%':
            return true;
        default:
            return false;
    }
}

bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }

class Parser {
public:
    explicit Parser(std::string_view text) : s_(text) {}

    void Run(std::vector<PathTemplate::Segment>& segments, std::vector<PathTemplate::Variable>& variables,
             std::string& verb) {
        if (s_.empty() || s_[0] != '/') Fail("must start with '/'");
        ++i_;
        ParseSegments(segments, variables, false);
        if (i_ < s_.size() && s_[i_] == ':') {
            ++i_;
            verb = Literal("verb");
        }
        if (i_ != s_.size()) Fail("unexpected '" + std::string(1, s_[i_]) + "' at offset " + std::to_string(i_));
        for (std::size_t k = 0; k + 1 < segments.size(); ++k) {
            if (segments[k].kind == PathTemplate::SegmentKind::kMulti) Fail("'**' must be the last segment");
        }
    }

private:
    [[noreturn]] void Fail(const std::string& why) const {
        throw std::invalid_argument("path template '" + std::string(s_) + "': " + why);
    }

    std::string Literal(const char* what) {
        const std::size_t start = i_;
        while (i_ < s_.size() && IsLiteralChar(s_[i_])) ++i_;
        if (i_ == start) Fail(std::string("empty ") + what + " at offset " + std::to_string(start));
        return std::string(s_.substr(start, i_ - start));
    }

    void ParseSegments(std::vector<PathTemplate::Segment>& segments, std::vector<PathTemplate::Variable>& variables,
                       bool in_variable) {
        for (;;) {
            ParseSegment(segments, variables, in_variable);
            if (i_ < s_.size() && s_[i_] == '/') {
                ++i_;
                continue;
            }
            return;
        }
    }

    void ParseSegment(std::vector<PathTemplate::Segment>& segments, std::vector<PathTemplate::Variable>& variables,
                      bool in_variable) {
        using Kind = PathTemplate::SegmentKind;
        if (s_.substr(i_, 2) == "**") {
            i_ += 2;
            segments.push_back({Kind::kMulti, {}});
        } else if (s_.substr(i_, 1) == "*") {
            ++i_;
            segments.push_back({Kind::kSingle, {}});
        } else if (s_.substr(i_, 1) == "{") {
            if (in_variable) Fail("variables cannot nest");
            ++i_;
            PathTemplate::Variable variable;
            variable.field_path = FieldPath();
            variable.first = segments.size();
            if (i_ < s_.size() && s_[i_] == '=') {
                ++i_;
                ParseSegments(segments, variables, true);
            } else {
                segments.push_back({Kind::kSingle, {}});
            }
            if (i_ >= s_.size() || s_[i_] != '}') Fail("unterminated variable '" + variable.field_path + "'");
            ++i_;
            variable.last = segments.size();
            for (const auto& other : variables) {
                if (other.field_path == variable.field_path)
                    Fail("variable '" + variable.field_path + "' appears twice");
            }
            variables.push_back(std::move(variable));
        } else {
            segments.push_back({Kind::kLiteral, Literal("segment")});
        }
    }

    std::string FieldPath() {
        const std::size_t start = i_;
        for (;;) {
            if (i_ >= s_.size() || !IsIdentStart(s_[i_])) Fail("bad field path at offset " + std::to_string(i_));
            while (i_ < s_.size() && IsIdentChar(s_[i_])) ++i_;
            if (i_ < s_.size() && s_[i_] == '.') {
                ++i_;
                continue;
            }
            return std::string(s_.substr(start, i_ - start));
        }
    }

    std::string_view s_;
    std::size_t i_ = 0;
};

int Rank(PathTemplate::SegmentKind kind) {
    switch (kind) {
        case PathTemplate::SegmentKind::kLiteral:
            return 2;
        case PathTemplate::SegmentKind::kSingle:
            return 1;
        case PathTemplate::SegmentKind::kMulti:
            return 0;
    }
    return 0;
}

}  // namespace

PathTemplate PathTemplate::Parse(std::string_view text) {
    PathTemplate t;
    t.text_ = std::string(text);
    Parser(text).Run(t.segments_, t.variables_, t.verb_);
    return t;
}

std::optional<std::vector<PathTemplate::Binding>> PathTemplate::Match(
    const std::vector<std::string_view>& raw_segments) const {
    std::vector<std::string_view> path = raw_segments;
    if (!verb_.empty()) {
        if (path.empty()) return std::nullopt;
        auto& last = path.back();
        const std::size_t suffix = verb_.size() + 1;
        if (last.size() <= suffix || last[last.size() - suffix] != ':' ||
            last.substr(last.size() - verb_.size()) != verb_) {
            return std::nullopt;
        }
        last = last.substr(0, last.size() - suffix);
    }
    // Where each template segment's match starts and ends in `path`.
    std::vector<std::pair<std::size_t, std::size_t>> spans(segments_.size());
    std::size_t j = 0;
    for (std::size_t k = 0; k < segments_.size(); ++k) {
        const auto& segment = segments_[k];
        if (segment.kind == SegmentKind::kMulti) {
            spans[k] = {j, path.size()};
            j = path.size();
            continue;
        }
        if (j >= path.size() || path[j].empty()) return std::nullopt;
        if (segment.kind == SegmentKind::kLiteral && path[j] != segment.literal) return std::nullopt;
        spans[k] = {j, j + 1};
        ++j;
    }
    if (j != path.size()) return std::nullopt;

    std::vector<Binding> bindings;
    bindings.reserve(variables_.size());
    for (const auto& variable : variables_) {
        const std::size_t from = spans[variable.first].first;
        const std::size_t to = spans[variable.last - 1].second;
        std::string value;
        for (std::size_t p = from; p < to; ++p) {
            if (p > from) value += '/';
            value.append(path[p]);
        }
        bindings.push_back({variable.field_path, std::move(value)});
    }
    return bindings;
}

std::string PathTemplate::OpenApiPath() const {
    std::string out;
    std::size_t k = 0;
    while (k < segments_.size()) {
        out += '/';
        const Variable* variable = nullptr;
        for (const auto& v : variables_) {
            if (v.first == k) variable = &v;
        }
        if (variable != nullptr) {
            out += '{' + variable->field_path + '}';
            k = variable->last;
            continue;
        }
        const auto& segment = segments_[k];
        out += segment.kind == SegmentKind::kLiteral  ? segment.literal
               : segment.kind == SegmentKind::kSingle ? std::string("*")
                                                      : std::string("**");
        ++k;
    }
    if (segments_.empty()) out = "/";
    if (!verb_.empty()) out += ':' + verb_;
    return out;
}

bool PathTemplate::SameShape(const PathTemplate& other) const {
    return segments_ == other.segments_ && verb_ == other.verb_;
}

bool PathTemplate::MoreSpecificThan(const PathTemplate& other) const {
    if (verb_.empty() != other.verb_.empty()) return !verb_.empty();
    const std::size_t n = std::min(segments_.size(), other.segments_.size());
    for (std::size_t k = 0; k < n; ++k) {
        const int a = Rank(segments_[k].kind);
        const int b = Rank(other.segments_[k].kind);
        if (a != b) return a > b;
    }
    return segments_.size() > other.segments_.size();
}

}  // namespace marketplace::gateway
