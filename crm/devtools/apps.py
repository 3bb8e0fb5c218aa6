from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Development tools: the volume generator (``manage.py generate_volume_data``) for performance work.

    No models, pages or API: it sits above every business app and nothing imports it.
    """

    name = "crm.devtools"
    label = "devtools"
    verbose_name = "Development tools"
