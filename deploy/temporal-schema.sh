#!/bin/sh
# The Temporal server's schema in PostgreSQL: docker-compose.yml's temporal-schema job (in
# temporalio/admin-tools) and `npm run cluster` (scripts/cluster/, with the SQL tool it built) both
# run this file. On first start, create both databases and their base schema; on every start,
# apply the versioned updates, which is also how a newer server migrates them.
# Environment: POSTGRES_SEEDS, DB_PORT, POSTGRES_USER, SQL_PASSWORD; TEMPORAL_SQL_TOOL and
# TEMPORAL_SCHEMA_DIR default to where admin-tools has them.
set -eu
sql_tool=${TEMPORAL_SQL_TOOL:-temporal-sql-tool}
schema_dir=${TEMPORAL_SCHEMA_DIR:-/etc/temporal/schema/postgresql/v12}
tool() { "$sql_tool" --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" "$@"; }

for db in temporal temporal_visibility; do
  case $db in
    temporal) dir=$schema_dir/temporal/versioned ;;
    *) dir=$schema_dir/visibility/versioned ;;
  esac
  if tool --db "$db" create; then echo "created database $db"; else echo "database $db exists (or is unreachable: the next step says)"; fi
  # A database without the base schema (new, or a first run that stopped half-way) gets it first.
  tool --db "$db" update-schema -d "$dir" || { tool --db "$db" setup-schema -v 0.0 && tool --db "$db" update-schema -d "$dir"; }
done
echo "Temporal schema is current"
