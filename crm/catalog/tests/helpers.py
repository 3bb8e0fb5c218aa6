import io

from openpyxl import Workbook

from crm.catalog import services
from crm.catalog.models import ImportRun

PRODUCT_HEADER = "product_key,name,model,batch,unit,price,remark,active"
STOCK_HEADER = "stock_key,product_key,warehouse,location,quantity,remark"
ORDER_HEADER = ",".join(
    ["order_key", "order_number", "customer_number", "order_date", "delivery_address", "status"]
    + ["line_no", "product_key", "quantity", "unit", "unit_price"]
)


def csv_bytes(*lines, encoding="utf-8"):
    return ("\n".join(lines) + "\n").encode(encoding)


def import_csv(kind, *lines, encoding="utf-8", file_name="data.csv", **kwargs):
    return services.import_file(
        kind=kind,
        file=io.BytesIO(csv_bytes(*lines, encoding=encoding)),
        file_name=file_name,
        source=ImportRun.Source.COMMAND,
        **kwargs,
    )


def xlsx_bytes(rows):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def errors_of(run):
    """{(row, column): message} of a rejected run."""
    return {(row, column): message for row, column, message, _value in run.errors}
