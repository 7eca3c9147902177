"""Table cells: numbers to significant digits, as a reader writes them."""

import pytest

from aelab.report.tables import MISSING, cell_text


@pytest.mark.parametrize(
    ("value", "spread", "text"),
    [
        (582.04, 191.3, "582 ± 190"),
        (144.43, 2.234, "144.4 ± 2.2"),
        (0.044187, 0.0061234, "0.04419 ± 0.0061"),
        (154000, None, "154000"),
        (12345.6, None, "12350"),
        (2.0, 0.0, "2 ± 0"),
        (None, None, MISSING),
        (float("nan"), 1.0, MISSING),
        ("float32", None, "float32"),
    ],
)
def test_cells_read_as_written_numbers(value, spread, text):
    assert cell_text(value, spread) == text
