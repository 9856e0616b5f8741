"""The cadence files: segments chosen by account attributes, and the calendar."""

from pathlib import Path

import pytest

from adapters.cadence.config import CadenceFileError, load


@pytest.fixture(scope="module")
def book():
    return load()


def account(**changes):
    values = {"country": "GB", "delivery": "email", "size": "small", "language": "en"}
    return values | changes


def test_an_ordinary_account_follows_the_default_cadence(book):
    assert book.segment_for(account()).name == "default"


def test_a_large_account_follows_the_strategic_cadence(book):
    assert book.segment_for(account(size="large")).name == "strategic"


def test_a_paper_customer_follows_the_paper_cadence(book):
    assert book.segment_for(account(delivery="paper")).name == "paper"


def test_the_lowest_priority_number_wins_when_several_segments_match(book):
    """Large and on paper: strategic (priority 10) before paper (20)."""
    assert book.segment_for(account(size="large", delivery="paper")).name == (
        "strategic"
    )


@pytest.mark.parametrize(
    ("issued", "size"), [(0, "small"), (10, "medium"), (50, "large")]
)
def test_an_account_is_sized_by_the_invoices_it_was_issued(book, issued, size):
    assert book.size_of(issued) == size


def test_a_country_with_several_zones_uses_its_main_zone(book):
    assert book.zone_of("US") == "America/New_York"


def test_an_account_of_its_own_zone_keeps_it(book):
    assert book.zone_of("US", "America/Los_Angeles") == "America/Los_Angeles"


def test_a_country_of_one_zone_uses_it(book):
    assert book.zone_of("JP") == "Asia/Tokyo"


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def test_a_segment_file_without_a_step_names_the_file_and_the_field(tmp_path):
    write(tmp_path, "_shared.toml", "")
    write(
        tmp_path, "default.toml", 'name = "default"\n[steps]\nfinal_days_after = 60\n'
    )

    with pytest.raises(CadenceFileError, match="default.toml: courtesy_days_before"):
        load(tmp_path)


def test_a_folder_without_a_catch_all_segment_is_refused(tmp_path):
    write(tmp_path, "_shared.toml", "")
    write(
        tmp_path,
        "paper.toml",
        'name = "paper"\n[match]\ndeliveries = ["paper"]\n[steps]\n'
        "courtesy_days_before = 5\ndunning_days_after = [7, 21, 45]\n"
        "final_days_after = 60\n",
    )

    with pytest.raises(CadenceFileError, match="one segment must match every account"):
        load(tmp_path)


def test_an_unknown_match_condition_is_named(tmp_path):
    write(tmp_path, "_shared.toml", "")
    write(
        tmp_path,
        "default.toml",
        'name = "default"\n[match]\nregion = ["EU"]\n[steps]\n'
        "courtesy_days_before = 5\ndunning_days_after = [7, 21, 45]\n"
        "final_days_after = 60\n",
    )

    with pytest.raises(CadenceFileError, match="not region"):
        load(tmp_path)
