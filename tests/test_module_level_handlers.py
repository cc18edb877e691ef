"""Every command, card verb and start-up hook is a module-level function, importable and testable on its own."""

from __future__ import annotations

import functools
import importlib

from bot.features import build_router


def _target(fn):
    # A handler bound to its router (help lists the router's commands) is a partial of a module-level function.
    return fn.func if isinstance(fn, functools.partial) else fn


def test_handlers_and_hooks_are_module_level():
    router = build_router()
    handlers = [c.handler for c in router.commands] + list(router.verbs.values()) + list(router.startup)
    for fn in map(_target, handlers):
        assert "<locals>" not in fn.__qualname__, fn.__qualname__
        assert getattr(importlib.import_module(fn.__module__), fn.__name__) is fn


def test_register_only_wires():
    before = build_router()
    again = build_router()
    assert [c.names for c in before.commands] == [c.names for c in again.commands]
    assert {v: _target(f) for v, f in before.verbs.items()} == {v: _target(f) for v, f in again.verbs.items()}
