"""Auth for the vocabulary actions: public reference data, open to everyone."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk


@tk.auth_allow_anonymous_access
def publicservices_vocabulary_list(context: Any, data_dict: Any) -> dict[str, bool]:
    return {"success": True}


@tk.auth_allow_anonymous_access
def publicservices_vocabulary_show(context: Any, data_dict: Any) -> dict[str, bool]:
    return {"success": True}


@tk.auth_allow_anonymous_access
def publicservices_vocabulary_autocomplete(context: Any, data_dict: Any) -> dict[str, bool]:
    return {"success": True}


def get_auth_functions() -> dict[str, Any]:
    """Auth of the vocabulary actions, for the plugin's ``IAuthFunctions``."""
    return {
        "publicservices_vocabulary_autocomplete": publicservices_vocabulary_autocomplete,
        "publicservices_vocabulary_list": publicservices_vocabulary_list,
        "publicservices_vocabulary_show": publicservices_vocabulary_show,
    }
