from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "chat"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from chat import digests, signals
        from matching.services.deliveries import renderer_register

        signals.connect()
        renderer_register(kind=digests.KIND, renderer=digests.digest_email)
