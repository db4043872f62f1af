"""The pytest plugin's installed name in an editable install: the repository's `pytest_plugin` folder itself.

A wheel holds the plugin as the package `pytest_action_contract`; an editable install puts the repository on
sys.path instead, where the folder is named `pytest_plugin`, so this module makes the one name the other.
"""

import sys

import pytest_plugin

sys.modules[__name__] = pytest_plugin
