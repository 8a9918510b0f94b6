"""Letters of other scripts (and rarer Latin letters) that look like a Latin letter or a digit,
mapped to the one they look like: the part of a UTS #39 confusables skeleton that the
platform's title rule needs (``cchc_shared.contracts.text.skeleton``).

Taken from Unicode's ``confusables.txt`` (Unicode Security Mechanisms for UTS #39, version
14.0.0, https://www.unicode.org/Public/security/14.0.0/confusables.txt): every entry whose
source is one Cyrillic, Greek or non-ASCII Latin letter that NFKC leaves as it is, and whose
target is one ASCII letter or digit. One change: an uppercase source whose target is ``l``
(Greek Ι, Cyrillic І and Ӏ, Latin Ɩ) maps to ``I`` instead, because the title rule also
ignores case (``confusables.txt`` maps ASCII ``I`` to ``l`` as well; a case-blind rule cannot).
Letters with diacritics are not listed: they are decomposed first, and the marks are dropped
by the fold. Vietnamese letters are ASCII letters with marks, so none of them is here.
"""

from __future__ import annotations

from typing import Final

LOOKALIKES: Final[dict[str, str]] = {
    "\u01a7": "2",  # latin capital letter tone two
    "\ua644": "2",  # cyrillic capital letter reversed dze
    "\ua75a": "2",  # latin capital letter r rotunda
    "\u01b7": "3",  # latin capital letter ezh
    "\u021c": "3",  # latin capital letter yogh
    "\u0417": "3",  # cyrillic capital letter ze
    "\u04e0": "3",  # cyrillic capital letter abkhasian dze
    "\ua76a": "3",  # latin capital letter et
    "\ua7ab": "3",  # latin capital letter reversed open e
    "\u01bc": "5",  # latin capital letter tone five
    "\u0431": "6",  # cyrillic small letter be
    "\u0222": "8",  # latin capital letter ou
    "\u0223": "8",  # latin small letter ou
    "\ua76e": "9",  # latin capital letter con
    "\u0391": "A",  # greek capital letter alpha
    "\u0410": "A",  # cyrillic capital letter a
    "\u0251": "a",  # latin small letter alpha
    "\u03b1": "a",  # greek small letter alpha
    "\u0430": "a",  # cyrillic small letter a
    "\u0392": "B",  # greek capital letter beta
    "\u0412": "B",  # cyrillic capital letter ve
    "\ua7b4": "B",  # latin capital letter beta
    "\u0184": "b",  # latin capital letter tone six
    "\u042c": "b",  # cyrillic capital letter soft sign
    "\u0421": "C",  # cyrillic capital letter es
    "\u0441": "c",  # cyrillic small letter es
    "\u1d04": "c",  # latin letter small capital c
    "\u0501": "d",  # cyrillic small letter komi de
    "\u0395": "E",  # greek capital letter epsilon
    "\u0415": "E",  # cyrillic capital letter ie
    "\u0435": "e",  # cyrillic small letter ie
    "\u04bd": "e",  # cyrillic small letter abkhasian che
    "\uab32": "e",  # latin small letter blackletter e
    "\u03dc": "F",  # greek letter digamma
    "\ua798": "F",  # latin capital letter f with stroke
    "\u1e9d": "f",  # latin small letter long s with high stroke
    "\ua799": "f",  # latin small letter f with stroke
    "\uab35": "f",  # latin small letter lenis f
    "\u050c": "G",  # cyrillic capital letter komi sje
    "\u018d": "g",  # latin small letter turned delta
    "\u0261": "g",  # latin small letter script g
    "\u1d83": "g",  # latin small letter g with palatal hook
    "\u0397": "H",  # greek capital letter eta
    "\u041d": "H",  # cyrillic capital letter en
    "\u04bb": "h",  # cyrillic small letter shha
    "\u0196": "I",  # latin capital letter iota
    "\u0399": "I",  # greek capital letter iota
    "\u0406": "I",  # cyrillic capital letter byelorussian-ukrainian i
    "\u04c0": "I",  # cyrillic letter palochka
    "\u0131": "i",  # latin small letter dotless i
    "\u0269": "i",  # latin small letter iota
    "\u026a": "i",  # latin letter small capital i
    "\u03b9": "i",  # greek small letter iota
    "\u0456": "i",  # cyrillic small letter byelorussian-ukrainian i
    "\u04cf": "i",  # cyrillic small letter palochka
    "\ua647": "i",  # cyrillic small letter iota
    "\u037f": "J",  # greek capital letter yot
    "\u0408": "J",  # cyrillic capital letter je
    "\ua7b2": "J",  # latin capital letter j with crossed-tail
    "\u03f3": "j",  # greek letter yot
    "\u0458": "j",  # cyrillic small letter je
    "\u039a": "K",  # greek capital letter kappa
    "\u041a": "K",  # cyrillic capital letter ka
    "\u01c0": "l",  # latin letter dental click
    "\u039c": "M",  # greek capital letter mu
    "\u03fa": "M",  # greek capital letter san
    "\u041c": "M",  # cyrillic capital letter em
    "\u039d": "N",  # greek capital letter nu
    "\u039f": "O",  # greek capital letter omicron
    "\u041e": "O",  # cyrillic capital letter o
    "\u03bf": "o",  # greek small letter omicron
    "\u03c3": "o",  # greek small letter sigma
    "\u043e": "o",  # cyrillic small letter o
    "\u1d0f": "o",  # latin letter small capital o
    "\u1d11": "o",  # latin small letter sideways o
    "\uab3d": "o",  # latin small letter blackletter o
    "\u03a1": "P",  # greek capital letter rho
    "\u0420": "P",  # cyrillic capital letter er
    "\u03c1": "p",  # greek small letter rho
    "\u0440": "p",  # cyrillic small letter er
    "\u051b": "q",  # cyrillic small letter qa
    "\u01a6": "R",  # latin letter yr
    "\u0433": "r",  # cyrillic small letter ghe
    "\u1d26": "r",  # greek letter small capital gamma
    "\uab47": "r",  # latin small letter r without handle
    "\uab48": "r",  # latin small letter double r
    "\u0405": "S",  # cyrillic capital letter dze
    "\u01bd": "s",  # latin small letter tone five
    "\u0455": "s",  # cyrillic small letter dze
    "\ua731": "s",  # latin letter small capital s
    "\u03a4": "T",  # greek capital letter tau
    "\u0422": "T",  # cyrillic capital letter te
    "\u028b": "u",  # latin small letter v with hook
    "\u03c5": "u",  # greek small letter upsilon
    "\u1d1c": "u",  # latin letter small capital u
    "\ua79f": "u",  # latin small letter volapuk ue
    "\uab4e": "u",  # latin small letter u with short right leg
    "\uab52": "u",  # latin small letter u with left hook
    "\u0474": "V",  # cyrillic capital letter izhitsa
    "\u03bd": "v",  # greek small letter nu
    "\u0475": "v",  # cyrillic small letter izhitsa
    "\u1d20": "v",  # latin letter small capital v
    "\u051c": "W",  # cyrillic capital letter we
    "\u026f": "w",  # latin small letter turned m
    "\u0461": "w",  # cyrillic small letter omega
    "\u051d": "w",  # cyrillic small letter we
    "\u1d21": "w",  # latin letter small capital w
    "\u03a7": "X",  # greek capital letter chi
    "\u0425": "X",  # cyrillic capital letter ha
    "\ua7b3": "X",  # latin capital letter chi
    "\u0445": "x",  # cyrillic small letter ha
    "\u03a5": "Y",  # greek capital letter upsilon
    "\u0423": "Y",  # cyrillic capital letter u
    "\u04ae": "Y",  # cyrillic capital letter straight u
    "\u0263": "y",  # latin small letter gamma
    "\u028f": "y",  # latin letter small capital y
    "\u03b3": "y",  # greek small letter gamma
    "\u0443": "y",  # cyrillic small letter u
    "\u04af": "y",  # cyrillic small letter straight u
    "\u1d8c": "y",  # latin small letter v with palatal hook
    "\u1eff": "y",  # latin small letter y with loop
    "\uab5a": "y",  # latin small letter y with short right leg
    "\u0396": "Z",  # greek capital letter zeta
    "\u1d22": "z",  # latin letter small capital z
}

TABLE: Final = str.maketrans(LOOKALIKES)
