"""Tests for the EDOF extract parser."""

from __future__ import annotations

import codecs
import datetime as dt
import io
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from cloe_portal.rules import edof
from cloe_portal.rules.edof import (
    EdofError,
    EdofProblem,
    EdofRow,
    parse_amount,
    parse_edof,
    parse_french_date,
    realisation_rate,
)

HEADER = [
    "NUMERO_DOSSIER",
    "NOM",
    "PRENOM",
    "MONTANT",
    "INTITULE",
    "REF_REPEATITOIRE",
    "CODE_CERTIF/THEM",
    "INTITULE_CERTIF",
    "STATUT_DOSSIER",
    "ABONDEMENT_PE",
    "DATE_DEBUT_SESSION",
    "DATE_FIN_SESSION",
    "NUMERO_FORMATION",
    "NUMERO_ACTION",
    "NUMERO_SESSION",
]


def make_row(**overrides: str) -> dict[str, str]:
    """Return one valid EDOF line as a column → text mapping."""
    row = {
        "NUMERO_DOSSIER": "123456789012",
        "NOM": "Lefèvre",
        "PRENOM": "Zoé",
        "MONTANT": "1 234,50 €",
        "INTITULE": "Anglais professionnel – préparation CLOE",
        "REF_REPEATITOIRE": "RS",
        "CODE_CERTIF/THEM": "RS5427",
        "INTITULE_CERTIF": "Certification CLOE",
        "STATUT_DOSSIER": "Service fait validé",
        "ABONDEMENT_PE": "0",
        "DATE_DEBUT_SESSION": "02/03/2026",
        "DATE_FIN_SESSION": "30/04/2026",
        "NUMERO_FORMATION": "F-1",
        "NUMERO_ACTION": "A-1",
        "NUMERO_SESSION": "S-1",
    }
    row.update(overrides)
    return row


def to_csv(
    rows: list[dict[str, str]],
    header: list[str] | None = None,
    sep: str = ";",
    encoding: str = "utf-8",
) -> bytes:
    """Serialise rows as an EDOF CSV export."""
    header = header or HEADER
    lines = [sep.join(header)]
    lines += [sep.join(row.get(h, "") for h in header) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def to_xlsx(rows: list[list[object]]) -> bytes:
    """Build an XLSX workbook whose first sheet holds ``rows``."""
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def problems_of(data: bytes, filename: str = "extrait.csv") -> list[EdofProblem]:
    """Parse data expected to be refused and return its problems."""
    with pytest.raises(EdofError) as info:
        parse_edof(data, filename)
    assert info.value.problems, "an EdofError must carry at least one problem"
    return list(info.value.problems)


# --- happy paths ------------------------------------------------------------


def test_parses_a_full_semicolon_utf8_extract() -> None:
    result = parse_edof(to_csv([make_row(), make_row(NUMERO_DOSSIER="2")]), "extrait.csv")
    assert result.file_format == "csv"
    assert result.delimiter == ";"
    assert len(result.rows) == 2
    row = result.rows[0]
    assert row == EdofRow(
        line=2,
        file_number="123456789012",
        last_name="Lefèvre",
        first_name="Zoé",
        amount=Decimal("1234.50"),
        training_title="Anglais professionnel – préparation CLOE",
        certif_code="RS5427",
        certif_title="Certification CLOE",
        status="Service fait validé",
        abondement="0",
        start=dt.date(2026, 3, 2),
        end=dt.date(2026, 4, 30),
        formation_number="F-1",
        action_number="A-1",
        session_number="S-1",
        repertoire_ref="RS",
        extra={},
    )
    assert result.rows[1].line == 3


@pytest.mark.parametrize("sep", [";", "\t", ","])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_delimiters_and_encodings(sep: str, encoding: str) -> None:
    data = to_csv([make_row(MONTANT="1234.5", INTITULE="Anglais")], sep=sep, encoding=encoding)
    result = parse_edof(data, "extrait.csv")
    assert result.delimiter == sep
    assert result.rows[0].last_name == "Lefèvre"
    assert result.rows[0].first_name == "Zoé"
    assert result.rows[0].amount == Decimal("1234.5")


def test_windows_1252_is_detected() -> None:
    result = parse_edof(to_csv([make_row(MONTANT="")], encoding="cp1252"), "e.csv")
    assert result.encoding == "cp1252"
    assert result.rows[0].amount is None


def test_headers_in_any_order_case_accents_and_separators() -> None:
    header = [
        "Date fin session",
        "numero_dossier",
        "Prénom",
        "nom",
        "Intitulé",
        "Intitulé certif",
        "date_début_session",
        "Commentaire interne",
    ]
    row = {
        "Date fin session": "30/04/2026",
        "numero_dossier": "42",
        "Prénom": "Ana",
        "nom": "Silva",
        "Intitulé": "Espagnol",
        "Intitulé certif": "CLOE",
        "date_début_session": "2026-03-02",
        "Commentaire interne": "relancé",
    }
    result = parse_edof(to_csv([row], header=header), "e.csv")
    parsed = result.rows[0]
    assert (parsed.file_number, parsed.last_name, parsed.first_name) == ("42", "Silva", "Ana")
    assert parsed.start == dt.date(2026, 3, 2)
    assert parsed.end == dt.date(2026, 4, 30)
    assert parsed.extra == {"Commentaire interne": "relancé"}
    assert result.extra_columns == ("Commentaire interne",)
    assert parsed.certif_code is None


def test_seed_header_with_broken_code_certif_name_is_recognised() -> None:
    header = [h if h != "CODE_CERTIF/THEM" else "CODE_CERTIF/THE M" for h in HEADER]
    row = make_row()
    row["CODE_CERTIF/THE M"] = row.pop("CODE_CERTIF/THEM")
    result = parse_edof(to_csv([row], header=header), "e.csv")
    assert result.rows[0].certif_code == "RS5427"
    assert result.extra_columns == ()


def test_code_certif_alone_is_enough_for_the_certification() -> None:
    header = [h for h in HEADER if h != "INTITULE_CERTIF"]
    result = parse_edof(to_csv([make_row()], header=header), "e.csv")
    assert result.rows[0].certif_code == "RS5427"
    assert result.rows[0].certif_title is None


def test_empty_lines_are_skipped_and_line_numbers_follow_the_sheet() -> None:
    data = to_csv([make_row(), make_row(NUMERO_DOSSIER="2")]).replace(b"\r\n", b"\r\n\r\n;;\r\n", 1)
    result = parse_edof(data, "e.csv")
    assert [r.line for r in result.rows] == [4, 5]


def test_header_only_is_an_empty_valid_extract() -> None:
    result = parse_edof(to_csv([]), "e.csv")
    assert result.rows == ()


def test_excel_text_trick_and_quoted_multiline_cells() -> None:
    header = (
        "NUMERO_DOSSIER;NOM;PRENOM;INTITULE;INTITULE_CERTIF;DATE_DEBUT_SESSION;DATE_FIN_SESSION"
    )
    good = '="000123";"Dupont";"Jean";"Anglais\nniveau B1";CLOE;01/03/2026;15/03/2026\n'
    bad = "124;Durand;Paul;Anglais;CLOE;01/03/2026;bad\n"
    result = parse_edof((header + "\n" + good).encode(), "e.csv")
    assert result.rows[0].file_number == "000123"
    assert result.rows[0].training_title == "Anglais\nniveau B1"
    # The quoted cell spans two physical lines but is a single spreadsheet row.
    problems = problems_of((header + "\n" + good + bad).encode())
    assert [(p.line, p.column) for p in problems] == [(3, "DATE_FIN_SESSION")]


# --- dates and amounts ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01/03/2026", dt.date(2026, 3, 1)),
        ("1/3/2026", dt.date(2026, 3, 1)),
        ("01-03-2026", dt.date(2026, 3, 1)),
        ("01.03.2026", dt.date(2026, 3, 1)),
        ("01/03/26", dt.date(2026, 3, 1)),
        ("2026-03-01", dt.date(2026, 3, 1)),
        ("29/02/2028", dt.date(2028, 2, 29)),
        ("01/03/2026 00:00", dt.date(2026, 3, 1)),
        ("2026-03-01T00:00:00", dt.date(2026, 3, 1)),
    ],
)
def test_accepted_dates(text: str, expected: dt.date) -> None:
    assert parse_french_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "31/02/2026",
        "29/02/2026",
        "00/01/2026",
        "13/13/2026",
        "2026/03/01",
        "demain",
        "01/03/1999",
        "03/01/2100",
        "1/3",
        "01/03/2026 25h",
    ],
)
def test_refused_dates(text: str) -> None:
    with pytest.raises(ValueError, match="date"):
        parse_french_date(text)


def test_invalid_date_message_is_the_documented_one() -> None:
    problems = problems_of(
        to_csv(
            [
                make_row(),
                make_row(NUMERO_DOSSIER="9"),
                make_row(NUMERO_DOSSIER="7", DATE_DEBUT_SESSION="31/02/2026"),
            ]
        )
    )
    assert [str(p) for p in problems] == [
        "Ligne 4, colonne DATE_DEBUT_SESSION : date « 31/02/2026 » impossible"
    ]
    problems = problems_of(to_csv([make_row(DATE_FIN_SESSION="le 3 mars")]))
    assert [str(p) for p in problems] == [
        "Ligne 2, colonne DATE_FIN_SESSION : date « le 3 mars » invalide (attendu jj/mm/aaaa)"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 234,50", Decimal("1234.50")),
        ("1\u00a0234,50 €", Decimal("1234.50")),
        ("1\u202f234,5", Decimal("1234.5")),
        ("1234.5", Decimal("1234.5")),
        ("€1234", Decimal("1234")),
        ("1.234,50", Decimal("1234.50")),
        ("1,234.50", Decimal("1234.50")),
        ("1 234 567,00 EUR", Decimal("1234567.00")),
        ("0", Decimal("0")),
    ],
)
def test_accepted_amounts(text: str, expected: Decimal) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize("text", ["-12", "12,345", "abc", "1,2,3.4.5", "€", "12 €€", "1e3"])
def test_refused_amounts(text: str) -> None:
    with pytest.raises(ValueError, match="montant"):
        parse_amount(text)


# --- problems -------------------------------------------------------------------


def test_missing_mandatory_columns_give_one_problem_each_on_line_1() -> None:
    header = ["NUMERO_DOSSIER", "MONTANT", "INTITULE", "DATE_FIN_SESSION"]
    problems = problems_of(to_csv([make_row()], header=header))
    assert all(p.line == 1 for p in problems)
    assert [p.column for p in problems] == [
        "NOM",
        "PRENOM",
        "DATE_DEBUT_SESSION",
        "INTITULE_CERTIF",
    ]


def test_every_problem_is_reported_all_or_nothing() -> None:
    rows = [
        make_row(),
        make_row(NUMERO_DOSSIER="2", NOM=""),
        make_row(
            NUMERO_DOSSIER="3", DATE_DEBUT_SESSION="10/04/2026", DATE_FIN_SESSION="01/04/2026"
        ),
        make_row(NUMERO_DOSSIER="123456789012", MONTANT="douze"),
        make_row(NUMERO_DOSSIER="", INTITULE_CERTIF="", **{"CODE_CERTIF/THEM": ""}),
        make_row(NUMERO_DOSSIER="1,23457E+11", DATE_FIN_SESSION=""),
    ]
    problems = problems_of(to_csv(rows))
    found = [(p.line, p.column) for p in problems]
    assert found == [
        (3, "NOM"),
        (4, "DATE_FIN_SESSION"),
        (5, "NUMERO_DOSSIER"),
        (5, "MONTANT"),
        (6, "NUMERO_DOSSIER"),
        (6, "INTITULE_CERTIF"),
        (7, "NUMERO_DOSSIER"),
        (7, "DATE_FIN_SESSION"),
    ]
    messages = {(p.line, p.column): p.message_fr for p in problems}
    assert "déjà présent ligne 2" in messages[(5, "NUMERO_DOSSIER")]
    assert "précède" in messages[(4, "DATE_FIN_SESSION")]
    assert "scientifique" in messages[(7, "NUMERO_DOSSIER")]
    assert messages[(3, "NOM")] == "valeur obligatoire manquante"


def test_values_beyond_the_header_are_a_problem() -> None:
    extra_line = to_csv([make_row(NUMERO_DOSSIER="9")]).splitlines()[1] + b";surplus\r\n"
    data = to_csv([make_row()]) + extra_line
    problems = problems_of(data)
    assert [(p.line, p.column) for p in problems] == [(3, "")]


def test_duplicated_known_column_is_a_problem() -> None:
    header = [*HEADER, "Nom"]
    problems = problems_of(to_csv([make_row()], header=header))
    assert [(p.line, p.column) for p in problems] == [(1, "NOM")]


@pytest.mark.parametrize(
    ("data", "filename", "fragment"),
    [
        (b"", "e.csv", "vide"),
        (b"  \r\n\r\n", "e.csv", "vide"),
        (codecs.BOM_UTF8, "e.csv", "vide"),
        (b"\x00\x01\x02binary", "e.csv", "ni un CSV"),
        (b"PK\x03\x04not really a zip", "e.xlsx", "XLSX illisible"),
        (b"NUMERO_DOSSIER;NOM", "e.xlsx", "extension .xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "e.xls", ".xls"),
        (b"\x81\x8d\x8f\x90\x9d\xff\xfe\xfd", "e.csv", "encodage"),
    ],
)
def test_file_level_problems(data: bytes, filename: str, fragment: str) -> None:
    problems = problems_of(data, filename)
    assert len(problems) == 1
    assert problems[0].line == 0
    assert fragment in problems[0].message_fr


def test_too_many_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(edof, "MAX_ROWS", 3)
    rows = [make_row(NUMERO_DOSSIER=str(i)) for i in range(3)]
    assert len(parse_edof(to_csv(rows), "e.csv").rows) == 3
    rows.append(make_row(NUMERO_DOSSIER="99"))
    problems = problems_of(to_csv(rows))
    assert "trop de lignes" in problems[0].message_fr


def test_error_message_summarises_problems() -> None:
    error = EdofError([EdofProblem(2, "NOM", "a"), EdofProblem(3, "NOM", "b")])
    assert str(error) == "Ligne 2, colonne NOM : a (et 1 autre(s) problème(s))"
    assert str(EdofProblem(0, "", "le fichier est vide")) == "Le fichier est vide"
    assert str(EdofProblem(4, "", "x")) == "Ligne 4 : x"


# --- XLSX -----------------------------------------------------------------------


def test_xlsx_with_real_dates_numbers_and_extra_columns() -> None:
    data = to_xlsx(
        [
            [None],
            [
                "Numéro dossier",
                "Nom",
                "Prénom",
                "Montant",
                "Intitulé",
                "Intitulé certif",
                "Date début session",
                "Date fin session",
                "Remarque",
            ],
            [
                123456789012,
                "Petit",
                "Luc",
                1500.5,
                "Allemand",
                "CLOE",
                dt.datetime(2026, 3, 2),
                dt.date(2026, 4, 30),
                3,
            ],
            [None, None],
            ["A-77", "Roux", "Ève", "1 200,00", "Italien", "CLOE", "02/03/2026", 46142, None],
        ]
    )
    result = parse_edof(data, "upload.bin")  # detected by content, not by name
    assert result.file_format == "xlsx"
    first, second = result.rows
    assert (first.line, first.file_number, first.amount) == (3, "123456789012", Decimal("1500.50"))
    assert (first.start, first.end) == (dt.date(2026, 3, 2), dt.date(2026, 4, 30))
    assert first.extra == {"Remarque": "3"}
    assert second.line == 5
    assert second.end == dt.date(2026, 4, 30)  # Excel serial 46142
    assert second.amount == Decimal("1200.00")


def test_xlsx_problems_use_sheet_row_numbers() -> None:
    data = to_xlsx(
        [
            HEADER,
            ["1", "A", "B", None, "T", None, None, "C", None, None, "bad", dt.date(2026, 1, 1)],
            ["1", "A", "B", -3, "T", None, None, "C", None, None, dt.date(1990, 1, 1), 5.5],
        ]
    )
    problems = problems_of(data, "e.xlsx")
    assert [(p.line, p.column) for p in problems] == [
        (2, "DATE_DEBUT_SESSION"),
        (3, "NUMERO_DOSSIER"),
        (3, "DATE_DEBUT_SESSION"),
        (3, "DATE_FIN_SESSION"),
        (3, "MONTANT"),
    ]


# --- realisation rate -----------------------------------------------------------


def test_realisation_rate_counts_ended_files_and_taken_certifications() -> None:
    def row(number: str, end: dt.date, status: str | None = None) -> EdofRow:
        return EdofRow(
            2,
            number,
            "N",
            "P",
            None,
            "T",
            None,
            "CLOE",
            status,
            None,
            dt.date(2026, 1, 1),
            end,
            None,
            None,
            None,
        )

    rows = [
        row("1", dt.date(2026, 3, 31)),
        row("2", dt.date(2026, 3, 31)),
        row("3", dt.date(2026, 4, 1)),  # not ended yet: excluded
        row("4", dt.date(2026, 2, 1), status="Annulé par le titulaire"),
        row("5", dt.date(2026, 2, 1)),
    ]
    result = realisation_rate(rows, {"1", "3", "4"}, as_of=dt.date(2026, 3, 31))
    assert (result.ended, result.taken) == (3, 1)
    assert result.rate == Decimal("0.3333")
    assert result.percent == Decimal("33.3")
    empty = realisation_rate([], set(), dt.date(2026, 1, 1))
    assert empty.rate is None and empty.percent is None


# --- robustness: only EdofError, ever --------------------------------------------

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_parses_or_edof_error(data: bytes, filename: str) -> None:
    try:
        result = parse_edof(data, filename)
    except EdofError as exc:
        assert exc.problems
        assert all(isinstance(p, EdofProblem) and p.line >= 0 for p in exc.problems)
        assert all(isinstance(p.message_fr, str) and p.message_fr for p in exc.problems)
    else:
        assert all(row.end >= row.start for row in result.rows)


@FUZZ
@given(st.binary(max_size=2000), st.sampled_from(["e.csv", "e.xlsx", "e.txt", "", "e.xls"]))
def test_random_bytes_only_raise_edof_error(data: bytes, filename: str) -> None:
    assert_parses_or_edof_error(data, filename)


@FUZZ
@given(st.binary(max_size=600))
def test_random_bytes_behind_zip_magic(data: bytes) -> None:
    assert_parses_or_edof_error(b"PK\x03\x04" + data, "e.xlsx")


cell_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)


@FUZZ
@given(
    st.permutations(HEADER),
    st.lists(st.fixed_dictionaries({h: cell_text for h in HEADER}), max_size=5),
    st.sampled_from([";", ",", "\t"]),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"]),
)
def test_random_cells_in_random_column_orders(
    header: list[str], rows: list[dict[str, str]], sep: str, encoding: str
) -> None:
    try:
        data = to_csv(rows, header=list(header), sep=sep, encoding=encoding)
    except UnicodeEncodeError:
        data = to_csv(rows, header=list(header), sep=sep, encoding="utf-8")
    assert_parses_or_edof_error(data, "e.csv")


@FUZZ
@given(
    st.permutations(HEADER),
    st.lists(
        st.tuples(st.integers(0, 40), st.integers(0, 14), st.integers(1990, 2110)),
        min_size=1,
        max_size=6,
    ),
)
def test_valid_rows_in_any_order_with_broken_dates(
    header: list[str], dates: list[tuple[int, int, int]]
) -> None:
    rows = []
    for index, (day, month, year) in enumerate(dates):
        text = f"{day:02d}/{month:02d}/{year}"
        rows.append(
            make_row(
                NUMERO_DOSSIER=str(index), DATE_DEBUT_SESSION=text, DATE_FIN_SESSION="31/12/2099"
            )
        )
    data = to_csv(rows, header=list(header))
    try:
        expected = [dt.date(y, m, d) for d, m, y in dates]
    except ValueError:
        expected = None
    if expected is not None and all(2000 <= d.year <= 2099 for d in expected):
        result = parse_edof(data, "e.csv")
        assert [r.start for r in result.rows] == expected
        assert [r.line for r in result.rows] == list(range(2, 2 + len(dates)))
    else:
        problems = problems_of(data)
        assert {p.column for p in problems} == {"DATE_DEBUT_SESSION"}


def _no_control(value: object) -> object:
    if isinstance(value, str):
        return "".join(c for c in value if c >= " " or c in "\t\n\r")
    return value


@FUZZ
@given(
    st.lists(
        st.lists(
            st.one_of(
                st.none(),
                cell_text,
                st.integers(-(10**6), 10**12),
                st.floats(allow_nan=False, allow_infinity=False),
                st.dates(),
            ),
            max_size=8,
        ),
        max_size=5,
    )
)
def test_random_xlsx_cells(rows: list[list[object]]) -> None:
    # openpyxl refuses control characters when writing; that is the writer, not the parser.
    rows = [[_no_control(c) for c in row] for row in rows]
    data = to_xlsx([HEADER, *rows])
    assert_parses_or_edof_error(data, "e.xlsx")


# --- typed text: control characters and Unicode -----------------------------------------


def test_forbidden_characters_are_reported_with_line_column_and_position() -> None:
    data = to_csv([
        make_row(),
        make_row(NUMERO_DOSSIER="2", NOM="Le\x1bfèvre"),
        make_row(NUMERO_DOSSIER="3", PRENOM="Zo\u202eé", INTITULE="Anglais\u200b"),
    ])
    problems = problems_of(data)
    assert [str(p) for p in problems] == [
        "Ligne 3, colonne NOM : caractère de contrôle U+001B non autorisé (position 3)",
        "Ligne 4, colonne PRENOM : caractère de contrôle de direction du texte U+202E non "
        "autorisé (position 3)",
        "Ligne 4, colonne INTITULE : caractère invisible U+200B non autorisé (position 8)",
    ]


def test_text_cells_are_read_in_nfc() -> None:
    result = parse_edof(to_csv([make_row(NOM="Le\u0301vy", PRENOM="Zoe\u0308")]), "e.csv")
    assert (result.rows[0].last_name, result.rows[0].first_name) == ("Lévy", "Zoë")
