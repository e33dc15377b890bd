#!/usr/bin/python3
"""The candidates for writing /daily of a run divided among ranks, measured on this machine.

/daily/<field> is float32, relationships x days, chunked 1024 x 16, shuffled and deflated (level
4), written 16 days at a time (sim/hdf5_file.cpp). Each candidate writes the same series, split
among `ranks` writers (one process each):

  single  one writer for every row (attune's choice: rank 0 receives the others' rows over MPI)
  vds     each writer its own file, at the same time, joined by a virtual dataset
  copy    as vds, then one process copies the parts into one self-contained file

It also checks how HDF5 resolves a VDS's relative source paths when the folder is moved.
  /usr/bin/python3 scripts/bench/daily_write_candidates.py [ROWS] [DAYS] [RANKS]
"""
import multiprocessing as mp
import os
import shutil
import sys
import tempfile
import time

import h5py
import numpy as np

CHUNK_DAYS = 16


def series(rows, days, seed):
    # Smooth per-row random walks: daily outcomes change little from one day to the next.
    rng = np.random.default_rng(seed)
    return (0.5 + np.cumsum(rng.normal(0, 0.01, (rows, days)), axis=1)).astype(np.float32)


def write(path, data, rows_total=None, row0=0):
    rows, days = data.shape
    rows_total = rows_total or rows
    with h5py.File(path, "a") as f:
        ds = f.require_dataset("daily", (rows_total, days), np.float32, chunks=(min(rows_total, 1024), CHUNK_DAYS),
                               shuffle=True, compression="gzip", compression_opts=4, exact=True)
        for d in range(0, days, CHUNK_DAYS):
            ds[row0:row0 + rows, d:d + CHUNK_DAYS] = data[:, d:d + CHUNK_DAYS]


def part(args):
    path, rows, days, seed = args
    data = series(rows, days, seed)  # made before timing, as in the single writer
    t = time.perf_counter()
    write(path, data)
    return time.perf_counter() - t


def main():
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 262144
    days = int(sys.argv[2]) if len(sys.argv) > 2 else 160
    ranks = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    mb = rows * days * 4 / 1e6
    d = tempfile.mkdtemp(dir=os.getcwd())
    try:
        per = rows // ranks
        parts = [series(per, days, q) for q in range(ranks)]  # made before timing
        t = time.perf_counter()
        for q in range(ranks):
            write(os.path.join(d, "single.h5"), parts[q], per * ranks, q * per)
        single = time.perf_counter() - t

        names = [os.path.join(d, f"part{q}.h5") for q in range(ranks)]
        with mp.Pool(ranks) as pool:
            writes = pool.map(part, [(names[q], per, days, q) for q in range(ranks)])
        t = time.perf_counter() - max(writes)  # the writers ran side by side: the slowest counts
        layout = h5py.VirtualLayout((per * ranks, days), np.float32)
        for q in range(ranks):
            layout[q * per:(q + 1) * per] = h5py.VirtualSource(f"part{q}.h5", "daily", (per, days))
        with h5py.File(os.path.join(d, "vds.h5"), "w") as f:
            f.create_virtual_dataset("daily", layout, fillvalue=np.nan)
        vds = time.perf_counter() - t

        t = time.perf_counter()
        for q in range(ranks):
            with h5py.File(names[q], "r") as f:
                for d0 in range(0, per, 65536):  # bounded memory: a block of rows at a time
                    write(os.path.join(d, "copy.h5"), f["daily"][d0:d0 + 65536], per * ranks, q * per + d0)
        copy = vds + time.perf_counter() - t

        print(f"{rows} rows x {days} days float32 ({mb:.0f} MB), {ranks} writers, {os.cpu_count()} cores")
        for name, s in (("single", single), ("vds", vds), ("copy", copy)):
            print(f"  {name:<7} {s:6.2f} s  {mb / s:7.1f} MB/s")
        size = os.path.getsize(os.path.join(d, "single.h5")) / 1e6
        print(f"  compressed file {size:.0f} MB ({100 * size / mb:.0f}% of raw)")

        # A VDS with relative source names, its folder moved, opened from elsewhere.
        moved = d + "-moved"
        shutil.move(d, moved)
        d = moved
        cwd = os.getcwd()
        os.chdir("/")
        try:
            with h5py.File(os.path.join(moved, "vds.h5"), "r") as f:
                x = f["daily"][0:2, 0:2]
            print("  vds after moving its folder, opened from /:",
                  "sources found" if not np.isnan(x).any() else "sources NOT found (fill values)")
        finally:
            os.chdir(cwd)
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
