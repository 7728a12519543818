"""What a file really is, decided from its bytes (never its extension), and the guards that run
before any parser sees a workbook: encryption, zip bombs and XML entity expansion."""

from __future__ import annotations

import codecs
import io
import re
import zipfile

from charset_normalizer import from_bytes

from analysis.errors import InputFileError

ZIP_RATIO_LIMIT = 100
ZIP_ABSOLUTE_LIMIT = 2 * 2**30
PROLOG_LIMIT = 2**20
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_PROLOG_TOKEN = re.compile(rb"\s+|<\?.*?\?>|<!--.*?-->", re.DOTALL)
_SPACE = b" \t\r\n\x00"
_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BIFF8_BOF = b"\x09\x08\x10\x00"

# Magic prefixes of files people rename to .csv by mistake: (prefix, what it is).
_NOT_TABLES: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "a gzip archive"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ", "an xz archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"\x28\xb5\x2f\xfd", "a zstd archive"),
    (b"SQLite format 3", "a SQLite database"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a Windows program"),
)


def detect_format(name: str, data: bytes) -> str:
    """Return "csv", "xlsx", "xlsb", "xls", "ods" or "parquet"; raise for anything else."""
    if not data or not (data[:4096].strip(_SPACE) or data.strip(_SPACE)):  # no big copy
        raise InputFileError(name, "the file is empty.")
    head = data[:16]
    if head.startswith(b"PAR1"):
        if not data.endswith(b"PAR1") or len(data) < 12:
            raise InputFileError(name, "the Parquet file is truncated or corrupt.")
        return "parquet"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_kind(name, data)
    if head.startswith(_CFB):
        if _is_encrypted_cfb(data):
            raise InputFileError(
                name,
                "the workbook is password-protected.",
                hint=_PASSWORD_HINT,
            )
        return "xls"
    if head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        raise InputFileError(name, "this is a Python pickle, not a table.", hint=_EXPORT_HINT)
    for prefix, what in _NOT_TABLES:
        if head.startswith(prefix):
            raise InputFileError(name, f"this is {what}, not a table.", hint=_EXPORT_HINT)
    return "csv"


_EXPORT_HINT = "Export the data as CSV, Excel or Parquet and upload that file."
_PASSWORD_HINT = "Remove the password (Excel: File > Info > Protect Workbook) and upload again."
_ODS_MANIFEST = "META-INF/manifest.xml"


def _is_encrypted_cfb(data: bytes) -> bool:
    """Password-protected xlsx files are CFB containers holding an EncryptionInfo stream;
    encrypted xls workbooks put a FILEPASS record (0x002F) right after the first BOF record."""
    if "EncryptionInfo".encode("utf-16-le") in data:
        return True
    bof = data.find(_BIFF8_BOF)
    return bof >= 0 and data[bof + len(_BIFF8_BOF) + 16 : bof + len(_BIFF8_BOF) + 18] == b"\x2f\x00"


def _zip_kind(name: str, data: bytes) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputFileError(
            name, "the workbook is corrupt (its zip structure is damaged)."
        ) from exc
    declared = sum(info.file_size for info in infos)
    if declared > ZIP_RATIO_LIMIT * len(data) or declared > ZIP_ABSOLUTE_LIMIT:
        raise InputFileError(
            name,
            f"the workbook would expand to {declared / 2**20:,.0f} MB from "
            f"{len(data) / 2**20:,.1f} MB; refused as a possible zip bomb.",
        )
    names = {info.filename for info in infos}
    if "xl/workbook.xml" in names:
        kind = "xlsx"
    elif "xl/workbook.bin" in names:
        kind = "xlsb"
    elif "content.xml" in names and _read_member(archive, "mimetype", 200)[0].startswith(
        b"application/vnd.oasis.opendocument.spreadsheet"
    ):
        kind = "ods"
    else:
        raise InputFileError(name, "this is a zip archive, not a spreadsheet.", hint=_EXPORT_HINT)
    if kind == "ods" and b"encryption-data" in _read_member(archive, _ODS_MANIFEST, 2**20)[0]:
        raise InputFileError(name, "the workbook is password-protected.", hint=_PASSWORD_HINT)
    for info in infos:
        if info.filename.endswith((".xml", ".rels", ".vml")) and _declares_entities(
            archive, info.filename
        ):
            raise InputFileError(
                name,
                f"the workbook part {info.filename} declares XML entities; refused as unsafe.",
            )
    return kind


def _declares_entities(archive: zipfile.ZipFile, member: str) -> bool:
    """Whether an XML part's prolog (before its root element) declares a DOCTYPE or ENTITY.

    The prolog is read past comments and processing instructions however long they are, up to
    ``PROLOG_LIMIT``; a prolog longer than that is treated as hostile too.
    """
    for limit in (4096, PROLOG_LIMIT):
        head, complete = _read_member(archive, member, limit)
        verdict = _prolog_verdict(head)
        if verdict is not None:
            return verdict
        if complete:
            return False
    return True


def _prolog_verdict(head: bytes) -> bool | None:
    """True: a DOCTYPE/ENTITY comes first; False: the root element does; None: not yet known."""
    head = head.removeprefix(codecs.BOM_UTF8)
    pos = 0
    while (match := _PROLOG_TOKEN.match(head, pos)) is not None and match.end() > pos:
        pos = match.end()
    rest = head[pos : pos + 16]
    if _DOCTYPE.match(rest):
        return True
    if rest[:1] == b"<" and rest[1:2] not in (b"", b"!", b"?"):
        return False
    return None


def _read_member(archive: zipfile.ZipFile, member: str, limit: int) -> tuple[bytes, bool]:
    """The first ``limit`` bytes of a member (as UTF-8) and whether that was all of it."""
    try:
        with archive.open(member) as handle:
            head = handle.read(limit)
            complete = len(head) < limit or not handle.read(1)
    except KeyError:
        return b"", True
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError) as exc:
        raise InputFileError(archive.filename or "workbook", "the workbook is corrupt.") from exc
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    return head, complete


_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_FALLBACKS = ("cp1252", "latin-1")
_WESTERN_MARKS = frozenset(
    "\u2013\u2014\u2018\u2019\u201c\u201d\u20ac\u2022\u2026\u00b0\u00a9\u00ae\u2122\u00a3\u00a5\u00a7\u00bd\u00bc\u00be\u00b7\u00a0\u00b2\u00b3\u00b5\u00ba\u00aa\u00bf\u00a1\u00ab\u00bb"
)
# Single-byte code pages that agree with cp1252 on common letters: Excel on Windows writes cp1252.
_WESTERN = frozenset(
    [
        "cp1252",
        "windows-1252",
        "cp1250",
        "windows-1250",
        "latin_1",
        "latin-1",
        "iso8859_15",
        "iso8859_2",
        "cp1257",
        "iso8859_9",
        "cp1254",
        "mac_roman",
    ]
)


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(data: bytes) -> str:
    """The text encoding of a delimited file, judged on the whole file, not a prefix.

    UTF-8 is checked over every byte in chunks (cheap, constant memory); only files that are
    not UTF-8 go to charset-normalizer, fed the lines that hold non-ASCII bytes.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    sample = data[:4096]
    if len(sample) >= 4 and sample.count(0) > len(sample) // 4:
        evens, odds = sample[0::2].count(0), sample[1::2].count(0)
        return "utf-16-be" if evens > odds else "utf-16-le"
    first_bad = None if data.isascii() else _first_non_utf8(data)
    if first_bad is None:
        return "utf-8"
    sample = _non_ascii_lines(data, first_bad)
    if _looks_western(sample) and _decodes(data, "cp1252"):
        return "cp1252"
    best = from_bytes(sample, cp_isolation=None).best()
    candidates = ([best.encoding] if best is not None else []) + list(_FALLBACKS)
    for encoding in candidates:
        if encoding.replace("_", "-") in ("utf-8", "ascii"):
            continue
        try:
            data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        return "cp1252" if encoding in _WESTERN and _decodes(data, "cp1252") else encoding
    return "latin-1"


def _looks_western(sample: bytes) -> bool:
    """Whether the non-ASCII bytes read as cp1252 look like Western text: accented letters
    inside ASCII words ("Müller", "Allée") and typographic marks, not runs of foreign letters
    (Greek or Cyrillic read as cp1252). charset-normalizer guesses badly on a few such bytes."""
    try:
        text = sample.decode("cp1252")
    except UnicodeDecodeError:
        return False
    foreign = [i for i, c in enumerate(text) if ord(c) > 127]
    if not foreign:
        return False
    plausible = sum(1 for i in foreign if text[i] in _WESTERN_MARKS or _latin_letter(text[i]))
    in_runs = sum(
        1
        for i in foreign
        if (i > 0 and ord(text[i - 1]) > 127 and text[i - 1].isalpha())
        or (i + 1 < len(text) and ord(text[i + 1]) > 127 and text[i + 1].isalpha())
    )
    return plausible >= 0.95 * len(foreign) and in_runs <= 0.3 * len(foreign)


def _latin_letter(char: str) -> bool:
    return "\u00c0" <= char <= "\u024f" and char not in "\u00d7\u00f7"


def _first_non_utf8(data: bytes, chunk: int = 8 * 2**20) -> int | None:
    decoder = codecs.getincrementaldecoder("utf-8")()
    for start in range(0, len(data), chunk):
        try:
            decoder.decode(data[start : start + chunk], final=start + chunk >= len(data))
        except UnicodeDecodeError as exc:
            return start + exc.start
    return None


def _non_ascii_lines(data: bytes, first_bad: int, limit: int = 200_000) -> bytes:
    """Lines around non-ASCII bytes, starting at the first byte that is not UTF-8."""
    start = data.rfind(b"\n", 0, first_bad) + 1
    lines = [
        line for line in data[start : start + 4 * limit].split(b"\n") if max(line, default=0) > 127
    ]
    return b"\n".join(lines)[:limit] or data[start : start + limit]
