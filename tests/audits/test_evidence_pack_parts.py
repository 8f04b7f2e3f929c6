"""The pack machinery on its own: safe names, formula-safe CSV, the streaming writer, verify.py and
the checker for uploaded ZIPs (no audit needed)."""

import csv
import hashlib
import io
import json
import subprocess
import sys
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from audits.packs.names import UniqueNames, safe_entry_name
from audits.packs.storage import pack_store
from audits.packs.verifier import PackRejected, pack_check
from audits.packs.zipbuild import PackWriter
from core.csvsafe import csv_bytes, safe_cell
from core.exceptions import StorageUnavailable

FORMULAS = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\r=x", '=HYPERLINK("http://evil","x")']


@pytest.mark.parametrize("payload", FORMULAS)
def test_formula_cells_are_neutralised(payload):
    data = csv_bytes(["a", "b"], [[payload, "plain"], [3, None]]).decode()
    rows = list(csv.reader(io.StringIO(data)))
    assert rows[1][0] == "'" + payload
    assert rows[1][1] == "plain"
    assert rows[2] == ["3", ""]


def test_safe_cell_leaves_numbers_and_plain_text():
    assert safe_cell(-5) == -5
    assert safe_cell("a=b") == "a=b"
    assert safe_cell("") == ""


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../x", "x"),
        ("a/../../b", "b"),
        ("..\\..\\win.ini", "win.ini"),
        ("/etc/passwd", "passwd"),
        ("nul\x00byte.pdf", "nul_byte.pdf"),
        ("line\nbreak.txt", "line_break.txt"),
        ("Prüfbericht für Ärztin.pdf", "Prüfbericht für Ärztin.pdf"),
        ("日本語の証拠.png", "日本語の証拠.png"),
        ("evil\u202egpj.exe", "evil_gpj.exe"),
        ("CON.txt", "_CON.txt"),
        ("lpt1", "_lpt1"),
        ('a<b>:"c"|?*.txt', "a_b___c____.txt"),
        (".hidden", "hidden"),
        ("trailing. . ", "trailing"),
        ("..", "file"),
        ("", "file"),
    ],
)
def test_safe_entry_names(raw, expected):
    assert safe_entry_name(raw) == expected


def test_long_names_are_cut_to_the_byte_limit_keeping_the_extension():
    name = safe_entry_name("ä" * 300 + ".pdf")
    assert name.endswith(".pdf")
    assert len(name.encode()) <= 120
    name.encode().decode()  # never a cut multi-byte character


def test_duplicate_names_are_made_unique_even_by_case():
    names = UniqueNames()
    names.reserve("manifest.json")
    got = [names.claim("evidence", n) for n in ["a.pdf", "a.pdf", "A.PDF", "x/a.pdf", "manifest.json"]]
    assert got == [
        "evidence/a.pdf",
        "evidence/a (2).pdf",
        "evidence/A (3).PDF",
        "evidence/a (4).pdf",
        "evidence/manifest.json",
    ]
    assert names.claim("", "manifest.json") == "manifest (2).json"


def _small_pack(tmp_path) -> bytes:
    default_storage.save("src/photo.png", ContentFile(b"\x89PNG" + b"p" * 5000))
    writer = PackWriter()
    writer.add_bytes("index.html", b"<html>hi</html>")
    writer.add_bytes(writer.names.claim("", "findings.csv"), csv_bytes(["x"], [["=1"]]))
    writer.add_storage_file(writer.names.claim("evidence", "../photo.png"), default_storage, "src/photo.png")
    writer.add_chunks("empty.txt", iter([b""]))
    return b"".join(writer.stream({"audit": {"reference": "AUD-1"}, "exported_at": "now"}))


def test_the_pack_lists_every_file_with_its_hash_and_verify_py_checks_it(tmp_path):
    data = _small_pack(tmp_path)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read("manifest.json"))
        listed = {f["path"]: f for f in manifest["files"]}
        assert set(names) == set(listed) | {"manifest.json", "SHA256SUMS"}
        for path, entry in listed.items():
            body = archive.read(path)
            assert hashlib.sha256(body).hexdigest() == entry["sha256"]
            assert len(body) == entry["size"]
        assert archive.getinfo("evidence/photo.png").compress_type == zipfile.ZIP_STORED
        assert archive.getinfo("index.html").compress_type == zipfile.ZIP_DEFLATED
        archive.extractall(tmp_path / "pack")
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=tmp_path / "pack", capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "manifest.json: OK" in check.stdout

    ok = subprocess.run([sys.executable, "verify.py"], cwd=tmp_path / "pack", capture_output=True, text=True)
    assert ok.returncode == 0 and "OK" in ok.stdout, ok.stdout

    target = tmp_path / "pack" / "evidence" / "photo.png"
    body = bytearray(target.read_bytes())
    body[10] ^= 1
    target.write_bytes(bytes(body))
    (tmp_path / "pack" / "index.html").unlink()
    (tmp_path / "pack" / "extra.txt").write_text("x")
    bad = subprocess.run([sys.executable, str(tmp_path / "pack" / "verify.py")], capture_output=True, text=True)
    assert bad.returncode == 1
    assert "CHANGED  evidence/photo.png" in bad.stdout
    assert "MISSING  index.html" in bad.stdout
    assert "ADDED    extra.txt" in bad.stdout


def test_the_checker_reports_changed_missing_and_added_files(tmp_path):
    data = _small_pack(tmp_path)
    assert pack_check(io.BytesIO(data)).intact

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "findings.csv":
                body = body.replace(b"=1", b"=2")
            if info.filename == "index.html":
                continue
            dst.writestr(info.filename, body)
        dst.writestr("../../escape.txt", b"x")
    result = pack_check(out)
    assert result.changed == ["findings.csv"]
    assert result.missing == ["index.html"]
    assert result.added == ["../../escape.txt (unsafe path)"]
    assert not result.intact


def test_the_checker_refuses_non_zips_bombs_and_ambiguous_archives(settings):
    with pytest.raises(PackRejected, match="not a ZIP"):
        pack_check(io.BytesIO(b"hello"))
    with pytest.raises(PackRejected, match="no manifest"):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("a.txt", "a")
        pack_check(buf)

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", json.dumps({"files": [{"path": "zeros", "size": 1, "sha256": "x"}]}))
        z.writestr("zeros", b"\0" * (50 * 1024 * 1024))
    with pytest.raises(PackRejected, match="zip bomb"):
        pack_check(bomb)
    settings.QMS_PACK_VERIFY_MAX_BYTES = 1024 * 1024
    with pytest.raises(PackRejected, match="size limit"):
        pack_check(bomb)

    twice = io.BytesIO()
    with pytest.warns(UserWarning), zipfile.ZipFile(twice, "w") as z:
        z.writestr("manifest.json", "{}")
        z.writestr("manifest.json", "{}")
    with pytest.raises(PackRejected, match="twice"):
        pack_check(twice)


def test_a_pack_is_stored_under_its_final_name_only_when_complete(tmp_path):
    def chunks():
        yield b"a" * 10
        raise RuntimeError("worker died")

    with pytest.raises(RuntimeError):
        pack_store(storage=default_storage, final_name="packs/x.zip", chunks=chunks())
    assert default_storage.listdir("packs") == ([], [])

    name, size = pack_store(storage=default_storage, final_name="packs/x.zip", chunks=iter([b"ab", b"cd"]))
    assert name == "packs/x.zip" and size == 4
    assert default_storage.open(name).read() == b"abcd"
    assert default_storage.listdir("packs") == ([], ["x.zip"])


def test_a_storage_that_fails_mid_write_fails_the_store_and_leaves_no_part(settings):
    """The storage writes in its own thread: its error reaches the caller, the stream is not left
    blocked, and no part stays behind."""
    from django.core.files.storage import FileSystemStorage

    class Failing(FileSystemStorage):
        def _save(self, name, content):
            for n, _chunk in enumerate(content.chunks()):
                if n == 2:
                    raise OSError("disk full")
            raise AssertionError("unreachable")

    storage = Failing(location=settings.MEDIA_ROOT)
    produced = []

    def chunks():
        for i in range(50):  # far more than the chunks in flight: the producer must not block
            produced.append(i)
            yield b"x" * (300 * 1024)

    # core.storage.file_store turns the storage's error into a clear one (chained from it).
    with pytest.raises(StorageUnavailable, match="could not be stored") as failed:
        pack_store(storage=storage, final_name="packs/y.zip", chunks=chunks())
    assert "disk full" in str(failed.value.__cause__)
    assert len(produced) < 50  # the stream stopped soon after the failure
    assert not storage.exists("packs") or storage.listdir("packs") == ([], [])
