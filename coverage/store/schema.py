"""The store's tables (SQLAlchemy Core); ``migrations/`` creates and changes them.

``scenarios``
    One row per scenario: its current name, latest version, the latest version's key
    figures (so that listing 1,000 scenarios is one query), and ``deleted_at`` when it
    is in the bin.
``versions``
    Every save, never changed afterwards: the contract's scenario JSON, its key figures
    at save time, and the fingerprints of the data it was evaluated on.
``datasets``
    Uploaded communities, candidate sites and travel matrices, as the bytes the planner
    gave (zlib-compressed), keyed by the fingerprint of the table they load as.
``drafts``
    The working plan of one browser, autosaved a moment after each change.
``sweeps`` and ``sweep_runs``
    A grid of optimiser runs (its specification and base) and each run's result, written
    as it finishes, so a stopped sweep resumes with only the runs still missing.
``store_meta``
    Small facts about the store itself (a write probe lives here).
``teams``, ``members``
    Teams and each member's role (viewer, editor, owner); every scenario, sweep and kept
    data set (``dataset_spaces``) belongs to a space, ``team:<name>`` or ``user:<email>``.
``comments``
    A version's thread: comments and review steps (proposed, approved, rejected); a
    version's status is its newest review step.  Versions themselves never change.
``audit``
    The append-only log of every change (a trigger refuses UPDATE and DELETE).

Times are ISO 8601 UTC text (``2026-11-25T20:41:03.123Z``): portable, and they sort.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

scenarios = sa.Table(
    "scenarios", metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("latest_version", sa.Integer, nullable=False),
    sa.Column("figures", sa.Text, nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("updated_at", sa.String(32), nullable=False),
    sa.Column("updated_by", sa.Text, nullable=False),
    sa.Column("deleted_at", sa.String(32), nullable=True),
    sa.Column("deleted_by", sa.Text, nullable=True),
    sa.Column("space", sa.String(300), nullable=False, server_default="team:local"),
)

versions = sa.Table(
    "versions", metadata,
    sa.Column("scenario_id", sa.String(64), sa.ForeignKey("scenarios.id"), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("document", sa.Text, nullable=False),
    sa.Column("figures", sa.Text, nullable=False),
    sa.Column("communities", sa.String(64), nullable=False),
    sa.Column("sites", sa.String(64), nullable=True),
    sa.Column("matrix", sa.String(64), nullable=True),
    sa.Column("based_on", sa.Integer, nullable=True),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("author", sa.Text, nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
)

datasets = sa.Table(
    "datasets", metadata,
    sa.Column("fingerprint", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
)

drafts = sa.Table(
    "drafts", metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("document", sa.Text, nullable=False),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("origin_id", sa.String(64), nullable=True),
    sa.Column("origin_version", sa.Integer, nullable=True),
    sa.Column("updated_at", sa.String(32), nullable=False),
    sa.Column("person", sa.Text, nullable=True),
)

store_meta = sa.Table(
    "store_meta", metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

sweeps = sa.Table(
    "sweeps", metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("spec", sa.Text, nullable=False),
    sa.Column("base", sa.Text, nullable=False),
    sa.Column("runs", sa.Integer, nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("space", sa.String(300), nullable=False, server_default="team:local"),
)

sweep_runs = sa.Table(
    "sweep_runs", metadata,
    sa.Column("sweep_id", sa.String(64), sa.ForeignKey("sweeps.id"), primary_key=True),
    sa.Column("run_key", sa.String(64), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("settings", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("result", sa.Text, nullable=False),
    sa.Column("scenario_id", sa.String(64), nullable=True),
    sa.Column("version", sa.Integer, nullable=True),
    sa.Column("finished_at", sa.String(32), nullable=False),
)

# -- teams and ownership (migration 0003) ------------------------------------------------------------
teams = sa.Table(
    "teams", metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
)

members = sa.Table(
    "members", metadata,
    sa.Column("team", sa.String(64), sa.ForeignKey("teams.name"), primary_key=True),
    sa.Column("email", sa.String(254), primary_key=True),
    sa.Column("name", sa.Text, nullable=False, server_default=""),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("added_at", sa.String(32), nullable=False),
    sa.Column("added_by", sa.Text, nullable=False),
)

dataset_spaces = sa.Table(
    "dataset_spaces", metadata,
    sa.Column("fingerprint", sa.String(64), sa.ForeignKey("datasets.fingerprint"), primary_key=True),
    sa.Column("space", sa.String(300), primary_key=True),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
)

comments = sa.Table(
    "comments", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("scenario_id", sa.String(64), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("who", sa.Text, nullable=False),
    sa.Column("at", sa.String(32), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.ForeignKeyConstraint(["scenario_id", "version"], ["versions.scenario_id", "versions.version"]),
)

audit = sa.Table(
    "audit", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.String(32), nullable=False),
    sa.Column("who", sa.Text, nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("target", sa.Text, nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("space", sa.String(300), nullable=False),
    sa.Column("scenario", sa.String(64), nullable=True),
    sa.Column("version", sa.Integer, nullable=True),
)
