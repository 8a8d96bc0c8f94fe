"""Which encoding a FEP file is in, and decoding it one physical line at a time.

Supported: UTF-8 (with or without BOM) and CP949, which is a superset of EUC-KR (Korean FEPs
write both; a file declared EUC-KR is decoded as CP949 so that the extended Hangul syllables of
Windows exports also decode).

Detection order, on a leading sample of the file (`SAMPLE_BYTES`):
1. a byte-order mark: UTF-8 BOM -> UTF-8 (the BOM is dropped); a UTF-16/32 BOM -> the file is
   unreadable (say so, rather than decode garbage);
2. NUL bytes -> unreadable: binary, typically an Excel workbook saved instead of CSV;
3. the encoding the profile (or caller) declares, if any;
4. strict UTF-8 on the sample (a multi-byte character cut by the sample's end is not an error);
5. strict CP949 on the sample;
6. tolerance for a stray bad byte: the candidate (UTF-8 first) whose undecodable sample lines
   are at most 1 % of the sample's lines (at least 1) wins; its bad lines become record errors;
7. otherwise the file is unreadable, with the first undecodable bytes in the reason.

After detection every physical line is decoded on its own (strictly, then with U+FFFD
replacement plus an error describing the bad bytes), so one bad byte sequence spoils one
record, never the file. Splitting lines on b"\\n" before decoding is safe in both encodings:
0x0A is never part of a multi-byte UTF-8 or CP949 character.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from shared.formats.readers.base import UnreadableFile

__all__ = ["SAMPLE_BYTES", "Detected", "decode_line", "detect_encoding", "normalise_encoding"]

SAMPLE_BYTES = 64 * 1024
UTF8_BOM = codecs.BOM_UTF8
_UNSUPPORTED_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"),
)
_ALIASES = {"utf8": "utf-8", "utf-8": "utf-8", "utf-8-sig": "utf-8", "cp949": "cp949",
            "euc-kr": "cp949", "euckr": "cp949", "ks_c_5601-1987": "cp949", "uhc": "cp949",
            "ms949": "cp949", "x-windows-949": "cp949"}
_LABELS = {"utf-8": "UTF-8", "cp949": "CP949 (EUC-KR)"}


@dataclass(frozen=True)
class Detected:
    encoding: str  # a Python codec name: utf-8 or cp949
    bom_length: int  # bytes to skip at the start of the file
    how: str  # bom | declared | sample | sample-tolerant, for logs and the docs

    @property
    def label(self) -> str:
        return _LABELS.get(self.encoding, self.encoding)


def normalise_encoding(name: str | None) -> str | None:
    """utf-8 or cp949 for a declared name, None for auto; ValueError for anything else."""
    if name is None or name.strip().lower() in ("", "auto"):
        return None
    key = name.strip().lower().replace("_", "-")
    key = {"ks-c-5601-1987": "ks_c_5601-1987"}.get(key, key)
    if key not in _ALIASES:
        raise ValueError(f"unsupported encoding {name!r}: use utf-8, cp949 or euc-kr")
    return _ALIASES[key]


def detect_encoding(sample: bytes, declared: str | None = None, *,
                    complete: bool = False) -> Detected:
    """Pick the encoding from the file's first bytes; `complete`: the sample is the whole file.

    Raises `UnreadableFile` with the reason when the file is in none of the supported ones.
    """
    if sample.startswith(UTF8_BOM):
        return Detected("utf-8", len(UTF8_BOM), "bom")
    for bom, name in _UNSUPPORTED_BOMS:
        if sample.startswith(bom):
            raise UnreadableFile(f"the file is {name} (byte-order mark found); FEP files must be "
                                 "UTF-8 or CP949/EUC-KR")
    if sample.startswith(b"PK\x03\x04"):
        raise UnreadableFile("the file is a ZIP archive (an Excel .xlsx workbook?), not text; "
                             "export it as CSV")
    if b"\x00" in sample:
        offset = sample.index(b"\x00")
        raise UnreadableFile(f"the file is binary, not text (NUL byte at offset {offset})")
    encoding = normalise_encoding(declared)
    if encoding:
        return Detected(encoding, 0, "declared")
    for candidate in ("utf-8", "cp949"):
        if _decodes(sample, candidate, final=complete):
            return Detected(candidate, 0, "sample")
    lines = _sample_lines(sample, complete)
    allowed = max(1, len(lines) // 100)
    first_bad: dict[str, str] = {}
    for candidate in ("utf-8", "cp949"):
        bad = [(n, err) for n, line in enumerate(lines, 1)
               if (err := decode_line(line, candidate)[1]) is not None]
        if len(bad) <= allowed:
            return Detected(candidate, 0, "sample-tolerant")
        first_bad[candidate] = f"line {bad[0][0]}: {bad[0][1]}"
    raise UnreadableFile(
        "the file is neither UTF-8 nor CP949/EUC-KR: in its first "
        f"{len(sample)} bytes, as UTF-8 {first_bad['utf-8']}; as CP949 {first_bad['cp949']}"
    )


def decode_line(data: bytes, encoding: str) -> tuple[str, str | None]:
    """(text, None) or (text with U+FFFD for the bad bytes, what was wrong and where)."""
    try:
        return data.decode(encoding), None
    except UnicodeDecodeError as exc:
        bad = data[exc.start:exc.end][:8].hex(" ").upper()
        reason = (f"undecodable bytes {bad} at byte {exc.start + 1} of the line "
                  f"(not {_LABELS.get(encoding, encoding)})")
        return data.decode(encoding, errors="replace"), reason


def _decodes(sample: bytes, encoding: str, *, final: bool) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        decoder.decode(sample, final=final)
    except UnicodeDecodeError:
        return False
    return True


def _sample_lines(sample: bytes, complete: bool) -> list[bytes]:
    lines = sample.split(b"\n")
    if not complete and len(lines) > 1:
        lines.pop()  # the last one may be cut mid-character by the sample's end
    return [line for line in lines if line.strip()]
