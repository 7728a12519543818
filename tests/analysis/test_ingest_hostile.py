"""Hostile and broken files: zip bombs, XML entities, passwords, bad Parquet. Each must raise an
``InputFileError`` naming the file, never another exception, and never reach a parser unchecked."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import xlsxwriter

from analysis.errors import InputFileError
from analysis.ingest import InputFile, read_raw

DATA = Path(__file__).resolve().parents[1] / "data" / "ingest"


def small_xlsx() -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Accounts")
    for r, row in enumerate([["Account ID", "Revenue"], ["A", 10], ["B", 20]]):
        sheet.write_row(r, 0, row)
    book.close()
    return buffer.getvalue()


def rewrite(xlsx: bytes, member: str, change) -> bytes:
    """The workbook with one member's bytes replaced by ``change(old_bytes)``."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info.filename, change(data) if info.filename == member else data)
    return out.getvalue()


def declare_size(xlsx: bytes, member: str, size: int) -> bytes:
    """Patch the central directory so ``member`` claims ``size`` uncompressed bytes."""
    data = bytearray(xlsx)
    name = member.encode()
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46 : at + 46 + name_len]) == name:
            struct.pack_into("<I", data, at + 24, size)
            return bytes(data)
        at = data.find(b"PK\x01\x02", at + 4)
    raise AssertionError(f"{member} not in the archive")


def test_small_xlsx_reads():
    raw = read_raw(InputFile("ok.xlsx", small_xlsx()))
    assert raw.frame["Revenue"].tolist() == ["10", "20"] and raw.sheet == "Accounts"


def test_zip_bomb_is_refused_before_parsing():
    xlsx = small_xlsx()
    bomb = declare_size(xlsx, "xl/worksheets/sheet1.xml", 150 * 2**20)
    assert len(bomb) < 20_000
    with pytest.raises(InputFileError, match="zip bomb") as info:
        read_raw(InputFile("bomb.xlsx", bomb))
    assert str(info.value).startswith("bomb.xlsx:")


LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n'
)


@pytest.mark.parametrize(
    ("member", "padding"),
    [
        ("xl/sharedStrings.xml", b""),
        ("xl/workbook.xml", b""),
        ("xl/worksheets/sheet1.xml", b"<!-- " + b"x" * 10_000 + b" -->\n"),
    ],
    ids=["shared-strings", "workbook", "after-long-comment"],
)
def test_xml_entities_are_refused(member, padding):
    def inject(xml: bytes) -> bytes:
        body = xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml
        return LAUGHS.replace(b"\n<!DOCTYPE", b"\n" + padding + b"<!DOCTYPE") + body.lstrip()

    hostile = rewrite(small_xlsx(), member, inject)
    with pytest.raises(InputFileError, match="XML entities") as info:
        read_raw(InputFile("laughs.xlsx", hostile))
    assert member in str(info.value)


@pytest.mark.parametrize("name", ["password.xlsx", "password.xls", "password.ods"])
def test_password_protected_workbooks(name):
    with pytest.raises(InputFileError, match="password-protected") as info:
        read_raw(InputFile(name, (DATA / name).read_bytes()))
    assert str(info.value).startswith(name)


def test_corrupt_workbook():
    xlsx = small_xlsx()
    broken = xlsx[: len(xlsx) // 2]
    with pytest.raises(InputFileError, match=r"corrupt|could not be read"):
        read_raw(InputFile("broken.xlsx", broken))


def test_zip_that_is_not_a_workbook():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("accounts.csv", "id,revenue\n1,2\n")
    with pytest.raises(InputFileError, match="zip archive"):
        read_raw(InputFile("accounts.csv", out.getvalue()))


def parquet(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return sink.getvalue().to_pybytes()


def test_parquet_reads_as_text():
    data = parquet(pa.table({"Account ID": ["A", "B"], "Revenue": [1.5, 2.0]}))
    raw = read_raw(InputFile("a.parquet", data))
    assert raw.frame["Revenue"].tolist() == ["1.5", "2"]


def test_nested_parquet_is_refused():
    table = pa.table({"Account ID": ["A", "B"], "tags": [["x", "y"], []], "Revenue": [1.0, 2.0]})
    with pytest.raises(InputFileError, match="tags hold lists") as info:
        read_raw(InputFile("nested.parquet", parquet(table)))
    assert str(info.value).startswith("nested.parquet")


@pytest.mark.parametrize(
    "cut",
    [lambda d: d[: len(d) // 2], lambda d: d[:8] + d[-8:], lambda d: d[:4] + b"\0" * 40 + d[-4:]],
    ids=["half", "no-body", "zeroed-footer"],
)
def test_truncated_parquet_is_refused(cut):
    data = parquet(pa.table({"Account ID": ["A"] * 100, "Revenue": list(range(100))}))
    with pytest.raises(InputFileError, match="Parquet"):
        read_raw(InputFile("cut.parquet", cut(data)))


def test_oversized_file_is_refused_before_reading():
    from analysis.ingest import IngestConfig

    with pytest.raises(InputFileError, match="limit is"):
        read_raw(
            InputFile("big.csv", b"id,revenue\n" + b"1,2\n" * 1000), IngestConfig(max_bytes=100)
        )
