"""Customer management (客户管理): customers, contacts, interaction records and churn records."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.core.models import OwnedModel, ScopedQuerySet, TimeStampedModel, VersionedModel
from crm.dictionary.models import DictItem, DictType

RATING_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class CustomerNumberCounter(models.Model):
    """Last number handed out per day; the row is locked while a new number is taken."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "cst_customer_number"
        verbose_name = _("customer number counter")
        verbose_name_plural = _("customer number counters")

    def __str__(self):
        return f"{self.day:%Y%m%d}: {self.last}"


class Customer(OwnedModel):
    """An organisation the company sells to (单位客户). ``owner`` is its manager (客户经理)."""

    class Status(models.TextChoices):
        NORMAL = "normal", _("Normal")
        LOST = "lost", _("Lost")
        DELETED = "deleted", _("Deleted")

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100, db_index=True)
    region = models.ForeignKey(
        DictItem,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to={"dict_type": DictType.REGION},
        related_name="+",
    )
    grade = models.ForeignKey(
        DictItem,
        verbose_name=_("grade"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to={"dict_type": DictType.CUSTOMER_GRADE},
        related_name="+",
    )
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction"), null=True, blank=True, validators=RATING_VALIDATORS
    )
    credit = models.PositiveSmallIntegerField(_("credit"), null=True, blank=True, validators=RATING_VALIDATORS)
    address = models.CharField(_("address"), max_length=300, blank=True)
    post_code = models.CharField(_("post code"), max_length=10, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    fax = models.CharField(_("fax"), max_length=50, blank=True)
    website = models.CharField(_("website"), max_length=200, blank=True)
    licence_number = models.CharField(_("business licence number"), max_length=50, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    registered_capital = models.DecimalField(
        _("registered capital (10k yuan)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    annual_turnover = models.DecimalField(
        _("annual turnover"), max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    bank = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=50, blank=True)
    local_tax_number = models.CharField(_("local tax number"), max_length=50, blank=True)
    national_tax_number = models.CharField(_("national tax number"), max_length=50, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NORMAL, db_index=True)

    class Meta:
        db_table = "cst_customer"
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-created_at", "-id"]
        permissions = [("transfer_customer", _("Can transfer customers to another manager"))]
        indexes = [
            models.Index(fields=["owner", "status"], name="cst_owner_status_idx"),
            models.Index(fields=["region", "status"], name="cst_region_status_idx"),
            models.Index(fields=["grade", "status"], name="cst_grade_status_idx"),
            models.Index(fields=["status", "created_at"], name="cst_status_created_idx"),
            # The list's default order (newest first) under any filter and scope, and its deep
            # pages: PostgreSQL finds a page's ids in this index alone (an index-only scan)
            # without reading the rows before it. The list's text search has a trigram index
            # on PostgreSQL (migration 0002).
            models.Index(
                fields=["created_at", "id"], name="cst_created_idx", include=["status", "owner", "region", "grade"]
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_deleted(self):
        return self.status == self.Status.DELETED

    @property
    def is_lost(self):
        return self.status == self.Status.LOST

    @property
    def is_editable(self):
        return self.status == self.Status.NORMAL


class Contact(VersionedModel):
    """A person at a customer (联系人)."""

    class Gender(models.TextChoices):
        MALE = "male", _("Male")
        FEMALE = "female", _("Female")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    position = models.CharField(_("position"), max_length=50)
    office_phone = models.CharField(_("office phone"), max_length=50)
    mobile = models.CharField(_("mobile"), max_length=50, blank=True)
    remark = models.TextField(_("remark"), blank=True)
    # Who maintains the contact; follows the customer's manager unless a transfer leaves it behind.
    owner = models.ForeignKey(
        "accounts.User",
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    scope_owner_field = "customer__owner"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        db_table = "cst_linkman"
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["customer_id", "id"]
        indexes = [models.Index(fields=["customer", "name"], name="cst_linkman_customer_name_idx")]

    def __str__(self):
        return self.name


class Activity(VersionedModel):
    """An interaction record (交往记录) with a customer, optionally planning the next contact."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="activities"
    )
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=100)
    summary = models.CharField(_("summary"), max_length=200)
    details = models.TextField(_("details"), blank=True)
    remark = models.TextField(_("remark"), blank=True)
    follow_up_method = models.ForeignKey(
        DictItem,
        verbose_name=_("follow-up method"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to={"dict_type": DictType.FOLLOW_UP_METHOD},
        related_name="+",
    )
    next_contact_date = models.DateField(_("next contact date"), null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    scope_owner_field = "customer__owner"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        db_table = "cst_activity"
        verbose_name = _("interaction record")
        verbose_name_plural = _("interaction records")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["customer", "date"], name="cst_activity_customer_date_idx")]

    def __str__(self):
        return self.summary


class ChurnRecord(VersionedModel):
    """A churn warning (客户流失预警) and what became of it."""

    class Status(models.TextChoices):
        WARNING = "warning", _("Warning")
        POSTPONED = "postponed", _("Postponed")
        LOST = "lost", _("Lost")
        CLOSED = "closed", _("Closed")

    OPEN_STATUSES = (Status.WARNING, Status.POSTPONED)

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="churn_records"
    )
    last_order_date = models.DateField(_("last order date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.WARNING, db_index=True)
    created_date = models.DateField(_("warning date"), db_index=True)
    lost_date = models.DateField(_("lost date"), null=True, blank=True)
    closed_date = models.DateField(_("closed date"), null=True, blank=True)
    reason_category = models.ForeignKey(
        DictItem,
        verbose_name=_("reason category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to={"dict_type": DictType.CHURN_REASON},
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)
    confirmed_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    scope_owner_field = "customer__owner"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        db_table = "cst_lost"
        verbose_name = _("churn record")
        verbose_name_plural = _("churn records")
        ordering = ["-created_date", "-id"]
        constraints = [
            # At most one open record per customer, also under concurrent job runs.
            models.UniqueConstraint(
                fields=["customer"],
                condition=models.Q(status__in=["warning", "postponed"]),
                name="cst_lost_one_open_per_customer",
            )
        ]
        indexes = [models.Index(fields=["status", "lost_date"], name="cst_lost_status_date_idx")]

    def __str__(self):
        return f"{self.customer} ({self.get_status_display()})"

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES


class ChurnMeasure(TimeStampedModel):
    """A postponement measure (暂缓措施) taken by the customer's manager."""

    churn_record = models.ForeignKey(
        ChurnRecord, verbose_name=_("churn record"), on_delete=models.CASCADE, related_name="measures"
    )
    date = models.DateField(_("date"))
    text = models.TextField(_("measure"))
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        db_table = "cst_lost_measure"
        verbose_name = _("churn measure")
        verbose_name_plural = _("churn measures")
        ordering = ["date", "id"]

    def __str__(self):
        return self.text[:50]
