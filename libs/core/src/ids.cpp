#include "marketplace/core/ids.hpp"

#include <sys/random.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <stdexcept>

#include "marketplace/core/errors.hpp"

namespace marketplace::core {
namespace {

void FillRandom(unsigned char* out, std::size_t n) {
    std::size_t done = 0;
    while (done < n) {
        const ssize_t r = getrandom(out + done, n - done, 0);
        if (r < 0) throw std::runtime_error("getrandom failed");
        done += static_cast<std::size_t>(r);
    }
}

constexpr char kHex[] = "0123456789abcdef";

std::string Format(const std::array<unsigned char, 16>& b) {
    std::string s;
    s.reserve(36);
    for (std::size_t i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
        s += kHex[b[i] >> 4];
        s += kHex[b[i] & 0xF];
    }
    return s;
}

}  // namespace

std::string NewUuidV4() {
    std::array<unsigned char, 16> b{};
    FillRandom(b.data(), b.size());
    b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);
    b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);
    return Format(b);
}

std::string NewUuidV7() {
    // 48-bit millisecond timestamp, then a 12-bit counter seeded randomly each millisecond so ids
    // made in one process within one millisecond stay ordered, then 62 random bits.
    static std::mutex mu;
    static std::uint64_t last_ms = 0;
    static std::uint16_t counter = 0;
    std::array<unsigned char, 16> b{};
    FillRandom(b.data(), b.size());
    std::uint64_t ms = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
    std::uint16_t seq;
    {
        std::lock_guard lock(mu);
        if (ms <= last_ms) {
            ms = last_ms;
            if (++counter > 0x0FFF) {  // counter exhausted: borrow the next millisecond
                ++ms;
                counter = 0;
            }
        } else {
            counter = static_cast<std::uint16_t>(((b[6] << 8) | b[7]) & 0x03FF);  // leave headroom
        }
        last_ms = ms;
        seq = counter;
    }
    for (int i = 0; i < 6; ++i) b[static_cast<std::size_t>(i)] = static_cast<unsigned char>(ms >> (40 - 8 * i));
    b[6] = static_cast<unsigned char>(0x70 | ((seq >> 8) & 0x0F));
    b[7] = static_cast<unsigned char>(seq & 0xFF);
    b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);
    return Format(b);
}

bool IsUuid(std::string_view t) {
    if (t.size() != 36) return false;
    for (std::size_t i = 0; i < 36; ++i) {
        const char c = t[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return false;
        }
    }
    return true;
}

void RequireUuid(std::string_view text, std::string_view field) {
    if (!IsUuid(text)) throw InvalidArgument(std::string(field), "must be a UUID");
}

std::string RandomHex(std::size_t n) {
    std::string bytes(n, '\0');
    FillRandom(reinterpret_cast<unsigned char*>(bytes.data()), n);
    std::string out;
    out.reserve(2 * n);
    for (unsigned char c : bytes) {
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
    }
    return out;
}

}  // namespace marketplace::core
