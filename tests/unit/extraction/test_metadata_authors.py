"""Author cleaning: raw bylines in, clean person names out."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsdesk.extraction.authors import clean_authors, is_organisation


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("By Tim Zadorozhnyy", ["Tim Zadorozhnyy"]),
        ("MORITZ GATHMANN am", ["Moritz Gathmann"]),  # "am <date>" lost its date
        ("Jane Doe on", ["Jane Doe"]),
        ("Über Creeny", ["Creeny"]),  # an "about the author" box
        ("Veröffentlicht am von PETA-Team", ["PETA-Team"]),
        ("About the author", []),
        ("by: Tim Zadorozhnyy", ["Tim Zadorozhnyy"]),
        ("Written by Rob Ewaschuk\n   Edited by Betsy Beyer", ["Rob Ewaschuk"]),
        ("Par Sébastien Farcis", ["Sébastien Farcis"]),
        ("Von Anna Müller", ["Anna Müller"]),
        ("Tim Zadorozhnyy, Reporter", ["Tim Zadorozhnyy"]),
        ("Jane Doe Staff Writer", ["Jane Doe"]),
        ("Ben Silverman\nGames Editor", ["Ben Silverman"]),
        ("Staff Writer", []),
        ("Our Foreign Staff", []),
        ("Jane Doe is a reporter covering health for the paper.", ["Jane Doe"]),
        ("By Brenda  Goodman, MA\n      WebMD Health News", ["Brenda Goodman"]),
        ("By Nathan Willis\n  March 25, 2015", ["Nathan Willis"]),
        ("Bradley M. Kuhn (http://ebb.org/bkuhn/)", ["Bradley M. Kuhn"]),
        ("Jane Doe jane.doe@example.com", ["Jane Doe"]),
        ("Jane Doe @janedoe", ["Jane Doe"]),
        ("https://example.com/author/jane/", []),
        ("A Smith and B Jones", ["A Smith", "B Jones"]),
        ("Ann Lee, Bob Ray and Cy Twombly", ["Ann Lee", "Bob Ray", "Cy Twombly"]),
        ("Ann Lee & Bob Ray", ["Ann Lee", "Bob Ray"]),
        (
            "Martin Untersinger (avec Damien Leloup et Morgane Tual)",
            ["Martin Untersinger", "Damien Leloup", "Morgane Tual"],
        ),
        ("Mac & i", ["Mac & i"]),
        ("José Ortega y Gasset", ["José Ortega y Gasset"]),
        ("Bruno (Henrique Zecchin) Rodrigues", ["Bruno (Henrique Zecchin) Rodrigues"]),
        ("JOE HILDEBRAND", ["Joe Hildebrand"]),
        ("BBC NEWS", ["BBC NEWS"]),
        ("史蒂文的家_藍天 (stevenhgm)", ["史蒂文的家_藍天 (stevenhgm)"]),
        ("张三", ["张三"]),
        ("¼@", []),
        ("{{author}}", []),
        ("Posted on March 3 by Jane Doe", ["Jane Doe"]),
        ("Follow Author", []),
        ("Edited by Betsy Beyer", []),
        ("By LISA MASCARO and ERIC TUCKERAssociated Press", ["Lisa Mascaro", "Eric Tucker"]),
        ("STEVE PEOPLES, AP National Political Writer", ["Steve Peoples"]),
        ("Chris Cillizza, CNN Editor-at-large", ["Chris Cillizza"]),
        ("The Associated Press", ["The Associated Press"]),
        ("Jerusalem Post Staff", []),
        ("Posted by", []),
        ("by Jeff FoustMonday, November 18, 2019", ["Jeff Foust"]),
        ("By GILLIAN MOHNEY March 11, 2015 3:46 PM", ["Gillian Mohney"]),
        ("Jane Doe | Updated 2019-11-18 10:00 EST", ["Jane Doe"]),
        ("Jane Doe Published 10:32 AM EDT", ["Jane Doe"]),
        ("Jane Doe, 25 September 2018", ["Jane Doe"]),
        ("May Smith and June Carter", ["May Smith", "June Carter"]),
        ("Jane O&#8217;Neil", ["Jane O’Neil"]),
        ("Ilana Muhlstein, MS, RDN", ["Ilana Muhlstein"]),
        ("Photos by Ann Lens", []),
        ("Author Daniel Lemire", ["Daniel Lemire"]),
        ("Zeige alle Beiträge von Cem Basman", ["Cem Basman"]),
        ("MORITZ GATHMANN am", ["Moritz Gathmann"]),
        ("Isabella Bianchi am Samstag", ["Isabella Bianchi"]),
        ("Elena Oberholzer (obe)", ["Elena Oberholzer"]),
        ("Image: Getty Images", []),
        ("iStockphoto", []),
        ("No Author", []),
        ("Veröffentlicht vonChris Jung", ["Chris Jung"]),
        ("Publié par Jean Dupont", ["Jean Dupont"]),
        ("Leonardo DiCaprio", ["Leonardo DiCaprio"]),
        ("Byron Smith", ["Byron Smith"]),
        ("Bild © hr", []),
        ("admin", []),
        ("mcupdate", []),
        ("", []),
    ],
)
def test_clean_authors(raw: str, expected: list[str]) -> None:
    assert clean_authors([raw]) == expected


def test_names_are_deduplicated_across_bylines_ignoring_case_and_accents() -> None:
    assert clean_authors(["Jose Garcia", "JOSÉ GARCÍA", "By jose garcia", "Ana Ruiz"]) == [
        "Jose Garcia",
        "Ana Ruiz",
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("CNN", True),
        ("CNN Business", True),
        ("The Associated Press", True),
        ("Example News", True),
        ("Jane Doe", False),
        ("Olena Koval", False),
    ],
)
def test_is_organisation(name: str, expected: bool) -> None:
    assert is_organisation(name) is expected


def test_non_strings_are_skipped() -> None:
    assert clean_authors([None, 3, "Ann Lee"]) == ["Ann Lee"]  # type: ignore[list-item]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=120), max_size=4))
def test_cleaned_names_never_carry_noise(raws: list[str]) -> None:
    for name in clean_authors(raws):
        assert name and name == name.strip()
        assert "@" not in name and "http" not in name.lower()
        assert not any(ch.isdigit() for ch in name if ch.isascii())
