"""Page building blocks every module reuses: list, form, confirm and detail pages.

Views stay thin: they read the request, call a service, and render. A service refuses with a
``ValidationError``; these views show its message and change nothing.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from .menu import home_page_for

PAGE_SIZES = (20, 50, 100)


class CrmPageMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Signed in, holding ``permission_required`` (any of a tuple when ``permission_any``)."""

    permission_required = ()
    permission_any = False
    title = ""

    def has_permission(self):
        perms = self.get_permission_required()
        if self.permission_any:
            return any(self.request.user.has_perm(p) for p in perms)
        return self.request.user.has_perms(perms)

    def get_title(self):
        return self.title

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("title", self.get_title())
        return context


@dataclass
class Column:
    """A list column: a header, the sort key it offers (if any) and its alignment."""

    label: str
    sort: str = ""
    align: str = ""


class CrmListView(CrmPageMixin, TemplateView):
    """A server-side list: filters (django-filter), sorting by whitelist, pagination, empty state.

    Subclasses give ``get_base_queryset()`` (already scoped), ``filterset_class``, ``columns``,
    ``sort_fields`` ({key: ORM ordering}) and ``row_template``. An htmx request gets only the
    results fragment, so filtering and paging do not reload the page.
    """

    template_name = "core/list.html"
    results_template = "core/_list_results.html"
    row_template = ""
    filterset_class = None
    columns: list = []
    sort_fields: dict = {}
    default_sort = ""
    paginate_by = 20
    paginator_class = Paginator  # a list of a million rows may bring its own (see customers)
    empty_message = _("No records match.")
    create_url = None
    create_label = _("New")
    create_permission = None

    def get_base_queryset(self):
        raise NotImplementedError

    def get_sort(self):
        sort = self.request.GET.get("sort", self.default_sort)
        if sort.lstrip("-") not in self.sort_fields:
            sort = self.default_sort
        return sort

    def order(self, queryset, sort):
        if not sort:
            return queryset
        descending = sort.startswith("-")
        ordering = self.sort_fields[sort.lstrip("-")]
        ordering = ordering if isinstance(ordering, (list, tuple)) else [ordering]
        # The primary key breaks ties so paging is stable.
        return queryset.order_by(*[f"-{o}" if descending else o for o in ordering], "-pk" if descending else "pk")

    def get_page_size(self):
        try:
            size = int(self.request.GET.get("page_size", self.paginate_by))
        except ValueError:
            size = self.paginate_by
        return size if size in PAGE_SIZES else self.paginate_by

    def paginate(self, queryset):
        paginator = self.paginator_class(queryset, self.get_page_size())
        number = self.request.GET.get("page", 1)
        try:
            return paginator.page(number)
        except PageNotAnInteger:
            return paginator.page(1)
        except EmptyPage:
            return paginator.page(paginator.num_pages)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        queryset = self.get_base_queryset()
        filterset = None
        if self.filterset_class is not None:
            filterset = self.filterset_class(self.request.GET or None, queryset=queryset, request=self.request)
            queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
            if filterset.is_bound and not filterset.is_valid():
                queryset = queryset.none()
        sort = self.get_sort()
        page = self.paginate(self.order(queryset, sort))
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filterset=filterset,
            page=page,
            rows=page.object_list,
            columns=self.columns,
            sort=sort,
            row_template=self.row_template,
            results_template=self.results_template,
            empty_message=self.empty_message,
            query=query.urlencode(),
            page_sizes=PAGE_SIZES,
            page_size=self.get_page_size(),
            create_url=self.get_create_url(),
            create_label=self.create_label,
            filtered=bool(
                filterset
                and filterset.is_bound
                and any(v for k, v in self.request.GET.items() if k not in ("page", "sort", "page_size"))
            ),
        )
        return context

    def get_create_url(self):
        if self.create_url and (not self.create_permission or self.request.user.has_perm(self.create_permission)):
            return self.create_url
        return None

    def get_template_names(self):
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return [self.results_template]
        return [self.template_name]


class CrmFormView(CrmPageMixin, TemplateView):
    """A form page. ``perform(form)`` calls the service; its ValidationError lands on the form."""

    template_name = "core/form.html"
    form_class = None
    success_message = _("Saved.")
    submit_label = _("Save")
    cancel_url = None

    def get_form_kwargs(self):
        kwargs = {}
        if self.request.method == "POST":
            kwargs.update(data=self.request.POST, files=self.request.FILES)
        return kwargs

    def get_form(self):
        return self.form_class(**self.get_form_kwargs())

    def get(self, request, *args, **kwargs):
        return self.render_form(self.get_form())

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_valid():
            try:
                with transaction.atomic():
                    result = self.perform(form)
            except ValidationError as error:
                form.add_service_error(error)
            else:
                message = self.get_success_message(result)
                if message:
                    messages.success(request, message)
                return HttpResponseRedirect(self.get_success_url(result))
        return self.render_form(form, status=400 if request.method == "POST" else 200)

    def render_form(self, form, status=200):
        context = self.get_context_data(form=form, submit_label=self.submit_label, cancel_url=self.get_cancel_url())
        return self.render_to_response(context, status=status)

    def perform(self, form):
        raise NotImplementedError

    def get_success_message(self, result):
        return self.success_message

    def get_success_url(self, result):
        raise NotImplementedError

    def get_cancel_url(self):
        return self.cancel_url


class CrmEditView(CrmFormView):
    """A form page that edits one record; ``get_object()`` finds it (scoped: 404 outside it)."""

    def get_object(self):
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        # Only for a signed-in user holding the permission: an anonymous one is sent to sign in,
        # and one without the permission is refused (403) whether or not the record exists, so
        # the answer does not tell which ids exist.
        if request.user.is_authenticated and self.has_permission():
            self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"instance": self.object}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("object", self.object)
        return super().get_context_data(**kwargs)


class CrmConfirmView(CrmPageMixin, TemplateView):
    """Asks before a destructive action (GET), then does it (POST) through ``perform()``."""

    template_name = "core/confirm.html"
    question = _("Are you sure?")
    confirm_label = _("Confirm")
    danger = True
    success_message = _("Done.")

    def get_object(self):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            object=self.object,
            question=self.get_question(),
            confirm_label=self.confirm_label,
            danger=self.danger,
            cancel_url=self.get_cancel_url(),
        )
        return context

    def get_question(self):
        return self.question

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        try:
            with transaction.atomic():
                self.perform()
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return HttpResponseRedirect(self.get_cancel_url())
        messages.success(request, self.success_message)
        return HttpResponseRedirect(self.get_success_url())

    def perform(self):
        raise NotImplementedError

    def get_success_url(self):
        raise NotImplementedError

    def get_cancel_url(self):
        return self.get_success_url()


@dataclass
class Tab:
    key: str
    label: str
    url: str = ""  # loaded with htmx when first shown; empty for the inline first tab
    count: int | None = None


class CrmDetailView(CrmPageMixin, TemplateView):
    """A record page with tabs; the first tab renders inline, the others load on demand."""

    template_name = "core/detail.html"

    def get_object(self):
        raise NotImplementedError

    def get_tabs(self):
        return []

    def get_context_data(self, **kwargs):
        self.object = self.get_object()
        context = super().get_context_data(object=self.object, **kwargs)
        context["tabs"] = self.get_tabs()
        return context


class HomeView(LoginRequiredMixin, View):
    """The dashboard for those who may see it (supervisors, executives), else the menu overview."""

    def get(self, request):
        if request.GET.get("menu") is None and (url := home_page_for(request.user)):
            return HttpResponseRedirect(url)
        return render(request, "core/home.html", {"title": _("Home")})
