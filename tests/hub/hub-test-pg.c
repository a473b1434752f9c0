/* hub-test-pg.c — a throwaway PostgreSQL cluster for tests and benchmarks
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The cluster lives in a fresh temporary directory (data in DIR/data, the Unix socket in
 * DIR, the server log in DIR/log) and listens on 127.0.0.1 at a port that was free a
 * moment before; if another process takes the port first, the start is tried again with a
 * new one. Run as root, the tools run as `postgres` through runuser, which owns the
 * directory. Nothing is printed: the tools' output is kept for error messages.
 */
#define G_LOG_DOMAIN "ShuyuanHubTest"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>

#include "hub-test-pg.h"

#define PG_BINDIR "/usr/lib/postgresql/15/bin"
#define PG_USER "shuyuan"
#define START_ATTEMPTS 3

static GMutex lock;
static char *cluster_dir;   /* NULL when no cluster runs */
static int cluster_port;
static pid_t cluster_owner; /* the process that started it (forked children do not stop it) */
static guint next_database;
static gboolean atexit_done;
static int watchdog_fd = -1; /* the watchdog's stdin: it cleans up when this closes */

/* Stops the cluster and removes its directory when its input closes without "done": when
 * this process ends in any way, including an abort in a failed test (atexit does not run
 * then). It runs in its own session, out of reach of a signal to the test's process group. */
static const char watchdog_script[] =
  "read x; [ \"$x\" = done ] && exit 0; "
  "if [ \"$4\" = root ]; then runuser -u postgres -- \"$1\" stop -s -m immediate -D \"$2\"; "
  "else \"$1\" stop -s -m immediate -D \"$2\"; fi; "
  "rm -rf \"$3\"";

static void
watchdog_setup (gpointer data)
{
  setsid ();
}

static void
start_watchdog (const char *pg_ctl,
                const char *data,
                const char *dir)
{
  const char *argv[] = { "/bin/sh", "-c", watchdog_script, "sh", pg_ctl, data, dir,
                         geteuid () == 0 ? "root" : "user", NULL };
  g_autoptr(GError) error = NULL;
  int fd = -1;

  if (!g_spawn_async_with_pipes ("/", (char **) argv, NULL,
                                 G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                                 watchdog_setup, NULL, NULL, &fd, NULL, NULL, &error))
    {
      g_debug ("No watchdog for the test cluster: %s", error->message);
      return;
    }
  fcntl (fd, F_SETFD, FD_CLOEXEC);
  watchdog_fd = fd;
}

static void
stop_watchdog (void)
{
  if (watchdog_fd < 0)
    return;
  if (write (watchdog_fd, "done\n", 5) != 5)
    g_debug ("Cannot dismiss the test cluster's watchdog: %s", g_strerror (errno));
  close (watchdog_fd);
  watchdog_fd = -1;
}

static char *
pg_tool (const char *name)
{
  const char *bindir = g_getenv ("SHUYUAN_PG_BINDIR");

  return g_build_filename (bindir != NULL ? bindir : PG_BINDIR, name, NULL);
}

/* Runs a PostgreSQL tool (as `postgres` when root), its output captured. */
static gboolean
run_tool (const char * const *argv,
          GError            **error)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  if (geteuid () == 0)
    {
      g_ptr_array_add (args, (char *) "runuser");
      g_ptr_array_add (args, (char *) "-u");
      g_ptr_array_add (args, (char *) "postgres");
      g_ptr_array_add (args, (char *) "--");
    }
  for (const char * const *a = argv; *a != NULL; a++)
    g_ptr_array_add (args, (char *) *a);
  g_ptr_array_add (args, NULL);

  /* The cluster directory as working directory: `postgres` may not enter ours. */
  if (!g_spawn_sync (cluster_dir, (char **) args->pdata, NULL,
                     G_SPAWN_SEARCH_PATH | G_SPAWN_STDIN_FROM_DEV_NULL, NULL, NULL,
                     &out, &err, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, error))
    {
      g_prefix_error (error, "%s failed (%s%s): ", argv[0], g_strstrip (err),
                      *out != '\0' ? g_strstrip (out) : "");
      return FALSE;
    }
  return TRUE;
}

/* Bounded by the depth of the cluster directory, which is small. */
static void
remove_tree (const char *path)
{
  GDir *dir;

  if (!g_file_test (path, G_FILE_TEST_IS_SYMLINK) && g_file_test (path, G_FILE_TEST_IS_DIR)
      && (dir = g_dir_open (path, 0, NULL)) != NULL)
    {
      const char *name;

      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
      g_dir_close (dir);
    }
  if (g_remove (path) != 0 && errno != ENOENT)
    g_debug ("Cannot remove %s: %s", path, g_strerror (errno));
}

static int
free_port (GError **error)
{
  struct sockaddr_in addr = { 0 };
  socklen_t len = sizeof addr;
  int fd;
  int port = -1;

  fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    goto fail;
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (bind (fd, (struct sockaddr *) &addr, sizeof addr) != 0
      || getsockname (fd, (struct sockaddr *) &addr, &len) != 0)
    goto fail;
  port = ntohs (addr.sin_port);
  close (fd);
  return port;

fail:
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
               "Cannot find a free port on 127.0.0.1: %s", g_strerror (errno));
  if (fd >= 0)
    close (fd);
  return -1;
}

static void
stop_locked (void)
{
  g_autofree char *pg_ctl = NULL;
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;

  if (cluster_dir == NULL || cluster_owner != getpid ())
    return;

  pg_ctl = pg_tool ("pg_ctl");
  data = g_build_filename (cluster_dir, "data", NULL);
  {
    const char *argv[] = { pg_ctl, "stop", "-s", "-w", "-m", "fast", "-D", data, NULL };

    if (!run_tool (argv, &error))
      g_debug ("Stopping the test cluster: %s", error->message);
  }
  remove_tree (cluster_dir);
  g_clear_pointer (&cluster_dir, g_free);
  cluster_port = 0;
  stop_watchdog ();
}

static void
stop_at_exit (void)
{
  g_mutex_lock (&lock);
  stop_locked ();
  g_mutex_unlock (&lock);
}

static gboolean
start_locked (GError **error)
{
  g_autofree char *initdb = pg_tool ("initdb");
  g_autofree char *pg_ctl = pg_tool ("pg_ctl");
  g_autofree char *dir = NULL;
  g_autofree char *data = NULL;
  g_autofree char *log = NULL;
  GError *last_error = NULL;

  if (!g_file_test (initdb, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "PostgreSQL is not installed: %s is missing", initdb);
      return FALSE;
    }

  dir = g_dir_make_tmp ("shuyuan-hub-pg-XXXXXX", error);
  if (dir == NULL)
    return FALSE;
  if (geteuid () == 0)
    {
      struct passwd *pw = getpwnam ("postgres");

      if (pw == NULL || chown (dir, pw->pw_uid, pw->pw_gid) != 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "Running as root needs a `postgres` user to own %s", dir);
          remove_tree (dir);
          return FALSE;
        }
    }
  cluster_dir = g_strdup (dir);
  cluster_owner = getpid ();
  if (!atexit_done)
    {
      atexit (stop_at_exit);
      atexit_done = TRUE;
    }

  data = g_build_filename (dir, "data", NULL);
  log = g_build_filename (dir, "log", NULL);
  {
    const char *argv[] = { initdb, "-D", data, "-A", "trust", "-E", "UTF8",
                           "--locale=C.UTF-8", "-U", PG_USER, "--no-sync", NULL };

    if (!run_tool (argv, error))
      goto fail;
  }

  for (int attempt = 0; attempt < START_ATTEMPTS; attempt++)
    {
      g_autofree char *options = NULL;
      int port = free_port (error);

      if (port < 0)
        goto fail;
      options = g_strdup_printf ("-p %d -k %s -c listen_addresses=127.0.0.1"
                                 " -c max_connections=200", port, dir);
      {
        const char *argv[] = { pg_ctl, "start", "-s", "-w", "-t", "60", "-D", data,
                               "-l", log, "-o", options, NULL };

        g_clear_error (&last_error);
        if (run_tool (argv, &last_error))
          {
            cluster_port = port;
            start_watchdog (pg_ctl, data, dir);
            return TRUE;
          }
      }
    }
  g_propagate_error (error, last_error);
  {
    g_autofree char *contents = NULL;

    if (g_file_get_contents (log, &contents, NULL, NULL))
      g_prefix_error (error, "%s\n", contents);
  }

fail:
  remove_tree (dir);
  g_clear_pointer (&cluster_dir, g_free);
  return FALSE;
}

char *
hub_test_pg_new_database (GError **error)
{
  g_autofree char *conninfo = NULL;
  g_autofree char *name = NULL;
  g_autofree char *sql = NULL;
  PGconn *conn;
  PGresult *res;
  int port;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_mutex_lock (&lock);
  if (cluster_dir == NULL && !start_locked (error))
    {
      g_mutex_unlock (&lock);
      return NULL;
    }
  port = cluster_port;
  name = g_strdup_printf ("hub_test_%u", ++next_database);
  g_mutex_unlock (&lock);

  conninfo = g_strdup_printf ("host=127.0.0.1 port=%d user=" PG_USER " dbname=postgres", port);
  conn = PQconnectdb (conninfo);
  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "Cannot connect to the test cluster: %s", PQerrorMessage (conn));
      PQfinish (conn);
      return NULL;
    }
  sql = g_strdup_printf ("CREATE DATABASE %s", name);
  res = PQexec (conn, sql);
  if (PQresultStatus (res) != PGRES_COMMAND_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot create database %s: %s",
                   name, PQresultErrorMessage (res));
      PQclear (res);
      PQfinish (conn);
      return NULL;
    }
  PQclear (res);
  PQfinish (conn);

  return g_strdup_printf ("postgresql://" PG_USER "@127.0.0.1:%d/%s", port, name);
}

void
hub_test_pg_stop (void)
{
  g_mutex_lock (&lock);
  stop_locked ();
  g_mutex_unlock (&lock);
}
