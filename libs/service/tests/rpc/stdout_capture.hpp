#pragma once
// Redirects the process's stdout (fd 1) into a temporary file while alive, to read log lines back.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "marketplace/core/log.hpp"

namespace marketplace::rpctest {

class StdoutCapture final {
public:
    StdoutCapture() {
        core::log::Flush();  // lines logged before the capture go to the real stdout
        std::fflush(stdout);
        char name[] = "/tmp/rpc-stdout-XXXXXX";
        file_ = mkstemp(name);
        if (file_ < 0) throw std::runtime_error("mkstemp failed");
        path_ = name;
        saved_ = dup(STDOUT_FILENO);
        dup2(file_, STDOUT_FILENO);
    }
    ~StdoutCapture() {
        Restore();
        unlink(path_.c_str());
    }
    StdoutCapture(const StdoutCapture&) = delete;
    StdoutCapture& operator=(const StdoutCapture&) = delete;

    /// Stops capturing and returns what was written.
    std::string Finish() {
        Restore();
        std::ifstream in(path_);
        std::stringstream out;
        out << in.rdbuf();
        return out.str();
    }

private:
    void Restore() {
        if (saved_ < 0) return;
        core::log::Flush();  // the logger writes on a thread of its own: wait for what was logged
        std::fflush(stdout);
        dup2(saved_, STDOUT_FILENO);
        close(saved_);
        close(file_);
        saved_ = -1;
    }

    int file_ = -1;
    int saved_ = -1;
    std::string path_;
};

}  // namespace marketplace::rpctest
