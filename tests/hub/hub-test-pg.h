/* hub-test-pg.h — a throwaway PostgreSQL cluster for tests and benchmarks
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * initdb + pg_ctl (from /usr/lib/postgresql/15/bin) in a temporary directory, listening only
 * on 127.0.0.1 at a free port, no Unix socket outside that directory; run as the `postgres`
 * user (runuser) when the process is root. One cluster per process, started on first use and
 * stopped (and its directory removed) at exit.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Starts the cluster if needed and creates a new, empty database in it; returns its
 * "postgresql://…" URL, or NULL with @error set (e.g. PostgreSQL is not installed). */
char *hub_test_pg_new_database (GError **error);
/* Stops the cluster now (also done at exit). */
void  hub_test_pg_stop         (void);

G_END_DECLS
