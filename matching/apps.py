from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "matching"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.demo import demo_seeder_register
        from matching import demo, signals

        signals.connect()
        demo_seeder_register(demo.DEMO_SEEDER)
