from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View

from .selectors import change_rows, log_for, logged_model


class RecordLogView(LoginRequiredMixin, View):
    """A record's operation log: a page, or the fragment inside a detail page's tab (htmx)."""

    def get(self, request, label, pk):
        model = logged_model(label)
        record, entries = log_for(request.user, model, pk)
        entries = list(entries[:200])
        for entry in entries:
            if entry.action == entry.Action.UPDATE:
                entry.change_rows = change_rows(entry)
        context = {
            "title": _("Operation log"),
            "record": record,
            "entries": entries,
            "model_name": model._meta.verbose_name,
        }
        template = "audit/_log.html" if getattr(request, "htmx", False) else "audit/record_log.html"
        return render(request, template, context)
