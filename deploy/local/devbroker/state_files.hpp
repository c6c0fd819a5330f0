// The files through which the dev broker tells scripts and tests where it listens.
//
//   <state>/devbroker/bootstrap       the Kafka bootstrap servers ("127.0.0.1:p1,127.0.0.1:p2,...")
//   <state>/devbroker/control         the loopback TCP port of the control protocol
//   <state>/devbroker/devbroker.pid   the broker's process id
//   <state>/devbroker/devbroker.lock  held (flock) while a broker owns this state folder
#pragma once

#include <optional>
#include <string>

namespace marketplace::devbroker {

/// The state folder: the flag if given, else $MARKETPLACE_STATE_DIR, else "./.state".
std::string ResolveStateDir(const std::optional<std::string>& flag);

struct StatePaths final {
    std::string kafka_dir;
    std::string bootstrap;
    std::string control;
    std::string pid;
    std::string lock;
};

StatePaths PathsFor(const std::string& state_dir);

/// mkdir -p with mode 0755; throws std::runtime_error naming the path on failure.
void MakeDirectories(const std::string& path);

/// Writes `content` to a temporary file next to `path`, then renames it over `path`,
/// so a reader sees either the old file or the whole new one.
void WriteFileAtomically(const std::string& path, const std::string& content);

/// The file's content without surrounding whitespace, or nullopt if it cannot be read.
std::optional<std::string> ReadTrimmed(const std::string& path);

/// Removes `path` only if it still holds `expected` (another broker may have replaced it).
void RemoveIfHolds(const std::string& path, const std::string& expected);

/// Takes an exclusive, non-blocking flock on `path`; returns the descriptor (kept open for the
/// process lifetime) or -1 if another process holds it.
int TryLockFile(const std::string& path);

}  // namespace marketplace::devbroker
