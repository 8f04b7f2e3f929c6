"""Evidence pack build time and memory against `zip -0 -r` of the same files.

    .venv/bin/python bench/evidence_pack.py                    # 2,000 attachments, ~200 MB
    .venv/bin/python bench/evidence_pack.py --scale 1 10       # and the same files, 10x the bytes each
    .venv/bin/python bench/evidence_pack.py --files 500 --size-kb 400 --zip-step

Seeds (in the qms_bench_packs database unless DATABASE_URL says otherwise, files under
bench/out/) an audit whose answer carries N attachments of random (incompressible, like photos)
bytes, then:
  - `zip -0 -r -q` of the attachment folder onto the same disk (the yardstick);
  - in a fresh process started like a Celery worker (Django set up, task modules imported, the
    start-up system checks run), two full builds in a row through the real service
    (evidence_pack_build: report PDF, CSVs, SOP PDFs, history, every attachment hashed and
    streamed into storage, manifest, SHA256SUMS). The first ("build") pays the process's one-off
    costs, the second ("warm") is what a long-lived worker process sees;
  - with --zip-step, the ZIP step alone (PackWriter with the attachments only).
Prints the wall times, the ratios to `zip -0`, the CPU seconds (user + system, the build's PDF
child included) of `zip -0` and of the warm build: on a loaded machine the wall times stretch
with the load while the CPU seconds hardly do; the worker process's peak RSS (ru_maxrss: Django's
own footprint included), its RSS before the first build, what the builds added, the peak RSS of
the PDF child process (WeasyPrint, short-lived, see audits/packs/pdfs.py), and the load average
(the machine may be shared: quote the ratios, run at 1x and 10x in the same call).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qms_bench_packs")
OUT = Path(__file__).resolve().parent / "out" / "evidence_pack"
os.environ.setdefault("DJANGO_MEDIA_ROOT", str(OUT / "media"))

from common import peak_rss_mb, setup  # noqa: E402


def _rss_now_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def seed(files: int, size: int) -> int:
    """An audit with ``files`` attachments of ``size`` bytes. Returns the audit id."""
    from datetime import date

    from django.conf import settings
    from django.utils import timezone

    from accounts.models import Membership, Team, User
    from audits.models import Answer, Audit, AuditProgramme, AuditQuestion, Evidence
    from core.models import Attachment

    tag = f"bench-{files}x{size}"
    existing = Audit.objects.filter(reference=tag[:20]).first()
    if existing is not None:
        return existing.pk
    team, _ = Team.objects.get_or_create(name="Bench", defaults={"slug": "bench"})
    user, _ = User.objects.get_or_create(username="bench-auditor", defaults={"first_name": "Bench"})
    Membership.objects.get_or_create(user=user, team=team, defaults={"role": "auditor"})
    programme, _ = AuditProgramme.objects.get_or_create(
        team=team, year=2026, defaults={"objectives": "-", "owner": user}
    )
    audit = Audit.objects.create(
        reference=tag[:20],
        programme=programme,
        team=team,
        title=f"Bench audit {tag}",
        audit_type="process",
        status="reporting",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        lead_auditor=user,
        planned_start=date(2026, 4, 1),
        planned_end=date(2026, 4, 2),
    )
    audit.audited_teams.set([team])
    question = AuditQuestion.objects.create(audit=audit, order=1, text="Evidence?", source="new")
    answer = Answer.objects.create(question=question, audit=audit, value="conforming", answered_by=user)
    folder = Path(settings.MEDIA_ROOT) / "bench" / tag
    folder.mkdir(parents=True, exist_ok=True)
    now = timezone.now()
    rows = []
    for i in range(files):
        name = f"bench/{tag}/photo-{i:05d}.jpg"
        path = Path(settings.MEDIA_ROOT) / name
        with open(path, "wb") as fh:
            remaining = size
            while remaining:
                chunk = os.urandom(min(remaining, 1 << 20))
                fh.write(chunk)
                remaining -= len(chunk)
        rows.append(
            Attachment(
                team=team,
                file=name,
                original_name=f"photo {i}.jpg",
                extension=".jpg",
                size=size,
                content_type="image/jpeg",
                sha256="0" * 64,
                uploaded_by=user,
                created_at=now,
            )
        )
    attachments = Attachment.objects.bulk_create(rows, batch_size=2000)
    Evidence.objects.bulk_create(
        [Evidence(audit=audit, answer=answer, attachment=a, added_by=user, added_at=now) for a in attachments],
        batch_size=2000,
    )
    return audit.pk


def _cpu_seconds(who: str = "both") -> float:
    """User + system CPU time of this process ("self"), its finished children ("children": the
    PDF child, zip) or both."""
    import resource

    total = 0.0
    for kind, scope in (("self", resource.RUSAGE_SELF), ("children", resource.RUSAGE_CHILDREN)):
        if who in (kind, "both"):
            usage = resource.getrusage(scope)
            total += usage.ru_utime + usage.ru_stime
    return total


def child(mode: str, audit_id: int, builds: int) -> None:
    """Runs in a fresh process started like a Celery worker's: Django set up, the task modules
    imported and the system checks run (the Django fixup does that at worker start-up, which
    loads the URLconf and every view). Then ``builds`` builds in a row, as a long-lived worker
    process does them: the first pays the process's one-off costs (template engines, the first
    queries), the later ones don't. Prints times and memory as JSON on stdout."""
    import resource

    import django

    django.setup()
    from qms.celery import app

    app.loader.import_default_modules()  # what `celery worker` does before its first task
    from django.core.files.storage import default_storage

    from audits.models import Audit, Evidence, EvidencePackJob
    from audits.packs.services import evidence_pack_build
    from audits.packs.storage import pack_store
    from audits.packs.zipbuild import PackWriter

    audit = Audit.objects.get(pk=audit_id)
    before = _rss_now_mb()
    seconds, cpu, child_cpu = [], [], []
    for _ in range(builds):
        started, cpu_started, child_started = time.perf_counter(), _cpu_seconds(), _cpu_seconds("children")
        if mode == "full":
            job = EvidencePackJob.objects.create(audit=audit, requested_by=audit.lead_auditor)
            job = evidence_pack_build(job_id=job.pk)
            assert job.status == "done", job.failure_message
            size = job.size
            default_storage.delete(job.file_name)
        else:
            writer = PackWriter()
            for ev in Evidence.objects.filter(audit=audit).select_related("attachment").order_by("id"):
                att = ev.attachment
                writer.add_storage_file(
                    writer.names.claim("evidence", att.original_name), default_storage, att.file.name, size=att.size
                )
            name, size = pack_store(
                storage=default_storage, final_name="bench/zip-only.zip", chunks=writer.stream({"bench": True})
            )
            default_storage.delete(name)
        seconds.append(time.perf_counter() - started)
        cpu.append(_cpu_seconds() - cpu_started)
        child_cpu.append(_cpu_seconds("children") - child_started)
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": cpu,
                "pdf_child_cpu_seconds": child_cpu,
                "size": size,
                "peak_rss_mb": peak_rss_mb(),
                "rss_before_mb": before,
                "pdf_child_peak_rss_mb": children,
                "weasyprint_in_worker": "weasyprint" in sys.modules,
            }
        )
    )


def run_child(mode: str, audit_id: int, builds: int = 1) -> dict:
    out = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [sys.executable, __file__, "--child", mode, str(audit_id), str(builds)],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def zip_cli(folder: Path) -> tuple[float, float]:
    """Wall and CPU seconds of `zip -0 -r` of the folder."""
    target = OUT / "zip-cli.zip"
    target.unlink(missing_ok=True)
    subprocess.run(["/usr/bin/sync"], check=False)
    started, cpu_started = time.perf_counter(), _cpu_seconds()
    subprocess.run([shutil.which("zip") or "zip", "-0", "-r", "-q", str(target), "."], cwd=folder, check=True)  # noqa: S603
    seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu_started
    target.unlink()
    return seconds, cpu


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--size-kb", type=int, default=100, help="bytes per attachment, in KiB")
    parser.add_argument("--scale", type=int, nargs="*", default=[1], help="multiply each file's size (e.g. 1 10)")
    parser.add_argument("--runs", type=int, default=2, help="fresh worker processes per figure (the best is shown)")
    parser.add_argument("--zip-step", action="store_true", help="also time the ZIP step alone (attachments only)")
    parser.add_argument("--child", nargs=3, metavar=("MODE", "AUDIT", "BUILDS"))
    parser.add_argument("--keep", action="store_true", help="keep the seeded files")
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), int(args.child[2]))
        return
    setup()
    from django.conf import settings

    print(f"load average before (1, 5, 15 min): {_load()} on {os.cpu_count()} CPUs")
    print(
        f"{'scale':>5} {'files':>6} {'MB':>7} {'zip -0 s':>9} {'build s':>8} {'ratio':>6} {'warm s':>7} "
        f"{'ratio':>6} {'zip CPU s':>9} {'warm CPU s':>10} {'of it PDF child':>15} "
        f"{'worker peak MB':>14} {'worker before MB':>16} {'build adds MB':>13} {'PDF child MB':>12}"
        + (f" {'zip step s':>10}" if args.zip_step else "")
    )
    for scale in args.scale:
        size = args.size_kb * 1024 * scale
        audit_id = seed(args.files, size)
        folder = Path(settings.MEDIA_ROOT) / "bench" / f"bench-{args.files}x{size}"
        clis = [zip_cli(folder) for _ in range(args.runs)]
        cli, cli_cpu = min(c[0] for c in clis), min(c[1] for c in clis)
        runs = [run_child("full", audit_id, builds=2) for _ in range(args.runs)]
        cold = min(r["seconds"][0] for r in runs)
        warm_cpu = min(r["cpu_seconds"][1] for r in runs)
        warm_child_cpu = min(r["pdf_child_cpu_seconds"][1] for r in runs)
        warm = min(r["seconds"][1] for r in runs)
        peak = max(r["peak_rss_mb"] for r in runs)
        before = min(r["rss_before_mb"] for r in runs)
        pdf_child = max(r["pdf_child_peak_rss_mb"] for r in runs)
        assert not any(r["weasyprint_in_worker"] for r in runs) or not settings.QMS_PACK_PDF_CHILD
        line = (
            f"{scale:>5} {args.files:>6} {args.files * size / 1e6:>7.0f} {cli:>9.2f} {cold:>8.2f} {cold / cli:>6.2f} "
            f"{warm:>7.2f} {warm / cli:>6.2f} {cli_cpu:>9.2f} {warm_cpu:>10.2f} {warm_child_cpu:>15.2f} "
            f"{peak:>14.0f} {before:>16.0f} {peak - before:>13.1f} {pdf_child:>12.0f}"
        )
        if args.zip_step:
            zip_only = min(run_child("zip", audit_id)["seconds"][0] for _ in range(args.runs))
            line += f" {zip_only:>10.2f}"
        print(line, flush=True)
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
            from audits.models import Audit

            Audit.objects.filter(pk=audit_id).update(reference=f"x{audit_id}")  # re-seed next time
    print(f"load average after: {_load()}")


if __name__ == "__main__":
    main()
