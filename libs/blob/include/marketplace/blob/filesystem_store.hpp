#pragma once
// A BlobStore in a local folder: <root>/objects/<key> holds the bytes, <root>/meta/<key> the content
// type. A put writes a temporary file in <root>/tmp, fsyncs it, renames it into place and fsyncs the
// folder, so a reader sees the old object or the new one, never half of one, and a crash loses nothing
// that Put returned for. Keys are validated (ValidateKey), so no key reaches outside the root.
#include <filesystem>

#include "marketplace/blob/blob_store.hpp"

namespace marketplace::blob {

class FilesystemBlobStore final : public BlobStore {
public:
    /// Creates the root and its folders if they are missing.
    explicit FilesystemBlobStore(std::filesystem::path root);

    void Put(std::string_view key, std::string_view data, std::string_view content_type) override;
    std::optional<Blob> Get(std::string_view key) override;
    std::optional<BlobInfo> Stat(std::string_view key) override;
    void Delete(std::string_view key) override;
    std::string_view Kind() const override { return "filesystem"; }

    const std::filesystem::path& root() const { return root_; }

private:
    std::filesystem::path ObjectPath(std::string_view key) const;
    std::filesystem::path MetaPath(std::string_view key) const;
    std::string ReadContentType(std::string_view key) const;

    std::filesystem::path root_;
};

/// Throws core::InvalidArgument naming `field` unless `content_type` is 1-255 printable ASCII characters.
void ValidateContentType(std::string_view content_type, std::string_view field = "content_type");

}  // namespace marketplace::blob
