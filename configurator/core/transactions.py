"""One commit point per request: services only flush, the request's end commits."""

from __future__ import annotations

from flask import Flask, Response

from configurator.core.database import db


def _commit_if_successful(response: Response) -> Response:
    if not db.session.registry.has():
        return response  # the request never touched the database (health checks, images)
    if response.status_code < 400:
        db.session.commit()
    else:
        db.session.rollback()
    return response


def _rollback_on_exception(error: BaseException | None) -> None:
    if error is not None and db.session.registry.has():
        db.session.rollback()


def register_transaction_hooks(app: Flask) -> None:
    app.after_request(_commit_if_successful)
    app.teardown_request(_rollback_on_exception)
