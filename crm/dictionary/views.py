from django.shortcuts import get_object_or_404
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.core.views import Column, CrmConfirmView, CrmEditView, CrmFormView, CrmListView

from . import services
from .filters import DictItemFilter
from .forms import DictItemForm
from .models import DictItem


class DictItemListView(CrmListView):
    permission_required = "dictionary.view_dictitem"
    title = gettext_lazy("Data dictionary")
    filterset_class = DictItemFilter
    row_template = "dictionary/_item_row.html"
    columns = [
        Column(gettext_lazy("Type"), "dict_type"),
        Column(gettext_lazy("Label"), "label"),
        Column(gettext_lazy("Value"), "value"),
        Column(gettext_lazy("Sort order"), "sort_order", align="text-end"),
        Column(gettext_lazy("Editable")),
        Column(gettext_lazy("Status")),
        Column("", align="text-end"),
    ]
    sort_fields = {
        "dict_type": ["dict_type", "sort_order"],
        "label": "label",
        "value": "value",
        "sort_order": "sort_order",
    }
    default_sort = "dict_type"
    create_url = reverse_lazy("dictionary:item-create")
    create_permission = "dictionary.add_dictitem"
    create_label = gettext_lazy("New item")
    empty_message = gettext_lazy("The dictionary is empty.")

    def get_base_queryset(self):
        return DictItem.objects.all()


class DictItemFormMixin:
    form_class = DictItemForm
    template_name = "dictionary/item_form.html"
    cancel_url = reverse_lazy("dictionary:item-list")

    def get_context_data(self, **kwargs):
        return super().get_context_data(known_types=services.known_types(), **kwargs)

    def get_success_url(self, result):
        return reverse("dictionary:item-list") + f"?dict_type={result.dict_type}"


class DictItemCreateView(DictItemFormMixin, CrmFormView):
    permission_required = "dictionary.add_dictitem"
    title = gettext_lazy("New dictionary item")
    success_message = gettext_lazy("Item created.")

    def get_form(self):
        form = super().get_form()
        if not form.is_bound and self.request.GET.get("dict_type"):
            form.initial["dict_type"] = self.request.GET["dict_type"]
        return form

    def perform(self, form):
        data = form.cleaned_data
        return services.create_item(
            dict_type=data["dict_type"],
            label=data["label"],
            value=data["value"],
            sort_order=data["sort_order"],
            is_active=data["is_active"],
            by=self.request.user,
        )


class DictItemEditView(DictItemFormMixin, CrmEditView):
    permission_required = "dictionary.change_dictitem"

    def get_object(self):
        return get_object_or_404(DictItem, pk=self.kwargs["pk"])

    def get_title(self):
        return _("Edit dictionary item %(label)s") % {"label": self.object.label}

    def get_form(self):
        form = super().get_form()
        if not self.object.editable:
            for field in form.fields.values():
                field.disabled = True
        return form

    def perform(self, form):
        data = form.cleaned_data
        return services.update_item(
            self.object,
            expected_version=data.get("version"),
            dict_type=data["dict_type"],
            label=data["label"],
            value=data["value"],
            sort_order=data["sort_order"],
            is_active=data["is_active"],
            by=self.request.user,
        )


class DictItemDeleteView(CrmConfirmView):
    permission_required = "dictionary.delete_dictitem"
    title = gettext_lazy("Delete dictionary item")
    confirm_label = gettext_lazy("Delete")
    success_message = gettext_lazy("Item deleted.")

    def get_object(self):
        return get_object_or_404(DictItem, pk=self.kwargs["pk"])

    def get_question(self):
        return _("Delete the item %(label)s of type %(type)s? This cannot be undone.") % {
            "label": self.object.label,
            "type": self.object.dict_type,
        }

    def perform(self):
        services.delete_item(self.object, by=self.request.user)

    def get_success_url(self):
        return reverse("dictionary:item-list")
