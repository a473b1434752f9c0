/* bench-hub.c — statement ingest and paging rates of a real shuyuan-hub, on SQLite and on
 * PostgreSQL, beside a baseline LRS measured in the same run
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   bench-hub [--engine sqlite|postgresql|both|none] [--seconds 5] [--page 20000]
 *             [--only TEXT] [--hub PATH]
 *             [--baseline URL --baseline-auth USER:PASS [--baseline-pid PID]]
 *
 * For each engine: a new data dir (SQLite) or a new database in a throwaway PostgreSQL
 * cluster (hub-test-pg.c), an admin made with `shuyuan-hub user add`, then
 * `shuyuan-hub serve --listen 127.0.0.1:0`. A load generator (libcurl, one thread and one
 * keep-alive connection per client) POSTs valid, distinct statements with ids to
 * /xapi/statements: batches of 1 with 1 and 8 clients, of 100 and of 500 with 1 and 4
 * clients, each for at most --seconds (and a bounded number of statements), one after the
 * other into the same store. Then one client reads --page statements back with
 * GET /xapi/statements?limit=500, following `more`. Last, the hub's peak RSS (VmHWM) is
 * read from /proc before it is stopped with SIGTERM. --only TEXT runs only the loads whose
 * name contains TEXT (e.g. "500, 4").
 *
 * Each load prints a line with its rate, the request latency (p50, p99) and the CPU the
 * server and this generator used over it (100% = one core): a server well under 200% on
 * 2 cores is waiting (fsync, locks, or a machine busy with something else), not computing.
 * Then a Markdown table for docs/benchmarks.md.
 *
 * --baseline URL (the endpoint, e.g. http://127.0.0.1:8081/xAPI) runs the same ingest and
 * paging against another LRS that is already running; --baseline-pid lets its RSS be read.
 * Every request must succeed: any other status is counted and reported, and the figure is
 * marked.
 */
#include "config.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <gio/gio.h>
#include <json-c/json.h>

#include "hub-test-pg.h"

/* ---- the disk ----------------------------------------------------------------------- */

/* The median time, in ms, of appending 4 KiB to a file in @dir and making it durable
 * (fdatasync), over 200 tries: about what one commit costs this disk at least. A hub that answers
 * a request only once its statements are durable can answer at most one request per commit
 * per client, so for single statements from N clients this bounds the rate at N / latency,
 * whatever the hub does. Measured in the same run, before and after, because it varies:
 * on the virtual machine these figures come from, single-statement rates moved threefold
 * within an hour while nothing else changed. */
static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
disk_sync_ms (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "fsync-probe", NULL);
  double times[200];
  char block[4096];
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

  if (fd < 0)
    return -1;
  memset (block, 'x', sizeof block);
  for (guint i = 0; i < G_N_ELEMENTS (times); i++)
    {
      gint64 start = g_get_monotonic_time ();

      /* appended, as a WAL grows: the file's size is made durable too */
      if (pwrite (fd, block, sizeof block, (off_t) i * (off_t) sizeof block) != sizeof block
          || fdatasync (fd) != 0)
        {
          close (fd);
          g_unlink (path);
          return -1;
        }
      times[i] = (g_get_monotonic_time () - start) / 1000.0;
    }
  close (fd);
  g_unlink (path);
  qsort (times, G_N_ELEMENTS (times), sizeof times[0], compare_double);
  return times[G_N_ELEMENTS (times) / 2];
}

/* ---- the load ---------------------------------------------------------------------- */

typedef struct
{
  const char *label;
  int         batch;      /* statements per request */
  int         clients;    /* threads, one keep-alive connection each */
  int         max_statements;
  const char *target;     /* the target on SQLite, or NULL */
} Load;

static const Load loads[] = {
  { "POST 1 statement per request, 1 client",     1, 1,  20000, NULL },
  { "POST 1 statement per request, 8 clients",    1, 8,  40000, "≥ 2,000/s" },
  { "POST batches of 100, 1 client",            100, 1, 200000, NULL },
  { "POST batches of 100, 4 clients",           100, 4, 200000, NULL },
  { "POST batches of 500, 1 client",            500, 1, 300000, NULL },
  { "POST batches of 500, 4 clients",           500, 4, 300000, "≥ 20,000/s" },
};

typedef struct
{
  double rate;          /* statements/s, or 0 when not measured */
  double p50_ms, p99_ms; /* request latency */
  int    failures;      /* requests that did not succeed */
} Figure;

typedef struct
{
  const char *name;     /* column title */
  Figure      ingest[G_N_ELEMENTS (loads)];
  Figure      paging;
  guint64     page_statements;
  gint64      peak_rss_kib; /* -1 when unknown */
  gboolean    ran;
} Column;

/* One run of one Load against one endpoint. */
typedef struct
{
  const char   *statements_url;
  const char   *auth;
  const Load   *load;
  guint64       id_base;      /* statement numbers id_base … id_base + max_statements */
  gint64        deadline;     /* monotonic µs */
  int           n_requests;   /* requests in the whole run */
  volatile int  next_request; /* claimed with g_atomic_int_add */
  volatile int  failures;
  volatile int  done_statements;
  GMutex        lock;
  char         *first_error;
  double       *latencies_ms; /* one per request, in claim order */
} Run;

static guint32 run_prefix; /* random per process: ids of separate runs never collide */

static void
append_statement (GString *out,
                  guint64  n)
{
  /* A version-4, variant-1 UUID: the process prefix, then the statement's number. */
  g_string_append_printf (out,
    "{\"id\":\"%08x-%04x-4%03x-8%03x-%012" G_GINT64_MODIFIER "x\","
    "\"actor\":{\"objectType\":\"Agent\",\"name\":\"Learner %u\",\"mbox\":\"mailto:learner-%u@bench.invalid\"},"
    "\"verb\":{\"id\":\"http://adlnet.gov/expapi/verbs/answered\",\"display\":{\"en-US\":\"answered\"}},"
    "\"object\":{\"objectType\":\"Activity\",\"id\":\"https://shuyuan.invalid/xapi/course/c%03u/item/q%u\","
    "\"definition\":{\"name\":{\"en-US\":\"Question %u\"},\"type\":\"http://adlnet.gov/expapi/activities/cmi.interaction\","
    "\"interactionType\":\"choice\"}},"
    "\"result\":{\"success\":%s,\"response\":\"b\",\"duration\":\"PT%uS\",\"score\":{\"scaled\":0.%u}},"
    "\"context\":{\"platform\":\"bench-hub\",\"language\":\"en-US\"},"
    "\"timestamp\":\"2026-11-%02uT08:%02u:%02u.%03uZ\"}",
    run_prefix, (guint) ((n >> 48) & 0xffff), (guint) ((n >> 60) & 0xf), 0u,
    (n & G_GUINT64_CONSTANT (0xffffffffffff)),
    (guint) (n % 500), (guint) (n % 500), (guint) (n % 40), (guint) (n % 20), (guint) (n % 20),
    n % 3 ? "true" : "false", 5 + (guint) (n % 90), (guint) (n % 10),
    1 + (guint) (n % 28), (guint) (n / 60 % 24), (guint) (n % 60), (guint) (n % 1000));
}

static size_t
collect_body (char   *data,
              size_t  size,
              size_t  count,
              void   *user_data)
{
  GString *body = user_data;

  g_string_append_len (body, data, size * count);
  return size * count;
}

static CURL *
new_handle (const char         *auth,
            struct curl_slist **headers,
            GString            *body)
{
  CURL *curl = curl_easy_init ();

  *headers = curl_slist_append (NULL, "X-Experience-API-Version: 1.0.3");
  *headers = curl_slist_append (*headers, "Content-Type: application/json");
  *headers = curl_slist_append (*headers, "Expect:"); /* no 100-continue round trip */
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, *headers);
  curl_easy_setopt (curl, CURLOPT_USERPWD, auth);
  curl_easy_setopt (curl, CURLOPT_HTTPAUTH, (long) CURLAUTH_BASIC);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, body);
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt (curl, CURLOPT_TCP_NODELAY, 1L);
  return curl;
}

static void
record_failure (Run        *run,
                const char *what)
{
  g_atomic_int_inc (&run->failures);
  g_mutex_lock (&run->lock);
  if (run->first_error == NULL)
    run->first_error = g_strdup (what);
  g_mutex_unlock (&run->lock);
}

static gpointer
client_thread (gpointer data)
{
  Run *run = data;
  g_autoptr(GString) body = g_string_new (NULL);
  g_autoptr(GString) response = g_string_new (NULL);
  struct curl_slist *headers;
  CURL *curl = new_handle (run->auth, &headers, response);
  int batch = run->load->batch;

  curl_easy_setopt (curl, CURLOPT_URL, run->statements_url);
  curl_easy_setopt (curl, CURLOPT_POST, 1L);

  for (;;)
    {
      int request = g_atomic_int_add (&run->next_request, 1);
      guint64 first = run->id_base + (guint64) request * batch;
      gint64 start;
      long status = 0;
      CURLcode code;

      if (request >= run->n_requests || g_get_monotonic_time () >= run->deadline)
        break;

      g_string_truncate (body, 0);
      if (batch > 1)
        g_string_append_c (body, '[');
      for (int i = 0; i < batch; i++)
        {
          if (i > 0)
            g_string_append_c (body, ',');
          append_statement (body, first + i);
        }
      if (batch > 1)
        g_string_append_c (body, ']');

      g_string_truncate (response, 0);
      curl_easy_setopt (curl, CURLOPT_POSTFIELDS, body->str);
      curl_easy_setopt (curl, CURLOPT_POSTFIELDSIZE, (long) body->len);
      start = g_get_monotonic_time ();
      code = curl_easy_perform (curl);
      run->latencies_ms[request] = (g_get_monotonic_time () - start) / 1000.0;
      if (code == CURLE_OK)
        curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &status);

      if (code != CURLE_OK)
        record_failure (run, curl_easy_strerror (code));
      else if (status != 200)
        {
          g_autofree char *what = g_strdup_printf ("HTTP %ld: %.300s", status, response->str);
          record_failure (run, what);
        }
      else
        g_atomic_int_add (&run->done_statements, batch);
    }

  curl_easy_cleanup (curl);
  curl_slist_free_all (headers);
  return NULL;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* CPU seconds (user + system) used so far by process @pid, or by this process when 0;
 * -1 when unknown. */
static double
cpu_seconds (GPid pid)
{
  g_autofree char *path = NULL;
  g_autofree char *stat = NULL;
  const char *end;
  unsigned long long utime, stime;

  if (pid == 0)
    {
      struct rusage usage;

      getrusage (RUSAGE_SELF, &usage);
      return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6
             + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
    }
  path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  if (pid < 0 || !g_file_get_contents (path, &stat, NULL, NULL)
      || (end = strrchr (stat, ')')) == NULL
      /* after the command's name: state, then fields 4 to 13, then utime and stime */
      || sscanf (end + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
                 &utime, &stime) != 2)
    return -1;
  return (double) (utime + stime) / sysconf (_SC_CLK_TCK);
}

static Figure
run_load (const char *endpoint,
          const char *auth,
          GPid        server_pid,
          const Load *load,
          guint64     id_base,
          double      seconds)
{
  double client_cpu = cpu_seconds (0);
  double server_cpu = server_pid > 0 ? cpu_seconds (server_pid) : -1;
  g_autofree char *cpu = NULL;
  Run run = { 0 };
  Figure figure = { 0 };
  g_autofree char *url = g_strdup_printf ("%s/statements", endpoint);
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  gint64 start, elapsed;
  int claimed;
  g_autoptr(GArray) done = g_array_new (FALSE, FALSE, sizeof (double));

  run.statements_url = url;
  run.auth = auth;
  run.load = load;
  run.id_base = id_base;
  run.n_requests = load->max_statements / load->batch;
  run.latencies_ms = g_new0 (double, run.n_requests + load->clients);
  g_mutex_init (&run.lock);

  start = g_get_monotonic_time ();
  run.deadline = start + (gint64) (seconds * G_USEC_PER_SEC);
  for (int i = 0; i < load->clients; i++)
    g_ptr_array_add (threads, g_thread_new ("client", client_thread, &run));
  for (guint i = 0; i < threads->len; i++)
    g_thread_join (threads->pdata[i]);
  elapsed = g_get_monotonic_time () - start;
  client_cpu = (cpu_seconds (0) - client_cpu) / (elapsed / 1e6);
  if (server_cpu >= 0 && cpu_seconds (server_pid) >= 0)
    cpu = g_strdup_printf ("server CPU %.0f%%, ", 100 * (cpu_seconds (server_pid) - server_cpu)
                                                  / (elapsed / 1e6));

  figure.rate = run.done_statements / (elapsed / 1e6);
  figure.failures = run.failures;
  claimed = MIN (run.next_request, run.n_requests);
  /* a request claimed after the deadline was not sent: skip the zeros it left */
  for (int i = 0; i < claimed; i++)
    if (run.latencies_ms[i] > 0)
      g_array_append_val (done, run.latencies_ms[i]);
  if (done->len > 0)
    {
      g_array_sort (done, compare_doubles);
      figure.p50_ms = g_array_index (done, double, done->len / 2);
      figure.p99_ms = g_array_index (done, double, MIN (done->len - 1, done->len * 99 / 100));
    }
  if (run.first_error)
    g_printerr ("  %s: %d failed requests, the first: %s\n", load->label, run.failures,
                run.first_error);
  g_print ("  %-44s %9.0f statements/s  (p50 %.2f ms, p99 %.2f ms, %d requests; %sclient "
           "CPU %.0f%%%s)\n", load->label, figure.rate, figure.p50_ms, figure.p99_ms,
           (int) done->len, cpu ? cpu : "", 100 * client_cpu, run.failures ? "; FAILURES" : "");

  g_free (run.first_error);
  g_free (run.latencies_ms);
  g_mutex_clear (&run.lock);
  return figure;
}

/* The `more` value resolved against the endpoint's scheme and host. */
static char *
resolve_more (const char *endpoint,
              const char *more)
{
  const char *slash;

  if (g_str_has_prefix (more, "http://") || g_str_has_prefix (more, "https://"))
    return g_strdup (more);
  slash = strchr (strstr (endpoint, "://") + 3, '/');
  if (more[0] == '/')
    return g_strdup_printf ("%.*s%s", (int) (slash ? slash - endpoint : (gssize) strlen (endpoint)),
                            endpoint, more);
  return g_strdup_printf ("%s/%s", endpoint, more);
}

/* One client reads up to @wanted statements, 500 a page, following `more`. */
static Figure
run_paging (const char *endpoint,
            const char *auth,
            int         wanted,
            double      seconds,
            guint64    *read_out)
{
  Figure figure = { 0 };
  g_autoptr(GString) response = g_string_new (NULL);
  struct curl_slist *headers;
  CURL *curl = new_handle (auth, &headers, response);
  g_autofree char *url = g_strdup_printf ("%s/statements?limit=500", endpoint);
  g_autoptr(GArray) latencies = g_array_new (FALSE, FALSE, sizeof (double));
  guint64 read = 0;
  gint64 start = g_get_monotonic_time ();
  gint64 deadline = start + (gint64) (seconds * G_USEC_PER_SEC);
  const char *problem = NULL;
  g_autofree char *problem_owned = NULL;

  curl_easy_setopt (curl, CURLOPT_HTTPGET, 1L);
  /* the hub may compress; accept what libcurl can decode, as a client would */
  curl_easy_setopt (curl, CURLOPT_ACCEPT_ENCODING, "");

  while (url != NULL && read < (guint64) wanted && g_get_monotonic_time () < deadline)
    {
      long status = 0;
      gint64 t0 = g_get_monotonic_time ();
      double ms;
      json_object *page, *statements, *more;
      CURLcode code;

      g_string_truncate (response, 0);
      curl_easy_setopt (curl, CURLOPT_URL, url);
      code = curl_easy_perform (curl);
      ms = (g_get_monotonic_time () - t0) / 1000.0;
      g_array_append_val (latencies, ms);
      if (code != CURLE_OK)
        {
          problem = curl_easy_strerror (code);
          break;
        }
      curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &status);
      page = status == 200 ? json_tokener_parse (response->str) : NULL;
      if (page == NULL || !json_object_object_get_ex (page, "statements", &statements)
          || !json_object_is_type (statements, json_type_array))
        {
          problem = problem_owned = g_strdup_printf ("HTTP %ld: %.300s", status, response->str);
          json_object_put (page);
          break;
        }
      read += json_object_array_length (statements);
      g_clear_pointer (&url, g_free);
      if (json_object_object_get_ex (page, "more", &more)
          && json_object_is_type (more, json_type_string)
          && json_object_get_string_len (more) > 0)
        url = resolve_more (endpoint, json_object_get_string (more));
      json_object_put (page);
    }

  figure.rate = read / ((g_get_monotonic_time () - start) / 1e6);
  if (problem)
    {
      figure.failures = 1;
      g_printerr ("  GET paging failed: %s\n", problem);
    }
  if (latencies->len > 0)
    {
      g_array_sort (latencies, compare_doubles);
      figure.p50_ms = g_array_index (latencies, double, latencies->len / 2);
      figure.p99_ms = g_array_index (latencies, double,
                                     MIN (latencies->len - 1, latencies->len * 99 / 100));
    }
  g_print ("  %-44s %9.0f statements/s  (%" G_GUINT64_FORMAT " statements in %u pages, "
           "p50 %.2f ms a page%s)\n", "GET pages of 500, following more", figure.rate, read,
           latencies->len, figure.p50_ms, figure.failures ? ", FAILED" : "");
  *read_out = read;
  curl_easy_cleanup (curl);
  curl_slist_free_all (headers);
  return figure;
}

static const char *only; /* --only: the loads whose label contains this */

static void
run_all (Column     *column,
         const char *endpoint,
         const char *auth,
         GPid        server_pid,
         double      seconds,
         int         page)
{
  static guint64 id_base = 0;

  for (guint i = 0; i < G_N_ELEMENTS (loads); i++)
    {
      if (only && !strstr (loads[i].label, only))
        continue;
      column->ingest[i] = run_load (endpoint, auth, server_pid, &loads[i], id_base, seconds);
      id_base += loads[i].max_statements;
    }
  if (page > 0)
    column->paging = run_paging (endpoint, auth, page, 4 * seconds, &column->page_statements);
  column->ran = TRUE;
}

static gint64
peak_rss_kib (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *status = NULL;
  const char *line;

  if (pid <= 0 || !g_file_get_contents (path, &status, NULL, NULL))
    return -1;
  line = strstr (status, "\nVmHWM:");
  return line ? g_ascii_strtoll (line + 7, NULL, 10) : -1;
}

/* ---- the hub ----------------------------------------------------------------------- */

typedef struct
{
  GSubprocess *process;
  char        *url;
  char        *auth;
  char        *dir;      /* temporary: the SQLite data dir, the hub's log */
  GPid         pid;
} Hub;

static void hub_free (Hub *hub);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Hub, hub_free)

static char **
hub_argv (const char  *hub_path,
          const char  *target_option,
          const char  *target,
          const char  *first,
          ...)
{
  GPtrArray *argv = g_ptr_array_new ();
  va_list args;

  g_ptr_array_add (argv, g_strdup (hub_path));
  va_start (args, first);
  for (const char *arg = first; arg; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, g_strdup (target_option));
  g_ptr_array_add (argv, g_strdup (target));
  g_ptr_array_add (argv, NULL);
  return (char **) g_ptr_array_free (argv, FALSE);
}

static void
print_log_tail (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "hub.log", NULL);
  g_autofree char *text = NULL;
  gsize len = 0;

  if (g_file_get_contents (path, &text, &len, NULL))
    g_printerr ("%s", len > 2000 ? text + len - 2000 : text);
}

static Hub *
hub_start (const char  *hub_path,
           const char  *engine,
           GError     **error)
{
  g_autoptr(Hub) hub = g_new0 (Hub, 1);
  g_autofree char *target = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *add_err = NULL;
  g_autofree char *log = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_auto(GStrv) add_argv = NULL;
  g_auto(GStrv) serve_argv = NULL;
  const char *option;
  GInputStream *out;
  GString *line = g_string_new (NULL);
  gint64 deadline;
  int status = 0;

  hub->dir = g_dir_make_tmp ("bench-hub-XXXXXX", error);
  if (hub->dir == NULL)
    return NULL;
  if (g_str_equal (engine, "sqlite"))
    {
      option = "--data-dir";
      target = g_build_filename (hub->dir, "data", NULL);
    }
  else
    {
      option = "--db";
      target = hub_test_pg_new_database (error);
      if (target == NULL)
        return NULL;
    }
  log = g_build_filename (hub->dir, "hub.log", NULL);

  add_argv = hub_argv (hub_path, option, target, "user", "add", "bench", "--role", "admin", NULL);
  if (!g_spawn_sync (NULL, add_argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &secret, &add_err, &status,
                     error))
    return NULL;
  g_strstrip (secret);
  if (!g_spawn_check_wait_status (status, NULL) || secret[0] == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "shuyuan-hub user add failed: %s", add_err);
      return NULL;
    }
  hub->auth = g_strdup_printf ("bench:%s", secret);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  serve_argv = hub_argv (hub_path, option, target, "serve", "--listen", "127.0.0.1:0", NULL);
  hub->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) serve_argv, error);
  if (hub->process == NULL)
    return NULL;

  hub->pid = (GPid) g_ascii_strtoll (g_subprocess_get_identifier (hub->process), NULL, 10);

  /* "listening on URL" on standard output when it is ready; 60 s at most */
  out = g_subprocess_get_stdout_pipe (hub->process);
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline && strchr (line->str, '\n') == NULL)
    {
      char buffer[256];
      gssize n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (out), buffer,
                                                           sizeof buffer, NULL, NULL);
      if (n > 0)
        g_string_append_len (line, buffer, n);
      else if (n == 0)
        break; /* end of file: the hub exited */
      else
        g_usleep (20000);
    }
  if (!g_str_has_prefix (line->str, "listening on ") || strchr (line->str, '\n') == NULL)
    {
      print_log_tail (hub->dir);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "shuyuan-hub serve did not start");
      g_string_free (line, TRUE);
      return NULL;
    }
  *strchr (line->str, '\n') = '\0';
  hub->url = g_strdup (line->str + strlen ("listening on "));
  if (g_str_has_suffix (hub->url, "/"))
    hub->url[strlen (hub->url) - 1] = '\0';
  g_string_free (line, TRUE);
  return g_steal_pointer (&hub);
}

static void
hub_free (Hub *hub)
{
  if (hub->process)
    {
      /* SIGTERM, then 60 s at most for the requests in flight before SIGKILL (GLib reaps the
       * child as soon as it exits, so kill(pid, 0) then fails) */
      gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

      g_subprocess_send_signal (hub->process, SIGTERM);
      while (kill (hub->pid, 0) == 0 && g_get_monotonic_time () < deadline)
        g_usleep (50000);
      if (kill (hub->pid, 0) == 0)
        {
          g_printerr ("shuyuan-hub did not stop within 60 s of SIGTERM; killing it\n");
          g_subprocess_force_exit (hub->process);
        }
      g_subprocess_wait (hub->process, NULL, NULL);
      if (!g_subprocess_get_if_exited (hub->process) || g_subprocess_get_exit_status (hub->process))
        {
          g_printerr ("shuyuan-hub did not exit cleanly after SIGTERM; its log:\n");
          print_log_tail (hub->dir);
        }
      g_object_unref (hub->process);
    }
  if (hub->dir)
    {
      const char *argv[] = { "rm", "-rf", hub->dir, NULL };

      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                    NULL, NULL);
      g_free (hub->dir);
    }
  g_free (hub->url);
  g_free (hub->auth);
  g_free (hub);
}

/* ---- the table --------------------------------------------------------------------- */

/* 12345.6 → "12,346" */
static char *
format_thousands (double value)
{
  g_autofree char *digits = g_strdup_printf ("%.0f", value);
  GString *out = g_string_new (NULL);
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

static char *
format_rate (const Figure *f)
{
  g_autofree char *rate = format_thousands (f->rate);

  if (f->rate <= 0 && !f->failures)
    return g_strdup ("—");
  return g_strdup_printf ("%s/s%s", rate, f->failures ? " (errors)" : "");
}

static const Figure *
figure_at (const Column *column,
           guint         row)
{
  return row < G_N_ELEMENTS (loads) ? &column->ingest[row] : &column->paging;
}

static char *
format_rss (const Column *column)
{
  if (column->peak_rss_kib < 0)
    return g_strdup ("—");
  return g_strdup_printf ("%.1f MiB", column->peak_rss_kib / 1024.0);
}

/* A Markdown table: a column per engine, the baseline, and each engine's ratio to it. */
static void
print_table (Column *columns,
             int     n_columns,
             Column *baseline)
{
  g_autoptr(GPtrArray) used = g_ptr_array_new ();
  guint n_cells;

  for (int c = 0; c < n_columns; c++)
    if (columns[c].ran)
      g_ptr_array_add (used, &columns[c]);

  g_print ("\n| what |");
  for (guint c = 0; c < used->len; c++)
    g_print (" hub, %s |", ((Column *) used->pdata[c])->name);
  if (baseline->ran)
    {
      g_print (" %s |", baseline->name);
      for (guint c = 0; c < used->len; c++)
        g_print (" %s ÷ baseline |", ((Column *) used->pdata[c])->name);
    }
  g_print (" target (SQLite) |");
  n_cells = 2 + used->len + (baseline->ran ? 1 + used->len : 0);
  g_print ("\n|");
  for (guint i = 0; i < n_cells; i++)
    g_print ("---|");
  g_print ("\n");

  for (guint row = 0; row <= G_N_ELEMENTS (loads); row++)
    {
      g_print ("| %s |", row < G_N_ELEMENTS (loads) ? loads[row].label
                                                    : "GET pages of 500, following more");
      for (guint c = 0; c < used->len; c++)
        {
          g_autofree char *text = format_rate (figure_at (used->pdata[c], row));
          g_print (" %s |", text);
        }
      if (baseline->ran)
        {
          const Figure *b = figure_at (baseline, row);
          g_autofree char *text = format_rate (b);

          g_print (" %s |", text);
          for (guint c = 0; c < used->len; c++)
            {
              const Figure *f = figure_at (used->pdata[c], row);

              if (b->rate > 0 && f->rate > 0)
                g_print (" %.2f× |", f->rate / b->rate);
              else
                g_print (" — |");
            }
        }
      g_print (" %s |\n", row < G_N_ELEMENTS (loads) && loads[row].target ? loads[row].target : "");
    }

  g_print ("| peak RSS (VmHWM) |");
  for (guint c = 0; c < used->len; c++)
    {
      g_autofree char *text = format_rss (used->pdata[c]);
      g_print (" %s |", text);
    }
  if (baseline->ran)
    {
      g_autofree char *text = format_rss (baseline);

      g_print (" %s |", text);
      for (guint c = 0; c < used->len; c++)
        {
          const Column *column = used->pdata[c];

          if (column->peak_rss_kib > 0 && baseline->peak_rss_kib > 0)
            g_print (" %.2f× |", (double) column->peak_rss_kib / baseline->peak_rss_kib);
          else
            g_print (" — |");
        }
    }
  g_print ("  |\n");
}

/* ---- main -------------------------------------------------------------------------- */

int
main (int    argc,
      char **argv)
{
  g_autofree char *engine = g_strdup ("both");
  g_autofree char *hub_path = NULL;
  g_autofree char *baseline_url = NULL;
  g_autofree char *baseline_auth = NULL;
  g_autofree char *only_arg = NULL;
  int baseline_pid = 0;
  double seconds = 5;
  int page = 20000;
  GOptionEntry entries[] = {
    { "engine", 0, 0, G_OPTION_ARG_STRING, &engine,
      "sqlite, postgresql, both (default) or none", "ENGINE" },
    { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &seconds, "at most this long for each load (5)", "S" },
    { "page", 0, 0, G_OPTION_ARG_INT, &page,
      "statements to read back with GET (20000; 0: none)", "N" },
    { "only", 0, 0, G_OPTION_ARG_STRING, &only_arg,
      "only the loads whose name contains TEXT, e.g. \"500, 4\"", "TEXT" },
    { "hub", 0, 0, G_OPTION_ARG_FILENAME, &hub_path, "the shuyuan-hub binary", "PATH" },
    { "baseline", 0, 0, G_OPTION_ARG_STRING, &baseline_url, "another LRS's xAPI endpoint", "URL" },
    { "baseline-auth", 0, 0, G_OPTION_ARG_STRING, &baseline_auth, "its Basic auth", "USER:PASS" },
    { "baseline-pid", 0, 0, G_OPTION_ARG_INT, &baseline_pid, "its process, for the peak RSS", "PID" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— shuyuan-hub ingest and paging rates");
  g_autoptr(GError) error = NULL;
  Column columns[2] = { { .name = "SQLite" }, { .name = "PostgreSQL" } };
  Column baseline = { .name = "baseline" };
  const char *engines[2] = { "sqlite", "postgresql" };
  double sync_before = -1, sync_after = -1;

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (!g_str_equal (engine, "sqlite") && !g_str_equal (engine, "postgresql")
      && !g_str_equal (engine, "both") && !g_str_equal (engine, "none"))
    {
      g_printerr ("--engine is sqlite, postgresql, both or none (only the baseline)\n");
      return 2;
    }
  only = only_arg;
  if (hub_path == NULL)
    hub_path = g_strdup (g_getenv ("SHUYUAN_HUB") ? g_getenv ("SHUYUAN_HUB") : SHUYUAN_HUB_PATH);
  if (baseline_url && g_str_has_suffix (baseline_url, "/"))
    baseline_url[strlen (baseline_url) - 1] = '\0';

  signal (SIGPIPE, SIG_IGN);
  curl_global_init (CURL_GLOBAL_DEFAULT);
  run_prefix = g_random_int ();

  for (int e = 0; e < 2; e++)
    {
      g_autoptr(Hub) hub = NULL;
      g_autofree char *endpoint = NULL;
      g_autofree char *load = NULL;

      if (!g_str_equal (engine, "both") && !g_str_equal (engine, engines[e]))
        continue;
      g_file_get_contents ("/proc/loadavg", &load, NULL, NULL);
      /* figures on a busy machine are lower: say how busy it was */
      g_print ("hub on %s (load average %.14s)\n", columns[e].name, load ? g_strstrip (load) : "?");
      hub = hub_start (hub_path, engines[e], &error);
      if (hub == NULL)
        {
          g_printerr ("  cannot start the hub on %s: %s\n", columns[e].name, error->message);
          g_clear_error (&error);
          continue;
        }
      endpoint = g_strdup_printf ("%s/xapi", hub->url);
      if (e == 0)
        sync_before = disk_sync_ms (g_get_tmp_dir ());
      run_all (&columns[e], endpoint, hub->auth, hub->pid, seconds, page);
      if (e == 0)
        sync_after = disk_sync_ms (g_get_tmp_dir ());
      columns[e].peak_rss_kib = peak_rss_kib (hub->pid);
    }

  if (baseline_url)
    {
      g_autofree char *load = NULL;

      g_file_get_contents ("/proc/loadavg", &load, NULL, NULL);
      g_print ("baseline at %s (load average %.14s)\n", baseline_url, load ? g_strstrip (load) : "?");
      run_all (&baseline, baseline_url, baseline_auth ? baseline_auth : "", baseline_pid, seconds,
               page);
      baseline.peak_rss_kib = baseline_pid > 0 ? peak_rss_kib (baseline_pid) : -1;
    }

  print_table (columns, G_N_ELEMENTS (columns), &baseline);
  if (sync_before > 0 && sync_after > 0)
    {
      double worst = MAX (sync_before, sync_after);

      g_print ("\nThis disk (%s): appending 4 KiB and fdatasync took %.2f ms (median of 200) "
               "before the SQLite loads and %.2f ms after. A durable commit costs at least that, "
               "so single statements from 8 clients (8 requests per commit at most) are bounded "
               "here by 8 / %.2f ms = %.0f/s, and from 1 client by %.0f/s.\n",
               g_get_tmp_dir (), sync_before, sync_after, worst, 8000.0 / worst, 1000.0 / worst);
    }
  hub_test_pg_stop ();
  curl_global_cleanup ();

  for (int c = 0; c < 2; c++)
    for (guint i = 0; columns[c].ran && i < G_N_ELEMENTS (loads); i++)
      if (columns[c].ingest[i].failures)
        return 1;
  return 0;
}
