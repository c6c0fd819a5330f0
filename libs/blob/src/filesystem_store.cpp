#include "marketplace/blob/filesystem_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <random>
#include <string>
#include <system_error>

namespace marketplace::blob {
namespace fs = std::filesystem;
namespace {

constexpr char kDefaultContentType[] = "application/octet-stream";

[[noreturn]] void Fail(const std::string& what, const fs::path& path, int err) {
    throw StoreError("filesystem store: " + what + " " + path.string() + ": " + std::strerror(err));
}

class Fd final {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }
    int Release() {
        int fd = fd_;
        fd_ = -1;
        return fd;
    }

private:
    int fd_;
};

void FsyncDir(const fs::path& dir) {
    Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0) {
        Fail("open folder", dir, errno);
    }
    if (::fsync(fd.get()) != 0) {
        Fail("fsync folder", dir, errno);
    }
}

void MakeDirs(const fs::path& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
        throw StoreError("filesystem store: create folder " + dir.string() + ": " + ec.message());
    }
}

std::string TempName() {
    static std::atomic<std::uint64_t> counter{0};
    thread_local std::mt19937_64 rng{std::random_device{}()};
    return std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1)) + "-" + std::to_string(rng()) +
           ".part";
}

// Writes `data` to a new file in `tmp_dir`, fsynced; returns its path.
fs::path WriteTemp(const fs::path& tmp_dir, std::string_view data) {
    fs::path path = tmp_dir / TempName();
    Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0640));
    if (fd.get() < 0) {
        Fail("create", path, errno);
    }
    std::size_t written = 0;
    while (written < data.size()) {
        ssize_t n = ::write(fd.get(), data.data() + written, data.size() - written);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            int err = errno;
            ::unlink(path.c_str());
            Fail("write", path, err);
        }
        written += static_cast<std::size_t>(n);
    }
    if (::fsync(fd.get()) != 0) {
        int err = errno;
        ::unlink(path.c_str());
        Fail("fsync", path, err);
    }
    if (::close(fd.Release()) != 0) {
        int err = errno;
        ::unlink(path.c_str());
        Fail("close", path, err);
    }
    return path;
}

void RenameInto(const fs::path& from, const fs::path& to) {
    if (::rename(from.c_str(), to.c_str()) != 0) {
        int err = errno;
        ::unlink(from.c_str());
        Fail("rename into", to, err);
    }
}

// Reads a whole file opened without following a final symlink; nullopt when it does not exist.
std::optional<std::string> ReadFile(const fs::path& path, struct stat* st_out = nullptr) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (fd.get() < 0) {
        // ELOOP: a symlink where an object should be; the store never makes one, so it is not an object.
        if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP) {
            return std::nullopt;
        }
        Fail("open", path, errno);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        Fail("stat", path, errno);
    }
    if (!S_ISREG(st.st_mode)) {
        return std::nullopt;
    }
    std::string out;
    out.resize(static_cast<std::size_t>(st.st_size));
    std::size_t got = 0;
    while (got < out.size()) {
        ssize_t n = ::read(fd.get(), out.data() + got, out.size() - got);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            Fail("read", path, errno);
        }
        if (n == 0) {
            break;
        }
        got += static_cast<std::size_t>(n);
    }
    out.resize(got);
    if (st_out != nullptr) {
        *st_out = st;
    }
    return out;
}

}  // namespace

void ValidateContentType(std::string_view content_type, std::string_view field) {
    if (content_type.empty()) {
        throw core::InvalidArgument(std::string(field), "must not be empty");
    }
    if (content_type.size() > 255) {
        throw core::InvalidArgument(std::string(field), "must be at most 255 characters");
    }
    for (char c : content_type) {
        if (c < 0x20 || c > 0x7e) {
            throw core::InvalidArgument(std::string(field), "must be printable ASCII");
        }
    }
}

FilesystemBlobStore::FilesystemBlobStore(fs::path root) : root_(fs::absolute(std::move(root)).lexically_normal()) {
    MakeDirs(root_ / "objects");
    MakeDirs(root_ / "meta");
    MakeDirs(root_ / "tmp");
}

fs::path FilesystemBlobStore::ObjectPath(std::string_view key) const {
    ValidateKey(key);
    return root_ / "objects" / fs::path(std::string(key));
}

fs::path FilesystemBlobStore::MetaPath(std::string_view key) const {
    ValidateKey(key);
    return root_ / "meta" / fs::path(std::string(key));
}

void FilesystemBlobStore::Put(std::string_view key, std::string_view data, std::string_view content_type) {
    ValidateContentType(content_type);
    const fs::path object = ObjectPath(key);
    const fs::path meta = MetaPath(key);
    MakeDirs(object.parent_path());
    MakeDirs(meta.parent_path());
    const fs::path tmp_dir = root_ / "tmp";
    const fs::path data_tmp = WriteTemp(tmp_dir, data);
    fs::path meta_tmp;
    try {
        meta_tmp = WriteTemp(tmp_dir, content_type);
    } catch (...) {
        ::unlink(data_tmp.c_str());
        throw;
    }
    // The content type lands first: a reader that finds the new bytes finds their type too.
    RenameInto(meta_tmp, meta);
    RenameInto(data_tmp, object);
    FsyncDir(meta.parent_path());
    FsyncDir(object.parent_path());
}

std::string FilesystemBlobStore::ReadContentType(std::string_view key) const {
    auto type = ReadFile(MetaPath(key));
    return type && !type->empty() ? *type : kDefaultContentType;
}

std::optional<Blob> FilesystemBlobStore::Get(std::string_view key) {
    auto data = ReadFile(ObjectPath(key));
    if (!data) {
        return std::nullopt;
    }
    Blob blob;
    blob.info.key = std::string(key);
    blob.info.size = data->size();
    blob.info.content_type = ReadContentType(key);
    blob.data = std::move(*data);
    return blob;
}

std::optional<BlobInfo> FilesystemBlobStore::Stat(std::string_view key) {
    const fs::path object = ObjectPath(key);
    struct stat st {};
    if (::lstat(object.c_str(), &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR) {
            return std::nullopt;
        }
        Fail("stat", object, errno);
    }
    if (!S_ISREG(st.st_mode)) {
        return std::nullopt;
    }
    return BlobInfo{std::string(key), static_cast<std::uint64_t>(st.st_size), ReadContentType(key)};
}

void FilesystemBlobStore::Delete(std::string_view key) {
    const fs::path object = ObjectPath(key);
    const fs::path meta = MetaPath(key);
    bool removed = false;
    if (::unlink(object.c_str()) == 0) {
        removed = true;
    } else if (errno != ENOENT && errno != ENOTDIR) {
        Fail("remove", object, errno);
    }
    if (::unlink(meta.c_str()) != 0 && errno != ENOENT && errno != ENOTDIR) {
        Fail("remove", meta, errno);
    }
    if (removed) {
        FsyncDir(object.parent_path());
    }
}

}  // namespace marketplace::blob
