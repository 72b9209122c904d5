"""One transaction for a whole chain of write actions.

A write the suite accepts runs through several layers: the suite's chained actions, other plugins'
chained actions, core's action, and the core actions that one calls in turn (``resource_create``
calls ``package_update`` and ``resource_view_create``; ``package_create`` creates default views),
each of which commits on its own. A failure in a later layer would leave the earlier commits in
place: a half-done write.

:func:`run` makes the outermost write action of a request the only one that commits: while it
runs, a commit of the current SQLAlchemy session only flushes (the statements still reach the
database, so later queries see them, but inside one transaction). When the chain returns, the
transaction is committed; when it raises, it is rolled back, and every dataset the chain had
indexed is indexed again from what is stored (or taken out of the index if it no longer exists),
so the database and the search index are as before.

Dataset writes run core's action with ``defer_commit`` (core's own switch to leave indexing and
committing to the caller) and index the dataset themselves once it is read back, as core does
before its commit; a dataset changed again later in the chain is indexed again at the end.
CKAN 2.12's ``package_update`` rolls its savepoint back under ``defer_commit`` unless
``return_id_only`` is also set, so it is called with both and its usual answer read back.

The override is an attribute of the thread's session object (scoped per thread), not a change of
any class: other threads and requests are unaffected, and it is removed before the real commit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import event

log = logging.getLogger(__name__)

# context key: callables to run once the write is committed (jobs that read what was written)
AFTER_COMMIT = "publicservices_after_commit"
_KEY = "publicservices_atomic"


class _Block:
    def __init__(self) -> None:
        self.after: list[Callable[[], None]] = []
        # dataset id -> (context to read it with, "insert" or "update")
        self.to_index: dict[str, tuple[Any, str]] = {}
        self.indexed = False
        # the flushes so far, and for each dataset indexed, the count when it was: at the end
        # it is indexed again only if something was flushed since
        self.flushes = 0
        self.shown: dict[str, int] = {}

    def count_flush(self, session: Any, *args: Any) -> None:
        # activities (written by the inner actions' signals) are not part of what is indexed
        written = [*session.new, *session.dirty, *session.deleted]
        if any(type(obj).__name__ != "Activity" for obj in written):
            self.flushes += 1


def _session() -> Any:
    from ckan import model

    return model.Session()


def current() -> _Block | None:
    """The transaction the current thread's write chain runs in, if any."""
    return _session().info.get(_KEY)


def run(context: Any, call: Callable[[], Any]) -> Any:
    """Run ``call`` (the rest of a write action's chain) in one transaction; see the module."""
    if context.get("defer_commit"):
        return call()  # the caller commits and indexes (bulk loads)
    session = _session()
    block = session.info.get(_KEY)
    if block is not None:  # an inner write of the same chain: the outermost one commits
        if AFTER_COMMIT in context:
            return call()
        context[AFTER_COMMIT] = block.after
        try:
            return call()
        finally:
            context.pop(AFTER_COMMIT, None)
    block = session.info[_KEY] = _Block()
    session.commit = session.flush  # see the module docstring
    event.listen(session, "after_flush", block.count_flush)
    context[AFTER_COMMIT] = block.after
    try:
        result = call()
        _index(block)
    except BaseException:
        _leave(session, block)
        session.rollback()
        if block.indexed:
            _unindex(block)
        raise
    finally:
        context.pop(AFTER_COMMIT, None)
    _leave(session, block)
    try:
        session.commit()
    except BaseException:
        session.rollback()
        _unindex(block)
        raise
    for after in block.after:
        # the write is committed: a follow-up that fails is logged, not turned into an error
        # answer the client would retry (and the others still run)
        try:
            after()
        except Exception:  # noqa: BLE001
            log.exception("a follow-up of a committed write failed")
    return result


def after_commit(call: Callable[[], None]) -> None:
    """Run ``call`` once the current write chain is committed (now if there is none)."""
    block = current()
    if block is None:
        call()
    else:
        block.after.append(call)


def _leave(session: Any, block: _Block) -> None:
    event.remove(session, "after_flush", block.count_flush)
    session.__dict__.pop("commit", None)
    session.info.pop(_KEY, None)


def _index(block: _Block) -> None:
    from ckanext.publicservices import compat

    for pkg_id, (context, how) in block.to_index.items():
        if block.shown.get(pkg_id) == block.flushes:
            continue  # indexed as read back, and nothing written since
        dicts = compat.package_show_default_and_custom_schemas(context, pkg_id)
        _index_one(block, pkg_id, how, dicts)


def _index_one(block: _Block, pkg_id: str, how: str, dicts: Any) -> None:
    from ckanext.publicservices import compat

    block.indexed = True  # from here on a rollback must also put the index back
    compat.index_package_dicts(dicts, insert=how == "insert")
    block.shown[pkg_id] = block.flushes


def _unindex(block: _Block) -> None:
    """After a rollback: put the index back to what is stored."""
    from ckan import model
    from ckan.lib import search

    for pkg_id in block.to_index:
        try:
            if model.Package.get(pkg_id) is None:
                search.index_for("Package").delete_package({"id": pkg_id})
            else:
                search.rebuild(pkg_id)
        except Exception:
            log.exception("Search index of dataset %s could not be restored", pkg_id)


def dataset_write(context: Any, call: Callable[[], Any], how: str) -> Any:
    """Run core's ``package_create`` (``how="insert"``) or ``package_update`` (``"update"``)
    chain in one transaction (see :func:`run`), without core's own indexing and commit: the
    outermost write indexes and commits."""
    from ckanext.publicservices import compat

    block = current()
    if context.get("defer_commit") and block is not None and not compat.CKAN_2_12:
        # CKAN 2.11's resource actions call package_update with defer_commit and leave its
        # indexing to their commit, where an indexing failure is only logged: the dataset is
        # indexed in the chain instead, so that such a failure undoes the write as on 2.12
        if AFTER_COMMIT in context:
            return _deferred(context, call, how)
        context[AFTER_COMMIT] = block.after
        try:
            return _deferred(context, call, how)
        finally:
            context.pop(AFTER_COMMIT, None)
    if context.get("defer_commit"):
        return call()  # the caller commits and indexes (bulk loads)
    return run(context, lambda: _deferred(context, call, how))


def _deferred(context: Any, call: Callable[[], Any], how: str) -> Any:
    from ckan import logic

    from ckanext.publicservices import compat

    block = current()
    assert block is not None
    wanted_id_only = context.get("return_id_only", False)
    deferred = context.get("defer_commit")  # the caller's (2.11's resource actions), kept
    context["defer_commit"] = True
    context["return_id_only"] = True
    savepoint = _session().get_nested_transaction()
    try:
        pkg_id = call()
    finally:
        if deferred:
            context["defer_commit"] = deferred
        else:
            context.pop("defer_commit", None)
        context["return_id_only"] = wanted_id_only
        if not wanted_id_only:
            context.pop("return_id_only")
    answer = None
    if isinstance(pkg_id, dict):  # a chained action answered with the dataset: keep its answer
        answer, pkg_id = pkg_id, pkg_id["id"]
    # core's update returns before opening its savepoint when nothing changed: nothing to index,
    # and its answer is the dataset as shown before (package_show, from the search index's copy).
    # CKAN 2.11's update has neither the savepoint nor the early return: it always writes.
    unchanged = compat.CKAN_2_12 and _session().get_nested_transaction() is savepoint
    if how == "update" and unchanged:
        if wanted_id_only or answer is not None:
            return answer or pkg_id
        show = logic.get_action("package_show")
        return show(logic.fresh_context(context, ignore_auth=True), {"id": pkg_id})
    previous = block.to_index.get(pkg_id)
    block.to_index[pkg_id] = (context, previous[1] if previous else how)
    context.setdefault("changed_entities", {}).setdefault("packages", set()).add(pkg_id)
    # indexed now, as core does before its commit, so that reads later in the chain (the
    # activity's package_show) find the index current; a rollback restores the index
    dicts = compat.package_show_default_and_custom_schemas(context, pkg_id)
    _index_one(block, pkg_id, block.to_index[pkg_id][1], dicts)
    if answer is None:
        answer = pkg_id if wanted_id_only else dicts[1]
    return answer
