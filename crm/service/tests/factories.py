"""Factories and helpers for service requests; other apps' tests (reports) may import these."""

import factory
from django.contrib.auth.models import Permission

from crm.accounts.models import Role
from crm.customers.tests.factories import CustomerFactory, dict_item
from crm.dictionary.models import DictType
from crm.service import services
from crm.service.models import ServiceRequest


class ServiceRequestFactory(factory.django.DjangoModelFactory):
    """A new request raised by the customer's manager."""

    class Meta:
        model = ServiceRequest

    customer = factory.SubFactory(CustomerFactory)
    service_type = factory.LazyFunction(lambda: dict_item(DictType.SERVICE_TYPE, "consultation"))
    summary = factory.Sequence(lambda n: f"咨询产品价格{n}")
    details = "客户来电咨询新产品的报价与供货周期。"
    created_by = factory.SelfAttribute("customer.owner")
    status = ServiceRequest.Status.NEW


def assigned(service_request, *, to, by):
    return services.assign_service_request(service_request, to=to, by=by)


def handled(service_request, *, to, by, handling="已电话回复客户。"):
    """Assign (if new) and handle the request as ``to``."""
    if service_request.status == ServiceRequest.Status.NEW:
        assigned(service_request, to=to, by=by)
    return services.handle_service_request(service_request, handling=handling, by=to)


def archived(service_request, *, to, by, satisfaction=4):
    """Through every step to archived; the requester (the creator) gives the feedback."""
    handled(service_request, to=to, by=by)
    return services.record_feedback(
        service_request, result="客户确认问题已解决。", satisfaction=satisfaction, by=service_request.created_by
    )


def grant(user, *codes):
    """Give ``user`` extra permissions through a role of their own; returns a fresh user object."""
    role = Role.objects.create(name=f"extra for {user.username}", data_scope=Role.DataScope.SELF)
    for code in codes:
        app_label, codename = code.split(".")
        role.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    user.roles.add(role)
    return type(user).objects.get(pk=user.pk)
