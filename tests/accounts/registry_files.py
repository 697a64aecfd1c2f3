"""Registry spreadsheets for the import tests: XLSX and CSV files built in memory."""

from __future__ import annotations

import io

from openpyxl import Workbook

HOST_HEADER = [
    "氏名",
    "メール",
    "電話",
    "住所",
    "最寄り駅",
    "家族人数",
    "ペット",
    "喫煙",
    "話せる言語",
    "備考",
]


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8-sig") -> bytes:
    return "\r\n".join(",".join(row) for row in rows).encode(encoding)


def host_row(n: int, **cells: str) -> list[object]:
    """A valid family's row, its cells overridable by header."""
    row = {
        "氏名": f"山田 {n}",
        "メール": f"family{n}@example.jp",
        "電話": f"090-1000-{n:04d}",
        "住所": f"東京都三鷹市下連雀{n}-1-1",
        "最寄り駅": "三鷹",
        "家族人数": "4",
        "ペット": "なし",
        "喫煙": "なし",
        "話せる言語": "日本語(ネイティブ)、英語(初級)",
        "備考": "",
        **cells,
    }
    return [row[h] for h in HOST_HEADER]


def twenty_families(*, bad: bool = True) -> list[list[object]]:
    """The browser test's file: 20 families, of which rows 4, 9 and 15 (spreadsheet rows 5,
    10 and 16) are bad (an unknown station, a pet nobody knows, an e-mail that is not one)
    unless ``bad`` is False, and rows 19 and 20 are people the registry already has
    (``existing@example.jp`` by e-mail, phone 0422-55-0000 by phone)."""
    rows: list[list[object]] = [HOST_HEADER]
    for n in range(1, 21):
        cells: dict[str, str] = {}
        if bad and n == 4:
            cells["最寄り駅"] = "ホグワーツ"
        if bad and n == 9:
            cells["ペット"] = "ドラゴン"
        if bad and n == 15:
            cells["メール"] = "not-an-address"
        if n == 19:
            cells["メール"] = "existing@example.jp"
        if n == 20:
            cells["電話"] = "0422-55-0000"
        rows.append(host_row(n, **cells))
    return rows
