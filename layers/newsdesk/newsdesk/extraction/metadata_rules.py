"""Metadata vocabularies and precedence, as data.

Which meta keys name the headline, authors, dates, description and section, and in which order
the page's layers are believed for each. The extractors (titles.py, authors.py, dates.py,
metadata.py) read these, so a precedence can be changed, and measured leave-one-collection-out,
without touching code. Keys are in the spelling `pagemeta.meta_key` gives them: lower case, one
prefix per vocabulary ("dc:creator" for "DC.creator", "dcterms:creator" and "dc.creator").
No rule here names a site.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# --- title ---------------------------------------------------------------------------------

# The layers a headline can come from. "visible_h1" is the article header's <h1> (see
# `metadata._visible_h1`), believed first only when a metadata title confirms it is this
# article's headline and not a logo or a section name.
TITLE_LAYERS = (
    "visible_h1",
    "jsonld_headline",
    "og:title",
    "twitter:title",
    "meta_title",
    "microdata_headline",
    "title_element",
)
TITLE_META_KEYS = ("parsely:title", "dc:title", "sailthru:title")
# How much of a metadata title's words an <h1> must share to be taken as the same headline
# ("Ukraine's X heads to Turkey" vs the SEO "Umerov heads to Turkey for talks | Site"):
# shared words over the word count of the longer of the two.
H1_CONFIRMING_OVERLAP = 0.8
# A metadata title that is the <h1> plus decoration (a site, a section, a date after a
# separator) gives way to the <h1>, wherever the <h1> stands in TITLE_LAYERS.
H1_TRIMS_DECORATION = True
# Headlines are a few words to a couple of sentences; an <h1> outside this is a logo or a blurb.
H1_MIN_CHARS = 10
H1_MAX_CHARS = 300

# --- description ---------------------------------------------------------------------------

DESCRIPTION_META_KEYS = ("og:description", "twitter:description", "description", "dc:description")

# --- authors -------------------------------------------------------------------------------

AUTHOR_META_KEYS = (
    "author",
    "article:author",
    "byl",
    "parsely:author",
    "sailthru:author",
    "dc:creator",
    "citation_author",
    "og:article:author",
)
# Believed in this order; the first layer naming a person wins (see authors.page_authors).
AUTHOR_LAYERS = (
    "jsonld",
    "meta",
    "microdata",
    "hcard",
    "rel_author",
    "byline_element",
    "by_line",
    "twitter_creator",
)
# A lone lower-case word ("swardley") in JSON-LD, an author meta tag, microdata or an hCard is
# the author's chosen display name; in other visible bylines it is dropped as a handle or label.
HANDLES_AS_AUTHORS = True
# Defined but left out of AUTHOR_LAYERS: links to an author page ("author_link") lost on the
# held-out folds (leave-one-collection-out chose the order without them on 5 of 6 folds).
# Links to an author's page: a path segment naming authors in the languages newsdesk meets.
AUTHOR_PATH_SEGMENTS = (
    "author",
    "authors",
    "autor",
    "autoren",
    "autorin",
    "autore",
    "autori",
    "auteur",
    "auteurs",
    "autores",
    "journalist",
    "journalists",
    "journalisten",
    "reporter",
    "reporters",
    "writers",
    "redakteur",
    "byline",
    "people",
    "staff",
    "newsteam",
    "profile",
    "profiles",
    "user",
    "mitarbeiter",
)
# A short line that begins with one of these and a capitalised word is a byline ("By Jane
# Doe", "von Daniela Obers", "Par Jean Dupont"), wherever the page puts it.
BYLINE_LEAD_INS = (
    "by",
    "von",
    "par",
    "por",
    "door",
    "di",
    "av",
    "af",
    "від",
    "от",
    "author",
    "autor",
    "auteur",
)
# Such a line is at most this long, and only the first few are looked at (the rest of the
# page is the story and its teasers).
BY_LINE_MAX_CHARS = 80
BY_LINE_MAX_LINES = 2000

# A byline fragment naming one of these is a dateline, not a person ("Frankfurt, Germany"):
# it goes, and so does the one-word place before it. Countries in English and in the
# languages of the pages newsdesk meets most, lower case, as `authors.fold` writes them.
PLACE_NAMES = _words(
    """
    afghanistan albania algeria argentina armenia australia austria azerbaijan bangladesh belarus
    belgium bolivia bosnia brazil bulgaria cambodia cameroon canada chile china colombia croatia
    cuba cyprus czechia denmark ecuador egypt england estonia ethiopia finland france
    germany ghana greece hungary iceland india indonesia iran iraq ireland israel italy japan
    kazakhstan kenya korea kosovo kuwait latvia lebanon libya lithuania luxembourg malaysia
    malta mexico moldova mongolia montenegro morocco myanmar nepal netherlands nigeria norway
    pakistan palestine panama peru philippines poland portugal qatar romania russia rwanda scotland
    senegal serbia singapore slovakia slovenia somalia spain sudan sweden switzerland syria taiwan
    tanzania thailand tunisia turkey uganda ukraine uruguay usa uk venezuela vietnam wales yemen
    zambia zimbabwe deutschland österreich schweiz frankreich italien spanien russland ukraine
    polen niederlande belgien türkei griechenland großbritannien indien
    """
) | {
    "united states",
    "united kingdom",
    "south africa",
    "new zealand",
    "saudi arabia",
    "south korea",
    "north korea",
    "u s",
    "vereinigte staaten",
    "united arab emirates",
}

# --- dates ---------------------------------------------------------------------------------

PUBLISHED_META_KEYS = (
    "article:published_time",
    "og:published_time",
    "article:published",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "date",
    "dc:date",
    "dc:date.issued",
    "dc:created",
    "dc:issued",
    "sailthru:date",
    "parsely:pub-date",
    "citation_publication_date",
    "article.published",
    "published_time",
)
MODIFIED_META_KEYS = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "last-modified",
    "dc:modified",
)
# Creation precedes publication, sometimes by days: "jsonld_created" only when nothing says
# "published". "htmldate" (its fast mode) is the last resort.
PUBLISHED_LAYERS = (
    "jsonld_published",
    "meta",
    "jsonld_created",
    "microdata",
    "time_element",
    "htmldate",
    "text_date",
)

# A full date in the URL ("/2019/10/22/") more than a day away from the metadata's is the
# publication day: URLs are minted when a story is first published (see dates.page_published).
URL_DAY_OVERRULES_FAR_DATES = True

# When the page's metadata layers name different days (a creation date, a template default, a
# related story's date), the one matching the day in the URL, or the day the page shows within
# this many texts of its headline, is the publication; otherwise the precedence above stands.
# None turns the settling off. Chosen leave-one-collection-out: bench.tunables.ShownDateReach.
SHOWN_DATE_REACH: int | None = 6

# htmldate's extensive search stays off. Measured on metadata-dev (1,181 dated pages, htmldate
# 1.11): fast mode alone 0.885 same-day, extensive 0.919, extensive without its dateparser
# fallback 0.914; the gain is the dates pages show as text, which `text_date` (textdates.py)
# reads without a locale library. dateparser itself decides 6 pages and costs 0.4-6 s on the
# first page that reaches it in a fresh process (its locale search): no cold start affords it.
HTMLDATE_EXTENSIVE = False

# Dates a page shows as text ("24. April 2020", "23 mai 2019", "January 18, 2020") name their
# month in the page's language. Month names and their usual abbreviations, lower case and
# without accents (as `textdates.fold_month` writes them), in the languages newsdesk meets most;
# Russian and Ukrainian months are in the genitive, as dates write them; Arabic in the names
# Egyptian and Gulf papers use.
MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: _names(
        "january jan januar janner janvier janv enero ene gennaio gen janeiro januari styczen "
        "stycznia leden ledna ocak января январь янв січня січень tammikuuta يناير"
    ),
    2: _names(
        "february feb februar fevrier fevr fev febrero febbraio fevereiro februari luty lutego "
        "unor unora subat февраля февраль фев лютого лютий helmikuuta فبراير"
    ),
    3: _names(
        "march mar marz maerz mars marzo marco maart marzec marca brezen brezna mart марта март "
        "мар березня березень maaliskuuta مارس"
    ),
    4: _names(
        "april apr avril avr abril abr aprile kwiecien kwietnia duben dubna nisan апреля апрель "
        "апр квітня квітень huhtikuuta أبريل ابريل"
    ),
    5: _names(
        "may mai mayo maggio mag maio mei maj maja kveten kvetna mayis мая май травня травень toukokuuta مايو"
    ),
    6: _names(
        "june jun juni juin junio giugno giu junho czerwiec czerwca cerven cervna haziran июня "
        "июнь июн червня червень kesakuuta يونيو"
    ),
    7: _names(
        "july jul juli juillet juil julio luglio lug julho lipiec lipca cervenec cervence "
        "temmuz июля июль июл липня липень heinakuuta يوليو"
    ),
    8: _names(
        "august aug aout agosto ago augustus augusti sierpien sierpnia srpen srpna agustos "
        "августа август авг серпня серпень elokuuta أغسطس اغسطس"
    ),
    9: _names(
        "september sep sept septembre septiembre set settembre setembro wrzesien wrzesnia zari "
        "eylul сентября сентябрь сен вересня вересень syyskuuta سبتمبر"
    ),
    10: _names(
        "october oct oktober okt octobre octubre ottobre ott outubro out pazdziernik "
        "pazdziernika rijen rijna ekim октября октябрь окт жовтня жовтень lokakuuta أكتوبر "
        "اكتوبر"
    ),
    11: _names(
        "november nov novembre noviembre novembro listopad listopadu listopada kasim ноября "
        "ноябрь ноя листопада листопад marraskuuta نوفمبر"
    ),
    12: _names(
        "december dec dezember dez decembre diciembre dic dicembre dezembro grudzien grudnia "
        "prosinec prosince aralik декабря декабрь дек грудня грудень joulukuuta ديسمبر"
    ),
}
# Slashed dates with both parts <= 12 ("03/04/2021") are month first only in these languages.
MONTH_FIRST_LANGUAGES = frozenset({"en"})
# A date shown as text counts only in a short text of its own ("Datum: 03.11.2021", "Handball
# Schweiz • 02.02.2022"), not inside a sentence of the story or a caption; or as the dateline a
# longer text starts with ("27.1.2022 - Bei der Erinnerung an ...").
TEXT_DATE_MAX_CHARS = 60
# A shown date introduced by one of these is the last update, not the publication.
UPDATE_CUES = (
    "updated",
    "last updated",
    "aktualisiert",
    "zuletzt aktualisiert",
    "stand",
    "mis à jour",
    "mise à jour",
    "actualizado",
    "actualización",
    "aggiornato",
    "bijgewerkt",
    "atualizado",
    "обновлено",
    "оновлено",
)
SKIP_UPDATE_LINES = True
DATELINE_MAX_CHARS = 24

# --- section -------------------------------------------------------------------------------

SECTION_META_KEYS = ("article:section", "section", "parsely:section", "article.section", "sailthru:section")
