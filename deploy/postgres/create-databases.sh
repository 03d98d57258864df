#!/bin/sh
# Create one login role and one database per service, each database owned by its role, so a
# service's credentials cannot read another service's tables.
#
# The postgres image runs this once, when it initialises an empty data directory. The passwords
# come from AUTH_DB_PASSWORD, CATALOG_DB_PASSWORD, NEWS_DB_PASSWORD, TICKETS_DB_PASSWORD and
# NOTIFY_DB_PASSWORD.
set -eu

for service in auth catalog news tickets notify; do
    variable="$(echo "$service" | tr '[:lower:]' '[:upper:]')_DB_PASSWORD"
    password="$(printenv "$variable" || true)"
    if [ -z "$password" ]; then
        echo "create-databases.sh: $variable is not set; set it in deploy/.env" >&2
        exit 1
    fi

    # psql substitutes :"name" as a quoted identifier and :'name' as a quoted literal.
    psql --set ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
         --set name="portail_$service" --set password="$password" <<'SQL'
CREATE ROLE :"name" LOGIN PASSWORD :'password';
CREATE DATABASE :"name" OWNER :"name";
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
SQL
    echo "create-databases.sh: database portail_$service created"
done
