#include "sim/cli/mpi_farm.hpp"

#ifdef ATTUNE_HAVE_MPI
#include <mpi.h>

#include <chrono>
#include <cstring>
#include <map>
#include <thread>
#include <vector>

#include "sim/errors.hpp"
#endif

namespace attune::app {

#ifndef ATTUNE_HAVE_MPI

void mpi_start(int*, char***) {}
void mpi_stop() {}
void mpi_abort(int) {}
World mpi_world() { return {}; }
void farm_coordinate(std::size_t, std::size_t, const std::atomic<bool>&,
                     const std::function<void(const RunResultPtr&)>&) {
  throw sim::Error("this attune was built without MPI (ATTUNE_MPI=OFF)");
}
void farm_work(const std::function<RunResultPtr(std::size_t)>&) {
  throw sim::Error("this attune was built without MPI (ATTUNE_MPI=OFF)");
}

#else

namespace {

constexpr int kAsk = 1;     // worker → 0: give me a run (no payload)
constexpr int kGive = 2;    // 0 → worker: a position, or -1 for "no more"
constexpr int kResult = 3;  // worker → 0: a serialized RunOutput

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
    for (auto v : c.ints) b.put(v);
    for (auto v : c.reals) b.put(v);
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
    for (std::uint64_t r = 0; r < n; ++r) {
      if (kind == sim::Column::int64) c.ints.push_back(b.get<std::int64_t>());
      if (kind == sim::Column::float64) c.reals.push_back(b.get<double>());
      if (kind == sim::Column::text) c.texts.push_back(b.get_string());
    }
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

void farm_coordinate(std::size_t first, std::size_t total, const std::atomic<bool>& stop,
                     const std::function<void(const RunResultPtr&)>& deliver) {
  std::size_t next = first, next_write = first;
  int working = mpi_world().size - 1;
  std::map<std::size_t, RunResultPtr> ready;  // at most one per worker
  while (working > 0) {
    // Poll with short sleeps rather than MPI_Probe, which spins and would take a core from the
    // workers when rank 0 shares a node with them.
    MPI_Status st;
    int arrived = 0;
    MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &arrived, &st);
    if (!arrived) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      continue;
    }
    if (st.MPI_TAG == kAsk) {
      MPI_Recv(nullptr, 0, MPI_BYTE, st.MPI_SOURCE, kAsk, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      std::int64_t give = -1;
      if (next < total && !stop.load()) give = static_cast<std::int64_t>(next++);
      if (give < 0) --working;
      MPI_Send(&give, 1, MPI_INT64_T, st.MPI_SOURCE, kGive, MPI_COMM_WORLD);
    } else {
      int size = 0;
      MPI_Get_count(&st, MPI_BYTE, &size);
      Bytes b;
      b.data.resize(static_cast<std::size_t>(size));
      MPI_Recv(b.data.data(), size, MPI_BYTE, st.MPI_SOURCE, kResult, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      auto out = std::make_shared<RunOutput>();
      out->run = b.get<std::uint64_t>();
      out->row = b.get<std::uint64_t>();
      out->interrupted = b.get<char>() != 0;
      out->failure = b.get_string();
      out->dyad_steps = b.get<std::uint64_t>();
      out->infants = get_table(b);
      out->summary = get_table(b);
      ready[out->row] = out;
      for (auto it = ready.find(next_write); it != ready.end(); it = ready.find(next_write)) {
        deliver(it->second);
        ready.erase(it);
        ++next_write;
      }
    }
  }
}

void farm_work(const std::function<RunResultPtr(std::size_t)>& compute) {
  for (;;) {
    MPI_Send(nullptr, 0, MPI_BYTE, 0, kAsk, MPI_COMM_WORLD);
    std::int64_t k = -1;
    MPI_Recv(&k, 1, MPI_INT64_T, 0, kGive, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (k < 0) return;
    const RunResultPtr out = compute(static_cast<std::size_t>(k));
    Bytes b;
    b.put<std::uint64_t>(out->run);
    b.put<std::uint64_t>(out->row);
    b.put<char>(out->interrupted ? 1 : 0);
    b.put(out->failure);
    b.put<std::uint64_t>(out->dyad_steps);
    put_table(b, out->infants);
    put_table(b, out->summary);
    MPI_Send(b.data.data(), static_cast<int>(b.data.size()), MPI_BYTE, 0, kResult, MPI_COMM_WORLD);
  }
}

#endif

}  // namespace attune::app
