from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from accounts import audit, credentials, languages
        from accounts.demo import demo_seeder_register
        from accounts.permissions import sync_after_migrate
        from accounts.registry import demo as registry_demo

        languages.register_easy_japanese()
        audit.connect()
        credentials.connect()
        # First of the seeders: the registry's standings come with the people.
        demo_seeder_register(registry_demo.DEMO_SEEDER)
        # After the permissions of every app exist (auth creates them on post_migrate too).
        post_migrate.connect(sync_after_migrate, dispatch_uid="accounts.coordinator_permissions")
