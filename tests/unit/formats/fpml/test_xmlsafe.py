"""The hardened XML parser and the FpML reader refuse XML bombs, external entities and external
DTDs: nothing expands, nothing is fetched, the file is rejected as a whole."""

from __future__ import annotations

import io
import socket
import threading

import pytest

from shared.formats import xmlsafe
from shared.formats.readers.base import UnreadableFile
from shared.formats.readers.fpml import FpmlReader

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<dataDocument xmlns="http://www.fpml.org/FpML-5/confirmation"><trade>&lol9;</trade></dataDocument>
"""


def _xxe(path: str) -> bytes:
    return f"""<?xml version="1.0"?>
<!DOCTYPE dataDocument [<!ENTITY x SYSTEM "file://{path}">]>
<dataDocument xmlns="http://www.fpml.org/FpML-5/confirmation"><trade>&x;</trade></dataDocument>
""".encode()


class _Listener:
    """A TCP listener that records whether anybody connected (an external DTD fetch)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.sock.settimeout(0.5)
        self.connected = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return self.sock.getsockname()[1]

    def _accept(self):
        try:
            conn, _ = self.sock.accept()
            self.connected = True
            conn.close()
        except OSError:
            pass

    def close(self):
        self.thread.join(timeout=2)
        self.sock.close()


def _parse_all(data: bytes) -> list:
    return list(xmlsafe.iterparse(io.BytesIO(data)))


ONE_HARMLESS_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE dataDocument [<!ENTITY firm "Alpha Bank">]>
<dataDocument xmlns="http://www.fpml.org/FpML-5/confirmation"><party>&firm;</party></dataDocument>
"""


@pytest.mark.parametrize("document", [BILLION_LAUGHS, ONE_HARMLESS_ENTITY],
                         ids=["bomb-libxml2-guard-may-fire-first", "entity-our-check-fires"])
def test_entity_declarations_are_refused_as_unsafe_whichever_layer_stops_them(document):
    """A bomb trips libxml2's amplification guard before our DTD check on recent lxml; a lone
    entity passes libxml2 and meets ours. Either way the caller gets our refusal."""
    with pytest.raises(xmlsafe.UnsafeXml, match="declares XML entities"):
        _parse_all(document)
    with pytest.raises(xmlsafe.UnsafeXml, match="declares XML entities"):
        xmlsafe.fromstring(document)
    with pytest.raises(UnreadableFile, match=r"^bomb\.xml: the document declares XML entities"):
        list(FpmlReader().read(io.BytesIO(document), file_name="bomb.xml"))


def test_billion_laughs_is_refused_without_expansion():
    with pytest.raises(xmlsafe.UnsafeXml):
        _parse_all(BILLION_LAUGHS)
    with pytest.raises(UnreadableFile, match="entities"):
        list(FpmlReader().read(io.BytesIO(BILLION_LAUGHS), file_name="bomb.xml"))


def test_a_plain_syntax_error_stays_a_syntax_error():
    """The prolog scan only names what it refuses: broken XML is still reported as broken."""
    from lxml import etree

    with pytest.raises(etree.XMLSyntaxError):
        _parse_all(b"<dataDocument><trade></dataDocument>")
    with pytest.raises(UnreadableFile, match="not well-formed XML"):
        list(FpmlReader().read(io.BytesIO(b"<a><b></a>"), file_name="broken.xml"))


def test_large_documents_stream_past_the_recorded_prolog():
    body = b"".join(b"<trade><id>%d</id></trade>" % i for i in range(60_000))
    events = _parse_all(b"<dataDocument>" + body + b"</dataDocument>")
    assert sum(1 for event, el in events if event == "end" and el.tag == "id") == 60_000


def test_external_entity_is_not_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    with pytest.raises(xmlsafe.UnsafeXml):
        _parse_all(_xxe(str(secret)))
    with pytest.raises(UnreadableFile) as caught:
        list(FpmlReader().read(io.BytesIO(_xxe(str(secret))), file_name="xxe.xml"))
    assert "TOP-SECRET" not in str(caught.value)
    # the well-known /etc/passwd variant as well
    with pytest.raises(UnreadableFile):
        list(FpmlReader().read(io.BytesIO(_xxe("/etc/passwd")), file_name="xxe.xml"))


def test_even_unrefused_parsing_would_not_expand_entities():
    """The parser options themselves keep entities unresolved (defence in depth)."""
    from lxml import etree

    root = etree.fromstring(_xxe("/etc/passwd"), xmlsafe.parser())
    assert "root:" not in etree.tostring(root, encoding="unicode")
    try:
        bomb = etree.fromstring(BILLION_LAUGHS, xmlsafe.parser())
    except etree.XMLSyntaxError as exc:  # libxml2's amplification guard may stop it first
        assert "amplification" in str(exc)
    else:
        assert len(etree.tostring(bomb)) < 10_000


def test_external_dtd_is_not_fetched():
    listener = _Listener()
    try:
        doc = (f'<?xml version="1.0"?>\n<!DOCTYPE dataDocument SYSTEM '
               f'"http://127.0.0.1:{listener.port}/evil.dtd">\n'
               '<dataDocument xmlns="http://www.fpml.org/FpML-5/confirmation"/>').encode()
        with pytest.raises(UnreadableFile, match="external DTD"):
            list(FpmlReader().read(io.BytesIO(doc), file_name="dtd.xml"))
        with pytest.raises(xmlsafe.UnsafeXml):
            xmlsafe.fromstring(doc)
    finally:
        listener.close()
    assert listener.connected is False


def test_external_dtd_file_is_not_loaded(tmp_path):
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY injected "INJECTED">')
    doc = (f'<?xml version="1.0"?>\n<!DOCTYPE d SYSTEM "{dtd}">\n<d>&injected;</d>').encode()
    with pytest.raises((xmlsafe.UnsafeXml, Exception)) as caught:
        xmlsafe.fromstring(doc)
    assert "INJECTED" not in str(caught.value)


def test_plain_document_parses():
    root = xmlsafe.fromstring(b"<a><b>1</b></a>")
    assert root.findtext("b") == "1"
