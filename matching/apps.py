from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "matching"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.demo import demo_seeder_register
        from matching import demo, demo_history, demo_visits, signals, visit_day_demo
        from matching.notifications import PROPOSAL_KINDS, proposal_email
        from matching.services import announcements, deliveries, group_notices, incidents, registry

        signals.connect()
        demo_seeder_register(demo.DEMO_SEEDER)
        demo_seeder_register(visit_day_demo.DEMO_SEEDER)
        demo_seeder_register(demo_history.DEMO_HISTORY_SEEDER)
        demo_seeder_register(demo_visits.DEMO_SEEDER)

        for kind in PROPOSAL_KINDS:
            deliveries.renderer_register(kind=kind, renderer=proposal_email)
        deliveries.renderer_register(
            kind=announcements.KIND, renderer=announcements.announcement_email
        )
        deliveries.renderer_register(kind=registry.KIND, renderer=registry.renewal_email)
        deliveries.renderer_register(kind=incidents.KIND, renderer=incidents.incident_email)
        for kind in group_notices.KINDS:
            deliveries.renderer_register(kind=kind, renderer=group_notices.group_email)
