"""Evidence pack build time and memory against `zip -0 -r` of the same files.

    .venv/bin/python bench/evidence_pack.py                    # 2,000 attachments, ~200 MB
    .venv/bin/python bench/evidence_pack.py --scale 10         # the same files, 10x the bytes each
    .venv/bin/python bench/evidence_pack.py --files 500 --size-kb 400

Seeds (in the qms_bench_packs database, files under bench/out/) an audit whose answer carries N
attachments of random (incompressible, like photos) bytes, then in a fresh process per run:
  - the full build through the real service (evidence_pack_build: report PDF, CSVs, SOP PDFs,
    history, every attachment hashed and streamed into storage, manifest, SHA256SUMS);
  - the ZIP step alone (PackWriter with the same attachment files, streamed into storage);
  - `zip -0 -r -q` of the same attachment folder onto the same disk.
Prints wall time of each and the peak RSS of the build process (ru_maxrss, which includes
Django's and WeasyPrint's own footprint), and the RSS growth during the build.
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


def child(mode: str, audit_id: int) -> None:
    """Runs in a fresh process: one build, its time and memory as JSON on stdout."""
    setup()
    import weasyprint  # noqa: F401 - imported before the baseline, as a warm worker has it
    from django.core.files.storage import default_storage

    from audits.models import Audit, Evidence, EvidencePackJob
    from audits.packs.services import evidence_pack_build
    from audits.packs.storage import pack_store
    from audits.packs.zipbuild import PackWriter

    audit = Audit.objects.get(pk=audit_id)
    before = _rss_now_mb()
    started = time.perf_counter()
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
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "size": size, "peak_rss_mb": peak_rss_mb(), "rss_before_mb": before}))


def run_child(mode: str, audit_id: int) -> dict:
    out = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [sys.executable, __file__, "--child", mode, str(audit_id)],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def zip_cli(folder: Path) -> float:
    target = OUT / "zip-cli.zip"
    target.unlink(missing_ok=True)
    subprocess.run(["/usr/bin/sync"], check=False)
    started = time.perf_counter()
    subprocess.run([shutil.which("zip") or "zip", "-0", "-r", "-q", str(target), "."], cwd=folder, check=True)  # noqa: S603
    seconds = time.perf_counter() - started
    target.unlink()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--size-kb", type=int, default=100, help="bytes per attachment, in KiB")
    parser.add_argument("--scale", type=int, nargs="*", default=[1], help="multiply each file's size (e.g. 1 10)")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "AUDIT"))
    parser.add_argument("--keep", action="store_true", help="keep the seeded files")
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]))
        return
    setup()
    from django.conf import settings

    print(
        f"{'scale':>5} {'files':>6} {'MB':>7} {'zip -0 s':>9} {'zip step s':>10} {'full build s':>12} "
        f"{'zip/cli':>7} {'full/cli':>8} {'peak RSS MB':>11} {'RSS growth MB':>13}"
    )
    for scale in args.scale:
        size = args.size_kb * 1024 * scale
        audit_id = seed(args.files, size)
        folder = Path(settings.MEDIA_ROOT) / "bench" / f"bench-{args.files}x{size}"
        cli = min(zip_cli(folder) for _ in range(2))
        zip_only = min((run_child("zip", audit_id) for _ in range(2)), key=lambda r: r["seconds"])
        full = min((run_child("full", audit_id) for _ in range(2)), key=lambda r: r["seconds"])
        megabytes = args.files * size / 1e6
        print(
            f"{scale:>5} {args.files:>6} {megabytes:>7.0f} {cli:>9.2f} {zip_only['seconds']:>10.2f} "
            f"{full['seconds']:>12.2f} {zip_only['seconds'] / cli:>7.2f} {full['seconds'] / cli:>8.2f} "
            f"{full['peak_rss_mb']:>11.0f} {full['peak_rss_mb'] - full['rss_before_mb']:>13.1f}"
        )
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
            from audits.models import Audit

            Audit.objects.filter(pk=audit_id).update(reference=f"x{audit_id}")  # re-seed next time


if __name__ == "__main__":
    main()
