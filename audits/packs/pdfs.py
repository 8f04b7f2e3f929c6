"""The pack's PDFs (report, controlled copies) laid out by a short-lived child process, beside the build.

WeasyPrint's layout is the slow, memory-hungry part of a pack. The worker renders only each
PDF's HTML (templates and database reads: cheap) and writes it into a private temporary folder;
a child process (``python -m audits.packs.pdfs FOLDER``), started when the build starts, lays
each one out as PDF while the worker streams the attachments (which come first in the ZIP, so
there is a whole stream's time for it). When the ZIP reaches a PDF the worker waits for it,
usually not at all, and streams it from disk in fixed chunks. So:

- the worker never imports WeasyPrint: its memory stays that of Django, and a heavy PDF cannot
  push it up (the child's memory goes back to the system when it exits);
- the layout runs on another core, off the build's critical path;
- the bytes are the ones an in-process render gives: the same HTML, the same renderer
  (``docs_control.pdf_render.html_to_pdf``), and WeasyPrint gives the same bytes for the same HTML.

``QMS_PACK_PDF_CHILD = False`` renders in the worker's process instead, lazily when the stream
reaches each PDF (the unit tests do, to stay fast; one test checks both ways give the same pack).
The child reads the names of its jobs on stdin and answers one line a job on stdout; its stderr
goes to a file in the folder, read back when it fails. After the last PDF it turns itself into a
few-MB reaper that waits for the end of stdin and removes the folder: the worker closes stdin
when the build is over, and the kernel does when the worker dies (a SIGKILL too), so no folder
is left behind either way.
"""

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings

from .zipbuild import CHUNK

CHILD_MODULE = "audits.packs.pdfs"
DONE = "done"  # the last line of the jobs (job names are digits)
# What the child becomes after its last PDF (os.execv: same process, a few MB instead of
# WeasyPrint's ~100): it waits for the worker's end of stdin, which closes when the build is over
# or the worker dies (even by SIGKILL), and removes the folder.
_REAPER = "import shutil, sys; sys.stdin.read(); shutil.rmtree(sys.argv[1], ignore_errors=True)"


def static_files() -> dict[str, str]:
    """Every static file, relative path to absolute path, the first finder's file winning, as
    ``finders.find`` answers: what the child's fetcher may serve, without Django set up there."""
    from django.contrib.staticfiles.finders import get_finders

    found: dict[str, str] = {}
    for finder in get_finders():
        for path, storage in finder.list([]):
            prefix = getattr(storage, "prefix", None)
            found.setdefault(f"{prefix}/{path}" if prefix else path, storage.path(path))
    return found


def _lazy(make: Callable[[], bytes]) -> Iterator[bytes]:
    yield make()


class PackPdfs:
    """Use as a context manager around the build; ``pdf(...)`` returns the chunks of one PDF."""

    def __init__(self, *, in_child: bool | None = None) -> None:
        self.in_child = settings.QMS_PACK_PDF_CHILD if in_child is None else in_child
        self._folder: Path | None = None
        self._proc: subprocess.Popen | None = None
        self._answers: dict[str, str] = {}
        self._ended = False
        self._cond = threading.Condition()
        self._count = 0

    def __enter__(self) -> "PackPdfs":
        if self.in_child:
            self._start()
        return self

    def __exit__(self, exc_type, *_exc) -> None:
        self.close(finished=exc_type is None)

    def _start(self) -> None:
        self._folder = Path(tempfile.mkdtemp(prefix="qms-pack-pdfs-"))
        (self._folder / "static.json").write_text(json.dumps(static_files()), encoding="utf-8")
        path = os.pathsep.join(filter(None, [str(settings.BASE_DIR), os.environ.get("PYTHONPATH")]))
        with open(self._folder / "stderr.log", "wb") as errors:
            self._proc = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
                [sys.executable, "-m", CHILD_MODULE, str(self._folder)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
                cwd=settings.BASE_DIR,
                env={**os.environ, "PYTHONPATH": path},
                text=True,
                bufsize=1,
            )
        threading.Thread(target=self._read_answers, daemon=True, name="pack-pdfs").start()

    def _read_answers(self) -> None:
        for line in self._proc.stdout:
            status, _, rest = line.rstrip("\n").partition(" ")
            name, _, message = rest.partition(" ")
            with self._cond:
                self._answers[name] = message if status == "error" else ""
                self._cond.notify_all()
        with self._cond:
            self._ended = True
            self._cond.notify_all()

    def pdf(self, html: Callable[[], str], inline: Callable[[], bytes]) -> Iterator[bytes]:
        """The chunks of one PDF: ``html()`` laid out by the child now, or ``inline()`` when the
        stream gets there if there is no child."""
        if not self.in_child:
            return _lazy(inline)
        name = f"{self._count:05d}"
        self._count += 1
        (self._folder / f"{name}.html").write_text(html(), encoding="utf-8")
        try:
            self._proc.stdin.write(name + "\n")
        except BrokenPipeError:
            raise RuntimeError(f"The PDF renderer stopped: {self._stderr_tail()}") from None
        return self._stream(name)

    def submitted(self) -> None:
        """No more PDFs: once the last one is laid out the child leaves WeasyPrint's memory."""
        if self._proc is not None and not self._proc.stdin.closed:
            self._proc.stdin.write(DONE + "\n")

    def _stream(self, name: str) -> Iterator[bytes]:
        with self._cond:
            self._cond.wait_for(lambda: name in self._answers or self._ended)
            error = self._answers.get(name)
        if error is None:
            raise RuntimeError(f"The PDF renderer stopped: {self._stderr_tail()}")
        if error:
            raise RuntimeError(f"A PDF could not be rendered: {error}")
        path = self._folder / f"{name}.pdf"
        with open(path, "rb") as fh:
            while chunk := fh.read(CHUNK):
                yield chunk
        path.unlink()

    def _stderr_tail(self) -> str:
        try:
            return (self._folder / "stderr.log").read_text(errors="replace")[-500:].strip() or "no message"
        except OSError:
            return "no message"

    def close(self, *, finished: bool = True) -> None:
        if self._proc is not None:
            with contextlib.suppress(BrokenPipeError):
                self._proc.stdin.close()  # the build is over: the child's reaper removes the folder
            if not finished:
                self._proc.kill()  # the build stopped early: its PDFs are not wanted
            self._proc.wait()
            self._proc = None
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None


def _say(*words: str) -> None:
    try:
        print(*words, flush=True)
    except BrokenPipeError:  # the worker is gone; finish quietly
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - for the rest of this short process


def _child(folder: Path) -> None:
    # No django.setup(): the HTML is ready-made and the static files are mapped, so the child
    # starts in the time it takes to import WeasyPrint.
    from docs_control.pdf_render import html_to_pdf

    static = json.loads((folder / "static.json").read_text(encoding="utf-8"))
    for line in sys.stdin:
        name = line.strip()
        if name == DONE:
            break
        try:
            source = folder / f"{name}.html"
            pdf = html_to_pdf(source.read_text(encoding="utf-8"), find=static.get)
            (folder / f"{name}.part").write_bytes(pdf)
            os.replace(folder / f"{name}.part", folder / f"{name}.pdf")
            source.unlink()
            _say("ok", name)
        except Exception as exc:  # reported to the build, which fails with it
            _say("error", name, f"{type(exc).__name__}: {exc}".replace("\n", " ")[:500])
    with contextlib.suppress(BrokenPipeError):
        sys.stdout.flush()
    os.execv(sys.executable, [sys.executable, "-S", "-c", _REAPER, str(folder)])  # noqa: S606 - ourselves


if __name__ == "__main__":
    _child(Path(sys.argv[1]))
