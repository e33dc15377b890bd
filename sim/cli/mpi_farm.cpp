#include "sim/cli/mpi_farm.hpp"

#ifdef ATTUNE_HAVE_MPI
#include <mpi.h>
#include <sched.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include "sim/errors.hpp"
#endif

namespace attune::app {

#ifndef ATTUNE_HAVE_MPI

void mpi_start(int*, char***) {}
void mpi_stop() {}
void mpi_abort(int) {}
World mpi_world() { return {}; }
void farm_coordinate(const std::vector<std::size_t>&, const std::atomic<bool>&,
                     const std::function<void(const RunResultPtr&)>&, const std::function<void()>&) {
  throw sim::Error("this attune was built without MPI (ATTUNE_MPI=OFF)");
}
void farm_work(const std::function<RunResultPtr(std::size_t)>&) {
  throw sim::Error("this attune was built without MPI (ATTUNE_MPI=OFF)");
}

#else

namespace {

constexpr int kBatch = 1;   // 0 → worker: rows to run (int64s); none: no more
constexpr int kResult = 2;  // worker → 0: a message's size (uint64) and its first bytes
constexpr int kChunk = 3;   // worker → 0: the rest of a message, in chunks
// A result's first bytes ride with its size, so that a small run is one message; rank 0 keeps
// one buffer of this size per worker posted.
constexpr std::size_t kInline = std::size_t{16} << 10;
// A worker's message of packed results is sent once it holds this much (farm_work).
constexpr std::size_t kPack = std::size_t{64} << 10;
constexpr auto kPackWait = std::chrono::milliseconds(100);

// The largest message a result is sent in: 1 GiB (an MPI count is an int, and Open MPI 4.1 has
// no large-count calls), or ATTUNE_MPI_CHUNK bytes (tests force many chunks with a small value).
std::size_t chunk_bytes() {
  std::size_t n = std::size_t{1} << 30;
  if (const char* v = std::getenv("ATTUNE_MPI_CHUNK")) {
    char* end = nullptr;
    const unsigned long long c = std::strtoull(v, &end, 10);
    if (end != v && *end == '\0' && c > 0) n = std::min<std::size_t>(n, c);
  }
  return n;
}

bool g_started = false;

// A byte buffer with the few shapes a RunOutput needs.
class Bytes {
 public:
  std::vector<char> data;
  std::size_t at = 0;

  template <class T>
  void put(const T& v) {
    const auto* p = reinterpret_cast<const char*>(&v);
    data.insert(data.end(), p, p + sizeof(T));
  }
  template <class T>
  void put_all(const std::vector<T>& v) {
    const auto* p = reinterpret_cast<const char*>(v.data());
    data.insert(data.end(), p, p + v.size() * sizeof(T));
  }
  template <class T>
  void get_all(std::vector<T>& v, std::size_t n) {
    v.resize(n);
    std::memcpy(v.data(), data.data() + at, n * sizeof(T));
    at += n * sizeof(T);
  }
  void put(const std::string& s) {
    put<std::uint64_t>(s.size());
    data.insert(data.end(), s.begin(), s.end());
  }
  template <class T>
  T get() {
    T v;
    std::memcpy(&v, data.data() + at, sizeof(T));
    at += sizeof(T);
    return v;
  }
  std::string get_string() {
    const auto n = get<std::uint64_t>();
    std::string s(data.data() + at, n);
    at += n;
    return s;
  }
};

void put_table(Bytes& b, const sim::Table& t) {
  b.put<std::uint64_t>(t.columns.size());
  for (const auto& c : t.columns) {
    b.put(c.name);
    b.put<std::int32_t>(c.kind);
    b.put<std::uint64_t>(c.text_width);
    b.put<std::uint64_t>(c.size());
    b.put_all(c.ints);
    b.put_all(c.reals);
    for (const auto& v : c.texts) b.put(v);
  }
}

sim::Table get_table(Bytes& b) {
  sim::Table t;
  const auto columns = b.get<std::uint64_t>();
  for (std::uint64_t i = 0; i < columns; ++i) {
    const std::string name = b.get_string();
    const auto kind = static_cast<sim::Column::Kind>(b.get<std::int32_t>());
    const auto width = b.get<std::uint64_t>();
    auto& c = t.add(name, kind, width);
    const auto n = b.get<std::uint64_t>();
    if (kind == sim::Column::int64) b.get_all(c.ints, n);
    if (kind == sim::Column::float64) b.get_all(c.reals, n);
    if (kind == sim::Column::text)
      for (std::uint64_t r = 0; r < n; ++r) c.texts.push_back(b.get_string());
  }
  return t;
}

}  // namespace

void mpi_start(int* argc, char*** argv) {
  // Only under mpirun (or srun): a plain `attune` run needs no MPI runtime at all.
  if (!std::getenv("OMPI_COMM_WORLD_SIZE") && !std::getenv("PMI_SIZE") && !std::getenv("PMIX_RANK")) return;
  int provided = 0;
  MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  g_started = true;
}

void mpi_stop() {
  if (g_started) MPI_Finalize();
}

void mpi_abort(int code) {
  if (g_started && mpi_world().size > 1) MPI_Abort(MPI_COMM_WORLD, code);
}

World mpi_world() {
  World w;
  if (!g_started) return w;
  MPI_Comm_rank(MPI_COMM_WORLD, &w.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &w.size);
  return w;
}

namespace {

RunResultPtr get_result(Bytes& b) {
  auto out = std::make_shared<RunOutput>();
  out->run = b.get<std::uint64_t>();
  out->row = b.get<std::uint64_t>();
  out->interrupted = b.get<char>() != 0;
  out->failure = b.get_string();
  out->dyad_steps = b.get<std::uint64_t>();
  out->infants = get_table(b);
  out->summary = get_table(b);
  return out;
}

// What rank 0 knows of one worker.
struct Worker {
  std::vector<char> head = std::vector<char>(sizeof(std::uint64_t) + kInline);  // posted for kResult
  std::deque<std::size_t> batches;  // results still due from each batch handed out, oldest first
  std::size_t due = 0;              // results still due in all
  bool told_to_stop = false;
};

}  // namespace

void farm_coordinate(const std::vector<std::size_t>& todo, const std::atomic<bool>& stop,
                     const std::function<void(const RunResultPtr&)>& deliver,
                     const std::function<void()>& idle) {
  const int workers = mpi_world().size - 1;
  // Batches of several runs cut rank 0's messages per run. They shrink with the runs left (an
  // eighth of a worker's share of them, at most 64), down to single runs at the end, so that
  // few runs wait behind a slow one on a worker while the others have nothing left to do.
  const auto share = 8 * static_cast<std::size_t>(workers);
  std::size_t next = 0;
  std::vector<Worker> w(static_cast<std::size_t>(workers));
  std::vector<MPI_Request> requests(w.size(), MPI_REQUEST_NULL);
  auto give = [&](std::size_t i) {
    if (w[i].told_to_stop) return;
    const std::size_t left = todo.size() - next;
    const std::size_t n = stop.load() ? 0 : std::min(left, std::clamp<std::size_t>(left / share, 1, 64));
    std::vector<std::int64_t> rows(todo.begin() + static_cast<std::ptrdiff_t>(next),
                                   todo.begin() + static_cast<std::ptrdiff_t>(next + n));
    MPI_Send(rows.data(), static_cast<int>(n), MPI_INT64_T, static_cast<int>(i) + 1, kBatch, MPI_COMM_WORLD);
    next += n;
    if (n == 0)
      w[i].told_to_stop = true;
    else {
      w[i].batches.push_back(n);
      w[i].due += n;
    }
  };
  auto listen = [&](std::size_t i) {
    if (w[i].due > 0)
      MPI_Irecv(w[i].head.data(), static_cast<int>(w[i].head.size()), MPI_BYTE, static_cast<int>(i) + 1,
                kResult, MPI_COMM_WORLD, &requests[i]);
  };
  // Two batches each: a worker starts the second while rank 0 answers the first with a third.
  for (std::size_t i = 0; i < w.size(); ++i) {
    give(i);
    give(i);
    listen(i);
  }
  // Completion is tested, not waited for: between tests rank 0 runs `idle` (the writer's timed
  // flush, so that finished runs reach the disk even while no result arrives) and yields its
  // core, so that on a node it shares with workers it takes almost none of their time (measured
  // in docs/HPC.md). ATTUNE_FARM_YIELD=0 spins instead.
  const char* yield_env = std::getenv("ATTUNE_FARM_YIELD");
  const bool yield = !(yield_env && std::string(yield_env) == "0");
  std::vector<int> ready(w.size());
  std::vector<MPI_Status> statuses(w.size());
  for (;;) {
    int count = 0;
    MPI_Testsome(static_cast<int>(requests.size()), requests.data(), &count, ready.data(), statuses.data());
    if (count == MPI_UNDEFINED) break;  // nothing more is due from anyone
    if (count == 0) {
      idle();
      if (yield) sched_yield();
      continue;
    }
    for (int k = 0; k < count; ++k) {
      const auto i = static_cast<std::size_t>(ready[static_cast<std::size_t>(k)]);
      MPI_Status st = statuses[static_cast<std::size_t>(k)];
      int got = 0;
      MPI_Get_count(&st, MPI_BYTE, &got);
      std::uint64_t size = 0;
      std::memcpy(&size, w[i].head.data(), sizeof size);
      Bytes b;
      b.data.resize(size);
      const std::size_t inline_bytes = static_cast<std::size_t>(got) - sizeof size;
      std::memcpy(b.data.data(), w[i].head.data() + sizeof size, inline_bytes);
      for (std::size_t at = inline_bytes; at < size;) {  // the rest, in chunks of the worker's size
        const int ask = static_cast<int>(std::min<std::size_t>(size - at, INT_MAX));
        MPI_Recv(b.data.data() + at, ask, MPI_BYTE, static_cast<int>(i) + 1, kChunk, MPI_COMM_WORLD, &st);
        MPI_Get_count(&st, MPI_BYTE, &got);
        at += static_cast<std::size_t>(got);
      }
      std::vector<RunResultPtr> results;  // the message's results, one after another
      while (b.at < b.data.size()) results.push_back(get_result(b));
      for (std::size_t r = 0; r < results.size(); ++r) {
        --w[i].due;
        if (--w[i].batches.front() == 0) {
          w[i].batches.pop_front();
          give(i);
        }
      }
      listen(i);
      for (const auto& result : results) deliver(result);
    }
  }
  // Workers still waiting for work (a stop before they got any more) are told there is none.
  for (std::size_t i = 0; i < w.size(); ++i) give(i);
}

void farm_work(const std::function<RunResultPtr(std::size_t)>& compute) {
  const std::size_t chunk = chunk_bytes();
  // Results go out packed: a message holds the results finished since the last one, sent when
  // it reaches kPack bytes, when the batch is done, or when its oldest result has waited
  // kPackWait. One message per tiny run would cost rank 0 a rendezvous per run (results over
  // Open MPI's 4 KiB eager limit wait for rank 0 to take them); a large run goes out at once.
  Bytes b;
  std::size_t packed = 0;
  std::chrono::steady_clock::time_point oldest;
  auto send = [&] {
    const std::uint64_t size = b.data.size() - sizeof(std::uint64_t);
    std::memcpy(b.data.data(), &size, sizeof size);
    const std::size_t head = sizeof size + std::min<std::size_t>({size, kInline, chunk});
    MPI_Send(b.data.data(), static_cast<int>(head), MPI_BYTE, 0, kResult, MPI_COMM_WORLD);
    for (std::size_t at = head; at < b.data.size(); at += chunk)
      MPI_Send(b.data.data() + at, static_cast<int>(std::min(chunk, b.data.size() - at)), MPI_BYTE, 0, kChunk,
               MPI_COMM_WORLD);
    packed = 0;
  };
  for (;;) {
    MPI_Status st;
    MPI_Probe(0, kBatch, MPI_COMM_WORLD, &st);
    int n = 0;
    MPI_Get_count(&st, MPI_INT64_T, &n);
    std::vector<std::int64_t> rows(static_cast<std::size_t>(n));
    MPI_Recv(rows.data(), n, MPI_INT64_T, 0, kBatch, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (n == 0) return;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const RunResultPtr out = compute(static_cast<std::size_t>(rows[i]));
      if (packed == 0) {
        b.data.clear();
        b.put<std::uint64_t>(0);  // the size, filled in by send()
        oldest = std::chrono::steady_clock::now();
      }
      b.put<std::uint64_t>(out->run);
      b.put<std::uint64_t>(out->row);
      b.put<char>(out->interrupted ? 1 : 0);
      b.put(out->failure);
      b.put<std::uint64_t>(out->dyad_steps);
      put_table(b, out->infants);
      put_table(b, out->summary);
      ++packed;
      if (b.data.size() >= kPack || i + 1 == rows.size() ||
          std::chrono::steady_clock::now() - oldest > kPackWait)
        send();
    }
  }
}

#endif

}  // namespace attune::app
