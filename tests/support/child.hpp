// A child `attune` process for tests that stop, signal or kill a run.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "support/paths.hpp"

namespace attune::test {

// `attune ARGS...` as a child process, its stdout and stderr into files.
class Child {
 public:
  Child(const std::vector<std::string>& args, const fs::path& out, const fs::path& err) {
    std::vector<std::string> all = {attune_exe()};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    // Opened here, so that the files exist as soon as the child does.
    const int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    const int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (o < 0 || e < 0) throw std::runtime_error("cannot create " + out.string() + " or " + err.string());
    pid_ = fork();
    if (pid_ == 0) {
      if (dup2(o, STDOUT_FILENO) < 0 || dup2(e, STDERR_FILENO) < 0) _exit(127);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(o);
    close(e);
    if (pid_ < 0) throw std::runtime_error("fork failed");
  }
  ~Child() {
    if (!ended_) {
      kill(pid_, SIGKILL);
      wait();
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  bool running() {
    if (!ended_ && waitpid(pid_, &status_, WNOHANG) == pid_) ended_ = true;
    return !ended_;
  }
  void send(int signal) { kill(pid_, signal); }
  // The exit status, or minus the signal that ended the process.
  int wait() {
    if (!ended_ && waitpid(pid_, &status_, 0) == pid_) ended_ = true;
    if (WIFEXITED(status_)) return WEXITSTATUS(status_);
    return WIFSIGNALED(status_) ? -WTERMSIG(status_) : -1000;
  }

 private:
  pid_t pid_ = -1;
  int status_ = 0;
  bool ended_ = false;
};

}  // namespace attune::test
