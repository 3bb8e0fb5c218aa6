"""``manage.py import_salesdata KIND FILE``."""

import csv

import pytest
from django.core.management import CommandError, call_command

from crm.catalog.models import ImportRun, Product
from crm.core.tests.workbooks import with_dtd, workbook_bytes

from .helpers import PRODUCT_HEADER, csv_bytes

pytestmark = pytest.mark.django_db


def test_the_command_imports_a_file(tmp_path, capsys):
    path = tmp_path / "products.csv"
    path.write_bytes(csv_bytes(PRODUCT_HEADER, "P1,幸福牌电视机,818 FFT,,台,7500,,", encoding="gbk"))
    call_command("import_salesdata", "products", str(path))
    assert "1 rows applied: 1 new, 0 updated, 0 unchanged." in capsys.readouterr().out
    assert Product.objects.get().name == "幸福牌电视机"
    assert ImportRun.objects.get().source == ImportRun.Source.COMMAND


def test_the_command_fails_on_a_rejected_file_and_writes_the_report(tmp_path):
    path, report = tmp_path / "products.csv", tmp_path / "errors.csv"
    path.write_bytes(csv_bytes(PRODUCT_HEADER, "P1,电视机,,,台,-1,,"))
    with pytest.raises(CommandError, match="Rejected: 1 errors in 1 rows"):
        call_command("import_salesdata", "products", str(path), "--errors", str(report))
    rows = list(csv.reader(report.read_text(encoding="utf-8-sig").splitlines()))
    assert rows == [["row", "column", "message", "value"], ["2", "price", "Must not be negative.", "'-1"]]
    assert not Product.objects.exists()


def test_the_command_reports_file_problems(tmp_path):
    path = tmp_path / "products.csv"
    path.write_bytes(csv_bytes("product_key", "P1"))
    with pytest.raises(CommandError, match="Missing columns"):
        call_command("import_salesdata", "products", str(path))
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_salesdata", "products", str(tmp_path / "nope.csv"))


def test_the_command_reports_a_number_out_of_range_as_a_row_error(tmp_path):
    path, report = tmp_path / "products.csv", tmp_path / "errors.csv"
    path.write_bytes(csv_bytes(PRODUCT_HEADER, "P1,电视机,,,台,1e30,,", "P2,收音机,,,台,36,,"))
    with pytest.raises(CommandError, match="Rejected: 1 errors in 2 rows"):
        call_command("import_salesdata", "products", str(path), "--errors", str(report))
    rows = list(csv.reader(report.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[1] == ["2", "price", "The number is too large.", "1e30"]
    assert not Product.objects.exists()


def test_the_command_refuses_a_hostile_workbook_with_a_message(tmp_path):
    path = tmp_path / "products.xlsx"
    path.write_bytes(with_dtd(workbook_bytes([["product_key", "name", "price"], ["P1", "x", 1]])))
    with pytest.raises(CommandError, match="document type declaration"):
        call_command("import_salesdata", "products", str(path))
    assert not Product.objects.exists() and not ImportRun.objects.exists()
