"""County risk one-map: layer catalogue, plans, the workspace store, analysis, views, rendering and exports.

The one funnel to a jurisdiction's data is :func:`open_workspace`; :func:`load_layer` is a shortcut.
"""

from layers.catalog.specs import SPECS, get_spec
from layers.store.workspace import list_workspaces, load_layer, load_unmapped, open_workspace, workspace_path

__all__ = ["SPECS", "get_spec", "list_workspaces", "load_layer", "load_unmapped", "open_workspace", "workspace_path"]
