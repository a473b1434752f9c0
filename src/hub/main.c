/* main.c — the shuyuan-hub command: serve, user add, enrol-code, migrate, publish
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Exit status: 0 done, 1 failed, 2 wrong usage. Errors are one line on standard error;
 * standard output carries only what a script wants (the secret, the code, the
 * "listening on URL" line).
 */
#define G_LOG_DOMAIN "ShuyuanHub"

#include "config.h"

#include <errno.h>
#include <locale.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <glib-unix.h>
#include <sodium.h>

#include "hub-server.h"
#include "hub-store-access.h"
#include "hub-store-catalog.h"
#include "hub-store-reports.h"

#define EXIT_USAGE 2

static const char usage[] =
  "Usage:\n"
  "  shuyuan-hub serve [--data-dir DIR | --db URL] --listen ADDR [--tls-cert FILE --tls-key FILE]\n"
  "                    [--max-body BYTES] [--rate-limit N] [--access-log FILE|-]\n"
  "                    [--public-url URL] [--workers N] [--trust-proxy]\n"
  "                    [--shutdown-timeout SECONDS]\n"
  "  shuyuan-hub user add NAME --role coordinator|admin [--org NAME] [--data-dir DIR | --db URL]\n"
  "  shuyuan-hub enrol-code --org NAME [--expires 30m|24h|7d] [--data-dir DIR | --db URL]\n"
  "  shuyuan-hub migrate [--data-dir DIR | --db URL]\n"
  "  shuyuan-hub publish PACKAGE [--data-dir DIR | --db URL]\n"
  "  shuyuan-hub report completions|surveys [--org NAME] [--programme P] [--course C]\n"
  "                    [--from DATE] [--to DATE] [--format json|csv] [--data-dir DIR | --db URL]\n";

static char *opt_data_dir;
static char *opt_db;

static const GOptionEntry target_entries[] = {
  { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &opt_data_dir, "SQLite data directory", "DIR" },
  { "db", 0, 0, G_OPTION_ARG_STRING, &opt_db, "PostgreSQL URL", "URL" },
  { NULL }
};

static int
usage_error (const char *format,
             ...) G_GNUC_PRINTF (1, 2);

static int
usage_error (const char *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("shuyuan-hub: %s (see shuyuan-hub --help)\n", message);
  return EXIT_USAGE;
}

static int
fail (const char *format,
      ...) G_GNUC_PRINTF (1, 2);

static int
fail (const char *format,
      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  /* one line */
  g_strdelimit (message, "\n", ' ');
  g_printerr ("shuyuan-hub: %s\n", message);
  return EXIT_FAILURE;
}

/* Parses @argv (the subcommand's own, argv[0] = subcommand) with @entries plus the target
 * options. Returns FALSE after printing a usage error. */
static gboolean
parse_options (int                *argc,
               char             ***argv,
               const GOptionEntry *entries)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;

  g_option_context_set_help_enabled (context, FALSE);
  g_option_context_add_main_entries (context, target_entries, NULL);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      usage_error ("%s", error->message);
      return FALSE;
    }
  return TRUE;
}

static const char *
target (void)
{
  if (opt_db != NULL)
    return opt_db;
  if (opt_data_dir != NULL)
    return opt_data_dir;
  return NULL;
}

static HubStore *
open_store (int *status)
{
  g_autoptr(GError) error = NULL;
  HubStore *store;

  if (opt_db != NULL && opt_data_dir != NULL)
    {
      *status = usage_error ("give either --data-dir or --db, not both");
      return NULL;
    }
  if (target () == NULL)
    {
      *status = usage_error ("say where the data is: --data-dir DIR or --db postgresql://…");
      return NULL;
    }
  store = hub_store_open (target (), &error);
  if (store == NULL)
    {
      *status = fail ("cannot open %s: %s", target (), error->message);
      return NULL;
    }
  return store;
}

/* serve */

static gboolean
on_signal (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_CONTINUE;
}

static int
cmd_serve (int    argc,
           char **argv)
{
  HubConfig config;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(HubStore) store = NULL;
  HubServer *server;
  char *listen = NULL, *tls_cert = NULL, *tls_key = NULL, *access_log = NULL;
  char *public_url = NULL, *max_body = NULL;
  int rate_limit = -1, workers = -1, shutdown_timeout = 30;
  gboolean trust_proxy = FALSE;
  int status = 0;
  guint sigterm, sigint;
  const GOptionEntry entries[] = {
    { "listen", 0, 0, G_OPTION_ARG_STRING, &listen, NULL, NULL },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert, NULL, NULL },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key, NULL, NULL },
    { "max-body", 0, 0, G_OPTION_ARG_STRING, &max_body, NULL, NULL },
    { "rate-limit", 0, 0, G_OPTION_ARG_INT, &rate_limit, NULL, NULL },
    { "access-log", 0, 0, G_OPTION_ARG_FILENAME, &access_log, NULL, NULL },
    { "public-url", 0, 0, G_OPTION_ARG_STRING, &public_url, NULL, NULL },
    { "workers", 0, 0, G_OPTION_ARG_INT, &workers, NULL, NULL },
    { "trust-proxy", 0, 0, G_OPTION_ARG_NONE, &trust_proxy, NULL, NULL },
    { "shutdown-timeout", 0, 0, G_OPTION_ARG_INT, &shutdown_timeout, NULL, NULL },
    { NULL }
  };

  if (!parse_options (&argc, &argv, entries))
    return EXIT_USAGE;
  if (argc > 1)
    return usage_error ("serve takes no argument %s", argv[1]);
  if (listen == NULL)
    return usage_error ("serve needs --listen HOST:PORT (e.g. 127.0.0.1:8080)");

  hub_config_init (&config);
  g_free (config.listen);
  config.listen = listen;
  config.tls_cert = tls_cert;
  config.tls_key = tls_key;
  config.access_log = access_log;
  config.public_url = public_url;
  config.trust_proxy = trust_proxy;
  if (max_body != NULL)
    {
      guint64 value;

      if (!g_ascii_string_to_unsigned (max_body, 10, 1, G_MAXSIZE, &value, NULL))
        {
          hub_config_clear (&config);
          return usage_error ("--max-body wants a number of bytes, not %s", max_body);
        }
      config.max_body = value;
      g_free (max_body);
    }
  if (rate_limit == 0 || rate_limit < -1)
    {
      hub_config_clear (&config);
      return usage_error ("--rate-limit wants requests per minute (1 or more)");
    }
  if (rate_limit > 0)
    config.rate_limit = (guint) rate_limit;
  if (workers == 0 || workers < -1 || workers > 1024)
    {
      hub_config_clear (&config);
      return usage_error ("--workers wants a number of threads from 1 to 1024");
    }
  if (workers > 0)
    config.workers = (guint) workers;
  if (shutdown_timeout < 0 || shutdown_timeout > 3600)
    {
      hub_config_clear (&config);
      return usage_error ("--shutdown-timeout wants seconds, from 0 to 3600");
    }
  if ((tls_cert == NULL) != (tls_key == NULL))
    {
      hub_config_clear (&config);
      return usage_error ("TLS needs both --tls-cert and --tls-key");
    }

  store = open_store (&status);
  if (store == NULL)
    {
      hub_config_clear (&config);
      return status;
    }

  server = hub_server_new (store, &config, &error);
  if (server == NULL || !hub_server_listen (server, &error))
    {
      status = fail ("%s", error->message);
      hub_server_free (server);
      hub_config_clear (&config);
      return status;
    }

  loop = g_main_loop_new (NULL, FALSE);
  sigterm = g_unix_signal_add (SIGTERM, on_signal, loop);
  sigint = g_unix_signal_add (SIGINT, on_signal, loop);

  printf ("listening on %s\n", hub_server_get_url (server));
  fflush (stdout);
  g_printerr ("shuyuan-hub: serving %s on %s\n", target (), hub_server_get_url (server));

  g_main_loop_run (loop);

  /* Stopping already: a second SIGTERM (systemd, a test, an impatient operator) must not
   * kill the process halfway through its shutdown. (Removing the last GLib source for a
   * signal restores its default action, hence the order.) */
  g_source_remove (sigterm);
  g_source_remove (sigint);
  signal (SIGTERM, SIG_IGN);
  signal (SIGINT, SIG_IGN);

  g_printerr ("shuyuan-hub: stopping; finishing the requests in flight\n");
  /* then hub_server_free() still waits for the statements handed to the writer: what a
   * client was told nothing about yet is written or refused, never left half-done */
  hub_server_shutdown (server, (guint) shutdown_timeout * 1000);
  hub_server_free (server);
  g_clear_pointer (&store, hub_store_free);
  hub_config_clear (&config);
  g_printerr ("shuyuan-hub: stopped\n");
  return EXIT_SUCCESS;
}

/* user add */

static int
cmd_user (int    argc,
          char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HubStore) store = NULL;
  g_autofree char *role_name = NULL;
  g_autofree char *org = NULL;
  g_autofree char *secret = NULL;
  HubRole role;
  int status = 0;
  const GOptionEntry entries[] = {
    { "role", 0, 0, G_OPTION_ARG_STRING, &role_name, NULL, NULL },
    { "org", 0, 0, G_OPTION_ARG_STRING, &org, NULL, NULL },
    { NULL }
  };

  if (!parse_options (&argc, &argv, entries))
    return EXIT_USAGE;
  if (argc < 2 || !g_str_equal (argv[1], "add"))
    return usage_error ("the user command is: user add NAME --role coordinator|admin [--org NAME]");
  if (argc != 3)
    return usage_error ("user add takes one NAME");
  if (role_name == NULL)
    return usage_error ("user add needs --role coordinator or --role admin");
  if (g_str_equal (role_name, "coordinator"))
    role = HUB_ROLE_COORDINATOR;
  else if (g_str_equal (role_name, "admin"))
    role = HUB_ROLE_ADMIN;
  else
    return usage_error ("--role is coordinator or admin, not %s", role_name);
  if (role == HUB_ROLE_COORDINATOR && org == NULL)
    return usage_error ("a coordinator belongs to an organisation: add --org NAME");

  store = open_store (&status);
  if (store == NULL)
    return status;
  if (!hub_store_user_add (store, argv[2], role, org, &secret, &error))
    return fail ("cannot add user %s: %s", argv[2], error->message);

  g_printerr ("Added %s %s%s%s. Its secret is printed below, once; the hub keeps only a "
              "hash. Sign in with HTTP Basic auth as %s:SECRET.\n",
              role_name, argv[2], org != NULL ? " of organisation " : "", org != NULL ? org : "",
              argv[2]);
  printf ("%s\n", secret);
  fflush (stdout);
  sodium_memzero (secret, strlen (secret));
  return EXIT_SUCCESS;
}

/* enrol-code */

static gboolean
parse_duration (const char *text,
                gint64     *us)
{
  guint64 value;
  gint64 unit;
  gsize len = strlen (text);
  g_autofree char *number = NULL;

  if (len < 2)
    return FALSE;
  switch (text[len - 1])
    {
    case 's': unit = G_USEC_PER_SEC; break;
    case 'm': unit = (gint64) 60 * G_USEC_PER_SEC; break;
    case 'h': unit = (gint64) 3600 * G_USEC_PER_SEC; break;
    case 'd': unit = (gint64) 86400 * G_USEC_PER_SEC; break;
    case 'w': unit = (gint64) 7 * 86400 * G_USEC_PER_SEC; break;
    default: return FALSE;
    }
  number = g_strndup (text, len - 1);
  if (!g_ascii_string_to_unsigned (number, 10, 1, (guint64) 3650 * 86400 * G_USEC_PER_SEC / unit,
                                   &value, NULL))
    return FALSE;
  *us = (gint64) value * unit;
  return *us <= (gint64) 3650 * 86400 * G_USEC_PER_SEC;
}

static int
cmd_enrol_code (int    argc,
                char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HubStore) store = NULL;
  g_autofree char *org = NULL;
  g_autofree char *expires = NULL;
  g_autofree char *code = NULL;
  g_autofree char *until = NULL;
  gint64 duration = (gint64) 7 * 86400 * G_USEC_PER_SEC, expires_us;
  int status = 0;
  const GOptionEntry entries[] = {
    { "org", 0, 0, G_OPTION_ARG_STRING, &org, NULL, NULL },
    { "expires", 0, 0, G_OPTION_ARG_STRING, &expires, NULL, NULL },
    { NULL }
  };

  if (!parse_options (&argc, &argv, entries))
    return EXIT_USAGE;
  if (argc > 1)
    return usage_error ("enrol-code takes no argument %s", argv[1]);
  if (org == NULL)
    return usage_error ("enrol-code needs --org NAME: the organisation the device will join");
  if (expires != NULL && !parse_duration (expires, &duration))
    return usage_error ("--expires wants a duration such as 30m, 24h or 7d, not %s", expires);

  store = open_store (&status);
  if (store == NULL)
    return status;
  expires_us = hub_now_us () + duration;
  code = hub_store_enrol_code_create (store, org, expires_us, &error);
  if (code == NULL)
    return fail ("cannot make an enrolment code for %s: %s", org, error->message);

  until = hub_format_time (expires_us);
  g_printerr ("Enrolment code for organisation %s, valid once until %s:\n", org, until);
  printf ("%s\n", code);
  fflush (stdout);
  return EXIT_SUCCESS;
}

/* migrate, publish */

static int
cmd_migrate (int    argc,
             char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HubDb) db = NULL;
  int version;

  if (!parse_options (&argc, &argv, NULL))
    return EXIT_USAGE;
  if (argc > 1)
    return usage_error ("migrate takes no argument %s", argv[1]);
  if (opt_db != NULL && opt_data_dir != NULL)
    return usage_error ("give either --data-dir or --db, not both");
  if (target () == NULL)
    return usage_error ("say where the data is: --data-dir DIR or --db postgresql://…");

  db = hub_db_open (target (), &error);
  if (db == NULL)
    return fail ("cannot open %s: %s", target (), error->message);
  if (!hub_db_migrate (db, &error))
    return fail ("cannot migrate %s: %s", target (), error->message);
  version = hub_db_schema_version (db, &error);
  if (version < 0)
    return fail ("cannot read the schema version of %s: %s", target (), error->message);
  g_printerr ("%s is at schema version %d\n", target (), version);
  return EXIT_SUCCESS;
}

static int
cmd_publish (int    argc,
             char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HubStore) store = NULL;
  json_object *entry = NULL;
  int status = 0;

  if (!parse_options (&argc, &argv, NULL))
    return EXIT_USAGE;
  if (argc != 2)
    return usage_error ("publish takes one PACKAGE (a course folder or .zip)");

  store = open_store (&status);
  if (store == NULL)
    return status;
  if (!hub_catalog_publish (store, argv[1], &entry, &error))
    return fail ("cannot publish %s: %s", argv[1], error->message);

  if (entry != NULL)
    {
      json_object *id = json_object_object_get (entry, "id");
      json_object *version = json_object_object_get (entry, "version");

      g_printerr ("Published %s version %s\n", json_object_get_string (id),
                  json_object_get_string (version));
      printf ("%s\n", json_object_to_json_string_ext (entry, JSON_C_TO_STRING_PLAIN |
                                                             JSON_C_TO_STRING_NOSLASHESCAPE));
      json_object_put (entry);
    }
  fflush (stdout);
  return EXIT_SUCCESS;
}

/* report */

static int
cmd_report (int    argc,
            char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HubStore) store = NULL;
  g_autofree char *org = NULL;
  g_autofree char *programme = NULL;
  g_autofree char *course = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *format = NULL;
  HubReportFilter filter = { 0 };
  json_object *report;
  gboolean surveys;
  int status = 0;
  const GOptionEntry entries[] = {
    { "org", 0, 0, G_OPTION_ARG_STRING, &org, NULL, NULL },
    { "programme", 0, 0, G_OPTION_ARG_STRING, &programme, NULL, NULL },
    { "course", 0, 0, G_OPTION_ARG_STRING, &course, NULL, NULL },
    { "from", 0, 0, G_OPTION_ARG_STRING, &from, NULL, NULL },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to, NULL, NULL },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, NULL, NULL },
    { NULL }
  };

  if (!parse_options (&argc, &argv, entries))
    return EXIT_USAGE;
  if (argc != 2 || (!g_str_equal (argv[1], "completions") && !g_str_equal (argv[1], "surveys")))
    return usage_error ("report wants completions or surveys");
  if (format != NULL && !g_str_equal (format, "csv") && !g_str_equal (format, "json"))
    return usage_error ("--format is csv or json, not %s", format);
  surveys = g_str_equal (argv[1], "surveys");

  store = open_store (&status);
  if (store == NULL)
    return status;
  if (org != NULL && !hub_report_org_id (store, org, &filter.org_id, &error))
    return error ? fail ("cannot read the organisations: %s", error->message)
                 : fail ("there is no organisation %s", org);
  filter.programme = programme;
  filter.course = course;
  filter.from = from;
  filter.to = to;
  if (format != NULL && g_str_equal (format, "csv"))
    {
      g_autoptr(GBytes) csv = surveys ? hub_report_surveys_csv (store, &filter, &error)
                                      : hub_report_completions_csv (store, &filter, &error);
      gsize size;
      const char *data;

      if (csv == NULL)
        return fail ("cannot make the report: %s", error->message);
      data = g_bytes_get_data (csv, &size);
      fwrite (data, 1, size, stdout);
    }
  else
    {
      report = surveys ? hub_report_surveys (store, &filter, &error)
                       : hub_report_completions (store, &filter, &error);
      if (report == NULL)
        return fail ("cannot make the report: %s", error->message);
      printf ("%s\n", json_object_to_json_string_ext (report, JSON_C_TO_STRING_PRETTY |
                                                               JSON_C_TO_STRING_NOSLASHESCAPE));
      json_object_put (report);
    }
  if (fflush (stdout) != 0)
    return fail ("cannot write the report: %s", g_strerror (errno));
  return EXIT_SUCCESS;
}

int
main (int    argc,
      char **argv)
{
  const char *command;

#ifdef __GLIBC__
  /* glibc gives each thread that allocates at the same time as another an arena of its own,
   * up to 8 per core, and an arena keeps the memory freed into it. The request workers
   * (16 or more) parse and free thousands of small json-c objects per request, more than
   * a thread's cache holds, so they meet at their arena's lock. On 2 cores, in bench-hub's
   * batches of 500 from 4 clients: 2 arenas 65-74 µs of CPU per statement (a tenth of the
   * hub's CPU went to threads waiting for and waking each other at those locks), 4 arenas
   * 53-64 µs, 16 (glibc's default) 49-57 µs; peak resident size 90, 116 and 145 MiB.
   * Two per core, 4 to 8.
   * MALLOC_ARENA_MAX in the environment still decides when set. */
  if (g_getenv ("MALLOC_ARENA_MAX") == NULL)
    mallopt (M_ARENA_MAX, (int) CLAMP (2 * g_get_num_processors (), 4, 8));
  /* No fastbins: a request's statements are thousands of small json-c allocations freed
   * together, and with fastbins every later allocation of 1 KiB or more (a statement's
   * text, SQLite's buffers) first had glibc sweep them all back into its bins
   * (malloc_consolidate() and unlink_chunk() were 8 % of the hub's CPU at batches of
   * 500); without, they go to the thread's cache or are merged as they are freed: about
   * 8 % less CPU per statement in bench-hub. GLIBC_TUNABLES, when set, decides. */
  if (g_getenv ("GLIBC_TUNABLES") == NULL)
    mallopt (M_MXFAST, 0);
#endif
  setlocale (LC_ALL, "");
  signal (SIGPIPE, SIG_IGN);
  if (sodium_init () < 0)
    return fail ("cannot initialise libsodium");

  if (argc < 2)
    return usage_error ("no command given");
  command = argv[1];
  argc--;
  argv++;

  if (g_str_equal (command, "serve"))
    return cmd_serve (argc, argv);
  if (g_str_equal (command, "user"))
    return cmd_user (argc, argv);
  if (g_str_equal (command, "enrol-code"))
    return cmd_enrol_code (argc, argv);
  if (g_str_equal (command, "migrate"))
    return cmd_migrate (argc, argv);
  if (g_str_equal (command, "publish"))
    return cmd_publish (argc, argv);
  if (g_str_equal (command, "report"))
    return cmd_report (argc, argv);
  if (g_str_equal (command, "--help") || g_str_equal (command, "-h") ||
      g_str_equal (command, "help"))
    {
      printf ("%s", usage);
      return EXIT_SUCCESS;
    }
  return usage_error ("unknown command %s", command);
}
