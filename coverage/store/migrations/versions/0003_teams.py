"""Teams and ownership: spaces, members and roles, review and comments, and the append-only audit log.

Every scenario, sweep and kept data set now belongs to a space (``user:<email>`` or
``team:<name>``).  What a store held before goes to ``team:local`` (the team ``local``,
created here), which the administrator sees; ``team add local EMAIL --role ...`` shares it.
The audit table refuses UPDATE and DELETE by a trigger, on SQLite and PostgreSQL alike.

Revision ID: 0003
Revises: 0002
"""

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

LOCAL_SPACE = "team:local"
APPEND_ONLY = "the audit log is append-only: its rows cannot be changed or deleted"


def upgrade() -> None:
    op.add_column("scenarios", sa.Column("space", sa.String(300), nullable=False, server_default=LOCAL_SPACE))
    op.create_index("scenarios_space", "scenarios", ["space"])
    op.add_column("sweeps", sa.Column("space", sa.String(300), nullable=False, server_default=LOCAL_SPACE))
    op.add_column("drafts", sa.Column("person", sa.Text, nullable=True))
    op.create_table(
        "teams",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
    )
    op.create_table(
        "members",
        sa.Column("team", sa.String(64), sa.ForeignKey("teams.name"), primary_key=True),
        sa.Column("email", sa.String(254), primary_key=True),
        sa.Column("name", sa.Text, nullable=False, server_default=""),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("added_at", sa.String(32), nullable=False),
        sa.Column("added_by", sa.Text, nullable=False),
    )
    op.create_index("members_email", "members", ["email"])
    op.create_table(
        "dataset_spaces",
        sa.Column("fingerprint", sa.String(64), sa.ForeignKey("datasets.fingerprint"), primary_key=True),
        sa.Column("space", sa.String(300), primary_key=True),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
    )
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("scenario_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("who", sa.Text, nullable=False),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.ForeignKeyConstraint(["scenario_id", "version"], ["versions.scenario_id", "versions.version"]),
    )
    op.create_index("comments_version", "comments", ["scenario_id", "version"])
    op.create_table(
        "audit",
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
    op.create_index("audit_space", "audit", ["space", "id"])
    op.create_index("audit_scenario", "audit", ["scenario", "id"])

    # what the store held before teams: the team 'local', and its data sets in its space
    stamp = sa.literal(datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    teams = sa.table("teams", sa.column("name"), sa.column("created_at"), sa.column("created_by"))
    op.execute(sa.insert(teams).from_select(["name", "created_at", "created_by"],
                                            sa.select(sa.literal("local"), stamp, sa.literal("migration"))))
    datasets = sa.table("datasets", sa.column("fingerprint"))
    spaces = sa.table("dataset_spaces", sa.column("fingerprint"), sa.column("space"), sa.column("created_at"),
                      sa.column("created_by"))
    op.execute(sa.insert(spaces).from_select(["fingerprint", "space", "created_at", "created_by"],
                                             sa.select(datasets.c.fingerprint, sa.literal(LOCAL_SPACE), stamp,
                                                       sa.literal("migration"))))

    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                       BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$""")
        op.execute("CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON audit "
                   "FOR EACH ROW EXECUTE FUNCTION audit_append_only()")
        op.execute("CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit "
                   "FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_no_{event.lower()} BEFORE {event} ON audit "
                       f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_no_truncate ON audit")
        op.execute("DROP TRIGGER audit_no_update ON audit")
        op.execute("DROP FUNCTION audit_append_only()")
    op.drop_table("audit")
    op.drop_table("comments")
    op.drop_table("dataset_spaces")
    op.drop_table("members")
    op.drop_table("teams")
    with op.batch_alter_table("drafts") as batch:
        batch.drop_column("person")
    with op.batch_alter_table("sweeps") as batch:
        batch.drop_column("space")
    op.drop_index("scenarios_space", "scenarios")
    with op.batch_alter_table("scenarios") as batch:
        batch.drop_column("space")
