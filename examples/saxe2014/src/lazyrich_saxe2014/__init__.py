"""lazyrich claims for Saxe, McClelland & Ganguli (2014): the mode dynamics of a linear network
with one hidden layer from a small, balanced, task-aligned initialisation.

The claims live in :mod:`lazyrich_saxe2014.claims`; lazyrich finds them through the entry point
``saxe2014`` of the group ``lazyrich.claims`` (see ``pyproject.toml``), so after installing this
package ``lazyrich check saxe2014`` runs them.
"""

__version__ = "0.1.0"
