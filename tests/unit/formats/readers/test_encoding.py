"""Encoding detection order and per-line decoding."""

from __future__ import annotations

import codecs
import io

import pytest

from shared.formats.readers.base import UnreadableFile
from shared.formats.readers.encoding import (
    SAMPLE_BYTES,
    decode_line,
    detect_encoding,
    normalise_encoding,
)
from shared.formats.readers.lines import open_text

KOREAN = "거래번호,거래상대방명\nT1,한국데모증권\nT2,서울자산운용\n"


def test_utf8_bom_comes_first_even_against_a_declared_encoding():
    detected = detect_encoding(codecs.BOM_UTF8 + KOREAN.encode(), "cp949")
    assert (detected.encoding, detected.bom_length, detected.how) == ("utf-8", 3, "bom")


@pytest.mark.parametrize("bom", [codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE])
def test_utf16_and_utf32_are_refused_with_a_reason(bom):
    with pytest.raises(UnreadableFile, match=r"UTF-(16|32)"):
        detect_encoding(bom + "a,b\n".encode("utf-16-le"))


def test_excel_workbook_and_binary_are_refused():
    with pytest.raises(UnreadableFile, match="xlsx"):
        detect_encoding(b"PK\x03\x04" + b"\x00" * 20)
    with pytest.raises(UnreadableFile, match="NUL byte at offset 3"):
        detect_encoding(b"abc\x00def")


def test_declared_encoding_is_used_without_guessing():
    detected = detect_encoding(KOREAN.encode("cp949"), "EUC-KR")
    assert (detected.encoding, detected.how) == ("cp949", "declared")


def test_plain_utf8_and_cp949_are_told_apart():
    assert detect_encoding(KOREAN.encode(), complete=True).encoding == "utf-8"
    assert detect_encoding(KOREAN.encode("cp949"), complete=True).encoding == "cp949"
    assert detect_encoding(b"a,b\n1,2\n", complete=True).encoding == "utf-8"  # ASCII


def test_character_cut_by_the_sample_end_is_not_an_error():
    data = ("x" * (SAMPLE_BYTES - 1) + "한").encode()  # 3 bytes: the sample ends inside it
    detected, lines = open_text(io.BytesIO(data))
    assert detected.encoding == "utf-8"
    [line] = list(lines)
    assert line.text.endswith("한") and line.decode_error is None


def test_a_stray_bad_byte_in_the_sample_is_tolerated():
    data = KOREAN.encode() * 10 + b"T3,\xff\n"
    detected = detect_encoding(data, complete=True)
    assert (detected.encoding, detected.how) == ("utf-8", "sample-tolerant")


def test_many_bad_lines_make_the_file_unreadable():
    data = "name\ncafé\nnaïve\ncrème\n".encode("latin-1")
    with pytest.raises(UnreadableFile, match="neither UTF-8 nor CP949/EUC-KR"):
        detect_encoding(data, complete=True)


def test_decode_line_replaces_and_explains():
    text, error = decode_line(b"ab\xffcd\n", "utf-8")
    assert text == "ab\ufffdcd\n"
    assert "FF" in error and "byte 3" in error
    assert decode_line("한국".encode("cp949"), "cp949") == ("한국", None)


def test_normalise_encoding():
    assert normalise_encoding("auto") is None
    assert normalise_encoding(None) is None
    assert normalise_encoding("UTF8") == "utf-8"
    assert normalise_encoding("euc_kr") == "cp949"
    with pytest.raises(ValueError, match="unsupported encoding"):
        normalise_encoding("shift_jis")


def test_lines_keep_numbers_terminators_and_the_unterminated_last_line():
    _detected, lines = open_text(io.BytesIO(b"a\r\nb\n\nc"))
    got = [(line.number, line.text, line.terminated) for line in lines]
    assert got == [(1, "a\r\n", True), (2, "b\n", True), (3, "\n", True), (4, "c", False)]


def test_over_long_line_at_end_of_file_is_reported_with_its_size():
    _detected, lines = open_text(io.BytesIO(b"ok\n" + b"z" * 300), max_line_bytes=100)
    got = list(lines)
    assert got[1].length == 300 and len(got[1].text) == 100 and not got[1].terminated
