from rest_framework import serializers

from crm.core.api import ModelSerializer, ServiceModelViewSet

from . import services
from .models import DictItem


class DictItemSerializer(ModelSerializer):
    version = serializers.IntegerField(required=False)

    class Meta:
        model = DictItem
        fields = ["id", "dict_type", "label", "value", "sort_order", "editable", "is_active", "version"]
        read_only_fields = ["editable"]
        # The service checks uniqueness and names the field that clashes.
        validators = []


class DictItemViewSet(ServiceModelViewSet):
    queryset = DictItem.objects.all()
    serializer_class = DictItemSerializer
    filterset_fields = ["dict_type", "is_active"]
    search_fields = ["label", "value"]
    ordering_fields = ["dict_type", "sort_order", "label"]

    def create_object(self, data):
        return services.create_item(
            dict_type=data.get("dict_type"),
            label=data.get("label"),
            value=data.get("value"),
            sort_order=data.get("sort_order", 0),
            is_active=data.get("is_active", True),
            by=self.request.user,
        )

    def update_object(self, instance, data):
        fields = {
            key: data.get(key, getattr(instance, key))
            for key in ["dict_type", "label", "value", "sort_order", "is_active"]
        }
        return services.update_item(instance, expected_version=data.get("version"), by=self.request.user, **fields)

    def destroy_object(self, instance):
        services.delete_item(instance, by=self.request.user)


def register(router):
    router.register("dictionary", DictItemViewSet)
