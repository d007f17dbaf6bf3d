"""Reading order of boxes: rows, option rows, columns only where both sides are columns of text."""

from __future__ import annotations

from ocr.reading_order import group_rows, reading_order


def test_rows_then_left_to_right():
    boxes = [(300, 100, 400, 112), (50, 101, 150, 113), (50, 130, 500, 142), (50, 60, 500, 80)]
    assert group_rows(boxes) == [[3], [1, 0], [2]]
    assert reading_order(boxes) == [[3], [1, 0], [2]]


def column_page(rows: int, offset: float = 0.0) -> list[tuple[float, float, float, float]]:
    """Title, `rows` lines in each of two columns (the right one shifted down by `offset`), footer."""
    boxes = [(50, 20, 550, 35)]
    boxes += [(50, 50 + 15 * i, 290, 62 + 15 * i) for i in range(rows)]
    boxes += [(310, 50 + 15 * i + offset, 550, 62 + 15 * i + offset) for i in range(rows)]
    return boxes + [(50, 70 + 15 * rows, 550, 85 + 15 * rows)]


def test_two_columns_between_full_width_rows():
    for offset in (0.0, 4.0, 7.5):  # aligned baselines, or not
        order = [i for row in reading_order(column_page(5, offset)) for i in row]
        assert order == list(range(12))


def test_columns_inside_columns():
    left = [(50, 50 + 15 * i, 140, 62 + 15 * i) for i in range(4)] + [
        (160, 50 + 15 * i, 290, 62 + 15 * i) for i in range(4)
    ]
    right = [(310, 50 + 15 * i, 550, 62 + 15 * i) for i in range(4)]
    order = [i for row in reading_order(left + right) for i in row]
    assert order == list(range(12))


def test_short_lines_and_option_grids_are_not_columns():
    """Short questions and a 2 x 2 option grid, as on a gaokao page: read row by row."""
    boxes = [
        (50, 20, 550, 35),  # 0 long question line
        (50, 40, 150, 52),  # 1 A.
        (300, 40, 420, 52),  # 2 B.
        (50, 60, 140, 72),  # 3 C.
        (300, 60, 400, 72),  # 4 D.
        (50, 80, 260, 92),  # 5 short question
        (50, 100, 90, 112),  # 6 A.
        (160, 100, 200, 112),  # 7 B.
        (300, 100, 340, 112),  # 8 C.
        (420, 100, 460, 112),  # 9 D.
        (50, 120, 550, 132),  # 10 long line
    ]
    assert reading_order(boxes) == [[0], [1, 2], [3, 4], [5], [6, 7, 8, 9], [10]]


def test_too_few_boxes_for_columns():
    boxes = [(50, 50, 290, 62), (310, 50, 550, 62), (50, 65, 290, 77), (310, 65, 550, 77)]
    assert reading_order(boxes) == [[0, 1], [2, 3]]
    assert reading_order([]) == []


def test_a_column_of_d_options_is_not_a_column():
    """Option rows whose D. options line up at the right edge (beijing 2024, page 1): still rows."""
    boxes = [(80, 20, 680, 35)]  # question spanning the page
    for top in (40, 60, 80):
        boxes += [(82, top, 146, top + 12), (278, top, 333, top + 12), (477, top, 552, top + 12)]
        boxes.append((672, top, 738, top + 12))  # D.
    boxes.append((80, 100, 875, 112))
    rows = reading_order(boxes)
    assert rows == [[0], [1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13]]
