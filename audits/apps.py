from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = "Audits"

    def ready(self) -> None:
        from core.jobs import register_job
        from core.registry import register_dashboard_panel, register_nav
        from core.reminders import register_reminders

        from .permissions import can_see_audits
        from .reminders import due_reminders
        from .selectors import dashboard_panel

        # Only people who may see some audits get the entry; for everyone else /audits/ is a 404.
        register_nav("Audits", "audits:list", order=30, visible=can_see_audits)
        register_dashboard_panel("audits", dashboard_panel, order=30)
        register_reminders("audits", due_reminders)
        # A pack build whose worker died is found by core's sweeper (no heartbeat) and built again
        # from scratch (the attempt number fences the dead one), or failed after the last attempt.
        register_job("audits.EvidencePackJob", task="audits.tasks.build_evidence_pack")
