from celery import shared_task


@shared_task
def versions_make_due_effective() -> None:
    from docs_control.services import versions_make_due_effective as run

    run()


@shared_task
def version_pdf_build(version_id: int) -> None:
    from docs_control.pdf import version_pdf_build as build

    build(version_id=version_id)
