"""The readers package's public face, as the ingest pipeline uses it: format detection, the
encoding a reader would pick, the reader of a stored file, and the errors."""

from __future__ import annotations

import codecs
import io

import pytest

from shared.formats import profiles
from shared.formats.readers import (
    LINE_FORMATS,
    SAMPLE_BYTES,
    ProfileError,
    UnreadableFile,
    detect_format,
    reader_for_file,
    sniff_encoding,
)
from shared.formats.readers.csv_reader import CsvReader
from shared.formats.readers.fpml import FpmlReader
from shared.formats.readers.jsonl import JsonlReader

KOREAN = "거래번호,거래상대방명\nT1,한국데모증권\n"


@pytest.mark.parametrize(("name", "fmt"), [
    ("a/fep.CSV", "csv"), ("x.txt", "csv"), ("x.jsonl", "jsonl"), ("x.ndjson", "jsonl"),
    ("x.xml", "fpml"), ("x.fpml", "fpml")])
def test_the_extension_decides_first(name, fmt):
    assert detect_format(name, b"{", content_type="application/xml") == fmt


def test_an_xml_content_type_decides_before_the_first_bytes():
    assert detect_format("upload.bin", content_type="application/xml") == "fpml"
    assert detect_format("upload.bin", b"{}", content_type="text/xml; charset=utf-8") == "fpml"
    assert detect_format("upload.bin", b"{}", content_type="application/pdf") == "jsonl"


def test_without_extension_content_type_or_bytes_the_format_is_unknown():
    with pytest.raises(UnreadableFile, match=r"cannot tell the format of 'report\.pdf'"):
        detect_format("report.pdf", content_type="application/pdf")
    with pytest.raises(UnreadableFile):
        detect_format("report", content_type=None)


def test_sniff_encoding_finds_what_the_readers_find():
    sample = KOREAN.encode("cp949")
    assert sniff_encoding("csv", None, sample, complete=True) == "cp949"
    assert sniff_encoding("jsonl", None, KOREAN.encode(), complete=True) == "utf-8"
    assert sniff_encoding("csv", None, codecs.BOM_UTF8 + b"a,b\n", complete=True) == "utf-8"
    # the profile's declared encoding wins over the sample (kr-fep declares cp949)
    assert sniff_encoding("csv", "kr-fep", b"a,b\n", complete=True) == "cp949"


def test_sniff_encoding_is_none_for_fpml_and_raises_for_what_cannot_be_read():
    assert sniff_encoding("fpml", "no-such-profile", b"\x00\x01", complete=True) is None
    with pytest.raises(UnreadableFile, match="binary"):
        sniff_encoding("csv", None, b"a,b\x00\n", complete=True)
    with pytest.raises(ProfileError, match="no profile"):
        sniff_encoding("csv", "no-such-profile", b"a,b\n", complete=True)


def test_sniff_encoding_forgives_a_character_cut_by_the_end_of_an_incomplete_sample():
    sample = ("a" * (SAMPLE_BYTES - 1)).encode() + "한".encode()[:1]
    assert sniff_encoding("csv", None, sample, complete=False) == "utf-8"


def test_reader_for_file_builds_the_reader_of_a_stored_file():
    csv = reader_for_file("csv", None, "cp949")
    assert isinstance(csv, CsvReader) and csv.profile.name == "default"
    assert csv.encoding == "cp949"
    jsonl = reader_for_file("jsonl", None, None)
    assert isinstance(jsonl, JsonlReader) and jsonl.profile is None
    assert isinstance(reader_for_file("fpml", "default", "utf-8"), FpmlReader)
    with pytest.raises(UnreadableFile, match="unknown format"):
        reader_for_file("pdf", None, None)
    with pytest.raises(ProfileError):
        reader_for_file("csv", "no-such-profile", None)


def test_a_line_format_reader_keeps_the_file_s_line_numbers_over_blanked_lines():
    """What resuming at a line relies on: blank lines are not records, positions are physical."""
    assert set(LINE_FORMATS) == {"csv", "jsonl"}
    whole = b'{"uti": "U1", "action_type": "NEWT"}\n{"uti": "U2", "action_type": "NEWT"}\n'
    blanked = b"\n" + whole.split(b"\n", 1)[1]
    lines = [r.position.line for r in reader_for_file("jsonl", None, None).read(
        io.BytesIO(blanked))]
    assert lines == [2]


def test_profile_error_is_one_class_wherever_it_is_imported_from():
    assert profiles.ProfileError is ProfileError
    with pytest.raises(ProfileError):
        profiles.load_profile("no-such-profile")
