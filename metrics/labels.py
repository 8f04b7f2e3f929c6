"""Display names of the values the quality rollups are keyed by (the rollups store the codes)."""

from functools import cache


@cache
def nc_source_labels() -> dict[str, str]:
    from capa.models import SourceKind

    return dict(SourceKind.choices)


@cache
def finding_classification_labels() -> dict[str, str]:
    from audits.models import Classification

    return {k: str(v) for k, v in Classification.choices}
