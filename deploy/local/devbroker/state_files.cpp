#include "state_files.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace marketplace::devbroker {

namespace {
std::string Trim(const std::string& s) {
    const auto begin = s.find_first_not_of(" \t\r\n");
    if (begin == std::string::npos) {
        return {};
    }
    const auto end = s.find_last_not_of(" \t\r\n");
    return s.substr(begin, end - begin + 1);
}

std::string ErrnoText(const std::string& what, const std::string& path) {
    return what + " " + path + ": " + std::strerror(errno);
}
}  // namespace

std::string ResolveStateDir(const std::optional<std::string>& flag) {
    if (flag && !flag->empty()) {
        return *flag;
    }
    if (const char* env = std::getenv("MARKETPLACE_STATE_DIR"); env != nullptr && *env != '\0') {
        return env;
    }
    return ".state";
}

StatePaths PathsFor(const std::string& state_dir) {
    const std::string kafka = state_dir + "/devbroker";
    return StatePaths{
        .kafka_dir = kafka,
        .bootstrap = kafka + "/bootstrap",
        .control = kafka + "/control",
        .pid = kafka + "/devbroker.pid",
        .lock = kafka + "/devbroker.lock",
    };
}

void MakeDirectories(const std::string& path) {
    std::string partial;
    std::size_t pos = 0;
    while (pos != std::string::npos) {
        pos = path.find('/', pos + 1);
        partial = path.substr(0, pos);
        if (partial.empty()) {
            continue;
        }
        if (::mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST) {
            throw std::runtime_error(ErrnoText("cannot create directory", partial));
        }
    }
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        throw std::runtime_error("not a directory: " + path);
    }
}

void WriteFileAtomically(const std::string& path, const std::string& content) {
    const std::string tmp = path + ".tmp." + std::to_string(::getpid());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        throw std::runtime_error(ErrnoText("cannot create", tmp));
    }
    std::size_t written = 0;
    while (written < content.size()) {
        const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            const std::string message = ErrnoText("cannot write", tmp);
            ::close(fd);
            ::unlink(tmp.c_str());
            throw std::runtime_error(message);
        }
        written += static_cast<std::size_t>(n);
    }
    if (::close(fd) != 0) {
        const std::string message = ErrnoText("cannot close", tmp);
        ::unlink(tmp.c_str());
        throw std::runtime_error(message);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const std::string message = ErrnoText("cannot rename onto", path);
        ::unlink(tmp.c_str());
        throw std::runtime_error(message);
    }
}

std::optional<std::string> ReadTrimmed(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        return std::nullopt;
    }
    std::ostringstream content;
    content << in.rdbuf();
    return Trim(content.str());
}

void RemoveIfHolds(const std::string& path, const std::string& expected) {
    if (const auto current = ReadTrimmed(path); current && *current == Trim(expected)) {
        ::unlink(path.c_str());
    }
}

int TryLockFile(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        throw std::runtime_error(ErrnoText("cannot open", path));
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

}  // namespace marketplace::devbroker
