"""ECharts options for the report pages, built from the same rows as the tables.

The page embeds each option as JSON (``json_script``) and ``app.js`` draws it with the locally
served ECharts; nothing here runs in the browser.
"""

from decimal import Decimal


def _number(value):
    if isinstance(value, Decimal):
        return float(value)
    return value or 0


def pie(items, *, name=""):
    """``items``: (label, value) pairs."""
    return {
        "tooltip": {"trigger": "item", "formatter": "{b}: {c} ({d}%)"},
        "series": [
            {
                "name": str(name),
                "type": "pie",
                "radius": ["35%", "62%"],
                "center": ["50%", "50%"],
                "data": [{"name": str(label), "value": _number(value)} for label, value in items],
                "label": {"formatter": "{b}\n{d}%"},
            }
        ],
    }


def bars(categories, series, *, horizontal=False, stacked=False, counts=False):
    """``series``: (name, values) pairs, one value per category; ``counts`` keeps ticks whole."""
    category_axis = {"type": "category", "data": [str(c) for c in categories], "axisLabel": {"hideOverlap": True}}
    # Fewer ticks on a horizontal value axis keeps long amounts from overlapping.
    value_axis = {
        "type": "value",
        **({"splitNumber": 3} if horizontal else {}),
        **({"minInterval": 1} if counts else {}),
    }
    option = {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"bottom": 0} if len(series) > 1 else {"show": False},
        "grid": {"left": 8, "right": 24, "top": 16, "bottom": 40, "containLabel": True},
        "xAxis": value_axis if horizontal else category_axis,
        "yAxis": category_axis if horizontal else value_axis,
        "series": [
            {
                "name": str(name),
                "type": "bar",
                "data": [_number(v) for v in values],
                **({"stack": "total"} if stacked else {}),
            }
            for name, values in series
        ],
    }
    if horizontal:
        option["yAxis"]["inverse"] = True
    return option


def line(categories, series, *, area=True):
    option = bars(categories, series)
    for item in option["series"]:
        item.update(
            type="line",
            smooth=0.3,
            smoothMonotone="x",
            symbolSize=6,
            **({"areaStyle": {"opacity": 0.15}} if area else {}),
        )
    option["tooltip"] = {"trigger": "axis"}
    return option


def target_and_actual(categories, *, target_name, targets, actual_name, actuals):
    """The target and the actual amount side by side for each month."""
    option = bars(categories, [(target_name, [v if v is not None else None for v in targets]), (actual_name, actuals)])
    option["legend"] = {"bottom": 0}
    option["series"][0].update(itemStyle={"color": "#c9d3e3"}, barGap="10%")
    return option


def funnel(items, *, name=""):
    """``items``: (label, value) pairs from the widest stage down."""
    return {
        "tooltip": {"trigger": "item", "formatter": "{b}: {c}"},
        "series": [
            {
                "name": str(name),
                "type": "funnel",
                "sort": "none",
                "left": "10%",
                "width": "80%",
                "minSize": "10%",
                "label": {"position": "inside", "formatter": "{b}: {c}"},
                "data": [{"name": str(label), "value": _number(value)} for label, value in items],
            }
        ],
    }
