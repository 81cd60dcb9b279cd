"""Spotting Vietnamese typed in the legacy TCVN3 (ABC) or VNI-Windows encodings.

A note typed with a TCVN3 or VNI font looks right on the typist's screen but is
stored as Latin-1 look-alikes: ``ViÖt Nam`` (TCVN3) or ``Vieät Nam`` (VNI) for
``Việt Nam``. Stored as is, it would print as gibberish in the report, so intake
refuses it and shows what the text probably meant. Detection is per word: a word
that mixes ASCII letters with characters no Vietnamese word contains, and that
turns into plain Vietnamese letters once decoded, is legacy text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_BASES = "aăâeêioôơuưy"
_TONES = ["", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"]


def _letters() -> frozenset[str]:
    out = set("đĐ")
    for base in _BASES:
        for tone in _TONES:
            ch = unicodedata.normalize("NFC", base + tone)
            out |= {ch, ch.upper()}
    return frozenset(out)


VIETNAMESE_LETTERS = _letters()

# TCVN3 (ABC, .VnTime fonts): one byte per letter, read back as Latin-1.
TCVN3: dict[str, str] = dict(zip(
    "¸µ¶·¹¨¾»¼½Æ©ÊÇÈÉË®ÐÌÎÏÑªÕÒÓÔÖÝ×ØÜÞãßáâä«èåæçé¬íêëìîóïñòô\xadøõö÷ùýúûüþ¡¢§£¤¥¦",
    "áàảãạăắằẳẵặâấầẩẫậđéèẻẽẹêếềểễệíìỉĩịóòỏõọôốồổỗộơớờởỡợúùủũụưứừửữựýỳỷỹỵĂÂĐÊÔƠƯ",
))

# VNI-Windows: a base letter followed by one mark character (or a precomposed i/y/đ/ơ/ư).
_VNI_MARKS = {
    "ù": "\u0301", "ø": "\u0300", "û": "\u0309", "õ": "\u0303", "ï": "\u0323",
    "â": "\u0302", "ê": "\u0306",
    "á": "\u0302\u0301", "à": "\u0302\u0300", "å": "\u0302\u0309", "ã": "\u0302\u0303", "ä": "\u0302\u0323",
    "é": "\u0306\u0301", "è": "\u0306\u0300", "ú": "\u0306\u0309", "ü": "\u0306\u0303", "ë": "\u0306\u0323",
}
_VNI_MARKS |= {k.upper(): v for k, v in _VNI_MARKS.items()}
_VNI_LETTERS = {"ô": "ơ", "ö": "ư", "ñ": "đ", "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ"}
_VNI_LETTERS |= {k.upper(): v.upper() for k, v in _VNI_LETTERS.items()}

# Characters that appear in legacy text but in no Vietnamese word typed in Unicode.
_SUSPECT = frozenset((set(TCVN3) | set(_VNI_MARKS) | set(_VNI_LETTERS)) - VIETNAMESE_LETTERS)
_ANY_SUSPECT = re.compile("[" + re.escape("".join(sorted(_SUSPECT))) + "]")
_WORD = re.compile(r"[^\s\d!\"#$&'()*+,\-./:;<=>?@\[\\\]^_`{|}~]+")


def from_tcvn3(text: str) -> str:
    return "".join(TCVN3.get(ch, ch) for ch in text)


def from_vni(text: str) -> str:
    out: list[str] = []
    for ch in text:
        if ch in _VNI_MARKS and out and out[-1][-1:].isascii() and out[-1][-1:].isalpha():
            out[-1] += _VNI_MARKS[ch]
        elif ch in _VNI_LETTERS:
            out.append(_VNI_LETTERS[ch])
        else:
            out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


_DECODERS = {"TCVN3 (ABC)": from_tcvn3, "VNI-Windows": from_vni}


_CLUSTERS = (
    "iêu yêu oai oay oeo uây uôi ươi ươu uya uyê uyu "
    "ai ao au ay âu ây eo êu ia iê iu oa oă oe oi ôi ơi oo ua uâ uê ui uô uơ ưa ưi ươ ưu uy yê "
    "a ă â e ê i o ô ơ u ư y"
).split()
_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?"
    rf"(?:{'|'.join(_CLUSTERS)})"
    r"(?:ch|ng|nh|[cmnpt])?"
)
_TONE_MARKS = dict.fromkeys(map(ord, "\u0300\u0301\u0303\u0309\u0323"))


def _is_syllable(word: str) -> bool:
    """A Vietnamese syllable: initial consonant, vowel cluster, final consonant (tones ignored)."""
    bare = unicodedata.normalize("NFC", unicodedata.normalize("NFD", word.lower()).translate(_TONE_MARKS))
    return _SYLLABLE.fullmatch(bare) is not None


@dataclass(frozen=True)
class Legacy:
    """Legacy text found: which encoding, the first offending word and what it probably says."""

    encoding: str
    word: str
    decoded: str


def detect_legacy(text: str) -> Legacy | None:
    """The legacy encoding ``text`` was typed in, or ``None`` for ordinary Unicode text."""
    if text.isascii() or not _ANY_SUSPECT.search(text):
        return None
    suspects = [w for w in _WORD.findall(text) if any(c in _SUSPECT for c in w) and any(c.isascii() for c in w)]
    if not suspects:
        return None
    best: Legacy | None = None
    best_score = 0
    for name, decode in _DECODERS.items():
        good = [w for w in suspects if _is_syllable(decode(w))]
        if len(good) > best_score:
            best, best_score = Legacy(name, good[0], decode(good[0])), len(good)
    return best
