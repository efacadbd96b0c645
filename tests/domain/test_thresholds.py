"""The capacity bands take their edges from the thresholds, and only thresholds in order."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from wmt.domain.points import default_points_configuration, to_document
from wmt.domain.points_document import from_document
from wmt.domain.thresholds import Thresholds, band_words, capacity_band, percent_text
from wmt.errors import InputRejected

CHANGED = Thresholds(
    underload_percent=Decimal("85"),
    overload_percent=Decimal("105.5"),
    severe_overload_percent=Decimal(115),
)


@pytest.mark.parametrize(
    ("percent", "reference", "changed"),
    [
        ("84.9", "under", "under"),
        ("85.0", "under", "comfortable"),
        ("90.0", "comfortable", "comfortable"),
        ("105.5", "comfortable", "comfortable"),
        ("105.6", "comfortable", "overload"),
        ("110.1", "overload", "overload"),
        ("115.1", "overload", "severe"),
        ("120.1", "severe", "severe"),
    ],
)
def test_a_capacity_s_band_moves_with_the_thresholds(
    percent: str, reference: str, changed: str
) -> None:
    assert capacity_band(Decimal(percent), Thresholds()) == reference
    assert capacity_band(Decimal(percent), CHANGED) == changed


def test_the_bands_are_named_by_their_thresholds() -> None:
    assert list(band_words(Thresholds()).values()) == [
        "under 90 %",
        "90 to 110 %",
        "over 110 %",
        "over 120 %",
    ]
    assert band_words(CHANGED)["comfortable"] == "85 to 105.5 %"
    assert percent_text(Decimal("110.00")) == "110" and percent_text(Decimal("1.1E+2")) == "110"


def test_the_underload_threshold_is_a_setting_of_the_points_document() -> None:
    document = copy.deepcopy(to_document(default_points_configuration()))
    assert document["thresholds"]["underload_percent"] == 90
    document["thresholds"]["underload_percent"] = Decimal("87.5")
    assert from_document(document).thresholds.underload_percent == Decimal("87.5")


def test_band_edges_out_of_order_are_refused() -> None:
    document = copy.deepcopy(to_document(default_points_configuration()))
    document["thresholds"]["underload_percent"] = 111
    with pytest.raises(InputRejected, match="must each be at most the next"):
        from_document(document)
