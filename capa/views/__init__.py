"""CAPA pages. Thin: a form checks the shape, a service does the work, errors go next to fields."""

from .corrective_actions import capa_detail, capa_step, item_complete
from .lists import board, capa_list, nc_list
from .nonconformities import (
    nc_contain,
    nc_detail,
    nc_link_capa,
    nc_no_action,
    nc_open_capa,
    nc_raise,
    nc_similar,
)

__all__ = [
    "board",
    "capa_detail",
    "capa_list",
    "capa_step",
    "item_complete",
    "nc_contain",
    "nc_detail",
    "nc_link_capa",
    "nc_list",
    "nc_no_action",
    "nc_open_capa",
    "nc_raise",
    "nc_similar",
]
