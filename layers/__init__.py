"""Layer specs, the workspace store and the renderer of the county risk one-map.

Public API used by the app: :func:`list_workspaces`, :func:`load_layer`, :data:`SPECS`.
"""

from layers.catalog.specs import SPECS, get_spec
from layers.store.workspace import list_workspaces, load_layer, load_unmapped, workspace_path

__all__ = ["SPECS", "get_spec", "list_workspaces", "load_layer", "load_unmapped", "workspace_path"]
