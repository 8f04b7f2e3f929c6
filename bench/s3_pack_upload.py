"""Streaming a pack-sized ZIP stream into S3: time and memory of `pack_store` on object storage.

    .venv/bin/python bench/s3_pack_upload.py                  # 64 MiB and 512 MiB
    .venv/bin/python bench/s3_pack_upload.py --sizes 32 256 1024

Starts moto's S3 server (`moto_server`, from the moto[server] package) as a separate process on
a free loopback port, so its in-memory objects don't count against the measured process. For
each size, a fresh process streams that many MiB from a generator (1 MiB chunks, as the pack
writer yields them) through `audits.packs.storage.pack_store` into the bucket, the way an
evidence pack build does, and prints wall time, throughput and the growth of peak RSS
(ru_maxrss after minus before). Memory should stay flat whatever the size: one 8 MiB part.
Loopback only; the machine is shared, so times vary.
"""

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(endpoint: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "qms.settings.local",
        "DJANGO_LOG_LEVEL": "WARNING",
        "QMS_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": "bench",
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_S3_REGION_NAME": "us-east-1",
    }


def one(size_mib: int) -> dict:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.files.storage import default_storage

    from audits.packs.storage import pack_store

    default_storage.connection.meta.client.create_bucket(Bucket="bench")
    block = os.urandom(MIB)
    pack_store(storage=default_storage, final_name="warm/up.zip", chunks=iter([block]))  # imports, connections
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    name, size = pack_store(
        storage=default_storage, final_name=f"packs/{size_mib}.zip", chunks=(block for _ in range(size_mib))
    )
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    stored = default_storage.size(name)
    assert stored == size == size_mib * MIB, (stored, size)
    return {
        "MiB": size_mib,
        "seconds": round(seconds, 2),
        "MiB/s": round(size_mib / seconds, 1),
        "peak_rss_mb": round(after, 1),
        "rss_growth_mb": round(after - before, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[64, 512])
    parser.add_argument("--one", type=int)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one)))
        return
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603 - the venv's moto_server, fixed arguments
        [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        for size in args.sizes:
            out = subprocess.run(  # noqa: S603 - this script again, fixed arguments
                [sys.executable, __file__, "--one", str(size)], env=_env(endpoint), capture_output=True, text=True
            )
            if out.returncode != 0:
                raise SystemExit(out.stderr)
            print(out.stdout.strip().splitlines()[-1])
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
